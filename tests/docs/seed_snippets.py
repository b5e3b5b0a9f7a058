"""The seed documentation's ``python`` code blocks: extraction, typo fix-ups, classification,
and comparison of real answers with the documented response examples.

Each block is one of:

* ``setup``: the block that builds the client;
* ``call``: ``response = notifications_client.<method>(...)``, runnable once its placeholders
  are filled;
* ``response``: a dict literal (or a generator's repr) showing what a call returns;
* ``argument``: ``personalisation={...}``, an example argument.

A few blocks have typos that stop them parsing or running. They are corrected by the explicit
table :data:`FIX_UPS`.
"""

from __future__ import annotations

import ast
import inspect
import io
import re
import textwrap
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
