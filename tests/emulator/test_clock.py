"""The emulator's movable clock: /_emulator/clock, and everything that follows it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time, timedelta, timezone
from typing import Any

import pytest
import requests

from notifications_python_client.errors import AuthError, HTTPError, NotFoundError
from notify_emulator.app import create_app
from notify_emulator.clock import real_clock
from notify_emulator.demo import service as demo
from notify_emulator.rules.timings import LONDON, estimated_delivery
from notify_emulator.server import BackgroundServer
from notify_emulator.settings import Settings

from .emulator_harness import (
    LIMITED_LIVE_SECRET,
    LIMITED_SERVICE_ID,
    LIMITED_SMS_TEMPLATE_ID,
    TEST_DELAYS,
    Running,
    api_key,
    errors,
    make_token,
)

SMS = "/v2/notifications/sms"
REVOKING_SERVICE_ID = "99999999-9999-4999-8999-999999999999"
REVOKED_SECRET = "99999999-aaaa-4aaa-8aaa-000000000001"
ADDRESS = {"address_line_1": "A Person", "address_line_2": "1 High Street", "postcode": "SW1A 1AA"}


def shown(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parsed(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def clock(emulator: Running) -> dict[str, Any]:
    response = requests.get(emulator.base_url + "/_emulator/clock", timeout=10)
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def move(emulator: Running, body: object) -> requests.Response:
    return requests.post(emulator.base_url + "/_emulator/clock", json=body, timeout=10)


def advance(emulator: Running, seconds: float) -> None:
    response = move(emulator, {"advance_seconds": seconds})
    assert response.status_code == 200, response.text


def london(day_offset: int, hour: int, minute: int = 0) -> datetime:
    """A London wall-clock time ``day_offset`` days after today's (real) date, in UTC."""
    today = datetime.now(timezone.utc).astimezone(LONDON).date()
    day = today + timedelta(days=day_offset)
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON).astimezone(timezone.utc)


# --- the route -----------------------------------------------------------------------------


def test_the_clock_starts_on_real_time(emulator: Running) -> None:
    assert clock(emulator) == {"now": shown(emulator.clock.now()), "offset_seconds": 0}


def test_advance_and_set_move_it_forward(emulator: Running) -> None:
    start = emulator.clock.now()
    answer = move(emulator, {"advance_seconds": 3600})
    assert answer.json() == {"now": shown(start + timedelta(hours=1)), "offset_seconds": 3600}
    advance(emulator, 0.5)
    assert clock(emulator)["offset_seconds"] == 3600.5
    target = start + timedelta(days=2, minutes=3)
    set_answer = move(emulator, {"set": shown(target)})
    assert set_answer.status_code == 200
    assert set_answer.json() == {"now": shown(target), "offset_seconds": 2 * 86_400 + 180}
    # Offsets given with another zone, or none (UTC), are the same instant.
    later = target + timedelta(hours=1)
    assert move(emulator, {"set": later.astimezone(LONDON).isoformat()}).json()["now"] == shown(
        later
    )
    naive = (later + timedelta(hours=1)).replace(tzinfo=None).isoformat()
    assert move(emulator, {"set": naive}).json()["now"] == shown(later + timedelta(hours=1))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"advance_seconds": -1}, "advance_seconds must not be negative"),
        ({"advance_seconds": "60"}, "advance_seconds must be a number of seconds"),
        ({"advance_seconds": True}, "advance_seconds must be a number of seconds"),
        ({"advance_seconds": 10**12}, "advance_seconds must be at most"),
        ({"set": "2000-01-01T00:00:00Z"}, "is before the emulator's time now"),
        ({"set": "tomorrow"}, "set must be a date and time such as 2026-12-01T10:00:00Z"),
        ({"set": 5}, "set must be a date and time"),
        ({"set": "9999-12-31T23:59:59Z"}, "at most 36600 days ahead"),
        ({}, "give exactly one of advance_seconds and set"),
        ({"advance_seconds": 1, "set": "2030-01-01T00:00:00Z"}, "give exactly one"),
        ({"rewind": 1}, "unknown field 'rewind'"),
        ([1], "the body must be a JSON object"),
    ],
)
def test_bad_moves_are_400s_and_change_nothing(
    emulator: Running, body: object, message: str
) -> None:
    advance(emulator, 60)
    response = move(emulator, body)
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert clock(emulator)["offset_seconds"] == 60


def test_not_a_number_is_refused(emulator: Running) -> None:
    response = requests.post(
        emulator.base_url + "/_emulator/clock",
        data=b'{"advance_seconds": NaN}',
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert response.status_code == 400
    assert clock(emulator)["offset_seconds"] == 0


def test_reset_puts_the_clock_back_on_real_time(emulator: Running) -> None:
    advance(emulator, 86_400)
    requests.post(emulator.base_url + "/_emulator/reset", timeout=10)
    assert clock(emulator)["offset_seconds"] == 0


# --- what follows it -----------------------------------------------------------------------


def test_tokens_are_still_checked_against_the_real_clock(emulator: Running) -> None:
    advance(emulator, 3 * 86_400)
    client = emulator.client()
    sent = client.send_sms_notification("07700900123", demo.SMS_TEMPLATE_ID, {"name": "A"})
    assert client.get_notification_by_id(sent["id"])["id"] == sent["id"]
    # A token signed with the emulator's time is three days out, as far as Notify can tell.
    ahead = (emulator.clock.now() + timedelta(days=3)).timestamp()
    response = emulator.request(
        "GET",
        "/v2/notifications",
        authorization="Bearer " + make_token(demo.LIVE_KEY_SECRET, demo.SERVICE_ID, iat=ahead),
    )
    assert errors(response) == [
        ("AuthError", "Error: Your system clock must be accurate to within 30 seconds")
    ]


def test_statuses_move_on_with_the_clock(emulator: Running) -> None:
    client = emulator.client()
    sent = client.send_sms_notification("07700900123", demo.SMS_TEMPLATE_ID, {"name": "A"})
    assert client.get_notification_by_id(sent["id"])["status"] == "created"
    advance(emulator, TEST_DELAYS.final.total_seconds())
    got = client.get_notification_by_id(sent["id"])
    assert got["status"] == "delivered"
    assert got["completed_at"] == shown(parsed(got["created_at"]) + TEST_DELAYS.final)


def test_notifications_are_created_at_the_emulators_time(emulator: Running) -> None:
    advance(emulator, 86_400)
    client = emulator.client()
    sent = client.send_sms_notification("07700900123", demo.SMS_TEMPLATE_ID, {"name": "A"})
    created = client.get_notification_by_id(sent["id"])["created_at"]
    assert created == shown(emulator.clock.now() + timedelta(days=1))


def test_the_daily_limit_starts_again_the_next_day(emulator: Running) -> None:
    client = emulator.client(api_key("live", LIMITED_SERVICE_ID, LIMITED_LIVE_SECRET))
    for _ in range(2):
        client.send_sms_notification("07700900123", LIMITED_SMS_TEMPLATE_ID)
    with pytest.raises(HTTPError) as raised:
        client.send_sms_notification("07700900123", LIMITED_SMS_TEMPLATE_ID)
    assert raised.value.status_code == 429
    # Notify counts by UTC date (notify-api.md §6.2): past the next midnight UTC.
    now = emulator.clock.now()
    midnight = datetime.combine(now.date() + timedelta(days=1), time(0), tzinfo=timezone.utc)
    advance(emulator, (midnight - now).total_seconds() + 1)
    assert client.send_sms_notification("07700900123", LIMITED_SMS_TEMPLATE_ID)["id"]


def test_the_per_minute_limit_refills_as_the_clock_moves(emulator: Running) -> None:
    def send() -> requests.Response:
        return emulator.request(
            "POST",
            SMS,
            json={"phone_number": "07700900123", "template_id": "not-a-uuid"},
            secret=LIMITED_LIVE_SECRET,
            service_id=LIMITED_SERVICE_ID,
        )

    # rate_limit 6: a bucket of ceil(6 / 3) + 1 = 3 tokens, refusing the third take.
    codes = [send().status_code for _ in range(3)]
    assert codes == [400, 400, 429]
    advance(emulator, 60)
    assert send().status_code == 400


def test_notifications_leave_v2_reads_after_the_retention_period(emulator: Running) -> None:
    client = emulator.client()
    sent = client.send_sms_notification("07700900123", demo.SMS_TEMPLATE_ID, {"name": "A"})
    advance(emulator, 6 * 86_400)
    assert client.get_notification_by_id(sent["id"])["id"] == sent["id"]
    advance(emulator, 86_400 + 1)
    with pytest.raises(NotFoundError):
        client.get_notification_by_id(sent["id"])
    assert client.get_all_notifications()["notifications"] == []


def test_scheduled_for_is_checked_against_the_emulators_time(emulator: Running) -> None:
    advance(emulator, 2 * 86_400)
    real_soon = shown(emulator.clock.now() + timedelta(hours=1))
    emulator_soon = shown(emulator.clock.now() + timedelta(days=2, hours=1))
    body = {"phone_number": "07700900123", "template_id": demo.SMS_TEMPLATE_ID}
    body["personalisation"] = {"name": "A"}  # type: ignore[assignment]
    past = emulator.request("POST", SMS, json={**body, "scheduled_for": real_soon[:-1]})
    assert errors(past) == [("ValidationError", "scheduled_for datetime can not be in the past")]
    assert (
        emulator.request(
            "POST", SMS, json={**body, "scheduled_for": emulator_soon[:-1]}
        ).status_code
        == 201
    )


def test_revoked_keys_stop_being_recognised_a_week_on(emulator: Running) -> None:
    emulator.load_config(
        f"""
[[services]]
id = "{REVOKING_SERVICE_ID}"
name = "Revoking"
  [[services.api_keys]]
  name = "old"
  secret = "{REVOKED_SECRET}"
  revoked = true
"""
    )
    old = emulator.client(api_key("old", REVOKING_SERVICE_ID, REVOKED_SECRET))
    with pytest.raises(AuthError) as raised:
        old.get_all_templates()
    assert "revoked" in str(raised.value.message)
    advance(emulator, 8 * 86_400)
    with pytest.raises(AuthError) as raised:
        old.get_all_templates()
    assert "service has no API keys" in str(raised.value.message)


# --- letters and the print run -------------------------------------------------------------


def test_a_letter_waits_for_the_1750_print_run(emulator: Running) -> None:
    # Tomorrow, 10:00 London time (BST or GMT, whichever it is then).
    emulator.set_emulator_clock(london(1, 10))
    client = emulator.client()
    sent = client.send_letter_notification(demo.LETTER_TEMPLATE_ID, {"name": "A", **ADDRESS})
    got = client.get_notification_by_id(sent["id"])
    assert (got["status"], got["sent_at"]) == ("accepted", None)
    created = parsed(got["created_at"])
    assert got["estimated_delivery"] == shown(estimated_delivery(created, "second"))

    emulator.set_emulator_clock(london(1, 17, 49))
    assert client.get_notification_by_id(sent["id"])["sent_at"] is None

    run = london(1, 17, 50)
    emulator.set_emulator_clock(run)
    got = client.get_notification_by_id(sent["id"])
    assert (got["status"], got["sent_at"]) == ("accepted", shown(run))
    assert internal_status(emulator, sent["id"]) == "sending"

    emulator.set_emulator_clock(run + (TEST_DELAYS.final - TEST_DELAYS.sending))
    assert client.get_notification_by_id(sent["id"])["status"] == "received"


def test_a_letter_after_the_1730_deadline_waits_a_day(emulator: Running) -> None:
    emulator.set_emulator_clock(london(1, 17, 30))
    client = emulator.client()
    sent = client.send_letter_notification(demo.LETTER_TEMPLATE_ID, {"name": "A", **ADDRESS})
    emulator.set_emulator_clock(london(1, 18, 0))
    assert client.get_notification_by_id(sent["id"])["sent_at"] is None
    emulator.set_emulator_clock(london(2, 17, 51))
    got = client.get_notification_by_id(sent["id"])
    assert (got["status"], got["sent_at"]) == ("received", shown(london(2, 17, 50)))


def test_test_key_letters_never_wait_for_the_print_run(emulator: Running) -> None:
    client = emulator.client(demo.TEST_API_KEY)
    sent = client.send_letter_notification(demo.LETTER_TEMPLATE_ID, {"name": "A", **ADDRESS})
    advance(emulator, TEST_DELAYS.final.total_seconds())
    assert client.get_notification_by_id(sent["id"])["status"] == "received"


def internal_status(emulator: Running, notification_id: str) -> str:
    listed = requests.get(emulator.base_url + "/_emulator/notifications", timeout=10).json()
    (item,) = [n for n in listed["notifications"] if n["id"] == notification_id]
    return str(item["internal_status"])


# --- one clock for every process -----------------------------------------------------------


@pytest.fixture
def second_worker(emulator: Running) -> Iterator[str]:
    """Another emulator on the same database, as ``--workers 2`` runs one."""
    settings = Settings(
        database_url=emulator.emulator.settings.resolved_database_url,
        clock=real_clock(emulator.emulator.settings.clock),
        delivery_delays=TEST_DELAYS,
        log_requests=False,
    )
    with BackgroundServer(create_app(settings, seed=False)) as server:
        yield server.base_url


def test_a_move_through_one_worker_moves_every_worker(
    emulator: Running, second_worker: str
) -> None:
    client = emulator.client()
    sent = client.send_sms_notification("07700900123", demo.SMS_TEMPLATE_ID, {"name": "A"})
    other = requests.post(
        second_worker + "/_emulator/clock", json={"advance_seconds": 7200}, timeout=10
    )
    assert other.json()["offset_seconds"] == 7200
    assert clock(emulator)["offset_seconds"] == 7200
    # The very next read through the first worker sees the new time.
    assert client.get_notification_by_id(sent["id"])["status"] == "delivered"
    # Both workers' advances count.
    advance(emulator, 60)
    assert requests.get(second_worker + "/_emulator/clock", timeout=10).json()[
        "offset_seconds"
    ] == (7260)


def test_settings_clock_is_the_moved_clock(emulator: Running) -> None:
    advance(emulator, 3600)
    moved = emulator.emulator.settings.clock.now()
    assert moved - emulator.clock.now() == timedelta(hours=1)
    assert emulator.emulator.store.now() == moved.replace(tzinfo=None)


def test_a_frozen_clock_beneath_can_still_be_moved_through_settings(emulator: Running) -> None:
    before = emulator.emulator.settings.clock.now()
    emulator.emulator.settings.clock.advance(2)
    assert emulator.emulator.settings.clock.now() - before == timedelta(seconds=2)


def test_a_reset_with_nothing_to_undo_leaves_the_configuration_cached(emulator: Running) -> None:
    store = emulator.emulator.store
    read = "SELECT generation FROM config_generation WHERE id = 1"
    with store.engine.connect() as connection:
        before = connection.exec_driver_sql(read).scalar()
    requests.post(emulator.base_url + "/_emulator/reset", timeout=10)
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql(read).scalar() == before
    advance(emulator, 1)
    requests.post(emulator.base_url + "/_emulator/reset", timeout=10)
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql(read).scalar() == before + 2  # moved, then put back
