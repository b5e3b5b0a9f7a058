"""A file sent by email, opened in a browser: the emulator's stand-in for Notify's document
download pages (documents.service.gov.uk), where the link in the email takes its recipient.

``GET /_emulator/documents/{id}`` opened as a page shows, like Notify's:

* for a file sent with ``confirm_email_before_download`` (Notify's default), "Confirm your email
  address": the recipient types the address the email went to. The page's script sends it as
  JSON to ``POST /_emulator/documents/{id}/confirm-email`` (:func:`confirm_email_address`),
  which compares it, in any case, with the notification's recipient: never in a URL, and
  like every emulator route, only from the emulator's own pages;
* then, or at once for a file sent without the question, "Download your file", with a link
  that downloads it.

What lets the link through is a key made from the file and the address it was sent to
(:func:`download_key`), so no state is kept between requests and any worker can check it.
A script that fetches the link (not a browser opening it as a page) gets the file itself,
as before.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from starlette.responses import Response

from notify_emulator.present.documents import file_response
from notify_emulator.rules.email_addresses import normalise_email_address
from notify_emulator.rules.errors import InvalidEmailAddress
from notify_emulator.store import DocumentRecord, NotificationRecord, Store
from notify_emulator.store.inbox import InboxFilters, notifications_page
from notify_emulator.web.context import ApiRequest, Emulator
from notify_emulator.web.schemas import retention_weeks

__all__ = [
    "NOT_FOUND_MESSAGE",
    "NOT_FOUND_TITLE",
    "ConfirmError",
    "confirm_email_address",
    "document_page",
    "download_key",
]

NOT_FOUND_TITLE = "This file is no longer available"
NOT_FOUND_MESSAGE = (
    "There is no file at this address. It may have been cleared, or the link is not complete."
)

# What the link calls each kind of file ("Download this PDF (12 KB) to your device").
_FILE_TYPES = {
    "application/pdf": "PDF",
    "text/csv": "CSV file",
    "text/plain": "text file",
    "application/json": "JSON file",
    "application/rtf": "text document",
    "application/vnd.oasis.opendocument.text": "text document",
    "application/msword": "Microsoft Word document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (
        "Microsoft Word document"
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (
        "Microsoft Excel spreadsheet"
    ),
    "image/jpeg": "image",
    "image/png": "image",
}
# An email's notification is stored with the same created_at as its files: the service's
# emails from that moment are read this many at a time to find the one that links to the file.
_SAME_MOMENT_LIMIT = 50


class ConfirmError(Exception):
    """The address given does not open the file: ``message`` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class DownloadView:
    """The "Download your file" page."""

    link: str
    description: str
    available_until: str


def _document_path(document: DocumentRecord) -> str:
    return f"/_emulator/documents/{document.id}"


def recipient_of(store: Store, document: DocumentRecord) -> NotificationRecord | None:
    """The email that carries the file (None if it is no longer stored)."""
    filters = InboxFilters(notification_types=frozenset({"email"}), service_id=document.service_id)
    path = _document_path(document)
    # Everything from that moment or before, newest first ("~" sorts after every id), a page
    # at a time until the moment is past: a frozen clock puts many emails at one moment.
    after = (document.created_at, "~")
    while candidates := notifications_page(store, filters, after=after, limit=_SAME_MOMENT_LIMIT):
        for record in candidates:
            if record.created_at != document.created_at:
                return None
            if any(
                isinstance(value, str) and value.endswith(path)
                for value in record.personalisation.values()
            ):
                return record
        after = (document.created_at, candidates[-1].id)
    return None


def download_key(document: DocumentRecord, recipient: str) -> str:
    """The key that lets a browser download the file: keyed by the file's contents, so it
    cannot be made without them, and by the normalised address it was sent to."""
    secret = hashlib.sha256(document.data).digest()
    message = f"{document.id}\n{recipient}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:32]


def _recipient_address(store: Store, document: DocumentRecord) -> str | None:
    record = recipient_of(store, document)
    if record is None or not record.recipient:
        return None
    return normalise_email_address(record.recipient)


def _expected_key(store: Store, document: DocumentRecord) -> str | None:
    if not document.confirm_email_before_download:
        return download_key(document, "")
    recipient = _recipient_address(store, document)
    return download_key(document, recipient) if recipient is not None else None


def confirm_email_address(emulator: Emulator, document: DocumentRecord, entered: str) -> str:
    """The address of the "Download your file" page if ``entered`` is the address the file was
    sent to (in any case, spaces around it ignored); else :class:`ConfirmError`."""
    entered = entered.strip()
    if not entered:
        raise ConfirmError("Enter your email address")
    service = emulator.store.get_service(document.service_id)
    sender = service.name if service is not None else "The service"
    recipient = _recipient_address(emulator.store, document)
    if recipient is None:
        raise ConfirmError(
            "The email this file was sent with is no longer stored, so the address cannot be "
            "checked."
        )
    try:
        normalised = normalise_email_address(entered)
    except InvalidEmailAddress:
        raise ConfirmError(
            "Enter an email address in the correct format, like name@example.com"
        ) from None
    if normalised != recipient:
        raise ConfirmError(
            "This is not the email address the file was sent to. Enter the address "
            f"{sender} sent the file to."
        )
    return _page_address(document, download_key(document, recipient))


def _page_address(document: DocumentRecord, key: str, *, download: bool = False) -> str:
    query = [("key", key)] + ([("download", "1")] if download else [])
    return f"{_document_path(document)}?{urlencode(query)}"


def _given_key(request: ApiRequest) -> str:
    keys = [value for name, value in request.query if name == "key"]
    return keys[0] if len(keys) == 1 else ""


def document_page(
    emulator: Emulator, request: ApiRequest, document: DocumentRecord | None
) -> Response:
    """``GET /_emulator/documents/{id}`` opened in a browser."""
    from notify_emulator.pages.web import PageError, error_page, render_page

    if document is None:
        return error_page(PageError(404, NOT_FOUND_TITLE, NOT_FOUND_MESSAGE))
    store = emulator.store
    service = store.get_service(document.service_id)
    service_name = service.name if service is not None else "A service"
    expected = _expected_key(store, document)
    given = _given_key(request)
    unlocked = expected is not None and (
        not document.confirm_email_before_download
        # As bytes: compare_digest refuses str holding anything but ASCII, and a key is typed.
        or hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode())
    )
    if unlocked and expected is not None:
        if any(name == "download" for name, _value in request.query):
            return file_response(document)
        return render_page(
            "document.html",
            service_name=service_name,
            document=document,
            download=DownloadView(
                link=_page_address(document, expected, download=True),
                description=_describe(document),
                available_until=_available_until(document),
            ),
            live_on="",
        )
    return render_page(
        "document.html",
        service_name=service_name,
        document=document,
        download=None,
        confirm_url=f"{_document_path(document)}/confirm-email",
        live_on="",
    )


def _describe(document: DocumentRecord) -> str:
    kind = _FILE_TYPES.get(document.mimetype, "file")
    return f"{kind} ({_size(len(document.data))})"


def _size(count: int) -> str:
    if count < 1024:
        return f"{count} byte{'' if count == 1 else 's'}"
    if count < 1024 * 1024:
        return f"{count / 1024:.0f} KB"
    return f"{count / (1024 * 1024):.1f} MB"


def _available_until(document: DocumentRecord) -> str:
    weeks = retention_weeks(document.retention_period) or 26
    until: datetime = document.created_at + timedelta(weeks=weeks)
    return f"{until.day} {until.strftime('%B %Y')}"
