"""Faults: rehearse Notify failing (shared/spec/emulator.md, "Faults").

- :mod:`notify_emulator.faults.rules`: what a fault is, what it matches and what it answers
  (pure: no I/O, so the store, the seed parser and the middleware share one definition);
- :mod:`notify_emulator.faults.middleware`: the ASGI middleware that applies them to requests;
- :mod:`notify_emulator.faults.connection`: closing a connection without an answer.

The faults themselves are kept by the store (``store/faults.py``), so that every worker process
sees the same ones and each ``times`` count is used up exactly once.

Nothing is imported here: the store imports the rules, and the middleware imports the store.
"""
