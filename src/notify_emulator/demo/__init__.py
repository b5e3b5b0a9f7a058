"""The demo: the service seeded when no ``--config`` is given (:mod:`.service`) and the
``make demo`` walkthrough that drives it with the client (:mod:`.walkthrough`)."""
