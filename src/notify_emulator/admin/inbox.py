"""The web inbox at ``GET /``: every stored notification, newest first, server-rendered."""

from __future__ import annotations

from html import escape

from starlette.responses import HTMLResponse

from notify_emulator.clock import format_timestamp
from notify_emulator.present.rendering import render
from notify_emulator.rules.errors import RuleError
from notify_emulator.rules.lifecycle import api_status
from notify_emulator.web.context import ApiRequest, Emulator
from notify_emulator.web.handlers import Result

_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Notify emulator inbox</title>
<style>
body {{ font-family: sans-serif; margin: 2em; color: #0b0c0c; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border-bottom: 1px solid #b1b4b6; padding: .5em; text-align: left;
  vertical-align: top; }}
pre {{ white-space: pre-wrap; margin: 0; font-family: inherit; }}
</style></head>
<body><h1>Notify emulator inbox</h1>
<p>{count} notification(s), newest first.
As JSON: <a href="/_emulator/notifications">/_emulator/notifications</a></p>
<table><thead><tr><th>Created</th><th>Type</th><th>Key</th><th>To</th><th>Status</th>
<th>Subject</th><th>Body</th></tr></thead><tbody>
{rows}
</tbody></table></body></html>
"""
# The inbox shows at most this many notifications.
INBOX_LIMIT = 500


def inbox(emulator: Emulator, request: ApiRequest) -> Result:
    """``GET /[?service_id=…]``: the inbox page."""
    service_id = request.query_lists().get("service_id", [None])[0]
    # Text a page cannot encode (an unpaired surrogate stored before such text was refused)
    # is shown as "?" rather than failing the page.
    return HTMLResponse(inbox_page(emulator, service_id).encode("utf-8", "replace"))


def inbox_page(emulator: Emulator, service_id: str | None) -> str:
    """The inbox as an HTML page."""
    records = emulator.store.notifications_page(service_id, None, INBOX_LIMIT)
    rows = []
    for record, template in zip(
        records, emulator.store.notification_templates(records), strict=True
    ):
        try:
            rendered = render(template, record.personalisation) if template else None
        except RuleError:
            rendered = None
        cells = [
            format_timestamp(record.created_at) or "",
            record.notification_type,
            record.key_type,
            record.recipient or "(precompiled PDF)",
            api_status(record.notification_type, record.status),
            (rendered.subject if rendered else None) or "",
        ]
        body = rendered.body if rendered else ""
        rows.append(
            "<tr>"
            + "".join(f"<td>{escape(cell)}</td>" for cell in cells)
            + f"<td><pre>{escape(body)}</pre></td></tr>"
        )
    return _PAGE.format(count=len(records), rows="\n".join(rows))
