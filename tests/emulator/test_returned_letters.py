"""Notify's upcoming returned-letters routes, through the real clients (sync and async)
against a real emulator, with letters returned through ``POST .../return``."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import date, datetime, timezone
from pathlib import Path

import jwt
import pytest
import requests

from notifications_python_client.aio import AsyncNotificationsAPIClient
from notifications_python_client.errors import HTTPError
from notify_emulator.demo import service as demo

from .callback_harness import LETTER_ADDRESS, Served, fast_settings, receiving, serving

LIVE_ONLY = "Only live API keys are authorised to get the latest returned letter summary."


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    database = Path(tmp_path_factory.mktemp("returned")) / "returned.sqlite3"
    with serving(fast_settings(f"sqlite:///{database}")) as running:
        yield running


@pytest.fixture
def server(served: Served) -> Served:
    assert served.admin("POST", "/_emulator/reset").status_code == 200
    return served


def token(secret: str = demo.LIVE_KEY_SECRET) -> str:
    return jwt.encode({"iss": demo.SERVICE_ID, "iat": int(time.time())}, secret, "HS256")


def test_no_returned_letters_is_one_object_not_a_list(server: Served) -> None:
    assert server.client().get_returned_letters_summary() == {
        "returned_letter_count": 0,
        "report_date": None,
    }
    today = datetime.now(timezone.utc).date()
    assert server.client().get_returned_letters(today) == {
        "returned_letters": [],
        "orphaned_count": 0,
    }


def test_returned_letters_are_summarised_and_listed(server: Served) -> None:
    client = server.client()
    first = client.send_letter_notification(demo.LETTER_TEMPLATE_ID, LETTER_ADDRESS, "one")
    second = client.send_letter_notification(demo.LETTER_TEMPLATE_ID, LETTER_ADDRESS)
    server.pass_print_run(second["id"])
    for letter in (first, second):
        answer = server.admin("POST", f"/_emulator/notifications/{letter['id']}/return")
        assert answer.status_code == 200
    today = emulator_today(server)
    assert client.get_returned_letters_summary() == [
        {"returned_letter_count": 2, "report_date": today}
    ]
    report = client.get_returned_letters(today)
    assert report["orphaned_count"] == 0
    newest, oldest = report["returned_letters"]
    assert (newest["notification_id"], oldest["notification_id"]) == (second["id"], first["id"])
    created = dict(client.get_notification_by_id(first["id"]))["created_at"]
    assert oldest == {
        "notification_id": first["id"],
        "reference": "one",
        "report_date": today,
        # The report's own format: a space, no time zone.
        "created_at": created.replace("T", " ").removesuffix("Z"),
        "email_address": "API",
        "template_name": "Demo letter",
        "template_id": demo.LETTER_TEMPLATE_ID,
        "template_version": 1,
        "spreadsheet_file_name": None,
        "spreadsheet_row_number": None,
        "uploaded_letter_file_name": None,
    }
    assert newest["reference"] is None
    assert client.get_notification_by_id(first["id"])["status"] == "received"
    other_day = client.get_returned_letters("2020-01-01")
    assert other_day == {"returned_letters": [], "orphaned_count": 0}


def test_the_async_client_reads_them_too(server: Served) -> None:
    letter = server.client().send_letter_notification(demo.LETTER_TEMPLATE_ID, LETTER_ADDRESS)
    server.pass_print_run(letter["id"])
    answer = server.admin("POST", f"/_emulator/notifications/{letter['id']}/return")
    assert answer.status_code == 200, answer.text
    today = date.fromisoformat(emulator_today(server))

    async def read() -> tuple[object, object]:
        async with AsyncNotificationsAPIClient(
            demo.LIVE_API_KEY, base_url=server.base_url, max_retries=0
        ) as client:
            summary = await client.get_returned_letters_summary()
            report = await client.get_returned_letters(today)
            return summary, report

    summary, report = asyncio.run(read())
    assert isinstance(summary, list)
    assert summary[0]["returned_letter_count"] == 1
    assert isinstance(report, dict)
    assert report["returned_letters"][0]["notification_id"] == letter["id"]


@pytest.mark.parametrize("api_key", [demo.TEAM_API_KEY, demo.TEST_API_KEY])
def test_only_live_keys_may_read_them(server: Served, api_key: str) -> None:
    for call in (
        lambda client: client.get_returned_letters_summary(),
        lambda client: client.get_returned_letters(date(2026, 1, 1)),
    ):
        with pytest.raises(HTTPError) as raised:
            call(server.client(api_key))
        assert raised.value.status_code == 403
        assert raised.value.message == [{"error": "InvalidRequest", "message": LIVE_ONLY}]


def test_the_path_without_a_slash_is_a_308_before_authentication(server: Served) -> None:
    answer = requests.get(
        server.base_url + "/v2/returned-letters?report_date=2026-01-01&x=%20y",
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 308
    assert answer.headers["Location"] == (
        server.base_url + "/v2/returned-letters/?report_date=2026-01-01&x=%20y"
    )


@pytest.mark.parametrize(
    ("query", "messages"),
    [
        ("", ["report_date is a required property"]),
        ("report_date=yesterday", ["report_date yesterday is not a date"]),
        ("report_date=2026-13-01", ["report_date month must be in 1..12"]),
        (
            "report_date=2026-01-01&page=2",
            ["Additional properties are not allowed (page was unexpected)"],
        ),
    ],
)
def test_bad_queries_get_notify_schema_errors(
    server: Served, query: str, messages: list[str]
) -> None:
    answer = requests.get(
        server.base_url + "/v2/returned-letters/?" + query,
        headers={"Authorization": f"Bearer {token()}"},
        timeout=10,
    )
    assert answer.status_code == 400
    assert answer.json() == {
        "status_code": 400,
        "errors": [{"error": "ValidationError", "message": m} for m in messages],
    }


def test_unauthenticated_requests_are_refused(server: Served) -> None:
    answer = requests.get(server.base_url + "/v2/returned-letters/summary", timeout=10)
    assert answer.status_code == 401


def emulator_today(server: Served) -> str:
    """The emulator's date (the report date of a letter returned now)."""
    now = server.admin("GET", "/_emulator/clock").json()["now"]
    return str(now[:10])


def test_a_letter_not_yet_printed_cannot_be_returned(server: Served) -> None:
    client = server.client()
    with receiving(server) as receiver:
        letter = client.send_letter_notification(demo.LETTER_TEMPLATE_ID, LETTER_ADDRESS)
        before = dict(client.get_notification_by_id(letter["id"]))
        assert (before["status"], before["sent_at"]) == ("accepted", None)
        for path, body in [
            (f"/_emulator/notifications/{letter['id']}/return", None),
            (f"/_emulator/notifications/{letter['id']}/status", {"status": "returned-letter"}),
        ]:
            answer = server.admin("POST", path, json=body)
            assert answer.status_code == 400, answer.text
            error = answer.json()["error"]
            assert error.startswith("this letter has not been printed yet"), error
            assert "POST /_emulator/clock" in error
        assert client.get_notification_by_id(letter["id"])["status"] == "accepted"
        assert server.callbacks() == []
        assert client.get_returned_letters_summary() == {
            "returned_letter_count": 0,
            "report_date": None,
        }
        # Once printed, it can come back.
        server.pass_print_run(letter["id"])
        answer = server.admin("POST", f"/_emulator/notifications/{letter['id']}/return")
        assert answer.status_code == 200, answer.text
        (returned,) = receiver.wait_for(1)
    assert returned.json["notification_id"] == letter["id"]


def test_forcing_returned_letter_is_returning_the_letter(server: Served) -> None:
    client = server.client()
    with receiving(server) as receiver:
        letter = client.send_letter_notification(demo.LETTER_TEMPLATE_ID, LETTER_ADDRESS, "ref-7")
        server.pass_print_run(letter["id"])
        answer = server.admin(
            "POST",
            f"/_emulator/notifications/{letter['id']}/status",
            json={"status": "returned-letter"},
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["status"] == "received"
        (request,) = receiver.wait_for(1)
        assert request.json["notification_id"] == letter["id"]
        assert request.json["reference"] == "ref-7"
        (callback,) = server.wait_settled(1)
        assert callback["type"] == "returned_letter"
        today = emulator_today(server)
        assert client.get_returned_letters_summary() == [
            {"returned_letter_count": 1, "report_date": today}
        ]
        report = client.get_returned_letters(today)
        assert [item["notification_id"] for item in report["returned_letters"]] == [letter["id"]]
        again = server.admin(
            "POST",
            f"/_emulator/notifications/{letter['id']}/status",
            json={"status": "returned-letter"},
        )
        assert (again.status_code, again.json()) == (
            409,
            {"error": "this letter has already been returned"},
        )
    assert len(receiver.requests) == 1
