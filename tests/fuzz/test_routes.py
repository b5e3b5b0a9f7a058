"""Fuzzing every route: random and mutated bodies, headers, query strings and paths.

The property, for every request: the answer is never a 5xx (nor no answer at all), and a
request that is refused (3xx or 4xx) changes nothing that is stored. The rate-limit buckets
are left out of that comparison: Notify takes a token for a request it then refuses, and so
does the emulator.

A modest number of examples runs by default, so the suite stays fast; set
NOTIFY_EMULATOR_FUZZ_EXAMPLES to run more, e.g. ``NOTIFY_EMULATOR_FUZZ_EXAMPLES=5000 pytest
tests/fuzz`` (README, "Fuzzing the emulator").
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlencode

import jwt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from starlette.applications import Starlette

from notify_emulator import admin, api
from notify_emulator.demo import service as demo
from notify_emulator.demo.service import demo_seed
from notify_emulator.store import apply_seed
from notify_emulator.store import tables as t
from tests.fuzz.asgi import HOST, Answer, AsgiDriver, driving

EXAMPLES = int(os.environ.get("NOTIFY_EMULATOR_FUZZ_EXAMPLES", "40"))
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    # Requests are big and varied on purpose; the driver fixture is per test, not per example,
    # and each example restores what it needs (_fresh).
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
# Everything stored but the rate-limit buckets (see the module's docstring).
SNAPSHOT_TABLES = [table for table in t.metadata.sorted_tables if table is not t.rate_limit_buckets]
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"
ADDRESS = {"address_line_1": "A Person", "address_line_2": "1 Road", "postcode": "SW1A 1AA"}
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"]

# --- what requests are made of ------------------------------------------------------------------

ODD_TEXT = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "a\x00b",
        "\ud800",
        "\udfff",
        "%",
        "%00",
        "%2F",
        "é",
        "☃",
        "日本",
        "\r\n",
        "<b>x</b>",
        "((name))",
        "'; DROP TABLE notifications; --",
        "9" * 5000,
        "a" * 3000,
        UNKNOWN_ID,
        f"urn:uuid:{UNKNOWN_ID}",
    ]
)
TEXT = st.one_of(st.text(max_size=40), ODD_TEXT)
IDS = st.sampled_from(
    [
        demo.SERVICE_ID,
        demo.SMS_TEMPLATE_ID,
        demo.EMAIL_TEMPLATE_ID,
        demo.LETTER_TEMPLATE_ID,
        demo.SMS_SENDER_ID,
        demo.EMAIL_REPLY_TO_ID,
        UNKNOWN_ID,
        UNKNOWN_ID.upper(),
        UNKNOWN_ID.replace("-", ""),
        "{" + UNKNOWN_ID + "}",
    ]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    TEXT,
    IDS,
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.one_of(TEXT, st.sampled_from(["file", "name", "x"])), children, max_size=4
        )
    ),
    max_leaves=12,
)


def _file(filename: object = "report.pdf") -> dict[str, object]:
    return {"file": base64.b64encode(b"%PDF-1.4 x").decode(), "filename": filename}


VALID_BODIES: dict[tuple[str, str], list[dict[str, Any]]] = {
    ("POST", "/v2/notifications/sms"): [
        {
            "phone_number": "07700900123",
            "template_id": demo.SMS_TEMPLATE_ID,
            "personalisation": {"name": "A"},
            "reference": "ref",
            "sms_sender_id": demo.SMS_SENDER_ID,
        },
        {
            "phone_number": "+33612345678",
            "template_id": demo.SMS_TEMPLATE_ID,
            "personalisation": {"name": "A"},
        },
    ],
    ("POST", "/v2/notifications/email"): [
        {
            "email_address": "someone@example.com",
            "template_id": demo.EMAIL_TEMPLATE_ID,
            "personalisation": {"name": "A"},
            "email_reply_to_id": demo.EMAIL_REPLY_TO_ID,
            "one_click_unsubscribe_url": "https://example.com/unsubscribe",
        },
        {
            "email_address": "someone@example.com",
            "template_id": demo.EMAIL_TEMPLATE_ID,
            "personalisation": {"name": _file()},
        },
    ],
    ("POST", "/v2/notifications/letter"): [
        {"template_id": demo.LETTER_TEMPLATE_ID, "personalisation": {"name": "A", **ADDRESS}},
        {"reference": "r", "content": base64.b64encode(b"%PDF-1.4 not really").decode()},
    ],
    ("POST", "/v2/template/{template_id}/preview"): [{"personalisation": {"name": "A", **ADDRESS}}],
    ("POST", "/_emulator/received-texts"): [
        {"service_id": demo.SERVICE_ID, "user_number": "07700900111", "content": "STOP"}
    ],
    ("POST", "/_emulator/notifications/{notification_id}/status"): [{"status": "delivered"}],
    ("POST", "/_emulator/config"): [
        {"services": [{"id": "99999999-9999-4999-8999-999999999999", "name": "Fuzzed"}]}
    ],
}
TOML_SEEDS = [
    '[[services]]\nname = "Fuzzed TOML"\nrate_limit = 10\n',
    '[[services]]\nname = "T"\n  [[services.templates]]\n  name = "t"\n  type = "sms"\n'
    '  body = "((x))"\n',
]
QUERY_NAMES = [
    "service_id",
    "older_than",
    "limit",
    "reference",
    "status",
    "template_type",
    "include_jobs",
    "type",
    "token",
    "simple",
]


def _mutate(value: Any, data: st.DataObject, depth: int = 0) -> Any:
    """``value`` with some of its parts dropped, replaced or added."""
    if isinstance(value, dict) and depth < 3:
        result = {}
        for key, child in value.items():
            choice = data.draw(st.integers(0, 5))
            if choice == 0:
                continue  # dropped
            if choice == 1:
                result[key] = data.draw(JSON_VALUES)
            else:
                result[key] = _mutate(child, data, depth + 1)
        if data.draw(st.booleans()):
            result[data.draw(st.one_of(TEXT, st.sampled_from(QUERY_NAMES)))] = data.draw(
                JSON_VALUES
            )
        return result
    if data.draw(st.integers(0, 3)) == 0:
        return data.draw(JSON_VALUES)
    return value


def _body(method: str, route: str, data: st.DataObject) -> bytes:
    examples = VALID_BODIES.get((method, route), [])
    kinds = ["empty", "json", "bytes", "truncated", "deep", "odd"]
    if examples:
        # Mostly near-valid bodies, so that requests get past the first checks.
        kinds += ["mutated"] * 5 + ["valid"] * 4
    if route == "/_emulator/config":
        kinds += ["toml"] * 4
    kind = data.draw(st.sampled_from(kinds))
    if kind == "empty":
        return b""
    if kind == "bytes":
        return data.draw(st.binary(max_size=200))
    if kind == "deep":
        opener = data.draw(st.sampled_from([b"[", b'{"a":', b"a = [", b"x = {y="]))
        return opener * data.draw(st.integers(50, 30_000))
    if kind == "odd":
        return data.draw(
            st.sampled_from(
                [
                    b"NaN",
                    b'{"a": NaN}',
                    b'{"a": 1e400}',
                    b"null",
                    b"[]",
                    b"5",
                    b'"x"',
                    b"\xff\xfe",
                    b'{"a": "\\ud800"}',
                    b'{"a": "\\u0000"}',
                    b"\xef\xbb\xbf{}",
                ]
            )
        )
    if kind == "toml":
        seed = data.draw(st.sampled_from(TOML_SEEDS))
        return _mutate_text(seed, data).encode("utf-8", "surrogatepass")
    value: Any
    if kind == "valid":
        value = data.draw(st.sampled_from(examples))
    elif kind == "mutated" or (kind == "truncated" and examples):
        value = _mutate(data.draw(st.sampled_from(examples)), data)
    else:
        value = data.draw(JSON_VALUES)
    text = json.dumps(value)
    if kind == "truncated":
        text = text[: data.draw(st.integers(0, len(text)))]
    return text.encode()


def _mutate_text(text: str, data: st.DataObject) -> str:
    position = data.draw(st.integers(0, len(text)))
    insert = data.draw(st.one_of(TEXT, st.sampled_from(['"', "[", "]", "=", "\\u0000", "\n", "'"])))
    cut = data.draw(st.integers(0, 3))
    return text[:position] + insert + text[position + cut :]


def _path(template: str, data: st.DataObject, known: dict[str, list[str]]) -> str:
    path = template
    while "{" in path:
        start = path.index("{")
        end = path.index("}", start)
        name = path[start + 1 : end].split(":")[0]
        # Drawn whatever is stored, so that the draws never depend on the store's state
        # (hypothesis replays examples by their draws).
        use_known = data.draw(st.integers(0, 3)) > 0
        index = data.draw(st.integers(0, 49))
        if name == "version":
            value = data.draw(
                st.one_of(
                    st.sampled_from(["0", "1", "2", "9" * 5000, "0" * 300 + "1"]),
                    st.from_regex(r"\A[0-9]{1,30}\Z"),
                )
            )
        elif name == "notification_type":
            value = data.draw(st.one_of(st.sampled_from(["fax", "sms", "SMS", ""]), TEXT))
        else:
            value = data.draw(st.one_of(IDS, TEXT))
        if use_known and known.get(name):
            value = known[name][index % len(known[name])]
        encoded = (
            quote(value, safe="", errors="surrogatepass")
            if data.draw(st.booleans())
            else quote(value, safe="/%", errors="surrogatepass")
        )
        path = path[:start] + encoded + path[end + 1 :]
    if data.draw(st.integers(0, 9)) == 0:
        path = data.draw(st.sampled_from(["/", "//", "///"])) + path.lstrip("/")
    if data.draw(st.integers(0, 9)) == 0:
        path = path.replace("/", data.draw(st.sampled_from(["//", "/%2F", "/./"])), 1)
    return path


def _query(data: st.DataObject) -> str:
    if data.draw(st.integers(0, 4)) < 3:
        return ""
    pairs = data.draw(
        st.lists(
            st.tuples(st.one_of(st.sampled_from(QUERY_NAMES), TEXT), st.one_of(IDS, TEXT)),
            max_size=4,
        )
    )
    if not pairs:
        return ""
    raw = data.draw(st.booleans())
    if raw:
        return "&".join(f"{_raw(name)}={_raw(value)}" for name, value in pairs)
    return urlencode(
        [(n.encode("utf-8", "surrogatepass"), v.encode("utf-8", "surrogatepass")) for n, v in pairs]
    )


def _raw(text: str) -> str:
    # Percent signs kept as they are, so that bad escapes (%zz, %ff) reach the app too.
    return quote(text, safe="%", errors="surrogatepass")


def _token(secret: str, data: st.DataObject) -> str:
    claims: dict[str, Any] = {"iss": demo.SERVICE_ID, "iat": int(time.time())}
    if data.draw(st.integers(0, 4)) == 0:
        claims[data.draw(st.sampled_from(["iat", "iss", "exp", "nbf", "jti"]))] = data.draw(
            JSON_VALUES
        )
    try:
        return jwt.encode(claims, secret, algorithm="HS256")
    except (TypeError, ValueError):
        return jwt.encode(
            {"iss": demo.SERVICE_ID, "iat": int(time.time())}, secret, algorithm="HS256"
        )


def _headers(data: st.DataObject) -> list[tuple[str, str | bytes]]:
    headers: list[tuple[str, str | bytes]] = []
    auth = data.draw(st.sampled_from(["live"] * 5 + ["team", "test", "none", "junk", "junk"]))
    secrets = {
        "live": demo.LIVE_KEY_SECRET,
        "team": demo.TEAM_KEY_SECRET,
        "test": demo.TEST_KEY_SECRET,
    }
    if auth in secrets:
        headers.append(("Authorization", "Bearer " + _token(secrets[auth], data)))
    elif auth == "junk":
        headers.append(
            (
                "Authorization",
                data.draw(
                    st.sampled_from(["Bearer", "Bearer x.y.z", "Basic abc", "bearer  a.b.c"])
                ),
            )
        )
    content_type = data.draw(
        st.sampled_from(
            ["application/json"] * 6
            + [
                None,
                "application/json",
                "application/json; charset=utf-8",
                "application/toml",
                "text/plain",
                "application/x-www-form-urlencoded",
                "multipart/form-data",
                "",
                "\x01",
            ]
        )
    )
    if content_type is not None:
        headers.append(("Content-Type", content_type))
    origin = data.draw(
        st.sampled_from([None] * 8 + [f"http://{HOST}", "http://evil.example", "null"])
    )
    if origin is not None:
        headers.append(("Origin", origin))
    host = data.draw(st.sampled_from([HOST] * 8 + ["localhost:6011", "evil.example:6011", ""]))
    headers.append(("Host", host))
    if data.draw(st.integers(0, 5)) == 0:
        headers.append(
            (
                data.draw(st.sampled_from(["X-Emulator-Token", "Cookie", "Accept", "X-Junk"])),
                data.draw(st.binary(max_size=20)),
            )
        )
    return headers


# --- the property ---------------------------------------------------------------------------------


def snapshot(app: Starlette) -> str:
    """A digest of every stored row (but the rate-limit buckets)."""
    store = app.state.emulator.store
    digest = hashlib.sha256()
    with store.engine.connect() as connection:
        for table in SNAPSHOT_TABLES:
            rows = connection.execute(select(table)).all()
            digest.update(table.name.encode())
            for row in sorted(repr(tuple(row)) for row in rows):
                digest.update(row.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


@pytest.fixture
def driver(fuzzed_app: Starlette) -> Iterator[AsgiDriver]:
    with driving(fuzzed_app) as running:
        yield running


def _fresh(app: Starlette) -> None:
    # Each example starts from the demo service as seeded and with full buckets; what earlier
    # examples stored stays (it makes later ones more interesting).
    emulator = app.state.emulator
    apply_seed(emulator.store, demo_seed())
    emulator.rate_limiter.reset()


def check(driver: AsgiDriver, method: str, target: str, headers: list[Any], body: bytes) -> Answer:
    app: Starlette = driver.app  # type: ignore[assignment]
    _fresh(app)
    before = snapshot(app)
    answer = driver.request(method, target, headers=headers, body=body, host=None)
    context = f"{method} {target[:300]!r} headers={headers!r} body={body[:300]!r}"
    assert answer.complete, f"no complete answer to {context}"
    assert 100 <= answer.status < 500, f"{answer.status} {answer.body[:500]!r} for {context}"
    if answer.status >= 300:
        assert snapshot(app) == before, (
            f"refused with {answer.status} but changed the store: {context}"
        )
    return answer


ROUTE_TABLE = (
    [(api.PREFIX + path, method) for path, method, _ in api.ROUTES]
    + [(admin.PREFIX + path, method) for path, method, _ in admin.ROUTES]
    + [("/", "GET"), ("/_status", "GET"), ("/_status", "POST")]
)
V2_ROUTES = [route for route in ROUTE_TABLE if route[0].startswith("/v2/")]
OWN_ROUTES = [route for route in ROUTE_TABLE if not route[0].startswith("/v2/")]


def _known_ids(app: Starlette) -> dict[str, list[str]]:
    """Ids of what is stored now, so that path parameters often name something real."""
    store = app.state.emulator.store
    with store.engine.connect() as connection:
        notifications = connection.execute(select(t.notifications.c.id).limit(50)).scalars()
        documents = connection.execute(select(t.documents.c.id).limit(20)).scalars()
        known = {"notification_id": list(notifications), "document_id": list(documents)}
    known["template_id"] = [demo.SMS_TEMPLATE_ID, demo.EMAIL_TEMPLATE_ID, demo.LETTER_TEMPLATE_ID]
    return known


def _request(
    routes: list[tuple[str, str]], data: st.DataObject, app: Starlette
) -> tuple[str, str, list[Any], bytes]:
    template, method = data.draw(st.sampled_from(routes))
    if data.draw(st.integers(0, 7)) == 0:
        method = data.draw(st.sampled_from(METHODS))
    body = _body(method, template, data)
    path = _path(template, data, _known_ids(app))
    query = _query(data)
    target = path + (f"?{query}" if query else "")
    return method, target, _headers(data), body


@FUZZ_SETTINGS
@given(data=st.data())
def test_v2_routes(driver: AsgiDriver, data: st.DataObject) -> None:
    check(driver, *_request(V2_ROUTES, data, driver.app))  # type: ignore[arg-type]


@FUZZ_SETTINGS
@given(data=st.data())
def test_the_emulators_own_routes(driver: AsgiDriver, data: st.DataObject) -> None:
    check(driver, *_request(OWN_ROUTES, data, driver.app))  # type: ignore[arg-type]


@FUZZ_SETTINGS
@given(
    method=st.sampled_from(METHODS),
    segments=st.lists(
        st.one_of(
            TEXT,
            st.sampled_from(["v2", "_emulator", "notifications", "template", "version", "..", "."]),
        ),
        max_size=5,
    ),
    query=st.binary(max_size=40),
    body=st.binary(max_size=100),
)
def test_any_path(
    driver: AsgiDriver, method: str, segments: list[str], query: bytes, body: bytes
) -> None:
    path = "/" + "/".join(quote(segment, safe="", errors="surrogatepass") for segment in segments)
    raw_query = "".join(
        chr(byte) if 0x21 <= byte <= 0x7E and chr(byte) not in "#" else f"%{byte:02X}"
        for byte in query
    )
    target = path + (f"?{raw_query}" if raw_query else "")
    check(driver, method, target, [("Host", HOST), ("Content-Type", "application/json")], body)
