"""The v2 API: notifications, templates and received text messages."""
