"""``GET /``: every notification of every service and key type, newest first.

Paging is by keyset: ``older_than`` names the last notification of the previous page, and each
page is one range read of an index (store/inbox.py), so there is no cap and no page costs more
than the first.

Search (``q``) matches the recipient, reference, id, subject and body. Subjects and bodies are
not stored: they are rendered from the template version and personalisation, as the v2 API
renders them on every read. So a search reads notifications newest first, in batches, renders
each and keeps those that match, and stops after :data:`SEARCH_SCAN_LIMIT` notifications per
request, offering to go on from there. A stored copy of the rendered text would need writing
on every sending path and back-filling; and an infix search could not use an index anyway, so
it would scan as well. This way every request has the same bounded cost however much is
stored, and the text searched is exactly what the message says.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

from starlette.responses import Response

from notify_emulator.pages import wording
from notify_emulator.pages.views import (
    NotificationRow,
    notification_row,
    pdf_address,
    rendered_text,
)
from notify_emulator.pages.web import PageError, render_page
from notify_emulator.rules.constants import KEY_TYPES, TEMPLATE_TYPES
from notify_emulator.rules.lifecycle import ALL_STATUSES, STATUS_FILTER_VALUES, expand_status_filter
from notify_emulator.rules.phone_numbers import try_normalise_phone_number
from notify_emulator.store import NotificationRecord, ServiceRecord, TemplateRecord
from notify_emulator.store.inbox import (
    InboxFilters,
    Position,
    notification_position,
    notifications_page,
)
from notify_emulator.web.context import ApiRequest, Emulator

__all__ = ["PAGE_SIZE", "SEARCH_SCAN_LIMIT", "inbox"]

# The admin app's activity pages show 50 messages at a time.
PAGE_SIZE = 50
# A search reads at most this many notifications per request, in batches of SEARCH_BATCH:
# rendering each costs some 50 µs, so a request that finds nothing takes about a quarter second.
SEARCH_SCAN_LIMIT = 2_000
SEARCH_BATCH = 250
# Longest accepted filter value or search text.
MAX_QUERY_LENGTH = 200

NOTIFICATION_TYPES = TEMPLATE_TYPES


@dataclass(frozen=True)
class ListQuery:
    """The list's query string, checked."""

    types: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    key_types: tuple[str, ...] = ()
    service_id: str = ""
    template_id: str = ""
    q: str = ""
    older_than: str = ""

    def filters(self) -> InboxFilters:
        """The store's filters for this query."""
        expanded = expand_status_filter(self.statuses)
        return InboxFilters(
            notification_types=frozenset(self.types) or None,
            statuses=frozenset(expanded) if expanded is not None else None,
            key_types=frozenset(self.key_types) or None,
            service_id=self.service_id or None,
            template_id=self.template_id or None,
        )

    def pairs(self, **changes: str) -> list[tuple[str, str]]:
        """The query as URL pairs, with ``changes`` (an empty value drops the field)."""
        fields: dict[str, Iterable[str]] = {
            "type": self.types,
            "status": self.statuses,
            "key_type": self.key_types,
            "service_id": [self.service_id] if self.service_id else [],
            "template_id": [self.template_id] if self.template_id else [],
            "q": [self.q] if self.q else [],
            "older_than": [self.older_than] if self.older_than else [],
        }
        for name, value in changes.items():
            fields[name] = [value] if value else []
        return [(name, value) for name, values in fields.items() for value in values]

    def url(self, **changes: str) -> str:
        """The list's URL for this query with ``changes``."""
        pairs = self.pairs(**changes)
        return "/?" + urlencode(pairs) if pairs else "/"

    @property
    def is_filtered(self) -> bool:
        """Whether anything narrows the list."""
        return bool(self.pairs(older_than=""))


def parse_list_query(request: ApiRequest) -> ListQuery:
    """Check the list's query string; raise :class:`PageError` (400) naming what is wrong."""
    values = request.query_lists()
    for name, items in values.items():
        for item in items:
            if len(item) > MAX_QUERY_LENGTH:
                raise _bad(f"{name} must be at most {MAX_QUERY_LENGTH} characters")
            if has_control_characters(item):
                raise _bad(f"{name} must not contain control characters")
    types = _choices(values, "type", NOTIFICATION_TYPES)
    statuses = _choices(values, "status", STATUS_FILTER_VALUES)
    key_types = _choices(values, "key_type", KEY_TYPES)
    older_than = _single(values, "older_than")
    if older_than:
        older_than = _uuid(older_than, "older_than")
    service_id = _single(values, "service_id")
    template_id = _single(values, "template_id")
    return ListQuery(
        types=types,
        statuses=statuses,
        key_types=key_types,
        service_id=_uuid(service_id, "service_id") if service_id else "",
        template_id=_uuid(template_id, "template_id") if template_id else "",
        q=_single(values, "q").strip(),
        older_than=older_than,
    )


def _bad(message: str) -> PageError:
    return PageError(400, "Check the address", message)


def _choices(values: dict[str, list[str]], name: str, allowed: Iterable[str]) -> tuple[str, ...]:
    allowed = tuple(allowed)
    chosen: list[str] = []
    for value in values.get(name, []):
        if not value:
            continue  # an empty choice in a form means "any"
        if value not in allowed:
            raise _bad(f"{name} must be one of {', '.join(allowed)} (not {value!r})")
        if value not in chosen:
            chosen.append(value)
    return tuple(chosen)


def _single(values: dict[str, list[str]], name: str) -> str:
    items = [value for value in values.get(name, []) if value]
    if len(items) > 1:
        raise _bad(f"give {name} once")
    return items[0].strip() if items else ""


_ID_NAMES = {
    "older_than": "a notification ID",
    "service_id": "a service ID",
    "template_id": "a template ID",
}


def _uuid(value: str, name: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise _bad(f"{name} must be {_ID_NAMES.get(name, 'an ID')}") from None


def has_control_characters(text: str) -> bool:
    """Whether ``text`` holds a control character (NUL included, which PostgreSQL refuses)."""
    return any(ord(char) < 32 and char not in "\t\n\r" for char in text)


@dataclass(frozen=True)
class ListPage:
    """One page of the list."""

    rows: list[NotificationRow]
    next_older_than: str | None
    scanned: int | None
    """For a search: how many notifications this request read (None otherwise)."""
    scan_stopped: bool
    """For a search: whether it stopped at SEARCH_SCAN_LIMIT before reaching the oldest."""
    missing_cursor: bool


def inbox(emulator: Emulator, request: ApiRequest) -> Response:
    """``GET /``."""
    query = parse_list_query(request)
    page = list_page(emulator, query)
    services = emulator.store.list_services()
    return render_page(
        "inbox.html",
        query=query,
        page=page,
        services=services,
        type_options=[
            (value, wording.NOTIFICATION_TYPE_LABELS[value]) for value in NOTIFICATION_TYPES
        ],
        status_options=_status_options(),
        key_type_options=[(value, _KEY_TYPE_LABELS.get(value, value)) for value in KEY_TYPES],
        live_on="notification",
    )


_KEY_TYPE_LABELS = {"normal": "Live", "team": "Team and guest list", "test": "Test"}


def _status_options() -> list[tuple[str, str]]:
    options = [("failed", "Failed (every failure)")]
    for status in ALL_STATUSES:
        if status == "failed":
            continue
        options.append((status, status))
    return options


def list_page(emulator: Emulator, query: ListQuery) -> ListPage:
    """The rows the query asks for, with the next page's cursor."""
    store = emulator.store
    store.advance_due_statuses()
    after = None
    if query.older_than:
        after = notification_position(store, query.older_than)
        if after is None:
            return ListPage([], None, None, False, missing_cursor=True)
    filters = query.filters()
    services = {service.id: service for service in store.list_services()}
    if not query.q:
        records = notifications_page(store, filters, after=after, limit=PAGE_SIZE + 1)
        more = len(records) > PAGE_SIZE
        records = records[:PAGE_SIZE]
        rows = _rows(emulator, records, services)
        next_cursor = records[-1].id if more and records else None
        return ListPage(rows, next_cursor, None, False, missing_cursor=False)
    return _search(emulator, query, filters, after, services)


def _rows(
    emulator: Emulator,
    records: list[NotificationRecord],
    services: dict[str, ServiceRecord],
) -> list[NotificationRow]:
    store = emulator.store
    templates = store.notification_templates(records)
    now = store.now()
    return [
        notification_row(
            record, template, services.get(record.service_id), now, pdf_address(store, record)
        )
        for record, template in zip(records, templates, strict=True)
    ]


def _search(
    emulator: Emulator,
    query: ListQuery,
    filters: InboxFilters,
    after: Position | None,
    services: dict[str, ServiceRecord],
) -> ListPage:
    store = emulator.store
    needle = query.q.casefold()
    phone = try_normalise_phone_number(query.q)
    matches: list[NotificationRecord] = []
    scanned = 0
    position = after  # the last notification read, where the next read starts
    exhausted = False
    while len(matches) < PAGE_SIZE and scanned < SEARCH_SCAN_LIMIT:
        wanted = min(SEARCH_BATCH, SEARCH_SCAN_LIMIT - scanned)
        batch = notifications_page(store, filters, after=position, limit=wanted)
        templates = store.notification_templates(batch)
        for record, template in zip(batch, templates, strict=True):
            scanned += 1
            position = (record.created_at, record.id)
            if _matches(record, template, needle, phone, pdf_address(store, record)):
                matches.append(record)
                if len(matches) == PAGE_SIZE:
                    break
        if len(batch) < wanted and len(matches) < PAGE_SIZE:
            exhausted = True  # the oldest notification has been read
            break
    rows = _rows(emulator, matches, services)
    next_cursor = position[1] if position is not None and not exhausted else None
    return ListPage(
        rows,
        next_cursor,
        scanned,
        scan_stopped=not exhausted and len(matches) < PAGE_SIZE,
        missing_cursor=False,
    )


def _matches(
    record: NotificationRecord,
    template: TemplateRecord | None,
    needle: str,
    phone: str,
    address: tuple[str, ...],
) -> bool:
    fields = [record.id, record.recipient, record.normalised_recipient, record.reference]
    fields.extend(address)
    if any(value and needle in value.casefold() for value in fields):
        return True
    if phone and record.normalised_recipient == phone:
        return True
    rendered = rendered_text(template, record)
    if rendered is None:
        return False
    return needle in rendered.body.casefold() or needle in (rendered.subject or "").casefold()
