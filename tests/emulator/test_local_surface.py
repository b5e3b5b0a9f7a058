"""Who may use the emulator-only surface (shared/spec/emulator.md): Host, Origin, content type,
the admin token beyond loopback, CORS only on Notify's routes, and the body limit.

Most checks drive the ASGI app in-process byte for byte; the last ones go through a real
server on loopback with the real client and plain HTTP.
"""

from __future__ import annotations

import contextlib
import json
import socket
import time
from collections.abc import Iterator

import anyio
import pytest
import requests
from starlette.applications import Starlette
from starlette.types import Message

from notifications_python_client.notifications import NotificationsAPIClient
from notify_emulator.app import create_app
from notify_emulator.demo import service as demo
from notify_emulator.faults.rules import parse_fault
from notify_emulator.server import BackgroundServer
from notify_emulator.settings import Settings
from notify_emulator.web.guard import MAX_BODY_BYTES, MAX_HEAD_BYTES
from tests.fuzz.asgi import HOST, Answer, AsgiDriver, driving

from .emulator_harness import make_token

TOKEN = "admin-token-for-tests"
SMS = "/v2/notifications/sms"
OWN_ORIGIN = f"http://{HOST}"


def _app(**settings: object) -> Starlette:
    return create_app(
        Settings(database_url="sqlite:///:memory:", log_requests=False, **settings)  # type: ignore[arg-type]
    )


@pytest.fixture
def local() -> Iterator[AsgiDriver]:
    with driving(_app()) as driver:
        yield driver


@pytest.fixture
def exposed() -> Iterator[AsgiDriver]:
    """The app as it runs bound to 0.0.0.0 (nothing is bound here: the requests are in-process)."""
    with driving(_app(host="0.0.0.0", admin_token=TOKEN)) as driver:
        yield driver


def _json(answer: Answer) -> object:
    return json.loads(answer.body)


def _bearer() -> tuple[str, str]:
    return ("Authorization", "Bearer " + make_token(demo.LIVE_KEY_SECRET, demo.SERVICE_ID))


def _send_sms(driver: AsgiDriver, **headers: str) -> Answer:
    body = {"phone_number": "07700900123", "template_id": demo.SMS_TEMPLATE_ID}
    body["personalisation"] = {"name": "A"}  # type: ignore[assignment]
    return driver.request(
        "POST", SMS, headers=[_bearer(), *headers.items()], body=json.dumps(body).encode()
    )


def _stored(driver: AsgiDriver) -> int:
    emulator = driver.app.state.emulator  # type: ignore[attr-defined]
    return int(emulator.store.count_rows("notifications")) + int(
        emulator.store.count_rows("received_texts")
    )


# --- Host: a DNS-rebinding name is refused ----------------------------------------------------


@pytest.mark.parametrize("host", [HOST, "localhost:6011", "[::1]:6011"])
def test_the_loopback_names_with_the_port_are_served(local: AsgiDriver, host: str) -> None:
    answer = local.request("GET", "/_emulator/health", host=host)
    assert (answer.status, _json(answer)) == (200, {"status": "ok"})


@pytest.mark.parametrize(
    "host",
    [
        "evil.example:6011",  # a rebinding name resolving to 127.0.0.1
        "evil.example",
        "127.0.0.1:9999",  # another port: some other program's proxy
        "localhost.evil.example:6011",
        "",
        "127.0.0.1:6011, evil.example:6011",
    ],
)
def test_another_host_is_refused_on_the_local_surface(local: AsgiDriver, host: str) -> None:
    for method, path in [
        ("GET", "/_emulator/notifications"),
        ("GET", "/"),
        ("POST", "/_emulator/reset"),
    ]:
        answer = local.request(method, path, host=host)
        assert answer.status == 403, (method, path, host)
        assert "does not serve the host" in str(_json(answer))


def test_a_missing_host_is_refused(local: AsgiDriver) -> None:
    assert local.request("GET", "/_emulator/health", host=None).status == 403


def test_a_rebinding_host_changes_nothing(local: AsgiDriver) -> None:
    assert _send_sms(local).status == 201
    answer = local.request("POST", "/_emulator/reset", host="evil.example:6011")
    assert answer.status == 403
    assert _stored(local) == 1


def test_notifys_own_routes_answer_any_host(local: AsgiDriver) -> None:
    # Behind docker-compose an app calls http://notify:6011/v2/…: Notify's surface is the JWT's.
    answer = _send_sms(local, host="notify:6011")
    assert answer.status == 201
    assert local.request("GET", "/_status", host="notify:6011").status == 200


def test_allowed_hosts_are_served() -> None:
    with driving(_app(allowed_hosts=("notify", "Proxy.Example:8080"))) as driver:
        assert driver.request("GET", "/_emulator/health", host="notify:6011").status == 200
        assert driver.request("GET", "/_emulator/health", host="notify").status == 200
        assert driver.request("GET", "/_emulator/health", host="proxy.example:8080").status == 200
        assert driver.request("GET", "/_emulator/health", host="proxy.example:8081").status == 403
        assert driver.request("GET", "/_emulator/health", host="notify.evil:6011").status == 403


# --- Origin and content type: no cross-site page can change state -----------------------------


@pytest.mark.parametrize("origin", ["http://evil.example", "null", "http://127.0.0.1:6012"])
def test_a_cross_origin_state_change_is_refused(local: AsgiDriver, origin: str) -> None:
    assert _send_sms(local).status == 201
    body = json.dumps({"service_id": demo.SERVICE_ID, "user_number": "07700900111", "content": "x"})
    for path, data in [("/_emulator/reset", b""), ("/_emulator/received-texts", body.encode())]:
        answer = local.request(
            "POST",
            path,
            headers=[("Origin", origin), ("Content-Type", "application/json")],
            body=data,
        )
        assert answer.status == 403
        assert _json(answer) == {
            "error": f"requests from the origin {origin!r} may not change this emulator"
        }
    assert _stored(local) == 1


def test_a_same_origin_state_change_works(local: AsgiDriver) -> None:
    body = json.dumps({"service_id": demo.SERVICE_ID, "user_number": "07700900111", "content": "x"})
    answer = local.request(
        "POST",
        "/_emulator/received-texts",
        headers=[("Origin", OWN_ORIGIN), ("Content-Type", "application/json; charset=utf-8")],
        body=body.encode(),
    )
    assert answer.status == 201
    assert _stored(local) == 1


def _add_text(driver: AsgiDriver, *headers: tuple[str, str]) -> Answer:
    body = json.dumps({"service_id": demo.SERVICE_ID, "user_number": "07700900111", "content": "x"})
    return driver.request(
        "POST",
        "/_emulator/received-texts",
        headers=[("Content-Type", "application/json"), *headers],
        body=body.encode(),
    )


@pytest.mark.parametrize("site", ["cross-site", "same-site", "Cross-Site", "something-new"])
def test_a_state_change_a_browser_says_comes_from_another_site_is_refused(
    local: AsgiDriver, site: str
) -> None:
    # Without an Origin (some browsers leave it out), Fetch Metadata still tells: "same-site"
    # is another port or subdomain of the same host, such as a dev server on localhost:3000.
    assert _send_sms(local).status == 201
    for answer in (
        _add_text(local, ("Sec-Fetch-Site", site)),
        local.request("POST", "/_emulator/reset", headers=[("Sec-Fetch-Site", site)]),
    ):
        assert answer.status == 403
        assert _json(answer) == {
            "error": f"requests from another site (Sec-Fetch-Site: {site}) may not change "
            "this emulator"
        }
    assert _stored(local) == 1


@pytest.mark.parametrize("site", ["same-origin", "none", "Same-Origin"])
def test_a_state_change_from_the_emulators_own_pages_or_the_user_works(
    local: AsgiDriver, site: str
) -> None:
    answer = _add_text(local, ("Sec-Fetch-Site", site), ("Origin", OWN_ORIGIN))
    assert answer.status == 201
    assert _stored(local) == 1


@pytest.mark.parametrize(
    "referer",
    [
        "http://evil.example/attack",
        "http://127.0.0.1:6012/",
        "https://127.0.0.1:6011/",
        "http://127.0.0.1:6011.evil.example/",
        "not a url",
        "null",
    ],
)
def test_a_state_change_referred_by_another_origins_page_is_refused(
    local: AsgiDriver, referer: str
) -> None:
    assert _send_sms(local).status == 201
    answer = _add_text(local, ("Referer", referer))
    assert answer.status == 403
    message = str(_json(answer))
    assert "may not change this emulator" in message
    assert "/attack" not in message  # the page's origin is named, not its address
    assert _stored(local) == 1


@pytest.mark.parametrize(
    "referer",
    [
        f"{OWN_ORIGIN}/",
        f"{OWN_ORIGIN}/notifications/x?service_id=y#top",
        f"HTTP://{HOST}/received-texts",
        f"{OWN_ORIGIN}",
    ],
)
def test_a_state_change_referred_by_the_emulators_own_page_works(
    local: AsgiDriver, referer: str
) -> None:
    answer = _add_text(local, ("Referer", referer), ("Sec-Fetch-Site", "same-origin"))
    assert answer.status == 201


def test_reads_and_notifys_routes_ignore_fetch_metadata_and_referer(local: AsgiDriver) -> None:
    other = [("Sec-Fetch-Site", "cross-site"), ("Referer", "http://evil.example/")]
    assert local.request("GET", "/_emulator/notifications", headers=other).status == 200
    assert _send_sms(local, **dict(other)).status == 201


def test_a_cross_origin_read_carries_no_cors_permission(local: AsgiDriver) -> None:
    answer = local.request("GET", "/_emulator/notifications", headers=[("Origin", "http://evil")])
    assert answer.status == 200  # a GET changes nothing; without CORS headers no page reads it
    assert not [name for name, _ in answer.headers if name.startswith(b"access-control-")]
    preflight = local.request(
        "OPTIONS",
        "/_emulator/reset",
        headers=[("Origin", "http://evil"), ("Access-Control-Request-Method", "POST")],
    )
    assert not [name for name, _ in preflight.headers if name.startswith(b"access-control-")]


def test_notifys_routes_keep_its_cors_headers(local: AsgiDriver) -> None:
    answer = _send_sms(local, origin="http://evil.example")
    assert answer.status == 201
    assert answer.header("Access-Control-Allow-Origin") == "*"


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "text/plain",
        "text/plain;charset=UTF-8",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/jsonx",
    ],
)
def test_a_state_change_must_send_json(local: AsgiDriver, content_type: str | None) -> None:
    body = json.dumps({"service_id": demo.SERVICE_ID, "user_number": "07700900111", "content": "x"})
    headers = [("Content-Type", content_type)] if content_type is not None else []
    answer = local.request("POST", "/_emulator/received-texts", headers=headers, body=body.encode())
    assert answer.status == 415
    assert "send the body with Content-Type application/json" in str(_json(answer))
    assert _stored(local) == 0


def test_a_form_post_without_a_body_is_refused(local: AsgiDriver) -> None:
    assert _send_sms(local).status == 201
    answer = local.request(
        "POST", "/_emulator/reset", headers=[("Content-Type", "application/x-www-form-urlencoded")]
    )
    assert answer.status == 415
    assert _stored(local) == 1
    # A script's bare POST (no body, no type, no Origin) is fine.
    assert local.request("POST", "/_emulator/reset").status == 200
    assert _stored(local) == 0


NOT_FOUND = {
    "message": "The requested URL was not found on the server. If you entered the URL manually "
    "please check your spelling and try again.",
    "result": "error",
}


@pytest.mark.parametrize("path", ["/nope", "/_emulator/nope", "/a/b/c", "/notifications"])
@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/json", None]
)
def test_an_unknown_path_is_a_404_whatever_the_body(
    local: AsgiDriver, path: str, content_type: str | None
) -> None:
    # As in Notify, whose app-level 404 answers any method and body (notify-api.md §4.4): no
    # route reads the body, so its type is nothing to refuse.
    headers = [("Content-Type", content_type)] if content_type is not None else []
    answer = local.request("POST", path, headers=headers, body=b"a=1")
    assert (answer.status, _json(answer)) == (404, NOT_FOUND)


def test_an_unknown_path_still_checks_host_origin_and_token_first(
    local: AsgiDriver, exposed: AsgiDriver
) -> None:
    form = [("Content-Type", "text/plain")]
    answer = local.request("POST", "/nope", headers=[("Origin", "http://evil.example"), *form])
    assert answer.status == 403
    answer = local.request("POST", "/nope", headers=[("Host", "evil.example:6011"), *form])
    assert answer.status == 403
    assert exposed.request("POST", "/nope", headers=form, body=b"x").status == 403
    answer = exposed.request("POST", "/nope", headers=[("X-Emulator-Token", TOKEN), *form])
    assert answer.status == 404


def test_a_known_path_still_needs_json_whatever_the_method(local: AsgiDriver) -> None:
    answer = local.request(
        "POST", "/_emulator/health", headers=[("Content-Type", "text/plain")], body=b"x"
    )
    assert answer.status == 415


@pytest.mark.parametrize(
    ("content_type", "status"),
    [("application/toml", 200), ("application/json", 200), ("text/plain", 415)],
)
def test_a_seed_may_be_toml_or_json(local: AsgiDriver, content_type: str, status: int) -> None:
    # The route reads a body starting with "{" as JSON and anything else as TOML.
    toml = b'[[services]]\nname = "From TOML"\n'
    answer = local.request(
        "POST", "/_emulator/config", headers=[("Content-Type", content_type)], body=toml
    )
    assert answer.status == status


def test_v2_bodies_are_json_whatever_the_content_type(local: AsgiDriver) -> None:
    # notify-api.md §1.2: Notify parses POST bodies as JSON regardless of Content-Type.
    assert _send_sms(local, **{"content-type": "text/plain"}).status == 201


# --- the admin token, bound beyond loopback ---------------------------------------------------


def test_beyond_loopback_the_local_surface_needs_the_token(exposed: AsgiDriver) -> None:
    answer = exposed.request("GET", "/_emulator/health")
    assert answer.status == 403
    assert "needs its admin token" in str(_json(answer))
    assert TOKEN not in answer.body.decode()
    wrong = exposed.request("GET", "/_emulator/health", headers=[("X-Emulator-Token", "nope")])
    assert (wrong.status, _json(wrong)) == (403, {"error": "the admin token is wrong"})
    right = exposed.request("GET", "/_emulator/health", headers=[("X-Emulator-Token", TOKEN)])
    assert right.status == 200
    assert exposed.request("POST", "/_emulator/reset").status == 403
    reset = exposed.request("POST", "/_emulator/reset", headers=[("X-Emulator-Token", TOKEN)])
    assert reset.status == 200


def test_beyond_loopback_notifys_routes_need_only_their_jwt(exposed: AsgiDriver) -> None:
    assert _send_sms(exposed).status == 201
    assert exposed.request("GET", "/_status").status == 200


def test_a_page_takes_the_token_once_and_keeps_it_in_a_cookie(exposed: AsgiDriver) -> None:
    first = exposed.request("GET", f"/?service_id={demo.SERVICE_ID}&token={TOKEN}")
    assert first.status == 303
    # The token leaves the address at once.
    assert first.header("Location") == f"/?service_id={demo.SERVICE_ID}"
    cookie = first.header("Set-Cookie") or ""
    assert cookie.startswith(f"notify_emulator_token={TOKEN};")
    assert "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie
    assert "Path=/" in cookie
    page = exposed.request(
        "GET",
        f"/?service_id={demo.SERVICE_ID}",
        headers=[("Cookie", f"notify_emulator_token={TOKEN}")],
    )
    assert page.status == 200
    assert page.body.startswith(b"<!DOCTYPE html>")
    assert (
        exposed.request("GET", "/", headers=[("Cookie", "notify_emulator_token=x")]).status == 403
    )
    assert exposed.request("GET", "/?token=wrong").status == 403


def test_a_token_in_the_query_of_a_state_change_is_not_taken(exposed: AsgiDriver) -> None:
    assert exposed.request("POST", f"/_emulator/reset?token={TOKEN}").status == 403


def test_on_loopback_no_token_is_needed(local: AsgiDriver) -> None:
    assert local.request("GET", "/_emulator/health").status == 200


def test_beyond_loopback_without_a_token_the_app_does_not_start() -> None:
    with pytest.raises(ValueError, match="needs an admin_token"):
        _app(host="0.0.0.0")


# --- the body limit ----------------------------------------------------------------------------


def test_a_body_declared_too_large_is_refused_unread(local: AsgiDriver) -> None:
    answer = local.request(
        "POST",
        SMS,
        headers=[_bearer(), ("Content-Length", str(MAX_BODY_BYTES + 1))],
        body=b"{}",
    )
    assert answer.status == 413
    assert _json(answer) == {
        "errors": [
            {"error": "RequestEntityTooLarge", "message": "Request bodies are limited to 10 MB"}
        ],
        "status_code": 413,
    }
    assert answer.header("Connection") == "close"
    assert answer.header("Access-Control-Allow-Origin") == "*"


@pytest.mark.parametrize("path", [SMS, "/_emulator/received-texts"])
def test_a_streamed_body_too_large_is_refused(local: AsgiDriver, path: str) -> None:
    body = b'{"content": "' + b"a" * MAX_BODY_BYTES + b'"}'
    answer = local.request(
        "POST",
        path,
        headers=[_bearer(), ("Content-Type", "application/json"), ("Transfer-Encoding", "chunked")],
        body=body,
        chunks=16,
    )
    assert answer.status == 413
    assert _stored(local) == 0


def test_a_body_at_the_limit_is_read(local: AsgiDriver) -> None:
    filler = "a" * (MAX_BODY_BYTES - 200)
    body = json.dumps(
        {"phone_number": "07700900123", "template_id": demo.SMS_TEMPLATE_ID, "x": filler}
    ).encode()
    assert len(body) <= MAX_BODY_BYTES
    answer = local.request("POST", SMS, headers=[_bearer()], body=body, chunks=8)
    assert answer.status == 400  # read whole, then refused by Notify's schema
    assert "x was unexpected" in answer.body.decode()


@pytest.mark.parametrize("framing", ["chunked", "declared"])
def test_a_recipient_fault_reads_no_more_of_a_body_than_the_limit(framing: str) -> None:
    # A fault matching on the recipient reads the body before the routes do: it must stop
    # where the limit does, not take the whole of a huge body into memory.
    app = _app()
    app.state.emulator.store.faults.add(
        parse_fault({"match": {"recipient": "07700900123"}, "action": {"status": 500}})
    )
    chunk = b"a" * (1024 * 1024)
    chunks = 400  # 400 MB, were it all read
    given = 0
    messages: list[Message] = []

    async def receive() -> Message:
        nonlocal given
        if given == chunks:
            return {"type": "http.disconnect"}
        given += 1
        return {"type": "http.request", "body": chunk, "more_body": given < chunks}

    async def send(message: Message) -> None:
        messages.append(message)

    size = len(chunk) * chunks
    framed = (
        (b"transfer-encoding", b"chunked")
        if framing == "chunked"
        else (b"content-length", str(size).encode())
    )
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": SMS,
        "raw_path": SMS.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", HOST.encode()),
            (b"content-type", b"application/json"),
            (b"authorization", _bearer()[1].encode()),
            framed,
        ],
        "server": ("127.0.0.1", 6011),
        "client": ("127.0.0.1", 50000),
        "state": {},
        "app": app,
    }
    anyio.run(app, scope, receive, send)
    (start,) = [message for message in messages if message["type"] == "http.response.start"]
    assert start["status"] == 413
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    assert json.loads(body)["errors"][0]["error"] == "RequestEntityTooLarge"
    # Reading stopped once past the limit: 11 chunks of 1 MB, not 400 (none when the
    # Content-Length says it is too large).
    expected = MAX_BODY_BYTES // len(chunk) + 1 if framing == "chunked" else 0
    assert given == expected, f"{given} MB were read"
    assert app.state.emulator.store.faults.all()[0].remaining == 1


# --- over real HTTP -----------------------------------------------------------------------------


@pytest.fixture
def served() -> Iterator[str]:
    with BackgroundServer(_app()) as server:
        yield server.base_url


def test_over_http_a_rebinding_host_and_a_cross_origin_post_are_refused(served: str) -> None:
    port = served.rsplit(":", 1)[1]
    client = NotificationsAPIClient(demo.LIVE_API_KEY, base_url=served, max_retries=0)
    client.send_sms_notification("07700900123", demo.SMS_TEMPLATE_ID, {"name": "A"})
    rebound = requests.get(
        served + "/_emulator/notifications", headers={"Host": f"evil.example:{port}"}, timeout=10
    )
    assert rebound.status_code == 403
    crossed = requests.post(
        served + "/_emulator/reset", headers={"Origin": "http://evil.example"}, timeout=10
    )
    assert crossed.status_code == 403
    assert (
        len(requests.get(served + "/_emulator/notifications", timeout=10).json()["notifications"])
        == 1
    )
    same = requests.post(served + "/_emulator/reset", headers={"Origin": served}, timeout=10)
    assert same.status_code == 200
    assert requests.get(served + "/_emulator/notifications", timeout=10).json() == {
        "notifications": []
    }
    client.close()


def _health_head(served: str, *, padding: int, header: int = 0, close: bool = True) -> bytes:
    """A GET of the health route whose address carries ``padding`` bytes and which has one
    header of ``header`` bytes."""
    host_and_port = served.split("//", 1)[1]
    return (
        f"GET /_emulator/health?padding={'a' * padding} HTTP/1.1\r\n"
        f"Host: {host_and_port}\r\n"
        + (f"X-Padding: {'b' * header}\r\n" if header else "")
        + ("Connection: close\r\n" if close else "")
        + "\r\n"
    ).encode()


def _exchange_in_pieces(served: str, data: bytes) -> bytes:
    """Send ``data`` over a new connection in paced pieces; everything read until it closes."""
    host, port = served.split("//", 1)[1].split(":")
    with socket.create_connection((host, int(port)), timeout=30) as connection:
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            for start in range(0, len(data), 8192):
                connection.sendall(data[start : start + 8192])
                time.sleep(0.002)  # pacing, so that the server reads the head in pieces
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server refused the head and closed before it was all sent
        received = b""
        with contextlib.suppress(ConnectionResetError):
            while chunk := connection.recv(65536):
                received += chunk
    return received


def test_over_http_a_long_request_head_sent_in_pieces_is_read(served: str) -> None:
    """A template page's preview carries the unsaved text in its address: a head far over the
    16 KiB many servers allow is read when it arrives in pieces."""
    received = _exchange_in_pieces(served, _health_head(served, padding=MAX_HEAD_BYTES // 8))
    assert received.startswith(b"HTTP/1.1 200 ")


def test_over_http_a_request_head_over_the_limit_gets_a_431_and_the_server_goes_on(
    served: str,
) -> None:
    too_long = _health_head(served, padding=10, header=MAX_HEAD_BYTES + 1)
    received = _exchange_in_pieces(served, too_long)
    assert received.startswith(b"HTTP/1.1 431 ")
    assert received.endswith(f"longer than {MAX_HEAD_BYTES} bytes.".encode())
    assert requests.get(served + "/_emulator/health", timeout=10).status_code == 200


def test_over_http_the_head_limit_is_for_each_request_on_a_kept_connection(served: str) -> None:
    """Two heads on one connection, each under the limit and together over it, are both read."""
    each = MAX_HEAD_BYTES * 3 // 5
    kept = _health_head(served, padding=each, close=False)
    received = _exchange_in_pieces(served, kept + _health_head(served, padding=each))
    assert received.startswith(b"HTTP/1.1 200 ")
    assert received.count(b"HTTP/1.1 200 ") == 2


def test_over_http_a_head_that_never_ends_is_refused_once_over_the_limit(served: str) -> None:
    unending = _health_head(served, padding=10, header=MAX_HEAD_BYTES * 2)[: MAX_HEAD_BYTES * 2]
    received = _exchange_in_pieces(served, unending)
    assert received.startswith(b"HTTP/1.1 431 ")


def test_over_http_a_query_too_long_for_the_url_parser_reaches_the_route_whole(
    served: str,
) -> None:
    """httptools parses addresses of at most 64 KiB; a longer query still arrives intact (Notify's
    error for a filter value repeats the value)."""
    value = "x" * 100_000 + "-end"
    answer = requests.get(
        served + "/v2/notifications",
        params={"template_type": value, "status": "delivered"},
        headers=dict([_bearer()]),
        timeout=30,
    )
    assert answer.status_code == 400
    (error,) = answer.json()["errors"]
    assert error["message"] == f"template_type {value} is not one of [sms, email, letter]"
