"""Faults over HTTP: the /_emulator/faults routes, and requests meeting each kind of fault."""

from __future__ import annotations

import http.client
import json
import socket
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from notify_emulator.app import create_app
from notify_emulator.clock import real_clock
from notify_emulator.demo import service as demo
from notify_emulator.server import BackgroundServer
from notify_emulator.settings import Settings

from .emulator_harness import (
    LIMITED_LIVE_SECRET,
    LIMITED_SERVICE_ID,
    LIMITED_SMS_TEMPLATE_ID,
    Running,
    errors,
)

SMS = "/v2/notifications/sms"
EMAIL = "/v2/notifications/email"
PHONE = "07700900123"


def admin(emulator: Running, method: str, path: str, **kwargs: Any) -> requests.Response:
    return requests.request(method, emulator.base_url + path, timeout=10, **kwargs)


def add_fault(emulator: Running, fault: dict[str, Any]) -> dict[str, Any]:
    response = admin(emulator, "POST", "/_emulator/faults", json=fault)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def listed(emulator: Running) -> list[dict[str, Any]]:
    response = admin(emulator, "GET", "/_emulator/faults")
    assert response.status_code == 200
    faults: list[dict[str, Any]] = response.json()["faults"]
    return faults


def stored(emulator: Running) -> list[dict[str, Any]]:
    notifications: list[dict[str, Any]] = admin(emulator, "GET", "/_emulator/notifications").json()[
        "notifications"
    ]
    return notifications


def send_sms(emulator: Running, phone: str = PHONE, **kwargs: Any) -> requests.Response:
    body = {
        "phone_number": phone,
        "template_id": demo.SMS_TEMPLATE_ID,
        "personalisation": {"name": "A"},
    }
    return emulator.request("POST", SMS, json=body, **kwargs)


def send_email(emulator: Running, address: str = "someone@example.com") -> requests.Response:
    body = {
        "email_address": address,
        "template_id": demo.EMAIL_TEMPLATE_ID,
        "personalisation": {"name": "A"},
    }
    return emulator.request("POST", EMAIL, json=body)


# --- the routes ----------------------------------------------------------------------------


def test_add_list_and_delete_faults(emulator: Running) -> None:
    first = add_fault(emulator, {"match": {"path": SMS}, "action": {"status": 503}, "times": 2})
    second = add_fault(emulator, {"action": {"delay_ms": 10}, "times": None})
    assert first == {
        "id": first["id"],
        "match": {"path": SMS},
        "action": {"status": 503},
        "times": 2,
        "rate": None,
        "remaining": 2,
    }
    assert [fault["id"] for fault in listed(emulator)] == [first["id"], second["id"]]
    assert listed(emulator)[1]["remaining"] is None

    assert admin(emulator, "DELETE", f"/_emulator/faults/{first['id']}").json() == {"deleted": 1}
    missing = admin(emulator, "DELETE", f"/_emulator/faults/{first['id']}")
    assert (missing.status_code, missing.json()) == (
        404,
        {"error": f"no fault with id {first['id']}"},
    )
    assert admin(emulator, "DELETE", "/_emulator/faults/not-an-id").status_code == 404
    assert [fault["id"] for fault in listed(emulator)] == [second["id"]]
    assert admin(emulator, "DELETE", "/_emulator/faults").json() == {"deleted": 1}
    assert listed(emulator) == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "the body must be a JSON object (a fault)"),
        (b"{not json", "the body must be a JSON object (a fault)"),
        (b"[]", "a fault must be an object, not []"),
        (
            b'{"action": {"status": 418}}',
            "action.status must be one of 500, 502, 503, 504, not 418",
        ),
        (b'{"action": {"drop": "after"}, "times": -1}', "times must be a whole number"),
        (
            b'{"action": {"status": 500}, "match": {"path": "/_emulator/faults"}}',
            "faults apply only to Notify's API",
        ),
    ],
)
def test_a_bad_fault_is_a_400_and_adds_nothing(
    emulator: Running, body: bytes, message: str
) -> None:
    response = admin(
        emulator,
        "POST",
        "/_emulator/faults",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert listed(emulator) == []


@pytest.mark.parametrize("times", [2**31, 2**63, 10**30])
def test_a_huge_times_is_a_400_naming_the_limit(emulator: Running, times: int) -> None:
    response = admin(
        emulator, "POST", "/_emulator/faults", json={"action": {"status": 500}, "times": times}
    )
    assert response.status_code == 400
    assert response.json()["error"].startswith("times must be at most 2147483647")
    assert listed(emulator) == []


def test_the_largest_times_is_stored_and_listed(emulator: Running) -> None:
    fault = add_fault(emulator, {"action": {"status": 500}, "times": 2**31 - 1})
    assert (fault["times"], fault["remaining"]) == (2**31 - 1, 2**31 - 1)
    assert listed(emulator)[0]["remaining"] == 2**31 - 1


def test_reset_deletes_every_fault(emulator: Running) -> None:
    add_fault(emulator, {"action": {"status": 500}, "times": None})
    assert admin(emulator, "POST", "/_emulator/reset").status_code == 200
    assert listed(emulator) == []
    assert send_sms(emulator).status_code == 201


def test_faults_never_touch_the_emulators_own_routes_or_pages(emulator: Running) -> None:
    add_fault(emulator, {"action": {"status": 500}, "times": None})
    assert admin(emulator, "GET", "/_emulator/health").json() == {"status": "ok"}
    assert admin(emulator, "GET", "/").status_code == 200
    assert len(listed(emulator)) == 1
    # Notify's own routes meet it.
    assert admin(emulator, "GET", "/_status").status_code == 500
    assert send_sms(emulator).status_code == 500


# --- each action ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "error", "message"),
    [
        (500, "Exception", "Internal server error"),
        (502, "Exception", "Internal server error"),
        (503, "Exception", "Internal server error"),
        (504, "EventletTimeout", "Timeout serving request"),
    ],
)
def test_a_server_error_is_notify_shaped_and_stores_nothing(
    emulator: Running, status: int, error: str, message: str
) -> None:
    add_fault(emulator, {"match": {"path": SMS}, "action": {"status": status}})
    response = send_sms(emulator)
    assert response.status_code == status
    assert errors(response) == [(error, message)]
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"  # Notify's headers, as ever
    assert stored(emulator) == []
    # Used up: the next request is answered as usual.
    assert listed(emulator) == []
    assert send_sms(emulator).status_code == 201


def test_times_counts_the_requests_hit(emulator: Running) -> None:
    add_fault(emulator, {"match": {"path": SMS}, "action": {"status": 502}, "times": 2})
    assert send_sms(emulator).status_code == 502
    assert listed(emulator)[0]["remaining"] == 1
    assert send_sms(emulator).status_code == 502
    assert send_sms(emulator).status_code == 201
    assert len(stored(emulator)) == 1


def test_a_fault_without_a_count_lasts_until_deleted(emulator: Running) -> None:
    fault = add_fault(emulator, {"action": {"status": 503}, "times": None})
    assert [send_sms(emulator).status_code for _ in range(4)] == [503] * 4
    admin(emulator, "DELETE", f"/_emulator/faults/{fault['id']}")
    assert send_sms(emulator).status_code == 201


def test_rate_is_the_chance_of_each_hit(emulator: Running) -> None:
    add_fault(emulator, {"match": {"path": "/_status"}, "action": {"status": 500}, "rate": 0})
    assert {admin(emulator, "GET", "/_status").status_code for _ in range(20)} == {200}
    admin(emulator, "DELETE", "/_emulator/faults")
    add_fault(emulator, {"match": {"path": "/_status"}, "action": {"status": 500}, "rate": 1})
    assert {admin(emulator, "GET", "/_status").status_code for _ in range(20)} == {500}
    admin(emulator, "DELETE", "/_emulator/faults")
    add_fault(emulator, {"match": {"path": "/_status"}, "action": {"status": 500}, "rate": 0.5})
    hits = sum(admin(emulator, "GET", "/_status").status_code == 500 for _ in range(100))
    # Binomial(100, 0.5): outside 15..85 about once in 10^12 runs.
    assert 15 <= hits <= 85


def test_rate_with_times_stops_after_that_many_hits(emulator: Running) -> None:
    add_fault(
        emulator, {"match": {"path": "/_status"}, "action": {"status": 500}, "rate": 1, "times": 2}
    )
    codes = [admin(emulator, "GET", "/_status").status_code for _ in range(4)]
    assert codes == [500, 500, 200, 200]


def test_the_per_minute_429_names_the_key_type_and_the_services_limit(emulator: Running) -> None:
    add_fault(emulator, {"action": {"error": "RateLimitError"}, "times": 2})
    response = send_sms(emulator, secret=LIMITED_LIVE_SECRET, service_id=LIMITED_SERVICE_ID)
    assert (response.status_code, errors(response)) == (
        429,
        [("RateLimitError", "Exceeded rate limit for key type LIVE of 6 requests per 60 seconds")],
    )
    test_key = send_sms(emulator, secret=demo.TEST_KEY_SECRET)
    assert errors(test_key) == [
        ("RateLimitError", "Exceeded rate limit for key type TEST of 3000 requests per 60 seconds")
    ]
    assert stored(emulator) == []


def test_the_daily_429_names_the_channel_and_its_limit(emulator: Running) -> None:
    add_fault(emulator, {"action": {"error": "TooManyRequestsError"}, "times": 2})
    limited = emulator.request(
        "POST",
        SMS,
        json={"phone_number": PHONE, "template_id": LIMITED_SMS_TEMPLATE_ID},
        secret=LIMITED_LIVE_SECRET,
        service_id=LIMITED_SERVICE_ID,
    )
    assert (limited.status_code, errors(limited)) == (
        429,
        [("TooManyRequestsError", "Exceeded send limits (sms: 2) for today")],
    )
    email = send_email(emulator)
    assert errors(email) == [
        ("TooManyRequestsError", "Exceeded send limits (email: 250000) for today")
    ]
    assert stored(emulator) == []


def test_a_429_fault_waits_for_a_request_that_authenticates(emulator: Running) -> None:
    # Notify checks the token first: an unsigned request gets its auth error, not the 429.
    add_fault(emulator, {"action": {"error": "RateLimitError"}})
    unsigned = send_sms(emulator, authorization="Bearer nonsense")
    assert unsigned.status_code == 403
    assert listed(emulator)[0]["remaining"] == 1
    assert send_sms(emulator).status_code == 429


def test_a_delay_answers_late_after_processing(emulator: Running) -> None:
    add_fault(emulator, {"match": {"path": SMS}, "action": {"delay_ms": 3000}})
    body = {
        "phone_number": PHONE,
        "template_id": demo.SMS_TEMPLATE_ID,
        "personalisation": {"name": "A"},
    }
    with pytest.raises(requests.ReadTimeout):
        requests.post(
            emulator.base_url + SMS,
            json=body,
            headers=emulator.request_headers(),
            timeout=0.5,
        )
    # The client gave up, but the request was processed: the outcome a timeout cannot know.
    assert wait_for_stored(emulator, 1)
    assert send_sms(emulator).status_code == 201


def test_a_short_delay_still_answers(emulator: Running) -> None:
    add_fault(emulator, {"match": {"method": "GET"}, "action": {"delay_ms": 50}})
    assert admin(emulator, "GET", "/_status").json() == {"status": "ok"}
    assert listed(emulator) == []


def wait_for_stored(emulator: Running, count: int) -> bool:
    # The delayed answer is still being held back; the notification is already committed.
    event = threading.Event()
    for _ in range(100):
        if len(stored(emulator)) >= count:
            return True
        event.wait(0.05)
    return False


# --- drops ---------------------------------------------------------------------------------


def raw_exchange(emulator: Running, method: str, path: str, body: bytes = b"") -> bytes:
    """Send one request on a raw socket; return every byte the server sends back."""
    parts = urlsplit(emulator.base_url)
    headers = emulator.request_headers()
    lines = [f"{method} {path} HTTP/1.1", f"Host: {parts.netloc}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    lines += ["Content-Type: application/json", f"Content-Length: {len(body)}", "", ""]
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as connection:
        connection.sendall("\r\n".join(lines).encode("latin-1") + body)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
            if b"\r\n\r\n" in received:
                break
        return received


def sms_body() -> bytes:
    return json.dumps(
        {
            "phone_number": PHONE,
            "template_id": demo.SMS_TEMPLATE_ID,
            "personalisation": {"name": "A"},
        }
    ).encode()


def test_drop_before_closes_the_connection_without_a_byte_and_stores_nothing(
    emulator: Running,
) -> None:
    add_fault(emulator, {"match": {"path": SMS}, "action": {"drop": "before"}})
    assert raw_exchange(emulator, "POST", SMS, sms_body()) == b""
    assert stored(emulator) == []
    # Without the fault the same exchange is answered.
    assert raw_exchange(emulator, "POST", SMS, sms_body()).startswith(b"HTTP/1.1 201 ")


def test_drop_after_stores_exactly_one_and_closes_without_a_byte(emulator: Running) -> None:
    add_fault(emulator, {"match": {"path": SMS}, "action": {"drop": "after"}})
    assert raw_exchange(emulator, "POST", SMS, sms_body()) == b""
    assert len(stored(emulator)) == 1


@pytest.mark.parametrize(("moment", "kept"), [("before", 0), ("after", 1)])
def test_requests_sees_the_remote_end_hang_up(emulator: Running, moment: str, kept: int) -> None:
    add_fault(emulator, {"match": {"path": SMS}, "action": {"drop": moment}})
    with requests.Session() as session:
        # A kept-alive connection first, so the drop happens on a reused one, as in real use.
        assert session.get(emulator.base_url + "/_emulator/health", timeout=10).status_code == 200
        with pytest.raises(requests.ConnectionError) as raised:
            session.post(
                emulator.base_url + SMS,
                data=sms_body(),
                headers=emulator.request_headers(),
                timeout=10,
            )
        assert any(
            isinstance(cause, http.client.RemoteDisconnected) for cause in causes(raised.value)
        )
        assert len(stored(emulator)) == kept
        # The session recovers on a new connection.
        assert session.get(emulator.base_url + "/_status", timeout=10).status_code == 200


def causes(error: BaseException) -> Iterator[BaseException]:
    """The error, its causes and contexts, and the exceptions urllib3 wraps in its args."""
    seen: list[BaseException] = []
    pending = [error]
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.append(current)
        pending += [arg for arg in current.args if isinstance(arg, BaseException)]
        pending += [c for c in (current.__cause__, current.__context__) if c is not None]
        reason = getattr(current, "reason", None)
        if isinstance(reason, BaseException):
            pending.append(reason)
    return iter(seen)


# --- what a fault matches ------------------------------------------------------------------


def test_method_and_path_globs(emulator: Running) -> None:
    add_fault(
        emulator,
        {"match": {"method": "GET", "path": "/v2/notifications*"}, "action": {"status": 500}},
    )
    assert send_sms(emulator).status_code == 201  # a POST
    assert emulator.request("GET", "/v2/templates").status_code == 200  # another path
    assert emulator.request("GET", "/v2/notifications").status_code == 500


def test_service_and_key_type(emulator: Running) -> None:
    add_fault(
        emulator,
        {
            "match": {"service_id": demo.SERVICE_ID, "key_type": "test"},
            "action": {"status": 503},
            "times": None,
        },
    )
    assert send_sms(emulator).status_code == 201  # the live key
    other = emulator.request(
        "POST",
        SMS,
        json={"phone_number": PHONE, "template_id": LIMITED_SMS_TEMPLATE_ID},
        secret=LIMITED_LIVE_SECRET,
        service_id=LIMITED_SERVICE_ID,
    )
    assert other.status_code == 201  # another service
    assert send_sms(emulator, secret=demo.TEST_KEY_SECRET).status_code == 503
    # A token that does not authenticate never meets a service or key filter.
    assert send_sms(emulator, authorization="Bearer nonsense").status_code == 403


def test_recipient_is_compared_normalised(emulator: Running) -> None:
    add_fault(
        emulator,
        {"match": {"recipient": "+44 7700 900 456"}, "action": {"status": 500}, "times": None},
    )
    assert send_sms(emulator, phone="07700900123").status_code == 201
    assert send_sms(emulator, phone="07700 900456").status_code == 500
    assert send_sms(emulator, phone="447700900456").status_code == 500
    admin(emulator, "DELETE", "/_emulator/faults")
    add_fault(emulator, {"match": {"recipient": "Amala@Example.com"}, "action": {"status": 500}})
    assert send_email(emulator, "someone@example.com").status_code == 201
    assert send_email(emulator, "AMALA@example.COM").status_code == 500


def test_the_first_fault_that_matches_is_the_one_used(emulator: Running) -> None:
    add_fault(emulator, {"match": {"path": EMAIL}, "action": {"status": 500}})
    add_fault(emulator, {"match": {"path": SMS}, "action": {"status": 502}})
    add_fault(emulator, {"action": {"status": 504}})
    assert send_sms(emulator).status_code == 502
    assert send_sms(emulator).status_code == 504
    assert send_sms(emulator).status_code == 201
    assert [fault["action"] for fault in listed(emulator)] == [{"status": 500}]


# --- shared by every process on one database -----------------------------------------------


@pytest.fixture
def second_worker(emulator: Running) -> Iterator[str]:
    """Another emulator on the same database, as ``--workers 2`` runs one."""
    settings = Settings(
        database_url=emulator.emulator.settings.resolved_database_url,
        clock=real_clock(emulator.emulator.settings.clock),
        log_requests=False,
    )
    with BackgroundServer(create_app(settings, seed=False)) as server:
        yield server.base_url


def test_a_fault_added_through_one_worker_hits_requests_to_another(
    emulator: Running, second_worker: str
) -> None:
    add_fault(emulator, {"match": {"path": "/_status"}, "action": {"status": 503}})
    assert requests.get(second_worker + "/_status", timeout=10).status_code == 503
    assert requests.get(emulator.base_url + "/_status", timeout=10).status_code == 200


def test_every_hit_of_a_fault_is_counted_once_across_workers(
    emulator: Running, second_worker: str
) -> None:
    add_fault(emulator, {"match": {"path": "/_status"}, "action": {"status": 503}, "times": 7})
    urls = [emulator.base_url, second_worker] * 15
    codes: list[int] = []
    lock = threading.Lock()

    def hit(url: str) -> None:
        code = requests.get(url + "/_status", timeout=10).status_code
        with lock:
            codes.append(code)

    threads = [threading.Thread(target=hit, args=(url,)) for url in urls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == [200] * 23 + [503] * 7
    assert listed(emulator) == []


# --- seed files ----------------------------------------------------------------------------


SEED_WITH_FAULTS = """
[[faults]]
match = { path = "/v2/notifications/sms" }
action = { status = 503 }
times = 2

[[faults]]
action = { delay_ms = 10 }
times = "forever"
"""


def test_a_seed_file_adds_faults_and_loading_it_again_does_not_double_them(
    emulator: Running,
) -> None:
    emulator.load_config(SEED_WITH_FAULTS)
    emulator.load_config(SEED_WITH_FAULTS)
    faults = listed(emulator)
    assert [(f["match"], f["action"], f["times"]) for f in faults] == [
        ({"path": SMS}, {"status": 503}, 2),
        ({}, {"delay_ms": 10}, None),
    ]
    assert send_sms(emulator).status_code == 503


def test_a_bad_seed_fault_names_the_entry_and_field(emulator: Running) -> None:
    response = admin(
        emulator,
        "POST",
        "/_emulator/config",
        data=b"[[faults]]\naction = { status = 200 }\n",
        headers={"Content-Type": "application/toml"},
    )
    assert response.status_code == 400
    assert response.json()["error"] == (
        "request body: faults[0]: action.status must be one of 500, 502, 503, 504, not 200"
    )
    assert listed(emulator) == []


def test_a_drop_works_under_plain_uvicorn_too(emulator: Running) -> None:
    import uvicorn

    # Another server on the same database, run by uvicorn's own h11 protocol (as someone
    # serving create_app() themselves would): the drop reaches the transport through it.
    settings = Settings(
        database_url=emulator.emulator.settings.resolved_database_url,
        clock=real_clock(emulator.emulator.settings.clock),
        log_requests=False,
    )
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, seed=False), http="h11", ws="none", log_config=None, lifespan="on"
        )
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    try:
        base_url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        for _ in range(200):
            if server.started:
                break
            threading.Event().wait(0.05)
        add_fault(emulator, {"match": {"path": SMS}, "action": {"drop": "after"}})
        with pytest.raises(requests.ConnectionError) as raised:
            requests.post(
                base_url + SMS, data=sms_body(), headers=emulator.request_headers(), timeout=10
            )
        assert any(
            isinstance(cause, http.client.RemoteDisconnected) for cause in causes(raised.value)
        )
        assert len(stored(emulator)) == 1
    finally:
        server.should_exit = True
        thread.join(10)
        listener.close()
