"""A client for the GOV.UK Notify API."""

__version__ = "13.1.0"
