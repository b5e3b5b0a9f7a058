"""Emulator-only routes: inspect, seed, reset, inject received texts, force statuses
(shared/spec/emulator.md, "Emulator-only routes").

:data:`ROUTES` lists every route under the ``/_emulator`` prefix that ``app.py`` mounts them at.
"""

from __future__ import annotations

from notify_emulator.admin import (
    callbacks,
    clock,
    documents,
    faults,
    preview,
    routes,
    setup,
    unsubscribe,
)
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
    ("/documents/{document_id}/confirm-email", "POST", documents.confirm_email),
    ("/faults", "GET", faults.list_faults),
    ("/faults", "POST", faults.add_fault),
    ("/faults", "DELETE", faults.clear_faults),
    ("/faults/{fault_id}", "DELETE", faults.delete_fault),
    ("/clock", "GET", clock.get_clock),
    ("/clock", "POST", clock.move_clock),
    ("/callbacks", "GET", callbacks.list_all),
    ("/callbacks/{callback_id}/retry", "POST", callbacks.retry),
    ("/notifications/{notification_id}/return", "POST", callbacks.return_notification),
    ("/services/{service_id}/callbacks", "POST", callbacks.set_service_callback),
    ("/templates/preview", "POST", preview.preview_template),
    ("/unsubscribe-requests", "GET", unsubscribe.list_all),
    *setup.ROUTES,
]
"""(path under :data:`PREFIX`, method, handler), in matching order."""
