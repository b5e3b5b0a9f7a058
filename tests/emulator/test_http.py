"""HTTP conventions: headers on every answer, the non-v2 404 and 405 shapes (§1.3, §4.4)."""

from __future__ import annotations

import pytest
import requests
from starlette.testclient import TestClient

from notify_emulator.demo import service as demo

from ..emulators import emulator_settings, serve_emulator
from .emulator_harness import Running, make_token

NOT_FOUND = {
    "message": "The requested URL was not found on the server. If you entered the URL manually "
    "please check your spelling and try again.",
    "result": "error",
}
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Headers": "Content-Type,Authorization",
    "Access-Control-Allow-Methods": "GET,PUT,POST,DELETE",
}
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "SAMEORIGIN",
    "X-Permitted-Cross-Domain-Policies": "none",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains; preload",
    "Cache-Control": "no-store, no-cache, private, must-revalidate",
}
HEADERS = {**CORS_HEADERS, **SECURITY_HEADERS}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v2/templates"),
        ("GET", "/v2/nowhere"),
        ("POST", "/v2/notifications/sms"),
        ("GET", "/_status"),
    ],
)
def test_every_notify_answer_has_notify_headers(emulator: Running, method: str, path: str) -> None:
    response = emulator.request(method, path, json={})
    for name, value in HEADERS.items():
        assert response.headers[name] == value
    assert "WWW-Authenticate" not in response.headers


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/nowhere"), ("GET", "/_emulator/health"), ("GET", "/"), ("POST", "/_emulator/reset")],
)
def test_the_emulators_own_answers_have_no_cors_headers(
    emulator: Running, method: str, path: str
) -> None:
    # Local tools only: a page on another origin must not be able to read them.
    response = emulator.request(method, path, json={})
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value
    assert not [name for name in response.headers if name.lower().startswith("access-control-")]
    assert "WWW-Authenticate" not in response.headers


@pytest.mark.parametrize(
    "path", ["/nowhere", "/v2/notifications/", "/v2/templates/", "/v2/template"]
)
def test_unknown_urls_need_no_auth(emulator: Running, path: str) -> None:
    response = emulator.request("GET", path, authorization="")
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_post_to_an_unknown_notification_type(emulator: Running) -> None:
    response = emulator.request("POST", "/v2/notifications/fax", json={})
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_wrong_method(emulator: Running) -> None:
    response = emulator.request("DELETE", "/v2/templates", authorization="")
    assert response.status_code == 405
    assert response.json() == {
        "message": "The method is not allowed for the requested URL.",
        "result": "error",
    }
    assert "GET" in response.headers["Allow"]


def test_uris_use_the_request_root(emulator: Running) -> None:
    host = emulator.base_url.replace("127.0.0.1", "localhost")
    token = make_token(demo.LIVE_KEY_SECRET, demo.SERVICE_ID)
    response = requests.get(
        host + "/v2/notifications", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    assert response.json()["links"]["current"] == host + "/v2/notifications"


def test_status_route(emulator: Running) -> None:
    assert emulator.request("GET", "/_status", authorization="").json() == {"status": "ok"}


def test_one_log_line_per_request_without_secrets(caplog: pytest.LogCaptureFixture) -> None:
    token = make_token(demo.LIVE_KEY_SECRET, demo.SERVICE_ID)
    # The server stops (finishing its requests) before logging goes back to its old level.
    with (
        caplog.at_level("INFO", "notify_emulator.requests"),
        serve_emulator(emulator_settings(log_requests=True)) as server,
    ):
        caplog.clear()
        response = requests.get(
            server.base_url + "/v2/templates?type=sms",
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        assert response.status_code == 200
    lines = [r.getMessage() for r in caplog.records if r.name == "notify_emulator.requests"]
    # The server's own start-up health checks are logged too; this request gets one line.
    ours = [line for line in lines if "/v2/templates" in line]
    assert len(ours) == 1
    assert ours[0].startswith("GET /v2/templates 200 ")
    assert token not in caplog.text
    assert demo.LIVE_KEY_SECRET not in caplog.text


def test_in_process_answers_match_notify_for_unknown_urls_and_methods(
    app_client: TestClient,
) -> None:
    missing = app_client.get("/no/such/page")
    assert missing.status_code == 404
    assert missing.json()["result"] == "error"
    assert missing.headers["X-Content-Type-Options"] == "nosniff"
    wrong_method = app_client.delete("/_emulator/health")
    assert wrong_method.status_code == 405
    assert wrong_method.headers["Allow"] == "GET, HEAD, OPTIONS"
