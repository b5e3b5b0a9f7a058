"""Checks shared by the POST notification pipelines (notify-api.md §3, §6, §13)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from notify_emulator.rules.email_addresses import normalise_email_address
from notify_emulator.rules.errors import RuleError
from notify_emulator.rules.limits import (
    counts_towards_daily_limits,
    daily_limit_exceeded,
    daily_limit_message,
    daily_limit_value,
    rate_limit_message,
    utc_day,
)
from notify_emulator.rules.phone_numbers import normalise_phone_number
from notify_emulator.store import ServiceRecord, TemplateRecord
from notify_emulator.store.admissions import DailyCheck, NotificationWrite, SendAdmission
from notify_emulator.web.auth import Caller, authenticate
from notify_emulator.web.context import ApiRequest, Emulator
from notify_emulator.web.errors import ApiError, BadRequest, TooManyRequests
from notify_emulator.web.handlers import PendingSend
from notify_emulator.web.text_checks import (
    UnusableText,
    check_no_surrogates,
    check_storable_send,
    may_hold_unusable_text,
)

PERMISSION_MESSAGES = {
    "sms": "Service is not allowed to send text messages",
    "email": "Service is not allowed to send emails",
    "letter": "Service is not allowed to send letters",
}
TEAM_KEY_RECIPIENT = "Can’t send to this recipient using a team-only API key"
TRIAL_MODE_RECIPIENT = (
    "Can’t send to this recipient when service is in trial mode – see "
    "https://www.notifications.service.gov.uk/trial-mode"
)
TEMPLATE_NOT_FOUND = "Template not found"
TEMPLATE_DELETED = "Template has been deleted"
FILE_ONLY_BY_EMAIL = "Can only send a file by email"


def admit_send(emulator: Emulator, request: ApiRequest, channel: str) -> tuple[Caller, object]:
    """The start of a letter send (§13): auth, rate limit, daily limit, then the JSON body.

    Both limits are checked before the body is parsed, so a malformed request still uses a
    token and is still refused at the limit, as in Notify. (Texts and emails start with
    :func:`begin_send`, their limits decided at their group's commit.)
    """
    caller = authenticate(request.authorization, emulator.store, emulator.settings.clock)
    check_rate_limit(emulator, caller)
    check_daily_limit(emulator, caller, channel)
    return caller, request.json_body()


def begin_send(
    emulator: Emulator, request: ApiRequest, channel: str
) -> tuple[Caller, SendAdmission]:
    """The start of a text or email send (§13): the caller is authenticated now; the rate
    limit and the channel's daily limit are decided at the send's commit
    (web/group_commit.py), and still come before anything the request fails with after them.
    """
    caller = authenticate(request.authorization, emulator.store, emulator.settings.clock)
    service = caller.service
    admission = SendAdmission(
        service_id=service.id,
        key_type=caller.key_type,
        rate_limit=service.rate_limit,
        day=utc_day(emulator.settings.clock.now()).isoformat(),
        daily_checks=[daily_check(caller, channel)],
    )
    return caller, admission


def daily_check(caller: Caller, channel: str) -> DailyCheck:
    """The daily limit a send of ``channel`` by this caller is checked against (§6.2)."""
    service = caller.service
    limit = daily_limit_value(
        channel=channel,
        key_type=caller.key_type,
        service_limits=service_limits(service),
        trial_mode=service.trial_mode,
    )
    return DailyCheck(channel, limit, counted=counts_towards_daily_limits(caller.key_type))


Prepared = tuple[NotificationWrite | None, tuple[int, dict[str, object]]]
"""What a send came to: the notification to store (none for a simulated recipient), and the
answer once it is."""


def refuse_unstorable(
    request: ApiRequest, body: Mapping[str, object], *, address_keys: Iterable[str] = ()
) -> None:
    """400 ``BadRequestError`` for text a send that passed every check cannot store (a NUL in
    the reference, say), where Notify fails with a 500: web/text_checks.py."""
    # Most bodies cannot hold such text at all, and the byte check is cheaper than the walk.
    if not may_hold_unusable_text(request.body):
        return
    try:
        check_storable_send(body, address_keys=address_keys)
    except UnusableText as error:
        raise BadRequest(str(error)) from None


def refuse_surrogates(request: ApiRequest, body: object) -> None:
    """400 ``BadRequestError`` for an unpaired surrogate in a send's body that passed Notify's
    schema, where Notify fails with a 500: web/text_checks.py."""
    if not may_hold_unusable_text(request.body):
        return
    try:
        check_no_surrogates(body)
    except UnusableText as error:
        raise BadRequest(str(error)) from None


def pending_send(admission: SendAdmission, prepare: Callable[[], Prepared]) -> PendingSend:
    """Run the rest of a send's checks; their failure is answered after the limits' verdict."""
    try:
        write, answer = prepare()
    except (ApiError, RuleError) as error:
        return PendingSend(admission, error=error)
    admission.write = write
    return PendingSend(admission, answer=answer)


def check_rate_limit(emulator: Emulator, caller: Caller) -> None:
    """429 ``RateLimitError`` when the key type's bucket is empty (§6.1)."""
    service = caller.service
    if not emulator.rate_limiter.consume(service.id, caller.key_type, service.rate_limit):
        raise TooManyRequests(
            "RateLimitError", rate_limit_message(caller.key_type, service.rate_limit)
        )


def service_limits(service: ServiceRecord) -> dict[str, int]:
    """The service's daily limits by channel."""
    return {
        "sms": service.sms_message_limit,
        "email": service.email_message_limit,
        "letter": service.letter_message_limit,
        "international_sms": service.international_sms_message_limit,
    }


def check_daily_limit(emulator: Emulator, caller: Caller, channel: str) -> None:
    """429 ``TooManyRequestsError`` when today's count is at the limit (§6.2).

    Test keys are checked against a counter that is never incremented, so never hit it.
    (Letters; texts and emails are checked at their commit: web/group_commit.py.)
    """
    check = daily_check(caller, channel)
    count = 0
    if check.counted:
        day = utc_day(emulator.settings.clock.now()).isoformat()
        count = emulator.store.daily_count(caller.service.id, channel, day)
    if daily_limit_exceeded(count, check.limit):
        raise TooManyRequests("TooManyRequestsError", daily_limit_message(channel, check.limit))


def check_permission(service: ServiceRecord, notification_type: str) -> None:
    """400 when the service may not send this type."""
    if not service.has_permission(notification_type):
        raise BadRequest(PERMISSION_MESSAGES[notification_type])


def template_for_sending(
    emulator: Emulator, service: ServiceRecord, template_id: str, notification_type: str
) -> TemplateRecord:
    """The current version of a template that can send this type (§5.1 step 7)."""
    template = emulator.store.get_template(service.id, template_id)
    if template is None or template.hidden:
        raise BadRequest(TEMPLATE_NOT_FOUND)
    if template.template_type != notification_type:
        raise BadRequest(
            f"{template.template_type} template is not suitable for "
            f"{notification_type} notification"
        )
    if template.archived:
        raise BadRequest(TEMPLATE_DELETED)
    return template


def _normalised(entry: str) -> str | None:
    try:
        if "@" in entry:
            return normalise_email_address(entry)
        return normalise_phone_number(entry)
    except RuleError:
        return None


def check_recipient_allowed(caller: Caller, normalised_recipient: str) -> None:
    """Team keys and trial-mode services send only to the team and guest list (§3)."""
    if caller.key_type == "test":
        return
    if caller.key_type != "team" and not caller.service.trial_mode:
        return
    allowed = {_normalised(entry) for entry in caller.service.guest_list}
    if normalised_recipient in allowed:
        return
    raise BadRequest(TEAM_KEY_RECIPIENT if caller.key_type == "team" else TRIAL_MODE_RECIPIENT)


def count_channels(
    caller: Caller, channel: str, *, simulated: bool, international: bool
) -> list[str]:
    """The daily counters a persisted notification increments (§6.2)."""
    if simulated or not counts_towards_daily_limits(caller.key_type):
        return []
    return [channel, "international_sms"] if international else [channel]
