"""The compiled check that valid requests pass quickly never lets through what the full
validator (Notify's messages) refuses, and lets through the valid requests a client sends."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from notify_emulator.clock import SystemClock
from notify_emulator.web import schemas
from notify_emulator.web.schemas import _passes_quickly, schema_messages

TEMPLATE_ID = "0b5e7c4a-3f1d-4e2b-9a6c-5d8e7f901b01"
CLOCK = SystemClock()

# Values of the kinds requests hold, valid and not, for every field of the send schemas.
_strings = st.sampled_from(
    [
        "",
        "07700900123",
        "+447700900123",
        "0770090012",
        "07700 900 123",
        "+1 202 555 0123",
        "not a number",
        TEMPLATE_ID,
        TEMPLATE_ID.upper(),
        "{" + TEMPLATE_ID + "}",
        "urn:uuid:" + TEMPLATE_ID,
        "0b5e7c4a3f1d4e2b9a6c5d8e7f901b01",
        "someone@example.com",
        "someone@localhost",
        "someone@@example.com",
        "https://example.com/unsubscribe",
        "http://example.com/unsubscribe",
        "https://exa mple.com",
        "2030-01-01T10:00:00",
        "first",
        "x" * 1001,
        "é\u200b",
    ]
)
_values: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    _strings,
    st.text(max_size=20),
    st.lists(st.one_of(st.none(), st.integers(), _strings), max_size=3),
    st.dictionaries(st.sampled_from(["name", "file", "a"]), _strings, max_size=2),
)

SCHEMAS = {
    "sms": (
        schemas.POST_SMS_REQUEST,
        {"phone_number": "07700900123", "template_id": TEMPLATE_ID},
    ),
    "email": (
        schemas.POST_EMAIL_REQUEST,
        {"email_address": "someone@example.com", "template_id": TEMPLATE_ID},
    ),
}


def _requests(schema: dict[str, Any]) -> st.SearchStrategy[object]:
    names = [*schema["properties"], "unknown", "PHONE_NUMBER"]
    bodies = st.dictionaries(st.sampled_from(names), _values, max_size=len(names))
    return st.one_of(bodies, _values)


@settings(max_examples=400, deadline=None)
@given(data=st.data(), channel=st.sampled_from(sorted(SCHEMAS)))
def test_what_passes_quickly_is_valid(data: st.DataObject, channel: str) -> None:
    schema, _valid = SCHEMAS[channel]
    request = data.draw(_requests(schema))
    if _passes_quickly(request, schema):
        assert schema_messages(request, schema, CLOCK) == []


@settings(max_examples=200, deadline=None)
@given(
    data=st.data(),
    channel=st.sampled_from(sorted(SCHEMAS)),
    extra=st.fixed_dictionaries(
        {},
        optional={
            "reference": st.text(max_size=50),
            "personalisation": st.dictionaries(st.text(max_size=5), st.text(max_size=5)),
        },
    ),
)
def test_a_valid_send_passes_quickly(
    data: st.DataObject, channel: str, extra: dict[str, Any]
) -> None:
    schema, valid = SCHEMAS[channel]
    request = {**valid, **extra}
    assert schema_messages(request, schema, CLOCK) == []
    assert _passes_quickly(request, schema)


def test_a_request_the_quick_check_refuses_still_gets_notifys_messages() -> None:
    schema, valid = SCHEMAS["sms"]
    request = {**valid, "phone_number": "not a number", "colour": "red"}
    assert not _passes_quickly(request, schema)
    assert schema_messages(request, schema, CLOCK) == [
        "phone_number Must not contain letters or symbols",
        "Additional properties are not allowed (colour was unexpected)",
    ]


def test_formats_that_need_the_clock_are_left_to_the_full_validator() -> None:
    schema, valid = SCHEMAS["sms"]
    request = {**valid, "scheduled_for": "2000-01-01T10:00:00"}
    assert not _passes_quickly(request, schema)
    assert schema_messages(request, schema, CLOCK) == [
        "scheduled_for datetime can not be in the past"
    ]
