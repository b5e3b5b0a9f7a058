"""The client meets each fault the emulator can rehearse, through the pytest fixture's helpers,
and does the right thing: retries what is safe to retry, and never sends a message twice."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest

from notifications_python_client import RetryPolicy
from notifications_python_client.errors import (
    ResponseNotReceivedError,
    ResponseTimeoutError,
    ServerError,
    ServiceUnavailableError,
    TooManyRequestsError,
)
from notifications_python_client.notifications import NotificationsAPIClient
from notify_emulator.demo import service as demo
from notify_emulator.pytest_plugin import NotifyEmulator, NotifyEmulatorError
from notify_emulator.rules.timings import print_run

SMS = "/v2/notifications/sms"
# Retries without the waits a real client would make.
FAST = RetryPolicy(max_retries=3, initial_backoff=0.001, max_backoff=0.005)
ADDRESS = {"address_line_1": "A Person", "address_line_2": "1 High Street", "postcode": "SW1A 1AA"}


@pytest.fixture
def client(notify_emulator: NotifyEmulator) -> Iterator[NotificationsAPIClient]:
    with NotificationsAPIClient(
        notify_emulator.api_key, base_url=notify_emulator.base_url, retry_policy=FAST
    ) as retrying:
        yield retrying


def send(client: NotificationsAPIClient) -> dict[str, object]:
    return dict(client.send_sms_notification("07700900123", demo.SMS_TEMPLATE_ID, {"name": "A"}))


def test_a_503_on_a_get_is_retried(
    notify_emulator: NotifyEmulator, client: NotificationsAPIClient
) -> None:
    sent = send(client)
    notify_emulator.fail_next(path=f"/v2/notifications/{sent['id']}", status=503, times=2)
    assert client.get_notification_by_id(str(sent["id"]))["id"] == sent["id"]
    assert notify_emulator.faults() == []  # both failures were met: two retries


def test_a_503_on_a_post_is_not_retried(
    notify_emulator: NotifyEmulator, client: NotificationsAPIClient
) -> None:
    notify_emulator.fail_next(path=SMS, status=503, times=2)
    with pytest.raises(ServiceUnavailableError):
        send(client)
    (fault,) = notify_emulator.faults()
    assert fault["remaining"] == 1  # one attempt only
    assert notify_emulator.sent() == []


@pytest.mark.parametrize("status", [500, 502, 504])
def test_other_server_errors_are_retried_on_reads_only(
    notify_emulator: NotifyEmulator, client: NotificationsAPIClient, status: int
) -> None:
    notify_emulator.fail_next(status=status, times=2)
    assert client.get_all_templates()["templates"]
    assert notify_emulator.faults() == []
    notify_emulator.fail_next(status=status, times=1)
    with pytest.raises(ServerError) as raised:
        send(client)
    assert raised.value.status_code == status


def test_the_per_minute_429_is_retried_and_sends_once(
    notify_emulator: NotifyEmulator, client: NotificationsAPIClient
) -> None:
    notify_emulator.add_fault(match={"path": SMS}, action={"error": "RateLimitError"}, times=2)
    sent = send(client)
    assert [message["id"] for message in notify_emulator.sent()] == [sent["id"]]
    assert notify_emulator.faults() == []


def test_the_daily_429_stops_at_once(
    notify_emulator: NotifyEmulator, client: NotificationsAPIClient
) -> None:
    notify_emulator.add_fault(action={"error": "TooManyRequestsError"}, times=2)
    with pytest.raises(TooManyRequestsError) as raised:
        send(client)
    assert raised.value.message == [
        {"error": "TooManyRequestsError", "message": "Exceeded send limits (sms: 250000) for today"}
    ]
    assert notify_emulator.faults()[0]["remaining"] == 1
    assert notify_emulator.sent() == []


def test_a_lost_answer_is_reported_as_maybe_sent_and_not_sent_again(
    notify_emulator: NotifyEmulator, client: NotificationsAPIClient
) -> None:
    notify_emulator.lose_answer_next(path=SMS)
    with pytest.raises(ResponseNotReceivedError) as raised:
        send(client)
    assert "outcome is unknown" in raised.value.reason
    # It was sent, once: the client did not try again.
    (message,) = notify_emulator.sent()
    assert message["phone_number"] == "07700900123"
    assert notify_emulator.faults() == []


def test_a_request_dropped_before_it_is_read_is_not_stored(
    notify_emulator: NotifyEmulator, client: NotificationsAPIClient
) -> None:
    notify_emulator.add_fault(match={"path": SMS}, action={"drop": "before"})
    with pytest.raises(ResponseNotReceivedError):
        send(client)
    assert notify_emulator.sent() == []


def test_a_dropped_read_is_retried(
    notify_emulator: NotifyEmulator, client: NotificationsAPIClient
) -> None:
    notify_emulator.add_fault(match={"method": "GET"}, action={"drop": "before"}, times=2)
    assert client.get_all_templates()["templates"]
    assert notify_emulator.faults() == []


def test_a_slow_answer_times_out_but_the_message_was_sent(
    notify_emulator: NotifyEmulator,
) -> None:
    notify_emulator.add_fault(match={"path": SMS}, action={"delay_ms": 3000})
    with (
        NotificationsAPIClient(
            notify_emulator.api_key,
            base_url=notify_emulator.base_url,
            timeout=0.5,
            retry_policy=FAST,
        ) as impatient,
        pytest.raises(ResponseTimeoutError),
    ):
        send(impatient)
    assert len(notify_emulator.sent()) == 1


def test_a_fault_for_another_recipient_leaves_this_one_alone(
    notify_emulator: NotifyEmulator, client: NotificationsAPIClient
) -> None:
    notify_emulator.add_fault(match={"recipient": "07700 900 999"}, action={"status": 500})
    assert send(client)["id"]
    assert len(notify_emulator.faults()) == 1
    notify_emulator.clear_faults()
    assert notify_emulator.faults() == []


def test_a_bad_fault_is_refused_by_the_helper(notify_emulator: NotifyEmulator) -> None:
    with pytest.raises(NotifyEmulatorError, match=r"action\.status must be one of"):
        notify_emulator.fail_next(status=404)


# --- time ----------------------------------------------------------------------------------


def test_now_and_advance(notify_emulator: NotifyEmulator) -> None:
    start = notify_emulator.now()
    assert abs(start - datetime.now(timezone.utc)) < timedelta(minutes=1)
    moved = notify_emulator.advance(hours=25)
    assert moved - start >= timedelta(hours=25)
    assert notify_emulator.advance(seconds=30) - moved >= timedelta(seconds=30)
    with pytest.raises(ValueError, match="only moves forward"):
        notify_emulator.advance(seconds=-1)


def test_a_letter_is_received_once_the_clock_passes_the_print_run(
    notify_emulator: NotifyEmulator, client: NotificationsAPIClient
) -> None:
    sent = client.send_letter_notification(demo.LETTER_TEMPLATE_ID, {"name": "A", **ADDRESS})
    got = client.get_notification_by_id(sent["id"])
    assert (got["status"], got["sent_at"]) == ("accepted", None)
    run = print_run(datetime.fromisoformat(got["created_at"].replace("Z", "+00:00")))
    notify_emulator.advance(seconds=(run - notify_emulator.now()).total_seconds() + 5)
    got = client.get_notification_by_id(sent["id"])
    assert got["status"] == "received"
    assert got["sent_at"] == run.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def test_reset_deletes_faults_and_puts_the_clock_back(notify_emulator: NotifyEmulator) -> None:
    notify_emulator.fail_next(times=None)
    notify_emulator.advance(days=3)
    notify_emulator.reset()
    assert notify_emulator.faults() == []
    assert abs(notify_emulator.now() - datetime.now(timezone.utc)) < timedelta(minutes=1)
