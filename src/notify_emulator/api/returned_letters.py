"""``GET /v2/returned-letters/summary`` and ``GET /v2/returned-letters/?report_date=…``: Notify's
upcoming returned-letters routes (notify-api.md "Returned letters")."""

from __future__ import annotations

from starlette.responses import Response

from notify_emulator.store.returned_letters import returned_letter_summary, returned_letters_report
from notify_emulator.web.auth import Caller, authenticate
from notify_emulator.web.context import ApiRequest, Emulator
from notify_emulator.web.errors import single
from notify_emulator.web.handlers import Result
from notify_emulator.web.middleware import redirect_response
from notify_emulator.web.responses import json_response
from notify_emulator.web.schemas import GET_RETURNED_LETTERS_REQUEST, validate

# The same text on both routes, as in Notify.
LIVE_KEYS_ONLY = "Only live API keys are authorised to get the latest returned letter summary."


def _live_caller(emulator: Emulator, request: ApiRequest) -> Caller:
    caller = authenticate(request.authorization, emulator.store, emulator.settings.clock)
    if caller.key_type != "normal":
        raise single(403, "InvalidRequest", LIVE_KEYS_ONLY)
    return caller


def get_summary(emulator: Emulator, request: ApiRequest) -> Result:
    """One ``{"returned_letter_count", "report_date"}`` per report date, newest first; with
    none, a single object with a count of 0 (Notify's own quirk: an object, not a list)."""
    caller = _live_caller(emulator, request)
    days = returned_letter_summary(emulator.store, caller.service.id)
    if not days:
        return 200, {"returned_letter_count": 0, "report_date": None}
    rows = [
        {"returned_letter_count": day.returned_letter_count, "report_date": day.report_date}
        for day in days
    ]
    return _json_list(rows)


def get_report(emulator: Emulator, request: ApiRequest) -> Result:
    """The letters returned on ``report_date`` and the count of orphaned ones."""
    caller = _live_caller(emulator, request)
    # Werkzeug's args.to_dict(): the first value of each parameter.
    params: dict[str, object] = {}
    for name, value in request.query:
        params.setdefault(name, value)
    validate(params, GET_RETURNED_LETTERS_REQUEST, emulator.settings.clock)
    report_date = str(params["report_date"])
    return 200, returned_letters_report(emulator.store, caller.service.id, report_date)


def _json_list(rows: list[dict[str, object]]) -> Response:
    return json_response(rows)


def redirect_to_slash(_emulator: Emulator, request: ApiRequest) -> Result:
    """``/v2/returned-letters`` without the slash: Notify's route is ``"/"`` under the prefix,
    so Werkzeug answers with a 308 to it, before any authentication, keeping the query."""
    query = f"?{request.raw_query}" if request.raw_query else ""
    return redirect_response(f"{request.root}/v2/returned-letters/{query}")
