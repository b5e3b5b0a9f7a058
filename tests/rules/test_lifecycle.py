from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from notify_emulator.rules import lifecycle
from notify_emulator.rules.lifecycle import (
    ALL_STATUSES,
    COMPLETED_STATUSES,
    FINAL_STATUSES,
    STATUS_FILTER_VALUES,
    DeliveryDelays,
    Step,
    api_status,
    expand_status_filter,
    is_valid_forced_status,
    plan_delivery,
    timestamps_for,
)

CREATED_AT = datetime(2026, 11, 26, 10, 0, 0, 123456, tzinfo=timezone.utc)
DELAYS = DeliveryDelays(
    sending=timedelta(seconds=2), final=timedelta(seconds=10), virus_scan=timedelta(seconds=1)
)
# The print run that collects a live letter made at CREATED_AT: 17:50 London time that day (GMT
# in November), in seconds after CREATED_AT.
PRINT_RUN = (datetime(2026, 11, 26, 17, 50, tzinfo=timezone.utc) - CREATED_AT).total_seconds()


def plan(**overrides: object) -> tuple[str, list[tuple[str, float]]]:
    arguments: dict[str, object] = {
        "notification_type": "sms",
        "key_type": "normal",
        "recipient": "07700900123",
        "is_international": False,
        "created_at": CREATED_AT,
        "delays": DELAYS,
    }
    arguments.update(overrides)
    initial, steps = plan_delivery(**arguments)  # type: ignore[arg-type]
    return initial, [(step.status, (step.at - CREATED_AT).total_seconds()) for step in steps]


# --- SMS ---------------------------------------------------------------------------------


def test_uk_sms_with_a_live_key_is_sent_then_delivered() -> None:
    assert plan() == ("created", [("sending", 2.0), ("delivered", 10.0)])


def test_international_sms_goes_through_sent() -> None:
    assert plan(recipient="+33612345678", is_international=True) == (
        "created",
        [("sent", 2.0), ("delivered", 10.0)],
    )


def test_international_sms_without_delivery_receipts_stays_sent() -> None:
    assert plan(recipient="+33612345678", is_international=True, delivery_receipts=False) == (
        "created",
        [("sent", 2.0)],
    )


@pytest.mark.parametrize(
    ("recipient", "expected"),
    [
        ("07700900003", [("sending", 2.0), ("pending", 6.0), ("temporary-failure", 10.0)]),
        ("+447700900002", [("sending", 2.0), ("permanent-failure", 10.0)]),
        ("  07700900002  ", [("sending", 2.0), ("permanent-failure", 10.0)]),
        # Compared as supplied, not normalised: spaces inside mean delivered.
        ("07700 900 003", [("sending", 2.0), ("delivered", 10.0)]),
        ("07700900001", [("sending", 2.0), ("delivered", 10.0)]),
    ],
)
def test_test_key_sms_outcome_comes_from_the_recipient_as_supplied(
    recipient: str, expected: list[tuple[str, float]]
) -> None:
    assert plan(key_type="test", recipient=recipient) == ("created", expected)


@pytest.mark.parametrize("key_type", ["normal", "team"])
def test_failure_numbers_are_delivered_with_live_and_team_keys(key_type: str) -> None:
    assert plan(key_type=key_type, recipient="07700900003")[1][-1] == ("delivered", 10.0)


# --- email -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("recipient", "final"),
    [
        ("temp-fail@simulator.notify", "temporary-failure"),
        ("perm-fail@simulator.notify", "permanent-failure"),
        (" perm-fail@simulator.notify ", "permanent-failure"),
        ("PERM-FAIL@simulator.notify", "delivered"),  # case-sensitive, as in Notify
        ("someone@example.com", "delivered"),
    ],
)
def test_test_key_email_outcome(recipient: str, final: str) -> None:
    assert plan(notification_type="email", key_type="test", recipient=recipient) == (
        "created",
        [("sending", 2.0), (final, 10.0)],
    )


def test_live_email_to_a_failure_address_is_delivered() -> None:
    assert plan(notification_type="email", recipient="perm-fail@simulator.notify") == (
        "created",
        [("sending", 2.0), ("delivered", 10.0)],
    )


# --- letters -----------------------------------------------------------------------------


def test_live_template_letter_waits_for_the_print_run() -> None:
    # Then it is dispatched as long after printing as a message is delivered after sending.
    assert plan(notification_type="letter", recipient=None) == (
        "created",
        [("sending", PRINT_RUN), ("delivered", PRINT_RUN + 8.0)],
    )


def test_a_letter_made_after_the_print_deadline_waits_for_the_next_days_run() -> None:
    created_at = datetime(2026, 11, 26, 17, 30, tzinfo=timezone.utc)
    initial, steps = plan_delivery(
        notification_type="letter",
        key_type="normal",
        recipient=None,
        is_international=False,
        created_at=created_at,
        delays=DELAYS,
    )
    assert initial == "created"
    assert [(step.status, step.at) for step in steps] == [
        ("sending", datetime(2026, 11, 27, 17, 50, tzinfo=timezone.utc)),
        ("delivered", datetime(2026, 11, 27, 17, 50, 8, tzinfo=timezone.utc)),
    ]


def test_letter_delays_do_not_move_the_print_run() -> None:
    assert plan(notification_type="letter", recipient=None, delays=DeliveryDelays.instant()) == (
        "created",
        [("sending", PRINT_RUN), ("delivered", PRINT_RUN)],
    )


def test_test_key_template_letter_is_created_in_sending() -> None:
    assert plan(notification_type="letter", key_type="test", recipient=None) == (
        "sending",
        [("delivered", 10.0)],
    )


def test_template_letter_with_an_invalid_pdf_fails_validation() -> None:
    assert plan(notification_type="letter", recipient=None, pdf_valid=False) == (
        "created",
        [("validation-failed", 2.0)],
    )


def test_live_precompiled_letter_is_scanned_then_waits_for_the_print_run() -> None:
    assert plan(notification_type="letter", recipient=None, precompiled=True) == (
        "pending-virus-check",
        [("created", 1.0), ("sending", PRINT_RUN), ("delivered", PRINT_RUN + 8.0)],
    )


def test_test_key_precompiled_letter_goes_straight_to_delivered() -> None:
    assert plan(notification_type="letter", key_type="test", recipient=None, precompiled=True) == (
        "pending-virus-check",
        [("delivered", 1.0)],
    )


@pytest.mark.parametrize("key_type", ["normal", "test"])
def test_invalid_precompiled_letter_fails_validation(key_type: str) -> None:
    assert plan(
        notification_type="letter",
        key_type=key_type,
        recipient=None,
        precompiled=True,
        pdf_valid=False,
    ) == ("pending-virus-check", [("validation-failed", 1.0)])


def test_only_letters_can_be_precompiled() -> None:
    with pytest.raises(ValueError, match="only letters"):
        plan(precompiled=True)


def test_unknown_notification_type_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown notification type"):
        plan(notification_type="fax")


def test_default_delays_finish_within_about_a_second() -> None:
    _, steps = plan_delivery(
        notification_type="sms",
        key_type="normal",
        recipient="07700900123",
        is_international=False,
        created_at=CREATED_AT,
        delays=DeliveryDelays(),
    )
    assert steps[-1].at - CREATED_AT <= timedelta(seconds=1)
    assert [step.at for step in steps] == sorted(step.at for step in steps)


# --- delays ------------------------------------------------------------------------------


def test_delays_from_seconds() -> None:
    delays = DeliveryDelays.from_seconds(sending=0.5, final=3)
    assert delays.sending == timedelta(seconds=0.5)
    assert delays.final == timedelta(seconds=3)
    assert delays.virus_scan == timedelta(seconds=0.1)


@pytest.mark.parametrize(
    ("text", "sending", "final", "virus_scan"),
    [
        ("sending=0.5,final=3", 0.5, 3.0, 0.1),
        (" final = 4 ", 0.2, 4.0, 0.1),
        ("sending=5", 5.0, 5.0, 0.1),
        ("final=0.05", 0.05, 0.05, 0.05),
        ("virus-scan=1,sending=2,final=3", 2.0, 3.0, 1.0),
        ("2", 0.4, 2.0, 0.1),
        ("0", 0.0, 0.0, 0.0),
    ],
)
def test_delays_parse(text: str, sending: float, final: float, virus_scan: float) -> None:
    delays = DeliveryDelays.parse(text)
    assert delays.sending.total_seconds() == pytest.approx(sending)
    assert delays.final.total_seconds() == pytest.approx(final)
    assert delays.virus_scan.total_seconds() == pytest.approx(virus_scan)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("soon", "number of seconds"),
        ("sending=-1", "number of seconds"),
        ("delay=1", "bad delivery delays entry"),
        ("final=1,final=2", "given twice"),
        ("sending=3,final=1", "virus_scan <= sending <= final"),
    ],
)
def test_bad_delay_settings_are_refused_clearly(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DeliveryDelays.parse(text)


def test_negative_delay_is_refused() -> None:
    with pytest.raises(ValueError, match="must not be negative"):
        DeliveryDelays(sending=timedelta(seconds=-1))


def test_delay_of_the_wrong_type_is_refused() -> None:
    with pytest.raises(TypeError, match="must be a timedelta"):
        DeliveryDelays(sending=1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="number of seconds"):
        DeliveryDelays.from_seconds(sending="1", final=2)  # type: ignore[arg-type]


def test_instant_delays_put_every_step_at_creation() -> None:
    _, steps = plan_delivery(
        notification_type="email",
        key_type="normal",
        recipient="a@example.com",
        is_international=False,
        created_at=CREATED_AT,
        delays=DeliveryDelays.instant(),
    )
    assert {step.at for step in steps} == {CREATED_AT}


# --- timestamps --------------------------------------------------------------------------


def at(seconds: float) -> datetime:
    return CREATED_AT + timedelta(seconds=seconds)


def test_a_new_notification_has_no_timestamps() -> None:
    stamps = timestamps_for([Step("created", at(0))])
    assert (stamps.sent_at, stamps.updated_at, stamps.completed_at) == (None, None, None)


def test_sending_sets_sent_at_but_is_not_completed() -> None:
    stamps = timestamps_for([Step("created", at(0)), Step("sending", at(2))])
    assert stamps.sent_at == at(2)
    assert stamps.updated_at == at(2)
    assert stamps.completed_at is None


def test_delivered_is_completed_when_last_updated() -> None:
    stamps = timestamps_for(
        [Step("created", at(0)), Step("sending", at(2)), Step("delivered", at(9))]
    )
    assert stamps.sent_at == at(2)
    assert stamps.completed_at == at(9)


def test_international_sent_is_completed() -> None:
    stamps = timestamps_for([Step("created", at(0)), Step("sent", at(2))])
    assert stamps.sent_at == at(2)
    assert stamps.completed_at == at(2)


def test_test_key_letter_never_gets_sent_at() -> None:
    stamps = timestamps_for([Step("sending", at(0)), Step("delivered", at(9))])
    assert stamps.sent_at is None
    assert stamps.completed_at == at(9)


@pytest.mark.parametrize("status", ["virus-scan-failed", "pending-virus-check", "pending"])
def test_statuses_without_completed_at(status: str) -> None:
    stamps = timestamps_for([Step("pending-virus-check", at(0)), Step(status, at(1))])
    assert stamps.completed_at is None


def test_timestamps_need_a_history() -> None:
    with pytest.raises(ValueError, match="initial status"):
        timestamps_for([])


def test_status_sets() -> None:
    assert len(ALL_STATUSES) == 14
    assert "virus-scan-failed" not in COMPLETED_STATUSES
    assert "pending-virus-check" not in COMPLETED_STATUSES
    assert set(ALL_STATUSES) >= COMPLETED_STATUSES
    assert FINAL_STATUSES.isdisjoint({"created", "sending", "pending", "sent"})
    assert {"delivered", "permanent-failure", "validation-failed"} <= FINAL_STATUSES


# --- API names and filters ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "shown"),
    [
        ("created", "accepted"),
        ("sending", "accepted"),
        ("delivered", "received"),
        ("returned-letter", "received"),
        ("pending-virus-check", "pending-virus-check"),
        ("validation-failed", "validation-failed"),
        ("technical-failure", "technical-failure"),
        ("cancelled", "cancelled"),
    ],
)
def test_letter_statuses_are_renamed_for_the_api(status: str, shown: str) -> None:
    assert api_status("letter", status) == shown


@pytest.mark.parametrize("notification_type", ["sms", "email"])
def test_sms_and_email_statuses_are_raw(notification_type: str) -> None:
    assert api_status(notification_type, "created") == "created"
    assert api_status(notification_type, "delivered") == "delivered"


def test_status_filter_aliases() -> None:
    assert expand_status_filter(["failed"]) == {
        "technical-failure",
        "temporary-failure",
        "permanent-failure",
        "validation-failed",
        "virus-scan-failed",
        "returned-letter",
    }
    assert expand_status_filter(["accepted"]) == {"created", "sending"}
    assert expand_status_filter(["received"]) == {"delivered"}
    assert expand_status_filter(["delivered", "received", "sent"]) == {"delivered", "sent"}


def test_status_filter_without_statuses_or_covering_all_is_no_filter() -> None:
    assert expand_status_filter([]) is None
    every_status = [status for status in ALL_STATUSES if status != "failed"]
    assert expand_status_filter(every_status) is None
    assert expand_status_filter(every_status[:-1]) == set(every_status[:-1])


def test_forced_statuses_are_checked_per_channel() -> None:
    assert is_valid_forced_status("sms", "permanent-failure")
    assert is_valid_forced_status("sms", "pending")
    assert not is_valid_forced_status("email", "sent")
    assert is_valid_forced_status("letter", "returned-letter")
    assert not is_valid_forced_status("sms", "returned-letter")
    assert not is_valid_forced_status("letter", "received")
    assert not is_valid_forced_status("fax", "delivered")
    assert not is_valid_forced_status("sms", "failed")


def test_status_filter_values_in_notify_order() -> None:
    # The order of the schema's error message: `status x is not one of [...]` (§12).
    assert ", ".join(STATUS_FILTER_VALUES) == (
        "cancelled, created, sending, sent, delivered, pending, failed, technical-failure, "
        "temporary-failure, permanent-failure, pending-virus-check, validation-failed, "
        "virus-scan-failed, returned-letter, accepted, received"
    )


def test_public_names_exist() -> None:
    assert all(hasattr(lifecycle, name) for name in lifecycle.__all__)


def test_after_steps_sets_sent_at_once_and_completes_on_a_completed_status() -> None:
    start = datetime(2026, 1, 5, 12, 0)
    sending = lifecycle.Step("sending", start + timedelta(seconds=1))
    delivered = lifecycle.Step("delivered", start + timedelta(seconds=3))
    first = lifecycle.after_steps(None, [sending])
    assert first == lifecycle.Timestamps(sending.at, sending.at, None)
    # sent_at never moves once set, whatever hands the notification on later.
    later = lifecycle.after_steps(first.sent_at, [lifecycle.Step("sent", delivered.at)])
    assert later.sent_at == sending.at
    assert lifecycle.after_steps(first.sent_at, [delivered]) == lifecycle.Timestamps(
        sending.at, delivered.at, delivered.at
    )


def test_after_steps_needs_a_step() -> None:
    with pytest.raises(ValueError, match="at least one step"):
        lifecycle.after_steps(None, [])
