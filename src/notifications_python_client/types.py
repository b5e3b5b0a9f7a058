"""The shapes of Notify's answers, as ``TypedDict``s (notify-api.md §4 and §5).

Responses are plain dicts at run time, exactly as the official client returns them; these types
only tell a type checker and an editor which keys to expect. Keys marked optional are the ones
Notify leaves out of some answers.
"""

from __future__ import annotations

from typing import Any, TypedDict

__all__ = [
    "CostDetails",
    "EmailContent",
    "EmailNotificationResponse",
    "ErrorEntry",
    "ErrorResponse",
    "FileUpload",
    "LetterContent",
    "LetterNotificationResponse",
    "Notification",
    "NotificationTemplate",
    "NotificationsPage",
    "PageLinks",
    "PrecompiledLetterResponse",
    "ReceivedText",
    "ReceivedTextsPage",
    "ReturnedLetter",
    "ReturnedLetterSummary",
    "ReturnedLettersReport",
    "ReturnedLettersSummary",
    "SanitisedValue",
    "SentTemplate",
    "SmsContent",
    "SmsNotificationResponse",
    "Template",
    "TemplatePersonalisationField",
    "TemplatePreview",
    "TemplateVersions",
    "TemplatesResponse",
]


class ErrorEntry(TypedDict):
    """One entry of an error body's ``errors`` list."""

    error: str
    message: str


class ErrorResponse(TypedDict):
    """Notify's v2 error envelope."""

    status_code: int
    errors: list[ErrorEntry]


class _FileUploadRequired(TypedDict):
    file: str
    confirm_email_before_download: bool | None
    retention_period: str | None


class FileUpload(_FileUploadRequired, total=False):
    """A file to send by email, as ``prepare_upload`` builds it (a personalisation value):
    with ``filename`` (null when not given), or, from code written for clients before 9.0,
    ``is_csv`` instead."""

    filename: str | None
    is_csv: bool


# --- Sending ---


class SentTemplate(TypedDict):
    """The template a new notification was built from."""

    id: str
    version: int
    uri: str


class SmsContent(TypedDict):
    body: str
    from_number: str


class SmsNotificationResponse(TypedDict):
    """``send_sms_notification``'s answer (201)."""

    id: str
    reference: str | None
    content: SmsContent
    uri: str
    template: SentTemplate
    scheduled_for: str | None


class _EmailContentRequired(TypedDict):
    body: str
    subject: str
    from_email: str


class EmailContent(_EmailContentRequired, total=False):
    one_click_unsubscribe_url: str | None


class SanitisedValue(TypedDict):
    sanitised: str
    unsanitised: str


class _EmailNotificationResponseRequired(TypedDict):
    id: str
    reference: str | None
    content: EmailContent
    uri: str
    template: SentTemplate
    scheduled_for: str | None


class EmailNotificationResponse(_EmailNotificationResponseRequired, total=False):
    """``send_email_notification``'s answer (201)."""

    sanitised_content: dict[str, SanitisedValue]


class LetterContent(TypedDict):
    body: str
    subject: str


class LetterNotificationResponse(TypedDict):
    """``send_letter_notification``'s answer (201)."""

    id: str
    reference: str | None
    content: LetterContent
    uri: str
    template: SentTemplate
    scheduled_for: str | None


class PrecompiledLetterResponse(TypedDict):
    """``send_precompiled_letter_notification``'s answer (201): only three keys."""

    id: str
    reference: str
    postage: str


# --- Reading notifications ---


class NotificationTemplate(TypedDict):
    id: str
    version: int
    uri: str


class CostDetails(TypedDict, total=False):
    billable_sms_fragments: int
    international_rate_multiplier: float
    sms_rate: float
    billable_sheets_of_paper: int
    postage: str


class _NotificationRequired(TypedDict):
    id: str
    reference: str | None
    email_address: str | None
    phone_number: str | None
    line_1: str | None
    line_2: str | None
    line_3: str | None
    line_4: str | None
    line_5: str | None
    line_6: str | None
    postcode: str | None
    type: str
    status: str
    template: NotificationTemplate
    body: str
    subject: str | None
    created_at: str
    sent_at: str | None
    completed_at: str | None


class Notification(_NotificationRequired, total=False):
    """One notification, as ``get_notification_by_id`` and the notification lists give it."""

    created_by_name: str | None
    scheduled_for: str | None
    postage: str | None
    one_click_unsubscribe_url: str | None
    is_cost_data_ready: bool
    cost_in_pounds: float | None
    cost_details: CostDetails
    estimated_delivery: str


class _PageLinksRequired(TypedDict):
    current: str


class PageLinks(_PageLinksRequired, total=False):
    """Links of a page of results; ``next`` is absent on an empty page."""

    next: str


class NotificationsPage(TypedDict):
    """``get_all_notifications``'s answer: up to 250 notifications, newest first."""

    notifications: list[Notification]
    links: PageLinks


# --- Templates ---


class TemplatePersonalisationField(TypedDict):
    required: bool


class _TemplateRequired(TypedDict):
    id: str
    type: str
    created_at: str
    updated_at: str | None
    version: int
    created_by: str
    body: str
    subject: str | None


class Template(_TemplateRequired, total=False):
    """A template, as the template methods give it."""

    name: str
    personalisation: dict[str, TemplatePersonalisationField]
    postage: str | None
    letter_contact_block: str | None


class TemplatesResponse(TypedDict):
    """``get_all_templates``'s answer."""

    templates: list[Template]


class TemplateVersions(TypedDict, total=False):
    """``get_all_template_versions``'s answer (an admin-API route): the versions under ``data``."""

    data: list[dict[str, Any]]


class _TemplatePreviewRequired(TypedDict):
    id: str
    type: str
    version: int
    body: str
    subject: str | None


class TemplatePreview(_TemplatePreviewRequired, total=False):
    """``post_template_preview``'s answer."""

    html: str | None
    postage: str | None


# --- Received texts ---


class ReceivedText(TypedDict):
    """One text message sent to the service."""

    id: str
    user_number: str
    notify_number: str
    created_at: str
    service_id: str
    content: str


class ReceivedTextsPage(TypedDict):
    """``get_received_texts``'s answer: up to 250 received texts, newest first."""

    received_text_messages: list[ReceivedText]
    links: PageLinks


# --- Returned letters (Notify's upcoming routes; notify-api.md "Returned letters") ---


class ReturnedLetterSummary(TypedDict):
    """Letters returned on one report date; with none at all, Notify answers one of these with
    a count of 0 and ``report_date`` None."""

    returned_letter_count: int
    report_date: str | None


ReturnedLettersSummary = list[ReturnedLetterSummary] | ReturnedLetterSummary
"""``get_returned_letters_summary``'s answer: a list, newest report date first, or (when no
letter has ever come back) a single summary with a count of 0, as Notify sends it."""


class ReturnedLetter(TypedDict):
    """One returned letter in a report."""

    notification_id: str
    reference: str | None
    report_date: str
    created_at: str
    email_address: str
    template_name: str
    template_id: str
    template_version: int | None
    spreadsheet_file_name: str | None
    spreadsheet_row_number: int | None
    uploaded_letter_file_name: str | None


class ReturnedLettersReport(TypedDict):
    """``get_returned_letters``'s answer: the letters of one report date, newest first."""

    returned_letters: list[ReturnedLetter]
    orphaned_count: int
