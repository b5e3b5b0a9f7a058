"""parse_json refuses NULs, unpaired surrogates and deep nesting however the body spells them,
including when it skips the walk over a body that cannot hold them. parse_notify_json reads a
body as Notify does, and check_storable_send refuses only what a send cannot store."""

from __future__ import annotations

import math

import pytest

from notify_emulator.store.engine import json_text
from notify_emulator.web.text_checks import (
    MAX_JSON_DEPTH,
    UnusableText,
    check_no_surrogates,
    check_storable_send,
    parse_json,
    parse_notify_json,
)

REFUSED = {
    "escaped NUL": b'{"a": "\\u0000"}',
    "escaped surrogate": b'{"a": "\\ud800"}',
    "escaped NUL in a key": b'{"\\u0000": 1}',
    "surrogate as bytes": '{"a": "\ud800"}'.encode("utf-8", "surrogatepass"),
    "UTF-16 escaped NUL": '{"a": "\\u0000"}'.encode("utf-16"),
    "UTF-32 escaped surrogate": '{"a": "\\udfff"}'.encode("utf-32"),
    "too deep": b"[" * (MAX_JSON_DEPTH + 2) + b"]" * (MAX_JSON_DEPTH + 2),
}


@pytest.mark.parametrize("body", REFUSED.values(), ids=REFUSED.keys())
def test_unusable_text_is_refused(body: bytes) -> None:
    with pytest.raises(UnusableText):
        parse_json(body)


@pytest.mark.parametrize(
    "body",
    [
        b'{"phone_number": "07700900123", "personalisation": {"name": "\xc3\xa9"}}',
        '{"name": "\ud55c\uad6d\uc5b4"}'.encode(),  # Hangul: UTF-8 bytes starting 0xED
        b'{"a": "\\u00e9\\n"}',
        b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH,
    ],
)
def test_usable_text_is_read(body: bytes) -> None:
    assert parse_json(body) is not None


def test_notify_json_reads_nuls_surrogates_and_numbers_json_does_not_have() -> None:
    data = parse_notify_json(b'{"a": "\\u0000", "\\ud800": [NaN, Infinity, -Infinity, 1e400]}')
    assert isinstance(data, dict)
    assert data["a"] == "\x00"
    numbers = data["\ud800"]
    assert math.isnan(numbers[0])
    assert numbers[1:] == [math.inf, -math.inf, math.inf]


@pytest.mark.parametrize(
    "body",
    [
        b"[" * (MAX_JSON_DEPTH + 2) + b"]" * (MAX_JSON_DEPTH + 2),
        ("[" * (MAX_JSON_DEPTH + 2) + "]" * (MAX_JSON_DEPTH + 2)).encode("utf-16"),
    ],
)
def test_notify_json_still_refuses_deep_nesting(body: bytes) -> None:
    with pytest.raises(UnusableText):
        parse_notify_json(body)


@pytest.mark.parametrize(
    ("body", "address_keys", "message"),
    [
        ({"reference": "a\x00"}, (), "reference must not contain a NUL"),
        ({"personalisation": {"name": "\udfff"}}, (), "personalisation name must not contain an"),
        ({"personalisation": {"\ud800": 1}}, (), "a key in personalisation must not contain"),
        (
            {"personalisation": {"address_line_1": "x\x00"}},
            ("address_line_1",),
            "personalisation address_line_1 must not contain a NUL",
        ),
    ],
)
def test_what_a_send_cannot_store_is_refused(
    body: dict[str, object], address_keys: tuple[str, ...], message: str
) -> None:
    with pytest.raises(UnusableText, match=f"^{message}"):
        check_storable_send(body, address_keys=address_keys)


@pytest.mark.parametrize(
    "body",
    [
        {"personalisation": {"name": "a\x00", "x\x00": "b", "list": ["\x00"]}},
        # Read into the address as str(value), which shows no NUL.
        {"personalisation": {"address_line_1": ["a\x00"]}},
        {"sanitise_content_for": ["\ud800", "\x00"]},  # never stored
    ],
)
def test_what_notify_keeps_is_kept(body: dict[str, object]) -> None:
    check_storable_send(body, address_keys=("address_line_1",))
    check_no_surrogates(body)


def test_numbers_json_cannot_write_are_stored_as_the_text_they_render_as() -> None:
    value = {"a": [math.nan, {"b": math.inf}], "c": -math.inf, "d": 1.5}
    assert json_text(value) == '{"a": ["nan", {"b": "inf"}], "c": "-inf", "d": 1.5}'
    assert json_text({"plain": "x"}) == '{"plain": "x"}'
