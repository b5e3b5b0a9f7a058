"""The seed documentation's Python snippets, run against a live emulator with our client.

The seed (``shared/seed/python-client-docs.md``, read at test time; skipped if absent) is the
official client's documentation. Each of its ``python`` code blocks is one of:

* ``setup``: the block that builds the client; run, then checked for what it built;
* ``call``: ``response = notifications_client.<method>(...)``: its placeholders are filled from
  the demo service (:func:`fill_placeholders`), it runs against the emulator, and its answer is
  checked, both by a check of our own and against the response examples that document it;
* ``response``: a dict literal (or a generator's repr) showing what a call returns: the keys it
  shows must all be in the real answer, with the documented types, enumerated values and
  "# required" comments (:func:`compare_with_example`);
* ``argument``: ``personalisation={...}``: run, then sent for real in the section's call.

A few blocks have typos that stop them parsing or running. They are corrected by the explicit
table :data:`FIX_UPS`; each entry must still match something in the seed, so that the table
shrinks when the seed is corrected.
"""

from __future__ import annotations

import ast
import inspect
import io
import re
import textwrap
import tokenize
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pytest

from notifications_python_client.notifications import NotificationsAPIClient
from notify_emulator import demo_service
from notify_emulator.pytest_plugin import NotifyEmulator

REPO_ROOT = Path(__file__).resolve().parents[2]
# In CI the shared folder sits next to the repository.
SEED_DOCS = REPO_ROOT.parent / "shared" / "seed" / "python-client-docs.md"

CLIENT_NAME = "notifications_client"


@dataclass(frozen=True)
class FixUp:
    """A typo in the seed: ``wrong`` is replaced by ``right`` in every snippet containing it."""

    wrong: str
    right: str
    why: str


FIX_UPS: tuple[FixUp, ...] = (
    FixUp(
        "template_id='TEMPLATE ID'\n    personalisation=None,",
        "template_id='TEMPLATE ID',\n    personalisation=None,",
        "send_email_notification: missing comma after template_id",
    ),
    FixUp(
        "response = get_all_notifications_iterator(",
        f"response = {CLIENT_NAME}.get_all_notifications_iterator(",
        "the iterator is called without the client",
    ),
    FixUp(
        "response = get_received_texts_iterator(",
        f"response = {CLIENT_NAME}.get_received_texts_iterator(",
        "the iterator is called without the client",
    ),
    FixUp(
        "response = client.get_received_texts(",
        f"response = {CLIENT_NAME}.get_received_texts(",
        "the client is called `client` here and `notifications_client` everywhere else",
    ),
    FixUp("`version`", "version", "get_template_version: backquotes are not Python"),
    FixUp(
        "'postcode': 'POSTCODE for example SW14 6BH',\n      ...\n",
        "'postcode': 'POSTCODE for example SW14 6BH',\n      **template_personalisation,\n",
        "send_letter_notification: `...` stands for the template's own placeholders",
    ),
    FixUp(
        '  }\n  "scheduled_for": None',
        '  },\n  "scheduled_for": None',
        "letter response: missing comma after the template",
    ),
    FixUp(
        '"version": 1 # template version num',
        '"version": 1, # template version num',
        "notification response: missing comma after the template version",
    ),
    FixUp(
        '"id": 1 # template id',
        '"id": 1, # template id',
        "notification response: missing comma after the template id",
    ),
    FixUp(
        '"Subject of an email notification or None if an sms message"\n',
        '"Subject of an email notification or None if an sms message",\n',
        "notification response: missing comma after the subject",
    ),
    FixUp(
        '"completed_at:" "date the notification',
        '"completed_at": "date the notification',
        "notification response: the colon is inside the key's quotes",
    ),
    FixUp(
        '"status": sending | delivered | permanent-failure | temporary-failure | '
        "technical-failure # required",
        '"status": "sending | delivered | permanent-failure | temporary-failure | '
        'technical-failure", # required',
        "notifications list response: the statuses are unquoted and the comma is missing",
    ),
    FixUp("    …\n", "", "a list response: `…` stands for more items"),
    FixUp(
        "{\n            ... another template\n        }",
        "...",
        "templates response: `{ ... another template }` stands for more templates",
    ),
)


@dataclass(frozen=True)
class Snippet:
    """One ``python`` code block of the seed, after fix-ups."""

    line: int  # of the opening fence, 1-based
    section: str  # the enclosing level-2 heading
    subsection: str | None  # the enclosing level-4 heading, if any
    original: str
    source: str
    kind: str  # setup | call | response | argument
    method: str | None  # for calls: the client method called

    @property
    def id(self) -> str:
        return f"line{self.line}-{self.kind}" + (f"-{self.method}" if self.method else "")


def apply_fix_ups(source: str) -> tuple[str, list[FixUp]]:
    """``source`` with every matching fix-up applied, and the fix-ups that matched."""
    applied = []
    for fix_up in FIX_UPS:
        if fix_up.wrong in source:
            source = source.replace(fix_up.wrong, fix_up.right)
            applied.append(fix_up)
    return source, applied


def called_method(tree: ast.AST) -> str | None:
    """The client method a snippet calls (``notifications_client.<method>(...)``), if any."""
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == CLIENT_NAME
        ):
            return node.func.attr
    return None


def classify(source: str) -> tuple[str, str | None]:
    """The kind of a (fixed) snippet and, for calls, the method it calls.

    Raises ``SyntaxError`` for a block that is not Python: a typo the fix-ups do not cover.
    """
    if source.lstrip().startswith("<generator object "):
        return "response", None
    tree = ast.parse(source)
    if "NotificationsAPIClient(" in source:
        return "setup", None
    (statement,) = tree.body
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Dict):
        return "response", None
    if isinstance(statement, ast.Assign) and isinstance(statement.targets[0], ast.Name):
        target = statement.targets[0].id
        method = called_method(statement)
        if target == "response" and method is not None:
            return "call", method
        if target == "personalisation" and isinstance(statement.value, ast.Dict):
            return "argument", None
    raise SyntaxError(f"a snippet of no known kind: {source!r}")


def extract_snippets(markdown: str) -> list[Snippet]:
    """Every ``python`` code block of the markdown, in order, fixed and classified."""
    snippets: list[Snippet] = []
    section, subsection = "", None
    lines = markdown.splitlines(keepends=True)
    index = 0
    while index < len(lines):
        stripped = lines[index].strip()
        heading = re.match(r"(#{1,6}) (.*)", lines[index])
        if heading:
            level, title = len(heading.group(1)), heading.group(2).strip()
            if level <= 3:
                subsection = None
            if level <= 2:
                section = title
            if level == 4:
                subsection = title
        if stripped.startswith("```"):
            language = stripped[3:].strip().lower()
            start = index + 1
            index += 1
            while index < len(lines) and lines[index].strip() != "```":
                index += 1
            if language == "python":
                original = textwrap.dedent("".join(lines[start:index]))
                source, _ = apply_fix_ups(original)
                try:
                    kind, method = classify(source)
                except SyntaxError:
                    kind, method = "unparsable", None
                snippets.append(Snippet(start, section, subsection, original, source, kind, method))
        index += 1
    return snippets


def read_seed_snippets() -> list[Snippet]:
    """The seed's snippets, or none if the seed is not there."""
    if not SEED_DOCS.is_file():
        return []
    return extract_snippets(SEED_DOCS.read_text(encoding="utf-8"))


def paired_call(response: Snippet, snippets: list[Snippet]) -> Snippet | None:
    """The call a response example documents: in the same section, the last call under the
    same level-4 heading, or else the section's last call."""
    calls = [
        snippet
        for snippet in snippets
        if snippet.kind == "call" and snippet.section == response.section
        if snippet.line < response.line
    ]
    same_heading = [call for call in calls if call.subsection == response.subsection]
    candidates = same_heading or calls
    return candidates[-1] if candidates else None


def comments_by_line(source: str) -> dict[int, str]:
    """The comment on each line of a snippet (the responses say "# required" in comments)."""
    comments: dict[int, str] = {}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            comments[token.start[0]] = token.string
    return comments


# --- comparing a real answer with a response example ---------------------------------------

# Where the seed's example value has the wrong type for what Notify returns: the path's ending,
# the real type, and why.
TYPE_EXCEPTIONS: dict[str, tuple[type, str]] = {
    "template.id": (str, "the example writes the template id as 1; it is a UUID string"),
}
# Keys the seed marks "# required" that Notify does return as null.
NULLABLE_DESPITE_DOCS: dict[str, str] = {
    "updated_at": "null until a template is first edited (notify-api.md §5.8)",
}
# "# required for emails" and the like name the notification type they apply to.
REQUIRED_FOR = {"emails": "email", "email": "email", "sms": "sms", "letter": "letter"}


def must_not_be_null(key: str, comment: str, owner: dict[str, Any]) -> bool:
    """Whether the example's comment says this key always has a value in ``owner``."""
    if key in NULLABLE_DESPITE_DOCS:
        return False
    scoped = re.search(r"required for (\w+)", comment)
    if scoped:
        return owner.get("type") == REQUIRED_FOR.get(scoped.group(1))
    return "required" in comment


def enumerated(node: ast.expr, source: str) -> list[str] | None:
    """The values of an example written as alternatives (``"sms" | "email"``, ``"sms|email"``)."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        text = ast.get_source_segment(source, node) or ""
    elif isinstance(node, ast.Constant) and isinstance(node.value, str) and "|" in node.value:
        text = node.value
    else:
        return None
    return [option.strip().strip("\"'") for option in text.split("|")]


def compare_with_example(example: Snippet, real: Any) -> list[str]:
    """How ``real`` differs from the response example (an empty list if it does not)."""
    if example.source.lstrip().startswith("<generator object "):
        return [] if inspect.isgenerator(real) else [f"not a generator: {type(real).__name__}"]
    tree = ast.parse(example.source, mode="eval")
    problems: list[str] = []
    _compare(
        tree.body, real, "response", example.source, comments_by_line(example.source), problems
    )
    return problems


def _compare(
    node: ast.expr,
    real: Any,
    path: str,
    source: str,
    comments: dict[int, str],
    problems: list[str],
) -> None:
    if isinstance(node, ast.Constant) and node.value is Ellipsis:
        return  # "and more like these"
    if isinstance(node, ast.Dict):
        if not isinstance(real, dict):
            problems.append(f"{path}: documented as a dict, got {type(real).__name__}")
            return
        for key_node, value_node in zip(node.keys, node.values, strict=True):
            key = key_node.value if isinstance(key_node, ast.Constant) else None
            assert isinstance(key, str), f"{path}: a key that is not a string"
            if key not in real:
                problems.append(f"{path}: the documented key {key!r} is missing")
                continue
            if real[key] is None:
                comment = comments.get(value_node.end_lineno or 0, "")
                if must_not_be_null(key, comment, real):
                    problems.append(f"{path}.{key}: documented {comment!r} but is null")
                continue
            _compare(value_node, real[key], f"{path}.{key}", source, comments, problems)
        return
    if isinstance(node, ast.List):
        if not isinstance(real, list):
            problems.append(f"{path}: documented as a list, got {type(real).__name__}")
            return
        items = [item for item in node.elts if not _is_ellipsis(item)]
        if items and not real:
            problems.append(f"{path}: the real list is empty, so its items cannot be compared")
        for item in items:
            for index, real_item in enumerate(real):
                _compare(item, real_item, f"{path}[{index}]", source, comments, problems)
        return
    options = enumerated(node, source)
    if options is not None:
        if real not in options:
            problems.append(f"{path}: {real!r} is not one of the documented {options}")
        return
    if isinstance(node, ast.Constant):
        expected = _expected_type(node, path, comments)
        if not isinstance(real, expected) or isinstance(real, bool):
            problems.append(f"{path}: documented as {expected.__name__}, got {real!r}")
        return
    problems.append(f"{path}: an example value the test cannot read: {ast.dump(node)}")


def _is_ellipsis(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is Ellipsis


def _expected_type(node: ast.Constant, path: str, comments: dict[int, str]) -> type:
    for ending, (kind, _why) in TYPE_EXCEPTIONS.items():
        if path.endswith(ending):
            return kind
    # e.g. "version": "version", # integer required
    if "integer" in comments.get(node.end_lineno or 0, ""):
        return int
    return type(node.value)


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
