"""Emulator-only routes: inspect, seed, reset, inject received texts, force statuses
(shared/spec/emulator.md, "Emulator-only routes").

:data:`ROUTES` lists every route under the ``/_emulator`` prefix that ``app.py`` mounts them at.
"""

from __future__ import annotations

from notify_emulator.admin import callbacks, documents, routes, setup
from notify_emulator.web.handlers import Handler

__all__ = ["PREFIX", "ROUTES"]

PREFIX = "/_emulator"

ROUTES: list[tuple[str, str, Handler]] = [
    ("/health", "GET", routes.health),
    ("/reset", "POST", routes.reset),
    ("/config", "POST", routes.load_config),
    ("/notifications", "GET", routes.list_notifications),
    ("/received-texts", "POST", routes.inject_received_text),
    ("/notifications/{notification_id}/status", "POST", routes.force_status),
    ("/documents/{document_id}", "GET", documents.get_document),
    ("/callbacks", "GET", callbacks.list_all),
    ("/callbacks/{callback_id}/retry", "POST", callbacks.retry),
    ("/notifications/{notification_id}/return", "POST", callbacks.return_notification),
    ("/services/{service_id}/callbacks", "POST", callbacks.set_service_callback),
    *setup.ROUTES,
]
"""(path under :data:`PREFIX`, method, handler), in matching order."""
