"""How a stored record is presented: its content rendered through the rules, and its v2 JSON.

Shared by the v2 handlers (``api/``), the emulator-only routes (``admin/``) and the web pages,
so each shows a notification exactly as the API does.
"""
