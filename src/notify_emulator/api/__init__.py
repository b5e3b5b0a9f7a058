"""The v2 API: notifications, templates and received text messages (notify-api.md).

:data:`ROUTES` lists every route under the ``/v2`` prefix that ``app.py`` mounts them at.
"""

from __future__ import annotations

from notify_emulator.api import letters, reads, returned_letters, send
from notify_emulator.web.auth import authenticate
from notify_emulator.web.context import ApiRequest, Emulator
from notify_emulator.web.handlers import Handler, Result
from notify_emulator.web.responses import not_found_response
from notify_emulator.web.routing import register_convertors

register_convertors()

__all__ = ["ON_EVENT_LOOP", "PREFIX", "ROUTES"]

PREFIX = "/v2"


def _unknown_notification_type(emulator: Emulator, request: ApiRequest) -> Result:
    # A POST to any other /v2/notifications/<type> is authenticated, then a 404 (§1.1).
    authenticate(request.authorization, emulator.store, emulator.settings.clock)
    return not_found_response()


ROUTES: list[tuple[str, str, Handler]] = [
    ("/notifications/sms", "POST", send.post_sms),
    ("/notifications/email", "POST", send.post_email),
    ("/notifications/letter", "POST", letters.post_letter),
    ("/notifications", "GET", reads.get_notifications),
    ("/notifications/{notification_id}", "GET", reads.get_notification),
    ("/notifications/{notification_id}/pdf", "GET", letters.get_pdf),
    ("/template/{template_id}", "GET", reads.get_template),
    ("/template/{template_id}/version/{version:digits}", "GET", reads.get_template),
    ("/template/{template_id}/preview", "POST", reads.post_template_preview),
    ("/templates", "GET", reads.get_templates),
    ("/received-text-messages", "GET", reads.get_received_texts),
    ("/returned-letters/summary", "GET", returned_letters.get_summary),
    ("/returned-letters/", "GET", returned_letters.get_report),
    ("/returned-letters", "GET", returned_letters.redirect_to_slash),
    # After every named type, so that it only takes the others.
    ("/notifications/{notification_type}", "POST", _unknown_notification_type),
]
"""(path under :data:`PREFIX`, method, handler), in matching order."""

ON_EVENT_LOOP: frozenset[Handler] = frozenset(
    {send.post_sms, send.post_email, reads.get_notification, reads.get_template}
)
"""The handlers run on the event loop rather than in a worker thread: the hot ones, whose
store reads are of memory (the configuration) or one row by its key. The rest may build PDFs
or read many rows."""
