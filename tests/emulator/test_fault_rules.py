"""The rules of faults: parsing, matching and Notify's answers (pure functions)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import notify_emulator.faults.rules as fault_rules
from notify_emulator.faults.rules import (
    Action,
    FaultError,
    Match,
    RequestFacts,
    daily_limit_answer,
    is_notify_path,
    parse_fault,
    path_matches,
    rate_limit_answer,
    request_recipient,
    send_channel,
    server_error_answer,
)

SERVICE_ID = "d6aa2c68-a2d9-4437-ab19-3ae8eb202553"


def test_the_rules_import_nothing_but_the_standard_library_and_notify_rules() -> None:
    tree = ast.parse(Path(fault_rules.__file__).read_text(encoding="utf-8"))
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
    outside = {
        name
        for name in imported
        if name != "__future__"
        and not name.startswith("notify_emulator.rules")
        and name.split(".")[0] not in sys.stdlib_module_names
    }
    assert outside == set()


def test_a_minimal_fault_hits_once_everything() -> None:
    spec = parse_fault({"action": {"status": 503}})
    assert (spec.match, spec.action, spec.times, spec.rate) == (
        Match(),
        Action("status", 503),
        1,
        None,
    )
    assert spec.as_json() == {"match": {}, "action": {"status": 503}, "times": 1, "rate": None}


def test_every_field_is_read_and_normalised() -> None:
    spec = parse_fault(
        {
            "match": {
                "method": "post",
                "path": "/v2/notifications/*",
                "service_id": SERVICE_ID.upper(),
                "key_type": "live",
                "recipient": "07700 900123",
            },
            "action": {"drop": "after"},
            "times": 3,
        }
    )
    assert spec.match == Match(
        method="POST",
        path="/v2/notifications/*",
        service_id=SERVICE_ID,
        key_type="normal",
        recipient="447700900123",
    )
    assert (spec.action, spec.times) == (Action("drop", "after"), 3)


def test_an_email_recipient_is_matched_lower_cased() -> None:
    spec = parse_fault(
        {"match": {"recipient": " Someone@Example.COM "}, "action": {"drop": "before"}}
    )
    assert spec.match.recipient == "someone@example.com"


@pytest.mark.parametrize(("times", "expected"), [(None, None), ("forever", None), (7, 7)])
def test_times_may_last_until_deleted(times: object, expected: int | None) -> None:
    assert parse_fault({"action": {"status": 500}, "times": times}).times == expected


def test_a_fault_by_chance_lasts_until_deleted_unless_told() -> None:
    assert parse_fault({"action": {"status": 500}, "rate": 0.25}).times is None
    assert parse_fault({"action": {"status": 500}, "rate": 1, "times": 2}).times == 2


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ([], "a fault must be an object, not []"),
        ({"match": {}}, "action is required"),
        ({"action": {"status": 503}, "when": 1}, "unknown field 'when'"),
        ({"action": {}}, "action must have exactly one of status, error, delay_ms, drop, not 0"),
        ({"action": {"status": 503, "drop": "after"}}, "exactly one of"),
        ({"action": {"status": 404}}, "action.status must be one of 500, 502, 503, 504, not 404"),
        ({"action": {"status": True}}, "action.status must be one of"),
        ({"action": {"status": "503"}}, "action.status must be one of"),
        ({"action": {"error": "BadRequestError"}}, "action.error must be one of RateLimitError"),
        ({"action": {"delay_ms": -1}}, "action.delay_ms must be a whole number"),
        ({"action": {"delay_ms": 1.5}}, "action.delay_ms must be a whole number"),
        ({"action": {"delay_ms": 600_001}}, "from 0 to 600000"),
        ({"action": {"drop": "during"}}, "action.drop must be before or after"),
        ({"action": {"sleep": 1}}, "action: unknown field 'sleep'"),
        ({"action": "503"}, "action must be an object"),
        ({"action": {"status": 503}, "times": 0}, "times must be a whole number of at least 1"),
        ({"action": {"status": 503}, "times": True}, "times must be a whole number"),
        ({"action": {"status": 503}, "times": "always"}, "times must be a whole number"),
        ({"action": {"status": 503}, "times": 2**31}, "times must be at most 2147483647"),
        ({"action": {"status": 503}, "times": 2**63}, "times must be at most 2147483647"),
        ({"action": {"status": 503}, "rate": 1.5}, "rate must be a number from 0 to 1"),
        ({"action": {"status": 503}, "rate": "half"}, "rate must be a number from 0 to 1"),
        ({"action": {"status": 503}, "match": []}, "match must be an object"),
        ({"action": {"status": 503}, "match": {"host": "x"}}, "match: unknown field 'host'"),
        ({"action": {"status": 503}, "match": {"method": 1}}, "match.method must be a string"),
        ({"action": {"status": 503}, "match": {"method": "P O"}}, "match.method must be an HTTP"),
        ({"action": {"status": 503}, "match": {"path": "v2/x"}}, "match.path must start with /"),
        (
            {"action": {"status": 503}, "match": {"path": "/_emulator/*"}},
            "faults apply only to Notify's API",
        ),
        ({"action": {"status": 503}, "match": {"path": "/"}}, "can never match"),
        (
            {"action": {"status": 503}, "match": {"service_id": "abc"}},
            'match.service_id is not a valid UUID: "abc"',
        ),
        (
            {"action": {"status": 503}, "match": {"key_type": "admin"}},
            "match.key_type must be one of normal, team, test",
        ),
        (
            {"action": {"status": 503}, "match": {"recipient": "not anyone"}},
            "match.recipient must be a phone number or an email address",
        ),
        ({"action": {"status": 503}, "id": "x"}, "id is not a valid UUID"),
    ],
)
def test_bad_faults_are_refused_with_one_line(fault: object, message: str) -> None:
    with pytest.raises(FaultError) as raised:
        parse_fault(fault)
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_a_long_bad_value_is_shortened_in_the_message() -> None:
    with pytest.raises(FaultError) as raised:
        parse_fault({"action": {"drop": "x" * 500}})
    assert len(str(raised.value)) < 120


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("/v2/notifications/sms", "/v2/notifications/sms", True),
        ("/v2/notifications/sms", "/v2/notifications/email", False),
        ("/v2/notifications/*", "/v2/notifications/sms", True),
        ("/v2/notifications/*", "/v2/notifications/abc/pdf", True),
        ("/v2/notifications/*", "/v2/notifications", False),
        ("/v2/notifications/???", "/v2/notifications/sms", True),
        ("/v2/notifications/[se]*", "/v2/notifications/email", True),
        ("/v2/notifications/[se]*", "/v2/notifications/letter", False),
        ("/v2/*", "/v2/templates", True),
        ("/V2/*", "/v2/templates", False),
    ],
)
def test_paths_match_exactly_or_as_globs(pattern: str, path: str, expected: bool) -> None:
    assert path_matches(pattern, path) is expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/v2/notifications/sms", True),
        ("/v2", True),
        ("/_status", True),
        ("/_emulator/faults", False),
        ("/", False),
        ("/notifications/abc", False),
        ("/v2x", False),
    ],
)
def test_faults_apply_only_to_notifys_api(path: str, expected: bool) -> None:
    assert is_notify_path(path) is expected


def test_every_condition_given_must_hold() -> None:
    match = Match(method="POST", path="/v2/notifications/sms", key_type="team")
    request = RequestFacts("POST", "/v2/notifications/sms", SERVICE_ID, "team", None)
    assert match.matches(request)
    assert not match.matches(RequestFacts("GET", "/v2/notifications/sms", SERVICE_ID, "team"))
    assert not match.matches(RequestFacts("POST", "/v2/notifications/sms", SERVICE_ID, "normal"))
    # A request whose caller is not known does not meet a key filter.
    assert not match.matches(RequestFacts("POST", "/v2/notifications/sms"))
    assert Match().matches(RequestFacts("GET", "/_status"))


def test_the_recipient_of_a_send_is_normalised_as_notify_does() -> None:
    assert request_recipient(b'{"phone_number": "+44 7700 900123"}') == "447700900123"
    assert request_recipient(b'{"email_address": "A@B.COM"}') == "a@b.com"
    assert request_recipient(b'{"phone_number": "12"}') is None
    assert request_recipient(b'{"template_id": "x"}') is None
    assert request_recipient(b"not json") is None
    assert request_recipient(b"[1]") is None


def test_answers_are_notifys_own() -> None:
    assert server_error_answer(500) == (
        500,
        {
            "status_code": 500,
            "errors": [{"error": "Exception", "message": "Internal server error"}],
        },
    )
    assert server_error_answer(504) == (
        504,
        {
            "status_code": 504,
            "errors": [{"error": "EventletTimeout", "message": "Timeout serving request"}],
        },
    )
    assert rate_limit_answer("normal", 3000)[1]["errors"] == [
        {
            "error": "RateLimitError",
            "message": "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds",
        }
    ]
    assert daily_limit_answer("email", 50) == (
        429,
        {
            "status_code": 429,
            "errors": [
                {
                    "error": "TooManyRequestsError",
                    "message": "Exceeded send limits (email: 50) for today",
                }
            ],
        },
    )


@pytest.mark.parametrize(
    ("path", "channel"),
    [
        ("/v2/notifications/sms", "sms"),
        ("/v2/notifications/email", "email"),
        ("/v2/notifications/letter", "letter"),
        ("/v2/notifications", "sms"),
    ],
)
def test_the_daily_limit_of_a_path(path: str, channel: str) -> None:
    assert send_channel(path) == channel
