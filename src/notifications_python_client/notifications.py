"""``NotificationsAPIClient``: every call of GOV.UK Notify's v2 API, synchronously."""

from __future__ import annotations

import asyncio
import datetime
import io
import logging
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import IO, TypeVar, cast

import requests

from notifications_python_client import _endpoints
from notifications_python_client._constants import (
    DEFAULT_BULK_CONCURRENCY,
    DEFAULT_BULK_RATE_PER_MINUTE,
)
from notifications_python_client._core import Pager, Request
from notifications_python_client._endpoints import Personalisation, StatusFilter
from notifications_python_client.base import BaseAPIClient
from notifications_python_client.bulk import BulkNotification, BulkResult, run_bulk
from notifications_python_client.types import (
    EmailNotificationResponse,
    LetterNotificationResponse,
    Notification,
    NotificationsPage,
    PrecompiledLetterResponse,
    ReceivedText,
    ReceivedTextsPage,
    ReturnedLettersReport,
    ReturnedLettersSummary,
    SmsNotificationResponse,
    Template,
    TemplatePreview,
    TemplatesResponse,
    TemplateVersions,
)

__all__ = ["NotificationsAPIClient"]

#: The logger of this module, named as in the official client.
logger = logging.getLogger(__name__)

T = TypeVar("T")


def _response_bytes(response: requests.Response) -> io.BytesIO:
    return io.BytesIO(response.content)


class NotificationsAPIClient(BaseAPIClient):
    """Send texts, emails and letters and read their statuses, templates and received texts.

    A drop-in replacement for the official client: same names, arguments and dict answers.
    Failures raise ``HTTPError`` subclasses (see ``notifications_python_client.errors``).
    One client can be shared by many threads.

    ``NotificationsAPIClient(api_key, base_url=..., timeout=30, max_retries=3, session=None)``
    """

    # --- sending ---

    def send_sms_notification(
        self,
        phone_number: str,
        template_id: str,
        personalisation: Personalisation | None = None,
        reference: str | None = None,
        sms_sender_id: str | None = None,
    ) -> SmsNotificationResponse:
        """Send a text message."""
        return self._call(
            _endpoints.send_sms(
                phone_number, template_id, personalisation, reference, sms_sender_id
            )
        )

    def send_email_notification(
        self,
        email_address: str,
        template_id: str,
        personalisation: Personalisation | None = None,
        reference: str | None = None,
        email_reply_to_id: str | None = None,
        one_click_unsubscribe_url: str | None = None,
        sanitise_content_for: list[str] | None = None,
    ) -> EmailNotificationResponse:
        """Send an email."""
        return self._call(
            _endpoints.send_email(
                email_address,
                template_id,
                personalisation,
                reference,
                email_reply_to_id,
                one_click_unsubscribe_url,
                sanitise_content_for,
            )
        )

    def send_letter_notification(
        self,
        template_id: str,
        personalisation: Personalisation,
        reference: str | None = None,
    ) -> LetterNotificationResponse:
        """Send a letter from a template; the address is in ``personalisation``."""
        return self._call(_endpoints.send_letter(template_id, personalisation, reference))

    def send_precompiled_letter_notification(
        self,
        reference: str,
        pdf_file: IO[bytes] | bytes,
        postage: str | None = None,
    ) -> PrecompiledLetterResponse:
        """Send a letter you made as a PDF (a binary file or its bytes)."""
        return self._call(_endpoints.send_precompiled_letter(reference, pdf_file, postage))

    # --- notifications ---

    def get_notification_by_id(self, id: str) -> Notification:
        """One notification and its status."""
        return self._call(_endpoints.get_notification(id))

    def get_pdf_for_letter(self, id: str) -> io.BytesIO:
        """The PDF of a letter (``PDFNotReadyError`` until it has been made)."""
        return self._call(_endpoints.get_pdf_for_letter(id))

    def get_all_notifications(
        self,
        status: StatusFilter | None = None,
        template_type: StatusFilter | None = None,
        reference: str | None = None,
        older_than: str | None = None,
        include_jobs: bool | None = None,
    ) -> NotificationsPage:
        """One page (up to 250) of notifications, newest first, optionally filtered."""
        return self._call(
            _endpoints.get_notifications(status, template_type, reference, older_than, include_jobs)
        )

    def get_all_notifications_iterator(
        self,
        status: StatusFilter | None = None,
        template_type: StatusFilter | None = None,
        reference: str | None = None,
        older_than: str | None = None,
        include_jobs: bool | None = None,
    ) -> Iterator[Notification]:
        """Every notification matching the filters, newest first, fetching pages as needed.

        A generator, as in the official client: nothing is requested until the first item is
        asked for, and each page is fetched with ``get_all_notifications``, called with the
        official client's arguments (``include_jobs`` by name, only when it is given).
        """
        pager = Pager[Notification]("notifications", older_than)
        while not pager.exhausted:
            if include_jobs is None:
                page = self.get_all_notifications(
                    status, template_type, reference, pager.older_than
                )
            else:
                page = self.get_all_notifications(
                    status, template_type, reference, pager.older_than, include_jobs=include_jobs
                )
            yield from pager.receive(page)

    # --- received texts ---

    def get_received_texts(self, older_than: str | None = None) -> ReceivedTextsPage:
        """One page (up to 250) of received text messages, newest first."""
        return self._call(_endpoints.get_received_texts(older_than))

    def get_received_texts_iterator(self, older_than: str | None = None) -> Iterator[ReceivedText]:
        """Every received text message, newest first, fetching pages as needed.

        A generator, each page fetched with ``get_received_texts``, as in the official client.
        """
        pager = Pager[ReceivedText]("received_text_messages", older_than)
        while not pager.exhausted:
            yield from pager.receive(self.get_received_texts(older_than=pager.older_than))

    # --- templates ---

    def get_template(self, template_id: str) -> Template:
        """The latest version of a template."""
        return self._call(_endpoints.get_template(template_id))

    def get_template_version(self, template_id: str, version: int) -> Template:
        """One version of a template."""
        return self._call(_endpoints.get_template_version(template_id, version))

    def get_all_template_versions(self, template_id: str) -> TemplateVersions:
        """Every version of a template (an admin-API route, as in the official client)."""
        return self._call(_endpoints.get_all_template_versions(self.service_id, template_id))

    def get_all_templates(self, template_type: str | None = None) -> TemplatesResponse:
        """The latest version of every template, optionally of one type."""
        return self._call(_endpoints.get_all_templates(template_type))

    def post_template_preview(
        self, template_id: str, personalisation: Personalisation | None
    ) -> TemplatePreview:
        """A template rendered with ``personalisation``, without sending anything."""
        return self._call(_endpoints.post_template_preview(template_id, personalisation))

    # --- returned letters (Notify's upcoming API) ---

    def get_returned_letters_summary(self) -> ReturnedLettersSummary:
        """How many letters came back on each report date, newest first (live keys only).

        Follows Notify's upcoming ``GET /v2/returned-letters/summary``: a list, or a single
        summary with a count of 0 when no letter has come back.
        """
        return self._call(_endpoints.get_returned_letters_summary())

    def get_returned_letters(self, report_date: str | datetime.date) -> ReturnedLettersReport:
        """The letters reported returned on ``report_date`` (``YYYY-MM-DD`` or a date; live
        keys only), following Notify's upcoming ``GET /v2/returned-letters``."""
        return self._call(_endpoints.get_returned_letters(report_date))

    # --- bulk ---

    def send_bulk(
        self,
        notifications: Iterable[BulkNotification],
        *,
        rate_per_minute: int = DEFAULT_BULK_RATE_PER_MINUTE,
        concurrency: int = DEFAULT_BULK_CONCURRENCY,
        on_result: Callable[[BulkResult], object] | None = None,
        on_send: Callable[[int, BulkNotification], object] | None = None,
        keep_results: bool = True,
        stop: Callable[[], bool] | None = None,
    ) -> list[BulkResult]:
        """Send many notifications concurrently, at most ``rate_per_minute`` a minute.

        Returns one ``BulkResult`` per notification, in input order, holding the answer or the
        exception. ``on_send(index, notification)`` is called just before each request goes out
        and ``on_result`` as each one completes, both in this thread. Sends run on up
        to ``concurrency`` threads sharing this client. Not for use inside a running event loop:
        use ``AsyncNotificationsAPIClient.send_bulk`` there.

        ``notifications`` is read as sends start, so it may be a generator over a large file.
        With ``keep_results=False`` results go only to ``on_result`` and the list returned is
        empty, so memory stays bounded however many notifications there are. ``stop()``, if
        given, is asked before each send starts: once it is true no more start, and those in
        flight finish.
        """
        with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:

            async def execute(request: Request[T]) -> T:
                loop = asyncio.get_running_loop()
                return await loop.run_in_executor(pool, self._call, request)

            return asyncio.run(
                run_bulk(
                    execute,
                    notifications,
                    rate_per_minute=rate_per_minute,
                    concurrency=concurrency,
                    on_result=on_result,
                    on_send=on_send,
                    keep_results=keep_results,
                    stop=stop,
                )
            )

    # --- sending through the official client's public methods ---

    def _call(self, request: Request[T]) -> T:
        """Send ``request`` through ``post`` or ``get``, called as the official client calls them.

        A PDF is fetched through ``_create_request_objects`` and ``_perform_request``, as there.
        """
        if request.kind == "bytes":
            return cast(
                T, self._with_retries(request.method, request.path, None, None, _response_bytes)
            )
        if request.method == "POST":
            return cast(T, self.post(request.path, data=request.json))
        if request.method == "GET":
            if request.params is None:
                return cast(T, self.get(request.path))
            return cast(T, self.get(request.path, params=dict(request.params)))
        params = None if request.params is None else dict(request.params)
        return cast(T, self.request(request.method, request.path, data=request.json, params=params))
