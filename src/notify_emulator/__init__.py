"""A local GOV.UK Notify: the v2 REST API on SQLite or PostgreSQL."""
