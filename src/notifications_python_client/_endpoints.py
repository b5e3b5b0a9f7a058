"""Each client method as a description of the request it makes (notify-api.md §5).

The sync and async clients both call these and only differ in how they send the result. Optional
arguments that are empty or false (``None``, ``""``, ``{}``, ``[]``, ``False``) are left out of
the body or the query, exactly where the official client leaves them out (it tests each with
``if value:``). Required arguments are sent as given, empty or not.
"""

from __future__ import annotations

import base64
import datetime
import io
import urllib.parse
from typing import IO, Any

from notifications_python_client._core import Request
from notifications_python_client.types import (
    EmailNotificationResponse,
    LetterNotificationResponse,
    Notification,
    NotificationsPage,
    PrecompiledLetterResponse,
    ReceivedTextsPage,
    ReturnedLettersReport,
    ReturnedLettersSummary,
    SmsNotificationResponse,
    Template,
    TemplatePreview,
    TemplatesResponse,
    TemplateVersions,
)

Personalisation = dict[str, Any]
StatusFilter = str | list[str] | set[str] | tuple[str, ...]


def _with_optional(required: dict[str, Any], **optional: Any) -> dict[str, Any]:
    # ``required`` is always a new dict literal at the call site, so it can be added to.
    for name, value in optional.items():
        if value:
            required[name] = value
    return required


def send_sms(
    phone_number: str,
    template_id: str,
    personalisation: Personalisation | None = None,
    reference: str | None = None,
    sms_sender_id: str | None = None,
) -> Request[SmsNotificationResponse]:
    body = _with_optional(
        {"phone_number": phone_number, "template_id": template_id},
        personalisation=personalisation,
        reference=reference,
        sms_sender_id=sms_sender_id,
    )
    return Request("POST", "/v2/notifications/sms", json=body)


def send_email(
    email_address: str,
    template_id: str,
    personalisation: Personalisation | None = None,
    reference: str | None = None,
    email_reply_to_id: str | None = None,
    one_click_unsubscribe_url: str | None = None,
    sanitise_content_for: list[str] | None = None,
) -> Request[EmailNotificationResponse]:
    body = _with_optional(
        {"email_address": email_address, "template_id": template_id},
        personalisation=personalisation,
        reference=reference,
        email_reply_to_id=email_reply_to_id,
        one_click_unsubscribe_url=one_click_unsubscribe_url,
        sanitise_content_for=sanitise_content_for,
    )
    return Request("POST", "/v2/notifications/email", json=body)


def send_letter(
    template_id: str,
    personalisation: Personalisation,
    reference: str | None = None,
) -> Request[LetterNotificationResponse]:
    body = _with_optional(
        {"template_id": template_id, "personalisation": personalisation}, reference=reference
    )
    return Request("POST", "/v2/notifications/letter", json=body)


def send_precompiled_letter(
    reference: str,
    pdf_file: IO[bytes] | bytes,
    postage: str | None = None,
) -> Request[PrecompiledLetterResponse]:
    pdf = pdf_file if isinstance(pdf_file, bytes) else pdf_file.read()
    content = base64.b64encode(pdf).decode("ascii")
    body = _with_optional({"reference": reference, "content": content}, postage=postage)
    return Request("POST", "/v2/notifications/letter", json=body)


def get_notification(notification_id: str) -> Request[Notification]:
    return Request("GET", f"/v2/notifications/{notification_id}")


def get_pdf_for_letter(notification_id: str) -> Request[io.BytesIO]:
    return Request("GET", f"/v2/notifications/{notification_id}/pdf", kind="bytes")


def get_notifications(
    status: StatusFilter | None = None,
    template_type: StatusFilter | None = None,
    reference: str | None = None,
    older_than: str | None = None,
    include_jobs: bool | None = None,
) -> Request[NotificationsPage]:
    params = _with_optional(
        {},
        status=_as_query_value(status),
        template_type=_as_query_value(template_type),
        reference=reference,
        older_than=older_than,
        # Notify accepts only "true"/"True" here and rejects "False" (notify-api.md §5.7), so a
        # false flag means "leave it out".
        include_jobs=True if include_jobs else None,
    )
    return Request("GET", "/v2/notifications", params=params)


def _as_query_value(value: StatusFilter | None) -> str | list[str] | None:
    if not value:
        return None
    if isinstance(value, str):
        return value
    # Repeated parameters (status=a&status=b); a set is sorted so the URL is stable.
    return sorted(value) if isinstance(value, set) else list(value)


def _with_query(path: str, **optional: Any) -> str:
    # The official client writes these queries into the path itself (it calls ``get(path)``
    # with no params), so code that mocks ``get`` sees that path; the values are encoded.
    query = urllib.parse.urlencode(_with_optional({}, **optional))
    return f"{path}?{query}" if query else path


def get_received_texts(older_than: str | None = None) -> Request[ReceivedTextsPage]:
    return Request("GET", _with_query("/v2/received-text-messages", older_than=older_than))


def get_template(template_id: str) -> Request[Template]:
    return Request("GET", f"/v2/template/{template_id}")


def get_template_version(template_id: str, version: int) -> Request[Template]:
    return Request("GET", f"/v2/template/{template_id}/version/{version}")


def get_all_template_versions(service_id: str, template_id: str) -> Request[TemplateVersions]:
    # An admin-API route, relative to the base URL exactly as the official client builds it.
    return Request("GET", f"service/{service_id}/template/{template_id}/versions")


def get_all_templates(template_type: str | None = None) -> Request[TemplatesResponse]:
    return Request("GET", _with_query("/v2/templates", type=template_type))


def post_template_preview(
    template_id: str, personalisation: Personalisation | None
) -> Request[TemplatePreview]:
    # Sent as given, even empty, as the official client sends it; only ``None`` is left out:
    # Notify treats a missing personalisation as "none" (notify-api.md §5.10), null is a 400.
    body = {} if personalisation is None else {"personalisation": personalisation}
    return Request("POST", f"/v2/template/{template_id}/preview", json=body)


# Notify's upcoming returned-letters routes (notify-api.md "Returned letters"); the paths are the
# ones the official client's branch calls.


def get_returned_letters_summary() -> Request[ReturnedLettersSummary]:
    return Request("GET", "/v2/returned-letters/summary")


def get_returned_letters(report_date: str | datetime.date) -> Request[ReturnedLettersReport]:
    # Notify answers this path with a 308 to "/v2/returned-letters/", which is followed.
    return Request("GET", "/v2/returned-letters", params={"report_date": str(report_date)})
