"""The seed documentation's Python snippets, run against a live emulator with our client.

The seed (``shared/seed/python-client-docs.md``) is read at test time; without it every test
here is skipped. Its ``python`` blocks (see :mod:`.seed_snippets`) are checked by kind:

* ``setup`` is run, and what it built is checked;
* each ``call`` has its placeholders filled from the demo service (:func:`fill_placeholders`),
  runs against the emulator, and its answer is checked by a check of our own and against the
  response examples that document it: every key an example shows must be in the real answer,
  with the documented type, enumerated value and "# required" comment;
* each ``argument`` example is run, then sent in a real call of its section.

Typos in the seed are corrected by the explicit table ``seed_snippets.FIX_UPS``; a test fails
when one of its entries no longer matches the seed, so that the table shrinks when the seed is
corrected.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import pytest

from notifications_python_client.notifications import NotificationsAPIClient
from notify_emulator.demo import service as demo_service
from notify_emulator.pytest_plugin import NotifyEmulator

from .seed_snippets import (
    CLIENT_NAME,
    FIX_UPS,
    SEED_DOCS,
    Snippet,
    compare_with_example,
    paired_call,
    read_seed_snippets,
)

# --- filling placeholders ---------------------------------------------------------------------

RECIPIENT_PHONE = "07700 900 456"
RECIPIENT_EMAIL = "amala.bird@example.com"
NAME = {"name": "Amala"}
LETTER_ADDRESS = {
    "address_line_1": "The Occupier",
    "address_line_2": "123 High Street",
    "postcode": "SW14 6BH",
}
# Placeholder strings kept as they are: a reference is free text.
KEPT_VERBATIM = frozenset({"REFERENCE"})


@dataclass
class World:
    """What the snippets need: a reset emulator with two text messages (forced to `sending`,
    which the iterator snippets filter on) and two received texts."""

    emulator: NotifyEmulator
    older_sms_id: str
    newer_sms_id: str
    older_text_id: str
    newer_text_id: str

    def placeholders(self, method: str) -> dict[str, Any]:
        """The quoted placeholders of a method's snippet and their values."""
        table: dict[str, dict[str, Any]] = {
            "send_sms_notification": {
                "PHONE NUMBER": RECIPIENT_PHONE,
                "TEMPLATE ID": demo_service.SMS_TEMPLATE_ID,
                "PERSONALISATION ARGUMENTS": NAME,
                "SMS SENDER ID": demo_service.SMS_SENDER_ID,
            },
            "send_email_notification": {
                "TEST EMAIL ADDRESS": RECIPIENT_EMAIL,
                "TEMPLATE ID": demo_service.EMAIL_TEMPLATE_ID,
            },
            "send_letter_notification": {
                "TEMPLATE_ID": demo_service.LETTER_TEMPLATE_ID,
                "ADDRESS LINE 1 for example The Occupuier": LETTER_ADDRESS["address_line_1"],
                "ADDRESS LINE 2 for example 123 High Street": LETTER_ADDRESS["address_line_2"],
                "POSTCODE for example SW14 6BH": LETTER_ADDRESS["postcode"],
            },
            "get_all_notifications_iterator": {"NOTIFICATION ID": self.newer_sms_id},
            "get_template": {"template_id": demo_service.SMS_TEMPLATE_ID},
            "get_template_version": {"template_id": demo_service.SMS_TEMPLATE_ID},
            "post_template_preview": {"template_id": demo_service.SMS_TEMPLATE_ID},
        }
        return table.get(method, {})

    def names(self, method: str) -> dict[str, Any]:
        """The variables a method's snippet uses."""
        table: dict[str, dict[str, Any]] = {
            "send_letter_notification": {"template_personalisation": NAME},
            "get_notification_by_id": {"notification_id": self.older_sms_id},
            # The seed passes these positionally with template_type first; the client, like the
            # official one, takes status first. None keeps the snippet's meaning ("omit any of
            # these to ignore that filter") whatever the order.
            "get_all_notifications": {
                "template_type": None,
                "status": None,
                "reference": None,
                "older_than": None,
            },
            "get_template_version": {"version": 1},
            "get_received_texts": {"older_than": self.newer_text_id},
        }
        return {
            CLIENT_NAME: self.emulator.client,
            "api_key": self.emulator.api_key,
            **table.get(method, {}),
        }


# Optional arguments that the seed says to "complete ... if required": the demo email template
# has a ((name)) placeholder, so the email snippet's `personalisation=None` needs a value.
ARGUMENTS_TO_COMPLETE: dict[str, dict[str, Any]] = {
    "send_email_notification": {"personalisation": NAME},
}


class _FillPlaceholders(ast.NodeTransformer):
    def __init__(self, values: dict[str, Any], arguments: dict[str, Any]) -> None:
        self.values = values
        self.arguments = arguments
        self.used: set[str] = set()
        self.unfilled: list[str] = []

    def visit_Constant(self, node: ast.Constant) -> ast.expr:
        if isinstance(node.value, str) and node.value in self.values:
            self.used.add(node.value)
            return ast.copy_location(_literal(self.values[node.value]), node)
        if (
            isinstance(node.value, str)
            and re.fullmatch(r"[A-Z][A-Z_ ]+", node.value)
            and node.value not in KEPT_VERBATIM
        ):
            self.unfilled.append(node.value)
        return node

    def visit_keyword(self, node: ast.keyword) -> ast.keyword:
        if node.arg in self.arguments and _is_none(node.value):
            self.used.add(node.arg)
            node.value = ast.copy_location(_literal(self.arguments[node.arg]), node.value)
            return node
        self.generic_visit(node)
        return node


def _literal(value: Any) -> ast.expr:
    return ast.parse(repr(value), mode="eval").body


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def fill_placeholders(snippet: Snippet, world: World) -> tuple[str, set[str]]:
    """The snippet's code with its placeholders filled, and the placeholders it had."""
    method = snippet.method or ""
    filler = _FillPlaceholders(world.placeholders(method), ARGUMENTS_TO_COMPLETE.get(method, {}))
    tree = filler.visit(ast.parse(snippet.source))
    assert not filler.unfilled, f"placeholders with no value: {filler.unfilled}"
    return ast.unparse(ast.fix_missing_locations(tree)), filler.used


# --- the tests ----------------------------------------------------------------------------------

SNIPPETS = read_seed_snippets()
pytestmark = pytest.mark.skipif(
    not SNIPPETS, reason=f"the seed documentation is not at {SEED_DOCS}"
)


def of_kind(kind: str) -> list[Any]:
    return [pytest.param(snippet, id=snippet.id) for snippet in SNIPPETS if snippet.kind == kind]


@pytest.fixture
def world(notify_emulator: NotifyEmulator) -> World:
    client = notify_emulator.client
    sms_ids = []
    for number in range(2):
        sent = client.send_sms_notification(
            RECIPIENT_PHONE,
            demo_service.SMS_TEMPLATE_ID,
            personalisation=NAME,
            reference=f"seed-docs-{number}",
        )
        notify_emulator.set_status(sent["id"], "sending")
        sms_ids.append(sent["id"])
    notify_emulator.receive_text("First text")
    notify_emulator.receive_text("Second text")
    newer_text, older_text = client.get_received_texts()["received_text_messages"]
    return World(notify_emulator, sms_ids[0], sms_ids[1], older_text["id"], newer_text["id"])


def test_the_seed_has_the_snippets_this_test_knows() -> None:
    kinds = Counter(snippet.kind for snippet in SNIPPETS)
    assert kinds == {"setup": 1, "call": 13, "response": 13, "argument": 5}, [
        (snippet.line, snippet.original) for snippet in SNIPPETS if snippet.kind == "unparsable"
    ]


def test_every_fix_up_still_corrects_the_seed() -> None:
    stale = [
        fix_up.why for fix_up in FIX_UPS if not any(fix_up.wrong in s.original for s in SNIPPETS)
    ]
    assert not stale, "the seed no longer has these typos; drop their fix-ups"


def test_every_placeholder_value_fills_some_snippet() -> None:
    ids = {name: f"{name}-id" for name in ("older_sms", "newer_sms", "older_text", "newer_text")}
    world = World(
        cast(NotifyEmulator, None),
        ids["older_sms"],
        ids["newer_sms"],
        ids["older_text"],
        ids["newer_text"],
    )
    calls = [snippet for snippet in SNIPPETS if snippet.kind == "call"]
    expected = {
        (snippet.method, name)
        for snippet in calls
        for name in [
            *world.placeholders(snippet.method or ""),
            *ARGUMENTS_TO_COMPLETE.get(snippet.method or "", {}),
        ]
    }
    filled = {
        (snippet.method, name) for snippet in calls for name in fill_placeholders(snippet, world)[1]
    }
    assert filled == expected


@pytest.mark.parametrize("snippet", of_kind("response"))
def test_every_response_example_documents_a_call(snippet: Snippet) -> None:
    call = paired_call(snippet, SNIPPETS)
    assert call is not None, f"no call before the response example at line {snippet.line}"


@pytest.mark.parametrize("snippet", of_kind("setup"))
def test_setup_snippet_builds_a_client_for_the_key(snippet: Snippet) -> None:
    namespace: dict[str, Any] = {"api_key": demo_service.LIVE_API_KEY}
    exec(compile(snippet.source, f"<seed line {snippet.line}>", "exec"), namespace)
    client = namespace[CLIENT_NAME]
    assert isinstance(client, NotificationsAPIClient)
    assert client.service_id == demo_service.SERVICE_ID
    assert client.base_url == "https://api.notifications.service.gov.uk"
    client.close()


def _check_sms_sent(response: Any, world: World) -> None:
    assert response["content"]["body"] == "Hello Amala, this is a demo text."
    assert response["reference"] == "REFERENCE"
    assert world.emulator.sent()[-1]["id"] == response["id"]


def _check_email_sent(response: Any, world: World) -> None:
    assert response["content"]["subject"] == "Hello Amala"
    assert world.emulator.sent()[-1]["email_address"] == RECIPIENT_EMAIL


def _check_letter_sent(response: Any, world: World) -> None:
    assert response["content"]["subject"] == "A letter for Amala"
    letter = world.emulator.sent()[-1]
    assert (letter["line_1"], letter["postcode"]) == ("The Occupier", "SW14 6BH")


def _check_iterator_after_older_than(response: Any, world: World) -> None:
    assert [item["id"] for item in response] == [world.older_sms_id]


def _check_iterator(response: Any, world: World) -> None:
    items = list(response)
    assert [item["id"] for item in items] == [world.newer_sms_id, world.older_sms_id]
    assert {item["status"] for item in items} == {"sending"}


# What each call must have done, on top of matching its response examples.
CALL_CHECKS: dict[str, Callable[[Any, World], None]] = {
    "send_sms_notification": _check_sms_sent,
    "send_email_notification": _check_email_sent,
    "send_letter_notification": _check_letter_sent,
    "get_notification_by_id": lambda response, world: _equal(response["id"], world.older_sms_id),
    "get_all_notifications": lambda response, world: _equal(
        [item["id"] for item in response["notifications"]],
        [world.newer_sms_id, world.older_sms_id],
    ),
    "get_template": lambda response, world: _equal(
        (response["id"], response["type"]), (demo_service.SMS_TEMPLATE_ID, "sms")
    ),
    "get_template_version": lambda response, world: _equal(response["version"], 1),
    "get_all_templates": lambda response, world: _equal(
        {item["id"] for item in response["templates"]},
        {
            demo_service.SMS_TEMPLATE_ID,
            demo_service.EMAIL_TEMPLATE_ID,
            demo_service.LETTER_TEMPLATE_ID,
        },
    ),
    "post_template_preview": lambda response, world: _equal(
        response["body"], "Hello chris, this is a demo text."
    ),
    "get_received_texts_iterator": lambda response, world: _equal(
        [text["content"] for text in response], ["Second text", "First text"]
    ),
    "get_received_texts": lambda response, world: _equal(
        [text["id"] for text in response["received_text_messages"]], [world.older_text_id]
    ),
}


def _equal(actual: object, expected: object) -> None:
    assert actual == expected


@pytest.mark.parametrize("snippet", of_kind("call"))
def test_call_snippet_runs_and_answers_as_documented(snippet: Snippet, world: World) -> None:
    assert snippet.method is not None
    code, _ = fill_placeholders(snippet, world)
    namespace = world.names(snippet.method)
    exec(compile(code, f"<seed line {snippet.line}>", "exec"), namespace)
    response = namespace["response"]
    examples = [
        example
        for example in SNIPPETS
        if example.kind == "response" and paired_call(example, SNIPPETS) == snippet
    ]
    for example in examples:
        assert compare_with_example(example, response) == [], f"example at line {example.line}"
    check: Callable[[Any, World], None]
    if snippet.method == "get_all_notifications_iterator":
        check = (
            _check_iterator_after_older_than if "older_than" in snippet.source else _check_iterator
        )
    else:
        check = CALL_CHECKS[snippet.method]
    check(response, world)


def _use_sms_personalisation(personalisation: dict[str, str], world: World) -> None:
    client = world.emulator.client
    sent = client.send_sms_notification(
        RECIPIENT_PHONE, demo_service.SMS_TEMPLATE_ID, personalisation={**personalisation, **NAME}
    )
    assert sent["content"]["body"] == "Hello Amala, this is a demo text."


def _use_email_personalisation(personalisation: dict[str, str], world: World) -> None:
    client = world.emulator.client
    sent = client.send_email_notification(
        RECIPIENT_EMAIL, demo_service.EMAIL_TEMPLATE_ID, personalisation={**personalisation, **NAME}
    )
    assert sent["content"]["subject"] == "Hello Amala"


def _use_letter_personalisation(personalisation: dict[str, str], world: World) -> None:
    # The optional address lines come with the required ones.
    everything = {**LETTER_ADDRESS, **NAME, **personalisation}
    sent = world.emulator.client.send_letter_notification(
        demo_service.LETTER_TEMPLATE_ID, personalisation=everything
    )
    letter = world.emulator.client.get_notification_by_id(sent["id"])
    for number in range(1, 7):
        if f"address_line_{number}" in personalisation:
            assert letter[f"line_{number}"] == personalisation[f"address_line_{number}"]  # type: ignore[literal-required]


def _use_preview_personalisation(personalisation: dict[str, str], world: World) -> None:
    preview = world.emulator.client.post_template_preview(
        demo_service.SMS_TEMPLATE_ID, personalisation={**personalisation, **NAME}
    )
    assert preview["body"] == "Hello Amala, this is a demo text."


# Where each argument example is used, by the section it sits in.
ARGUMENT_USES: dict[str, Callable[[dict[str, str], World], None]] = {
    "Send a text message": _use_sms_personalisation,
    "Send an email": _use_email_personalisation,
    "Send a letter": _use_letter_personalisation,
    "Generate a preview template": _use_preview_personalisation,
}


@pytest.mark.parametrize("snippet", of_kind("argument"))
def test_argument_example_is_accepted_by_a_real_call(snippet: Snippet, world: World) -> None:
    namespace: dict[str, Any] = {}
    exec(compile(snippet.source, f"<seed line {snippet.line}>", "exec"), namespace)
    personalisation = namespace["personalisation"]
    assert isinstance(personalisation, dict)
    assert all(
        isinstance(key, str) and isinstance(value, str) for key, value in personalisation.items()
    )
    ARGUMENT_USES[snippet.section](personalisation, world)
