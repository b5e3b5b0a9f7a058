"""``GET /services/{id}/unsubscribe-requests``: the one-click unsubscribe requests a service's
emails have had (``POST /unsubscribe/{id}/{token}``), as the admin app's "Email unsubscribe
requests" lists them for a service to act on: who asked, from which email, and when."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.responses import Response

from notify_emulator.clock import format_timestamp
from notify_emulator.pages.setup import service_for_page
from notify_emulator.pages.web import render_page
from notify_emulator.pages.wording import format_datetime_human
from notify_emulator.present.serialise import unsubscribe_path
from notify_emulator.store import NotificationRecord, TemplateRecord
from notify_emulator.store.store import Store
from notify_emulator.store.unsubscribe_requests import list_unsubscribe_requests
from notify_emulator.web.context import ApiRequest, Emulator

__all__ = ["UnsubscribeRow", "UnsubscribeView", "unsubscribe_requests_page", "unsubscribe_view"]


@dataclass(frozen=True)
class UnsubscribeView:
    """What an email's page says of unsubscribing: the emulator's own one-click address to
    press as the recipient would, or the service's own address the recipient's email app
    would use instead, and the request if one was made."""

    emulator_path: str | None  # POST here to unsubscribe, as the recipient's email app would
    service_url: str | None  # the one_click_unsubscribe_url given when sending
    requested_human: str | None


def unsubscribe_view(
    store: Store, record: NotificationRecord, template: TemplateRecord | None
) -> UnsubscribeView | None:
    """None for an email with no unsubscribe link (and for texts and letters)."""
    if record.notification_type != "email":
        return None
    service_url = record.one_click_unsubscribe_url
    has_own_link = template is not None and template.has_unsubscribe_link
    if not service_url and not has_own_link:
        return None
    emulator_path = unsubscribe_path(record.id) if has_own_link else None
    requests = list_unsubscribe_requests(store, notification_id=record.id)
    return UnsubscribeView(
        emulator_path=emulator_path,
        service_url=service_url,
        requested_human=(
            format_datetime_human(requests[0].created_at, store.now()) if requests else None
        ),
    )


@dataclass(frozen=True)
class UnsubscribeRow:
    """One request, as the page lists it."""

    notification_id: str
    email_address: str
    template_name: str | None  # None when that version of the template is no longer stored
    template_version: int
    requested_at: str  # the timestamp, for <time datetime>
    requested_human: str


def unsubscribe_requests_page(emulator: Emulator, request: ApiRequest) -> Response:
    """``GET /services/{id}/unsubscribe-requests``: newest first."""
    service = service_for_page(emulator, request)
    store = emulator.store
    now = store.now()
    rows = []
    for found in list_unsubscribe_requests(store, service_id=service.id):
        template = store.get_template(service.id, found.template_id, found.template_version)
        rows.append(
            UnsubscribeRow(
                notification_id=found.notification_id,
                email_address=found.email_address,
                template_name=template.name if template else None,
                template_version=found.template_version,
                requested_at=format_timestamp(found.created_at) or "",
                requested_human=format_datetime_human(found.created_at, now),
            )
        )
    return render_page(
        "unsubscribe_requests.html",
        service=service,
        section="unsubscribe-requests",
        rows=rows,
        nav="services",
        live_on="",
    )
