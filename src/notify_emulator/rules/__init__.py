"""Notify's rules for templates and recipients, as pure functions (no I/O)."""
