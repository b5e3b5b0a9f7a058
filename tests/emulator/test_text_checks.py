"""parse_json refuses NULs, unpaired surrogates and deep nesting however the body spells them,
including when it skips the walk over a body that cannot hold them."""

from __future__ import annotations

import pytest

from notify_emulator.web.text_checks import MAX_JSON_DEPTH, UnusableText, parse_json

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
