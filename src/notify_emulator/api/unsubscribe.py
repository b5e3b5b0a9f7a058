"""One-click unsubscribe: ``POST /unsubscribe/{notification_id}/{token}``, the URL Notify puts
in an email's ``List-Unsubscribe`` header (and shows as ``one_click_unsubscribe_url``) for a
template with the unsubscribe link option (notify-api.md §5.5).

As api ``app/one_click_unsubscribe/rest.py``: no authentication (the token is the lock), no
body read (a mail client sends ``List-Unsubscribe=One-Click`` as a form, RFC 8058, but any body
and type will do), POST only (Flask's 405 for other methods), and a notification id that is
not a hyphenated UUID matches no route (404). The answers:

- a token that is not the notification's → 404 ``{"message": {"unsubscribe request": "This is
  not a valid unsubscribe link."}, "result": "error"}``;
- a text or a letter → the same 404 (Notify's token is the recipient's email address, so a
  text or letter never has one);
- no such notification (a reset forgot it) → 404 with "This unsubscribe link is invalid or
  expired.", Notify's answer when neither its notifications nor their history hold the id
  (the emulator keeps notifications past their retention period, so those still unsubscribe,
  as Notify finds them in its history);
- otherwise the request is recorded (once per notification: a repeat is a success too) → 200
  ``{"message": "Unsubscribe successful", "result": "success"}``.

Notify's token is the recipient's address, signed; the emulator's is derived from the id
(``present.serialise.unsubscribe_token``). Recorded requests are listed by
``GET /_emulator/unsubscribe-requests``.
"""

from __future__ import annotations

from notify_emulator.present.serialise import unsubscribe_token
from notify_emulator.store.unsubscribe_requests import record_unsubscribe_request
from notify_emulator.web.context import ApiRequest, Emulator
from notify_emulator.web.handlers import Handler, Result

__all__ = ["PATH", "ROUTES"]

# Werkzeug's uuid converter: only the hyphenated form, in either case (web/routing.py).
PATH = "/unsubscribe/{notification_id:werkzeug_uuid}/{token}"

NOT_VALID = "This is not a valid unsubscribe link."
INVALID_OR_EXPIRED = "This unsubscribe link is invalid or expired."
SUCCESS: dict[str, object] = {"message": "Unsubscribe successful", "result": "success"}


def _error(message: str) -> tuple[int, dict[str, object]]:
    return 404, {"message": {"unsubscribe request": message}, "result": "error"}


def one_click_unsubscribe(emulator: Emulator, request: ApiRequest) -> Result:
    """``POST /unsubscribe/{notification_id}/{token}``."""
    notification_id = request.path_params["notification_id"]  # canonical: the route's uuid
    if request.path_params["token"] != unsubscribe_token(notification_id):
        return _error(NOT_VALID)
    outcome = record_unsubscribe_request(emulator.store, notification_id)
    if outcome == "unknown":
        return _error(INVALID_OR_EXPIRED)
    if outcome == "not an email":
        return _error(NOT_VALID)
    return 200, SUCCESS


ROUTES: list[tuple[str, str, Handler]] = [(PATH, "POST", one_click_unsubscribe)]
"""(path, method, handler): mounted at the root, beside Notify's /v2 routes."""
