"""Callbacks end to end: the real client sends to a real emulator on loopback, whose worker
posts to a real receiver on loopback (shared/spec/callbacks.md, emulator.md "Callbacks")."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from notify_emulator.callbacks import CallbackAnswer, CallbackReceiver
from notify_emulator.callbacks.delivery import RESPONSE_READ_BYTES, response_excerpt
from notify_emulator.demo import service as demo

from .callback_harness import LETTER_ADDRESS, TOKEN, Served, fast_settings, receiving, serving


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    database = Path(tmp_path_factory.mktemp("callbacks")) / "callbacks.sqlite3"
    with serving(fast_settings(f"sqlite:///{database}")) as running:
        yield running


@pytest.fixture
def server(served: Served) -> Served:
    assert served.admin("POST", "/_emulator/reset").status_code == 200
    return served


def expected_receipt(notification: dict[str, Any], to: str) -> str:
    """The body Notify would send, written out by hand from the v2 JSON of the notification."""
    reference = "null" if notification["reference"] is None else f'"{notification["reference"]}"'
    sent_at = "null" if notification["sent_at"] is None else f'"{notification["sent_at"]}"'
    return (
        f'{{"id": "{notification["id"]}", "reference": {reference}, "to": "{to}", '
        f'"status": "{notification["status"]}", "created_at": "{notification["created_at"]}", '
        f'"completed_at": "{notification["completed_at"]}", "sent_at": {sent_at}, '
        f'"notification_type": "{notification["type"]}", '
        f'"template_id": "{notification["template"]["id"]}", '
        f'"template_version": {notification["template"]["version"]}}}'
    )


def check_transport(request: Any, body: str) -> None:
    assert request.method == "POST"
    assert request.path == "/callbacks"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["User-Agent"].startswith("python-requests/")
    assert request.headers["Content-Length"] == str(len(body))
    assert request.body == body.encode("ascii")


SENDS = [
    # (key, channel, recipient as supplied, final status)
    (demo.LIVE_API_KEY, "sms", "07700 900123", "delivered"),
    (demo.TEAM_API_KEY, "sms", demo.TEAM_MEMBER_PHONE, "delivered"),
    (demo.TEST_API_KEY, "sms", "07700 900 456", "delivered"),
    (demo.TEST_API_KEY, "sms", "07700900003", "temporary-failure"),
    (demo.TEST_API_KEY, "sms", "+447700900002", "permanent-failure"),
    (demo.LIVE_API_KEY, "email", "Ada@Example.com", "delivered"),
    (demo.TEAM_API_KEY, "email", demo.TEAM_MEMBER_EMAIL, "delivered"),
    (demo.TEST_API_KEY, "email", "temp-fail@simulator.notify", "temporary-failure"),
    (demo.TEST_API_KEY, "email", "perm-fail@simulator.notify", "permanent-failure"),
]


@pytest.mark.parametrize(("key", "channel", "recipient", "final"), SENDS)
def test_each_final_status_sends_one_receipt_byte_for_byte(
    server: Served, key: str, channel: str, recipient: str, final: str
) -> None:
    client = server.client(key)
    with receiving(server) as receiver:
        if channel == "sms":
            sent = client.send_sms_notification(
                recipient, demo.SMS_TEMPLATE_ID, {"name": "Ada"}, reference="ref-1"
            )
        else:
            sent = client.send_email_notification(recipient, demo.EMAIL_TEMPLATE_ID, {"name": "A"})
        (request,) = receiver.wait_for(1)
        notification = server.wait_for_status(sent["id"], final)
        body = expected_receipt(notification, recipient)
        check_transport(request, body)
        (callback,) = server.wait_settled(1)
    assert callback["state"] == "delivered"
    assert callback["body"] == body
    assert callback["notification_id"] == sent["id"]
    assert callback["type"] == "delivery_status"
    assert [attempt["status_code"] for attempt in callback["attempts"]] == [200]


def test_smoke_test_recipients_and_letters_send_no_receipt(server: Served) -> None:
    client = server.client()
    with receiving(server) as receiver:
        client.send_sms_notification("07700900000", demo.SMS_TEMPLATE_ID, {"name": "A"})
        client.send_email_notification(
            "simulate-delivered@notifications.service.gov.uk", demo.EMAIL_TEMPLATE_ID, {"name": "A"}
        )
        letter = client.send_letter_notification(demo.LETTER_TEMPLATE_ID, LETTER_ADDRESS)
        server.pass_print_run(letter["id"])
        server.wait_for_status(letter["id"], "received")
        # A receipt is queued in the same transaction as its status change, so once the letter
        # is delivered and a later text's receipt has arrived, nothing else can be queued.
        last = client.send_sms_notification("07700900123", demo.SMS_TEMPLATE_ID, {"name": "A"})
        (request,) = receiver.wait_for(1)
        assert request.json["id"] == last["id"]
        assert [c["notification_id"] for c in server.wait_settled(1)] == [last["id"]]


def test_a_forced_final_status_sends_a_receipt_and_an_in_flight_one_does_not(
    server: Served,
) -> None:
    client = server.client()
    with receiving(server) as receiver:
        sent = client.send_sms_notification("07700900123", demo.SMS_TEMPLATE_ID, {"name": "A"})
        receiver.wait_for(1)
        for status in ("sending", "permanent-failure"):
            answer = server.admin(
                "POST", f"/_emulator/notifications/{sent['id']}/status", json={"status": status}
            )
            assert answer.status_code == 200
        requests_seen = receiver.wait_for(2)
        assert [r.json["status"] for r in requests_seen] == ["delivered", "permanent-failure"]
        forced = requests_seen[1].json
        notification = dict(client.get_notification_by_id(sent["id"]))
        assert forced["completed_at"] == notification["completed_at"]
        assert len(server.wait_settled(2)) == 2


def test_received_text_callback(server: Served) -> None:
    with receiving(server) as receiver:
        answer = server.admin(
            "POST",
            "/_emulator/received-texts",
            json={"service_id": demo.SERVICE_ID, "user_number": "07700 900111", "content": "Où?"},
        )
        assert answer.status_code == 201
        text = answer.json()
        (request,) = receiver.wait_for(1)
        body = (
            f'{{"id": "{text["id"]}", "source_number": "447700900111", '
            f'"destination_number": "{demo.INBOUND_NUMBER}", "message": "O\\u00f9?", '
            f'"date_received": "{text["created_at"]}"}}'
        )
        check_transport(request, body)
        (callback,) = server.wait_settled(1)
    assert callback["received_text_id"] == text["id"]
    assert "notification_id" not in callback


def test_returned_letter_callback_and_its_refusals(server: Served) -> None:
    client = server.client()
    with receiving(server) as receiver:
        letter = client.send_letter_notification(
            demo.LETTER_TEMPLATE_ID, LETTER_ADDRESS, reference="letter-9"
        )
        server.pass_print_run(letter["id"])
        answer = server.admin("POST", f"/_emulator/notifications/{letter['id']}/return")
        assert answer.status_code == 200, answer.text
        assert answer.json()["status"] == "received"
        requests_seen = receiver.wait_for(1)
        returned = [r for r in requests_seen if "notification_id" in r.json]
        assert len(returned) == 1
        created_at = dict(client.get_notification_by_id(letter["id"]))["created_at"]
        body = (
            f'{{"notification_id": "{letter["id"]}", "reference": "letter-9", '
            f'"date_sent": "{created_at}", "sent_by": "API", "template_name": "Demo letter", '
            f'"template_id": "{demo.LETTER_TEMPLATE_ID}", "template_version": 1, '
            '"spreadsheet_file_name": null, "spreadsheet_row_number": null, '
            '"upload_letter_file_name": null}'
        )
        check_transport(returned[0], body)
        again = server.admin("POST", f"/_emulator/notifications/{letter['id']}/return")
        assert (again.status_code, again.json()) == (
            409,
            {"error": "this letter has already been returned"},
        )
    sms = client.send_sms_notification("07700900123", demo.SMS_TEMPLATE_ID, {"name": "A"})
    answer = server.admin("POST", f"/_emulator/notifications/{sms['id']}/return")
    assert answer.status_code == 400
    assert answer.json() == {"error": "only letters can be returned; this is a sms"}
    test_letter = server.client(demo.TEST_API_KEY).send_letter_notification(
        demo.LETTER_TEMPLATE_ID, LETTER_ADDRESS
    )
    answer = server.admin("POST", f"/_emulator/notifications/{test_letter['id']}/return")
    assert answer.status_code == 400
    assert "test key" in answer.json()["error"]
    missing = server.admin(
        "POST", "/_emulator/notifications/00000000-0000-4000-8000-000000000000/return"
    )
    assert missing.status_code == 404


@pytest.mark.parametrize("failure", [500, 502, 503, 429])
def test_server_errors_and_429_are_retried_until_delivered(server: Served, failure: int) -> None:
    client = server.client()
    with receiving(server, failure, failure) as receiver:
        sent = client.send_sms_notification("07700900123", demo.SMS_TEMPLATE_ID, {"name": "A"})
        (callback,) = server.wait_settled(1)
        assert [r.status_code for r in receiver.requests] == [failure, failure, 200]
        assert len({r.body for r in receiver.requests}) == 1  # the same body each time
    assert callback["notification_id"] == sent["id"]
    assert callback["state"] == "delivered"
    assert [a["status_code"] for a in callback["attempts"]] == [failure, failure, 200]


def test_each_attempt_keeps_an_excerpt_of_the_answer(server: Served) -> None:
    answers = [
        CallbackAnswer(500, body=b'{"error": "database down"}'),
        CallbackAnswer(503, body=b"x" * 100_000),  # cut short
        CallbackAnswer(502, body=f"you sent Bearer {TOKEN}!".encode()),  # never kept
        CallbackAnswer(500, body=b"line 1\r\nline 2\x00\x1b[31m\xff"),  # escaped
        CallbackAnswer(200, body=b""),
    ]
    with receiving(server, *answers) as receiver:
        server.client().send_sms_notification("07700900123", demo.SMS_TEMPLATE_ID, {"name": "A"})
        (callback,) = server.wait_settled(1)
        assert len(receiver.requests) == 5
    excerpts = [(a["status_code"], a["response_excerpt"]) for a in callback["attempts"]]
    assert excerpts == [
        (500, '{"error": "database down"}'),
        (503, "x" * 200 + "\u2026"),
        (502, "you sent Bearer <hidden>!"),
        (500, "line 1\\r\\nline 2\\x00\\x1b[31m\ufffd"),
        (200, ""),
    ]
    listed = server.admin("GET", "/_emulator/callbacks")
    assert TOKEN not in listed.text


def test_the_excerpt_never_holds_part_of_the_token(server: Served) -> None:
    # The token straddles the end of the excerpt.
    body = ("y" * 190 + TOKEN).encode()
    with receiving(server, CallbackAnswer(200, body=body)):
        server.client().send_sms_notification("07700900123", demo.SMS_TEMPLATE_ID, {"name": "A"})
        (callback,) = server.wait_settled(1)
    (attempt,) = callback["attempts"]
    assert attempt["response_excerpt"] == "y" * 190 + "<hidden>"


def test_an_excerpt_cut_inside_a_long_token_keeps_no_part_of_it() -> None:
    token = "t" * 20_000  # longer than what is read of an answer
    body = ("z" * 150 + token).encode()[:RESPONSE_READ_BYTES]
    assert response_excerpt(body, "utf-8", token) == "z" * 150 + "\u2026"
    # A few characters that merely look like the token's start are kept.
    assert response_excerpt(b"a" * 199 + b"tq" * 50, "utf-8", "tqx" + token) == (
        "a" * 199 + "t\u2026"
    )
    assert response_excerpt("caf\u00e9".encode("latin-1"), "iso8859-1", token) == "caf\u00e9"


@pytest.mark.parametrize("refusal", [400, 401, 403, 404, 405, 410, 422])
def test_other_4xx_answers_are_never_retried(server: Served, refusal: int) -> None:
    with receiving(server, refusal) as receiver:
        server.client().send_sms_notification("07700900123", demo.SMS_TEMPLATE_ID, {"name": "A"})
        (callback,) = server.wait_settled(1)
        assert len(receiver.requests) == 1
    assert callback["state"] == "failed"
    assert [a["status_code"] for a in callback["attempts"]] == [refusal]
    assert callback["next_attempt_at"] is None


def test_six_attempts_then_failed(server: Served) -> None:
    with receiving(server, *[500] * 10) as receiver:
        server.client().send_sms_notification("07700900123", demo.SMS_TEMPLATE_ID, {"name": "A"})
        (callback,) = server.wait_settled(1)
        assert len(receiver.requests) == 6
    assert callback["state"] == "failed"
    assert [a["status_code"] for a in callback["attempts"]] == [500] * 6


def test_a_timeout_is_retried(server: Served) -> None:
    # The emulator under test waits 0.5 s for an answer (Notify: 5 s).
    with receiving(server, CallbackAnswer(200, delay=1.5)) as receiver:
        server.client().send_sms_notification("07700900123", demo.SMS_TEMPLATE_ID, {"name": "A"})
        (callback,) = server.wait_settled(1)
        assert len(receiver.requests) == 2
    first, second = callback["attempts"]
    assert first["error"] == "no answer within 0.5 s"
    assert "status_code" not in first
    assert second["status_code"] == 200


def test_a_refused_connection_is_retried_six_times(server: Served) -> None:
    with CallbackReceiver() as receiver:
        closed_url = receiver.url
    server.set_callbacks(closed_url, types=("delivery_status",))
    try:
        server.client().send_sms_notification("07700900123", demo.SMS_TEMPLATE_ID, {"name": "A"})
        (callback,) = server.wait_settled(1)
    finally:
        server.set_callbacks("", types=("delivery_status",))
    assert callback["state"] == "failed"
    assert [a["error"] for a in callback["attempts"]] == ["connection refused"] * 6


def test_callbacks_of_a_service_arrive_in_order(server: Served) -> None:
    client = server.client()
    with receiving(server) as receiver:
        sent = [
            client.send_sms_notification("07700900123", demo.SMS_TEMPLATE_ID, {"name": str(i)})[
                "id"
            ]
            for i in range(8)
        ]
        arrived = receiver.wait_for(8)
    assert [request.json["id"] for request in arrived] == sent


def test_the_retry_route_attempts_again_now(server: Served) -> None:
    with receiving(server, 404) as receiver:
        server.client().send_sms_notification("07700900123", demo.SMS_TEMPLATE_ID, {"name": "A"})
        (failed,) = server.wait_settled(1)
        assert failed["state"] == "failed"
        answer = server.admin("POST", f"/_emulator/callbacks/{failed['id']}/retry")
        assert answer.status_code == 202
        assert answer.json()["state"] == "pending"
        (delivered,) = server.wait_until(
            lambda items: items and items[0]["state"] == "delivered", what="the retry"
        )
        assert [r.status_code for r in receiver.requests] == [404, 200]
    assert [a["status_code"] for a in delivered["attempts"]] == [404, 200]
    unknown = server.admin("POST", "/_emulator/callbacks/nope/retry")
    assert unknown.status_code == 404


def test_the_list_filters_and_never_shows_the_token(server: Served) -> None:
    client = server.client()
    with receiving(server) as receiver:
        sms = client.send_sms_notification("07700900123", demo.SMS_TEMPLATE_ID, {"name": "A"})
        server.admin(
            "POST",
            "/_emulator/received-texts",
            json={"service_id": demo.SERVICE_ID, "user_number": "07700900111", "content": "Hi"},
        )
        receiver.wait_for(2)
        server.wait_settled(2)
    everything = server.admin("GET", "/_emulator/callbacks")
    assert TOKEN not in everything.text
    assert len(everything.json()["callbacks"]) == 2
    only_sms = server.callbacks(notification_id=sms["id"])
    assert [c["type"] for c in only_sms] == ["delivery_status"]
    assert [c["type"] for c in server.callbacks(type="inbound_sms")] == ["inbound_sms"]
    assert server.callbacks(service_id="00000000-0000-4000-8000-000000000000") == []
    keys = set(only_sms[0])
    assert keys == {
        "id",
        "service_id",
        "type",
        "notification_id",
        "url",
        "body",
        "attempts",
        "state",
        "next_attempt_at",
        "created_at",
    }
    assert set(only_sms[0]["attempts"][0]) == {
        "at",
        "status_code",
        "duration_ms",
        "response_excerpt",
    }
    bad = server.admin("GET", "/_emulator/callbacks", params={"type": "complaint"})
    assert bad.status_code == 400
    unknown = server.admin("GET", "/_emulator/callbacks", params={"colour": "red"})
    assert unknown.status_code == 400


def test_callbacks_from_the_seed_file_with_warnings(server: Served) -> None:
    seed = {
        "services": [
            {
                "id": "77777777-7777-4777-8777-777777777777",
                "name": "Seeded callbacks",
                "callbacks": [
                    {
                        "type": "delivery_status",
                        "url": "http://localhost:8000/notify/delivery",
                        "bearer_token": "at-least-ten-characters",
                    },
                    {
                        "type": "inbound_sms",
                        "url": "https://www.example.gov.uk/notify/inbound",
                        "bearer_token": "at-least-ten-characters",
                    },
                ],
            }
        ]
    }
    answer = server.admin("POST", "/_emulator/config", json=seed)
    assert answer.status_code == 200, answer.text
    (warning,) = answer.json()["warnings"]
    assert "services[0] ('Seeded callbacks').callbacks[0]: field 'url'" in warning
    assert "Must be a valid https URL" in warning
    assert "at-least-ten-characters" not in answer.text
    seed["services"][0]["callbacks"][0]["bearer_token"] = "short"
    refused = server.admin("POST", "/_emulator/config", json=seed)
    assert refused.status_code == 400
    assert refused.json()["error"].endswith(
        "field 'bearer_token': The bearer token must be at least 10 characters long"
    )
    assert "short" not in refused.json()["error"].replace("shorter", "")


def test_setting_a_callback_checks_it(server: Served) -> None:
    path = f"/_emulator/services/{demo.SERVICE_ID}/callbacks"
    short = server.admin(
        "POST", path, json={"type": "delivery_status", "url": "http://x/", "bearer_token": "abc"}
    )
    assert (short.status_code, short.json()) == (
        400,
        {"error": "The bearer token must be at least 10 characters long", "field": "bearer_token"},
    )
    bad_url = server.admin(
        "POST", path, json={"type": "delivery_status", "url": "ftp://x", "bearer_token": TOKEN}
    )
    assert (bad_url.status_code, bad_url.json()) == (
        400,
        {"error": "The callback URL must start with http:// or https://", "field": "url"},
    )
    unknown = server.admin(
        "POST",
        "/_emulator/services/00000000-0000-4000-8000-000000000000/callbacks",
        json={"type": "delivery_status", "url": "http://x/", "bearer_token": TOKEN},
    )
    assert unknown.status_code == 404
    removed = server.admin("POST", path, json={"type": "delivery_status", "url": ""})
    assert removed.json() == {
        "service_id": demo.SERVICE_ID,
        "type": "delivery_status",
        "url": None,
        "warnings": [],
    }


def test_the_first_attempt_and_retries_keep_their_delays(tmp_path: Path) -> None:
    settings = fast_settings(
        f"sqlite:///{tmp_path / 'timing.sqlite3'}", callback_delay=0.3, callback_retry_delay=0.2
    )
    with serving(settings) as timed, receiving(timed, 500) as receiver:
        sent = timed.client().send_sms_notification(
            "07700900123", demo.SMS_TEMPLATE_ID, {"name": "A"}
        )
        (callback,) = timed.wait_settled(1)
        assert len(receiver.requests) == 2
        notification = dict(timed.client().get_notification_by_id(sent["id"]))
    first, second = (parse(attempt["at"]) for attempt in callback["attempts"])
    completed = parse(notification["completed_at"])
    assert (first - completed).total_seconds() >= 0.3
    # The retry is due the retry delay after the first attempt was due.
    assert (second - completed).total_seconds() >= 0.3 + 0.2


def parse(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ")
