"""The status lifecycle of a notification (notify-api.md §7, §5.5, §5.7).

Notify moves a notification through its statuses as providers answer. The emulator has no
providers, so :func:`plan_delivery` decides up front which statuses a new notification will
pass through and when; the emulator stores the plan and applies each step once its time has
come. Everything here is pure: times are passed in, nothing is read from a clock.

Status names are Notify's internal ones (api ``app/constants.py``). Letters are shown to API
callers under different names (:func:`api_status`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from notify_emulator.rules.timings import print_run

__all__ = [
    "ALL_STATUSES",
    "COMPLETED_STATUSES",
    "FINAL_STATUSES",
    "FORCEABLE_STATUSES",
    "HANDED_OVER_STATUSES",
    "STATUS_FILTER_VALUES",
    "DeliveryDelays",
    "Step",
    "Timestamps",
    "after_steps",
    "api_status",
    "expand_status_filter",
    "is_valid_forced_status",
    "plan_delivery",
    "simulated_final_status",
    "timestamps_for",
]

SMS = "sms"
EMAIL = "email"
LETTER = "letter"
KEY_TYPE_TEST = "test"

CANCELLED = "cancelled"
CREATED = "created"
SENDING = "sending"
SENT = "sent"
DELIVERED = "delivered"
PENDING = "pending"
FAILED = "failed"
TECHNICAL_FAILURE = "technical-failure"
TEMPORARY_FAILURE = "temporary-failure"
PERMANENT_FAILURE = "permanent-failure"
PENDING_VIRUS_CHECK = "pending-virus-check"
VALIDATION_FAILED = "validation-failed"
VIRUS_SCAN_FAILED = "virus-scan-failed"
RETURNED_LETTER = "returned-letter"

# Every internal status, in Notify's order (api NOTIFICATION_STATUS_TYPES). `failed` is a
# deprecated alias that is never stored any more but is still accepted as a list filter.
ALL_STATUSES: tuple[str, ...] = (
    CANCELLED,
    CREATED,
    SENDING,
    SENT,
    DELIVERED,
    PENDING,
    FAILED,
    TECHNICAL_FAILURE,
    TEMPORARY_FAILURE,
    PERMANENT_FAILURE,
    PENDING_VIRUS_CHECK,
    VALIDATION_FAILED,
    VIRUS_SCAN_FAILED,
    RETURNED_LETTER,
)
_DEPRECATED_STATUSES = frozenset({FAILED})

# Letter names accepted by the list filter on top of the internal ones (§5.7).
LETTER_ACCEPTED = "accepted"
LETTER_RECEIVED = "received"
STATUS_FILTER_VALUES: tuple[str, ...] = (*ALL_STATUSES, LETTER_ACCEPTED, LETTER_RECEIVED)

# `completed_at` is shown only in these statuses (api NOTIFICATION_STATUS_TYPES_COMPLETED).
# `pending-virus-check` and `virus-scan-failed` are deliberately absent, as in Notify.
COMPLETED_STATUSES = frozenset(
    {
        SENT,
        DELIVERED,
        FAILED,
        TECHNICAL_FAILURE,
        TEMPORARY_FAILURE,
        PERMANENT_FAILURE,
        RETURNED_LETTER,
        CANCELLED,
        VALIDATION_FAILED,
    }
)

# Statuses a provider receipt no longer changes: Notify ignores status updates unless the
# notification is still created, sending, pending, sent or pending-virus-check
# (api notifications_dao.update_notification_status_by_id).
_IN_FLIGHT_STATUSES = frozenset({CREATED, SENDING, PENDING, SENT, PENDING_VIRUS_CHECK})
FINAL_STATUSES = frozenset(ALL_STATUSES) - _IN_FLIGHT_STATUSES

# A notification's sent_at is when it first reached one of these: handed to a provider (or,
# for letters, the printer).
HANDED_OVER_STATUSES = frozenset({SENDING, SENT})

# `failed` in a list filter means every failure (api Notification.substitute_status).
_FAILED_ALIASES = (
    TECHNICAL_FAILURE,
    TEMPORARY_FAILURE,
    PERMANENT_FAILURE,
    VALIDATION_FAILED,
    VIRUS_SCAN_FAILED,
    RETURNED_LETTER,
)

# The statuses each channel can really be in (§7.1), which the emulator lets a user force.
FORCEABLE_STATUSES: dict[str, frozenset[str]] = {
    SMS: frozenset(
        {
            CREATED,
            SENDING,
            SENT,
            PENDING,
            DELIVERED,
            TEMPORARY_FAILURE,
            PERMANENT_FAILURE,
            TECHNICAL_FAILURE,
        }
    ),
    EMAIL: frozenset(
        {CREATED, SENDING, DELIVERED, TEMPORARY_FAILURE, PERMANENT_FAILURE, TECHNICAL_FAILURE}
    ),
    LETTER: frozenset(
        {
            PENDING_VIRUS_CHECK,
            CREATED,
            SENDING,
            DELIVERED,
            RETURNED_LETTER,
            CANCELLED,
            TECHNICAL_FAILURE,
            PERMANENT_FAILURE,
            VALIDATION_FAILED,
            VIRUS_SCAN_FAILED,
        }
    ),
}

# Test-key outcomes come from the recipient as supplied, trimmed but not normalised
# (api app/celery/research_mode_tasks.py): `07700 900 003` with spaces is delivered.
_SMS_TEMPORARY_FAILURE_SUFFIX = "7700900003"
_SMS_PERMANENT_FAILURE_SUFFIX = "7700900002"
_EMAIL_TEMPORARY_FAILURE = "temp-fail@simulator.notify"
_EMAIL_PERMANENT_FAILURE = "perm-fail@simulator.notify"

# Fast by default: a notification reaches its final status about a second after creation.
DEFAULT_SENDING_SECONDS = 0.2
DEFAULT_FINAL_SECONDS = 1.0
DEFAULT_VIRUS_SCAN_SECONDS = 0.1


@dataclass(frozen=True)
class DeliveryDelays:
    """How long after creation each stage of a simulated delivery happens.

    ``virus_scan`` is when a precompiled letter's scan and PDF checks finish; ``sending`` when
    a message is handed to its (simulated) provider or printer; ``final`` when the final
    status arrives. Each must be no later than the next.
    """

    sending: timedelta = timedelta(seconds=DEFAULT_SENDING_SECONDS)
    final: timedelta = timedelta(seconds=DEFAULT_FINAL_SECONDS)
    virus_scan: timedelta = timedelta(seconds=DEFAULT_VIRUS_SCAN_SECONDS)

    def __post_init__(self) -> None:
        for name in ("virus_scan", "sending", "final"):
            value = getattr(self, name)
            if not isinstance(value, timedelta):
                raise TypeError(f"delivery delay {name!r} must be a timedelta, not {value!r}")
            if value < timedelta(0):
                raise ValueError(f"delivery delay {name!r} must not be negative, got {value}")
        if not self.virus_scan <= self.sending <= self.final:
            raise ValueError(
                "delivery delays must satisfy virus_scan <= sending <= final, got "
                f"virus_scan={self.virus_scan.total_seconds()}s, "
                f"sending={self.sending.total_seconds()}s, final={self.final.total_seconds()}s"
            )

    @classmethod
    def from_seconds(
        cls, *, sending: float, final: float, virus_scan: float | None = None
    ) -> DeliveryDelays:
        """Build delays from seconds; ``virus_scan`` defaults to the smaller of its default
        and ``sending``."""
        sending = _seconds("sending", sending)
        final = _seconds("final", final)
        if virus_scan is None:
            virus_scan = min(DEFAULT_VIRUS_SCAN_SECONDS, sending)
        return cls(
            sending=timedelta(seconds=sending),
            final=timedelta(seconds=final),
            virus_scan=timedelta(seconds=_seconds("virus_scan", virus_scan)),
        )

    @classmethod
    def parse(cls, text: str) -> DeliveryDelays:
        """Parse a setting such as ``"sending=0.5,final=3"`` (seconds; missing keys keep
        their defaults, scaled down if needed so the order still holds).

        A single number, e.g. ``"2"``, sets ``final`` and puts ``sending`` at a fifth of it.
        """
        text = text.strip()
        if not text:
            raise ValueError("delivery delays setting is empty")
        if "=" not in text:
            final = _parse_seconds("final", text)
            return cls.from_seconds(sending=final / 5, final=final)
        values: dict[str, float] = {}
        for part in text.split(","):
            key, sep, raw = part.partition("=")
            key = key.strip().replace("-", "_")
            if not sep or key not in ("sending", "final", "virus_scan"):
                raise ValueError(
                    f"bad delivery delays entry {part.strip()!r}: expected "
                    "sending=<seconds>, final=<seconds> or virus_scan=<seconds>"
                )
            if key in values:
                raise ValueError(f"delivery delay {key!r} given twice")
            values[key] = _parse_seconds(key, raw)
        final = values.get("final", max(DEFAULT_FINAL_SECONDS, values.get("sending", 0.0)))
        sending = values.get("sending", min(DEFAULT_SENDING_SECONDS, final))
        return cls.from_seconds(sending=sending, final=final, virus_scan=values.get("virus_scan"))

    @classmethod
    def instant(cls) -> DeliveryDelays:
        """Every stage at the moment of creation (useful in tests)."""
        return cls(sending=timedelta(0), final=timedelta(0), virus_scan=timedelta(0))


def _seconds(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"delivery delay {name!r} must be a number of seconds, not {value!r}")
    return float(value)


def _parse_seconds(name: str, raw: str) -> float:
    raw = raw.strip()
    if not re.fullmatch(r"\d+(\.\d*)?|\.\d+", raw):
        raise ValueError(f"delivery delay {name!r} must be a number of seconds, got {raw!r}")
    return float(raw)


@dataclass(frozen=True)
class Step:
    """A status a notification takes at an absolute time (UTC)."""

    status: str
    at: datetime


def simulated_final_status(*, notification_type: str, key_type: str, recipient: str | None) -> str:
    """The final status Notify's test-key simulation gives (§7.3); others are delivered."""
    if key_type != KEY_TYPE_TEST or recipient is None:
        return DELIVERED
    supplied = recipient.strip()
    if notification_type == SMS:
        if supplied.endswith(_SMS_TEMPORARY_FAILURE_SUFFIX):
            return TEMPORARY_FAILURE
        if supplied.endswith(_SMS_PERMANENT_FAILURE_SUFFIX):
            return PERMANENT_FAILURE
    elif notification_type == EMAIL:
        # Compared exactly, case included, as Notify does.
        if supplied == _EMAIL_TEMPORARY_FAILURE:
            return TEMPORARY_FAILURE
        if supplied == _EMAIL_PERMANENT_FAILURE:
            return PERMANENT_FAILURE
    return DELIVERED


def plan_delivery(
    *,
    notification_type: str,
    key_type: str,
    recipient: str | None,
    is_international: bool,
    created_at: datetime,
    delays: DeliveryDelays,
    precompiled: bool = False,
    pdf_valid: bool = True,
    delivery_receipts: bool = True,
) -> tuple[str, list[Step]]:
    """Decide a new notification's initial status and the later steps, with their times.

    - SMS: ``created`` → ``sending`` (UK) or ``sent`` (international) → final. A test-key
      temporary failure passes through ``pending`` first, as Notify's simulated provider
      reports it. International SMS to a country without delivery receipts
      (``delivery_receipts=False``) stays ``sent``.
    - Email: ``created`` → ``sending`` → final.
    - Template letter: ``created`` until the print run that collects it (17:50 London time,
      :func:`~notify_emulator.rules.timings.print_run`), then ``sending``, then ``delivered``
      as long after the run as ``final`` is after ``sending``. With a test key it is created
      in ``sending`` and never waits for a print run. ``pdf_valid=False`` (e.g. over the page
      limit) ends in ``validation-failed`` instead, found when the PDF is made.
    - Precompiled letter: ``pending-virus-check`` → ``created`` → (print run) ``sending`` →
      ``delivered`` (test key: straight to ``delivered``), or ``validation-failed``.

    ``delays`` time every step but a letter's print run. The final status comes from
    :func:`simulated_final_status`.
    """
    if notification_type not in (SMS, EMAIL, LETTER):
        raise ValueError(f"unknown notification type {notification_type!r}")
    if precompiled and notification_type != LETTER:
        raise ValueError("only letters can be precompiled")

    def at(delay: timedelta) -> datetime:
        return created_at + delay

    final = simulated_final_status(
        notification_type=notification_type, key_type=key_type, recipient=recipient
    )
    is_test = key_type == KEY_TYPE_TEST

    if notification_type == LETTER:
        # A live letter waits for the print run; then it is dispatched as long after being
        # handed to the printer as a message is delivered after being handed to its provider.
        printed = max(print_run(created_at), at(delays.virus_scan if precompiled else timedelta(0)))
        dispatched = printed + (delays.final - delays.sending)
        if precompiled:
            if not pdf_valid:
                return PENDING_VIRUS_CHECK, [Step(VALIDATION_FAILED, at(delays.virus_scan))]
            if is_test:
                return PENDING_VIRUS_CHECK, [Step(DELIVERED, at(delays.virus_scan))]
            return PENDING_VIRUS_CHECK, [
                Step(CREATED, at(delays.virus_scan)),
                Step(SENDING, printed),
                Step(DELIVERED, dispatched),
            ]
        if not pdf_valid:
            # Notify finds an over-long letter only when it renders the PDF, after the 201.
            return (SENDING if is_test else CREATED), [Step(VALIDATION_FAILED, at(delays.sending))]
        if is_test:
            return SENDING, [Step(DELIVERED, at(delays.final))]
        return CREATED, [Step(SENDING, printed), Step(DELIVERED, dispatched)]

    if notification_type == SMS:
        handed_over = SENT if is_international else SENDING
        steps = [Step(handed_over, at(delays.sending))]
        if is_international and not delivery_receipts:
            return CREATED, steps
        if final == TEMPORARY_FAILURE:
            steps.append(Step(PENDING, at((delays.sending + delays.final) / 2)))
        steps.append(Step(final, at(delays.final)))
        return CREATED, steps

    return CREATED, [Step(SENDING, at(delays.sending)), Step(final, at(delays.final))]


@dataclass(frozen=True)
class Timestamps:
    """The times Notify shows for a notification, derived from its status history."""

    sent_at: datetime | None
    updated_at: datetime | None
    completed_at: datetime | None


def after_steps(sent_at: datetime | None, steps: Sequence[Step]) -> Timestamps:
    """The timestamps of a notification once ``steps`` (oldest first) have happened to it.

    ``sent_at`` is its value before them: it is set once, by the first step that hands the
    notification on (:data:`HANDED_OVER_STATUSES`), and never moves after. ``updated_at`` is
    the last step's time; ``completed_at`` is that time when the last status is in
    :data:`COMPLETED_STATUSES` (api ``Notification.completed_at``).
    """
    if not steps:
        raise ValueError("at least one step must have happened")
    if sent_at is None:
        sent_at = next((step.at for step in steps if step.status in HANDED_OVER_STATUSES), None)
    last = steps[-1]
    completed_at = last.at if last.status in COMPLETED_STATUSES else None
    return Timestamps(sent_at=sent_at, updated_at=last.at, completed_at=completed_at)


def timestamps_for(history: Sequence[Step]) -> Timestamps:
    """``sent_at``, ``updated_at`` and ``completed_at`` for a status history.

    ``history`` holds the steps that have happened, oldest first, starting with the initial
    status at creation, which sets none of them: test-key letters, created in ``sending``,
    never get a ``sent_at``.
    """
    if not history:
        raise ValueError("a status history has at least the initial status")
    if len(history) == 1:
        return Timestamps(sent_at=None, updated_at=None, completed_at=None)
    return after_steps(None, history[1:])


def api_status(notification_type: str, status: str) -> str:
    """The status as the v2 API shows it: letters are renamed (§7.2), others are raw."""
    if notification_type != LETTER:
        return status
    if status in (CREATED, SENDING):
        return LETTER_ACCEPTED
    if status in (DELIVERED, RETURNED_LETTER):
        return LETTER_RECEIVED
    return status


def expand_status_filter(statuses: Iterable[str]) -> set[str] | None:
    """The internal statuses a ``GET /v2/notifications`` ``status`` filter selects (§5.7).

    ``failed``, ``accepted`` and ``received`` are expanded; ``None`` means "do not filter"
    (no statuses given, or the set covers every non-deprecated status, as in Notify).
    """
    expanded: set[str] = set()
    for status in statuses:
        if status == FAILED:
            expanded.update(_FAILED_ALIASES)
        elif status == LETTER_ACCEPTED:
            expanded.update((CREATED, SENDING))
        elif status == LETTER_RECEIVED:
            expanded.add(DELIVERED)
        else:
            expanded.add(status)
    if not expanded:
        return None
    if expanded >= set(ALL_STATUSES) - _DEPRECATED_STATUSES:
        return None
    return expanded


def is_valid_forced_status(notification_type: str, status: str) -> bool:
    """Whether a notification of this type can be put in ``status`` (an internal name)."""
    return status in FORCEABLE_STATUSES.get(notification_type, frozenset())
