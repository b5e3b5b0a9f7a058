"""Placeholders and personalisation: rules.md §1 vectors."""

from __future__ import annotations

from typing import Any

import pytest

from notify_emulator.rules.errors import MissingPersonalisation
from notify_emulator.rules.placeholders import (
    escape_html,
    fill,
    is_truthy,
    missing_personalisation,
    normalise_key,
    placeholder_names,
    require_personalisation,
    sanitise_content_for,
    unescape_strict,
    unused_personalisation_keys,
    value_to_text,
)

# §1.1 Syntax


@pytest.mark.parametrize(
    ("template", "values", "expected"),
    [
        ("(())", {}, "(())"),
        ("the ((quick brown fox", {"quick brown fox": "x"}, "the ((quick brown fox"),
        ("(((colour)))", {"colour": "brown"}, "(brown)"),
        (
            "((show??Text with ((name)) inside))",
            {"show": "yes", "name": "Jo"},
            "((show??Text with Jo inside))",
        ),
        ("(( Name))", {" Name": "Jo"}, "Jo"),
        ("((warning?))", {"warning?": "careful"}, "careful"),
        ("Hello ((x))", {"x": "((y))", "y": "nope"}, "Hello ((y))"),
        ("((a b\nc))", {"a b\nc": "ok"}, "ok"),
    ],
)
def test_syntax(template: str, values: dict[str, Any], expected: str) -> None:
    assert fill(template, values) == expected


def test_entities_for_brackets_render_literally_in_escape_mode() -> None:
    template = "((var??&lpar;in brackets&rpar;))"
    assert fill(template, {"var": True}, escape=True) == "((var??(in brackets)))"
    # ... but var is still a placeholder, because names come from the raw text
    assert placeholder_names(template) == ["var"]


def test_entities_for_brackets_pass_through_in_passthrough_mode() -> None:
    template = "((var??&lpar;in brackets&rpar;))"
    assert fill(template, {"var": True}) == "&lpar;in brackets&rpar;"


# §1.2 Matching names


@pytest.mark.parametrize(
    "key", ["First Name", "first_name", "FIRST-NAME", "firstname", "F_irst name"]
)
def test_keys_match_ignoring_spaces_underscores_hyphens_and_case(key: str) -> None:
    assert fill("Hi ((first name))", {key: "Jo"}) == "Hi Jo"


@pytest.mark.parametrize("key", [" Name", "name"])
def test_key_with_leading_space(key: str) -> None:
    assert fill("(( Name))", {key: "Jo"}) == "Jo"


@pytest.mark.parametrize(("key", "matches"), [("first.name", False), ("first\tname", False)])
def test_dots_and_tabs_are_not_ignored(key: str, matches: bool) -> None:
    assert missing_personalisation(["firstname"], {key: "x"}) == ([] if matches else ["firstname"])


def test_extra_keys_ignored() -> None:
    values = {"NAME": "Chris", "Town": "London"}
    assert fill("hello ((name))", values) == "hello Chris"
    names = placeholder_names("hello ((name))")
    assert missing_personalisation(names, values) == []
    assert unused_personalisation_keys(names, values) == ["Town"]


def test_later_duplicate_key_wins() -> None:
    assert fill("((first name))", {"first_name": "A", "First Name": "B"}) == "B"


def test_normalise_key() -> None:
    assert normalise_key("F_irst-Na me") == "firstname"
    assert normalise_key("a.b\tc") == "a.b\tc"


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (("((animal))", "the quick ((colour))"), ["animal", "colour"]),
        (("((name)) ((Name)) ((date_of_birth)) ((DateOfBirth))",), ["name", "date_of_birth"]),
        (("Dear ((name)), ((warning?? This is a warning))",), ["name", "warning"]),
        (("((warning? one question mark))",), ["warning? one question mark"]),
        ((None, "", "no placeholders"), []),
        (("((b)) ((a))", "((A)) ((c))"), ["b", "a", "c"]),
    ],
)
def test_placeholder_names(texts: tuple[str | None, ...], expected: list[str]) -> None:
    assert placeholder_names(*texts) == expected


# §1.3 Converting a value


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, "True"),
        (False, "False"),
        (0, "0"),
        (123, "123"),
        (0.0, "0.0"),
        (0.1 + 0.2, "0.30000000000000004"),
        ({"key": "value"}, "{'key': 'value'}"),
        (5, "5"),
        (5.0, "5.0"),
        ("", ""),
        ([[1, 2], [3, 4]], "[1, 2] and [3, 4]"),
    ],
)
def test_value_to_text(value: Any, expected: str) -> None:
    assert value_to_text(value) == expected
    assert fill("((x))", {"x": value}) == expected


def test_none_is_missing() -> None:
    assert value_to_text(None) is None


LIST_VECTORS: list[tuple[list[Any], str, str]] = [
    ([], "list: ", "list: "),
    (["", ""], "list: ", "list: "),
    ([" ", " \t ", "\u180e"], "list: ", "list: "),
    (["one"], "list: one", "list: \n\n* one"),
    (["one", "two"], "list: one and two", "list: \n\n* one\n* two"),
    (["one", "two", "three"], "list: one, two and three", "list: \n\n* one\n* two\n* three"),
    (["one", None, None], "list: one", "list: \n\n* one"),
    (
        [1, {"two": 2}, "three", None],
        "list: 1, {'two': 2} and three",
        "list: \n\n* 1\n* {'two': 2}\n* three",
    ),
    ([0.1, True, False], "list: 0.1, True and False", "list: \n\n* 0.1\n* True\n* False"),
    (["\u00a0a\u200b ", "b\u202f"], "list: a and b", "list: \n\n* a\n* b"),
]


@pytest.mark.parametrize(("value", "prose", "markdown"), LIST_VECTORS)
def test_lists(value: list[Any], prose: str, markdown: str) -> None:
    assert fill("list: ((placeholder))", {"placeholder": value}) == prose
    assert fill("list: ((placeholder))", {"placeholder": value}, markdown_lists=True) == markdown


def test_list_escaping_applies_to_the_joined_string() -> None:
    value = ["<script>", 'alert("foo")', "</script>"]
    template = "list: ((placeholder))"
    assert (
        fill(template, {"placeholder": value}, escape=True)
        == 'list: &lt;script&gt;, alert("foo") and &lt;/script&gt;'
    )
    assert (
        fill(template, {"placeholder": value}, escape=True, markdown_lists=True)
        == 'list: \n\n* &lt;script&gt;\n* alert("foo")\n* &lt;/script&gt;'
    )


# §1.4 Conditionals

TRUE_VALUES: list[Any] = [1, "1", "yes", "y", "Y", "true", "True", True, "include", "show"]
FALSE_VALUES: list[Any] = [
    "0",
    0,
    2,
    99.99999,
    "off",
    "exclude",
    "no",
    "any random string",
    "false",
    False,
    [],
    {},
    {"True": True},
    "1.0",
    " yes",
    "",
]


@pytest.mark.parametrize("value", TRUE_VALUES)
def test_conditional_shown(value: Any) -> None:
    assert is_truthy(value)
    assert fill("((warning??foo??bar))", {"warning": value}) == "foo??bar"


@pytest.mark.parametrize("value", FALSE_VALUES)
def test_conditional_hidden(value: Any) -> None:
    assert fill("((warning??foo??bar))", {"warning": value}) == ""


def test_str2bool_on_a_list_directly_is_false() -> None:
    assert not is_truthy(["true"])


def test_conditional_tests_rendered_list() -> None:
    template = "((show??text))"
    assert fill(template, {"show": ["yes"]}) == "text"
    assert fill(template, {"show": ["yes"]}, markdown_lists=True) == ""


def test_conditional_with_line_break() -> None:
    template = "((warning??This is a conditional warning\nwith line break))"
    assert fill(template, {"warning": True}) == "This is a conditional warning\nwith line break"


def test_conditional_text_is_escaped_like_the_template() -> None:
    template = "string ((conditional??<em>placeholder</em>)) html"
    assert (
        fill(template, {"conditional": True}, escape=True)
        == "string &lt;em&gt;placeholder&lt;/em&gt; html"
    )
    assert fill(template, {"conditional": True}) == "string <em>placeholder</em> html"


# §1.5 Missing and extra


def test_missing_in_placeholder_order_as_spelled() -> None:
    names = placeholder_names("((Missing)) ((here)) ((there))")
    assert missing_personalisation(names, {"here": "", "there": []}) == ["Missing"]
    with pytest.raises(MissingPersonalisation) as raised:
        require_personalisation(names, {"missing": None, "here": "x", "there": "y"})
    assert raised.value.message == "Missing personalisation: Missing"


def test_missing_several() -> None:
    names = placeholder_names("((invitation.pdf)) ((form.pdf)) ((ok))")
    with pytest.raises(MissingPersonalisation) as raised:
        require_personalisation(names, {"ok": 1})
    assert raised.value.message == "Missing personalisation: invitation.pdf, form.pdf"


def test_missing_contact_block() -> None:
    names = placeholder_names("((contact block))")
    with pytest.raises(MissingPersonalisation) as raised:
        require_personalisation(names, None)
    assert raised.value.message == "Missing personalisation: contact block"


def test_conditional_name_is_required() -> None:
    assert missing_personalisation(placeholder_names("((a??b))"), {}) == ["a"]


def test_nothing_missing_passes() -> None:
    require_personalisation(["a"], {"A": ""})


# §1.6 Escaping per output


def test_passthrough_does_not_escape() -> None:
    assert fill("Code: ((code))", {"code": "<b>&amp;</b>"}) == "Code: <b>&amp;</b>"


@pytest.mark.parametrize(
    ("template", "values", "expected"),
    [
        (
            "the quick ((colour)) fox",
            {"colour": "<script>alert('foo')</script>"},
            "the quick &lt;script&gt;alert('foo')&lt;/script&gt; fox",
        ),
        ("Hi ((name))", {"name": "<b>Jo</b> & co"}, "Hi &lt;b&gt;Jo&lt;/b&gt; &amp; co"),
        (
            "... (( this&that )) HTML special character personalisation <>.",
            {"this&that": "some very lovely &"},
            "... some very lovely &amp; HTML special character personalisation &lt;&gt;.",
        ),
    ],
)
def test_escape_mode(template: str, values: dict[str, Any], expected: str) -> None:
    assert fill(template, values, escape=True) == expected


@pytest.mark.parametrize("escape", [True, False])
@pytest.mark.parametrize(
    ("template", "values", "expected"),
    [
        (
            "Please report to the ((>location)) office at ((&time)) on ((<day)).",
            {">location": "London", "&time": "09:00", "<day": "Monday"},
            "Please report to the London office at 09:00 on Monday.",
        ),
        (
            "Please report to the ((&gt;location)) office at ((&amp;time)) on ((&lt;day)).",
            {"&gt;location": "Manchester", "&amp;time": "08:00", "&lt;day": "Thursday"},
            "Please report to the Manchester office at 08:00 on Thursday.",
        ),
        (
            "Dear ((\\name)), collect from ((/collection_point)).",
            {"\\name": "Jane Doe", "/collection_point": "Point A"},
            "Dear Jane Doe, collect from Point A.",
        ),
    ],
)
def test_keys_with_special_characters(
    template: str, values: dict[str, Any], expected: str, escape: bool
) -> None:
    assert fill(template, values, escape=escape) == expected


# §1.7 escape_html


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("&?a;", "&amp;?a;"),
        ("&timestamp=&times;", "&amp;timestamp=×"),
        ("&times=1,2,3", "&amp;times=1,2,3"),
        ("2&minus;1", "2−1"),
        ("2&minus1", "2&amp;minus1"),
        ("200&micro;g", "200µg"),
        ("200&microg", "200&amp;microg"),
        ("This &isnotarealentity;", "This &amp;isnotarealentity;"),
        ("Before&nbsp;after", "Before&nbsp;after"),
        ("?a=1&amp;b=2", "?a=1&amp;b=2"),
        ("((var??&lpar;in brackets&rpar;))", "((var??(in brackets)))"),
        (
            "&lsqb; &rsqb; &lpar; &rpar; &ast; &sol; &num; &amp; &nbsp; &Hat;",
            "[ ] ( ) * / # &amp; &nbsp; ^",
        ),
        (
            "<to cancel daily cat facts reply 'cancel'>",
            "&lt;to cancel daily cat facts reply 'cancel'&gt;",
        ),
        ("&#60;&#x3E;", "&lt;&gt;"),
        ("", ""),
    ],
)
def test_escape_html(text: str, expected: str) -> None:
    assert escape_html(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("&amp;&lt;&#65;&#x42;", "&<AB"), ("&amp &lt", "&amp &lt"), ("no entities", "no entities")],
)
def test_unescape_strict(text: str, expected: str) -> None:
    assert unescape_strict(text) == expected


# §1.8 Unfilled placeholders


def test_unfilled_html() -> None:
    expected = "Jo <span class='placeholder'>&#40;&#40;colour&#41;&#41;</span>"
    assert fill("((name)) ((colour))", {"name": "Jo"}, escape=True, unfilled="html") == expected
    assert (
        fill("((name)) ((colour))", {"name": "Jo", "colour": None}, escape=True, unfilled="html")
        == expected
    )


def test_unfilled_conditional_html() -> None:
    assert (
        fill("((name??TEXT))", {}, escape=True, unfilled="html")
        == "<span class='placeholder-conditional'>&#40;&#40;name??</span>TEXT&#41;&#41;"
    )


def test_unfilled_no_brackets() -> None:
    assert (
        fill("((address line 1))", None, escape=True, unfilled="html_no_brackets")
        == "<span class='placeholder-no-brackets'>address line 1</span>"
    )


@pytest.mark.parametrize(
    ("unfilled", "expected"),
    [("html", "<span class='placeholder-redacted'>hidden</span>"), ("plain", "[hidden]")],
)
def test_redacted(unfilled: Any, expected: str) -> None:
    assert fill("((name))", {}, unfilled=unfilled, redact_missing=True) == expected


def test_plain_text_keeps_missing_literal() -> None:
    assert fill("Hi ((name)) ((other??x))", {"name": "Jo"}) == "Hi Jo ((other??x))"


# §1.9 sanitise_content_for

SANITISE_VECTORS = [
    (
        "Amala, please [click this (evil link](https://evil.link)",
        "Amala, please \\[click this \\(evil link\\]\\(\\)",
    ),
    ("Marie.Curie-Sklodowska is rad", "Marie\\. Curie\\-Sklodowska is rad"),
    ("https://evil.link and www.evil.link?arg=nam", " and "),
    ("evil. link and other-evil. lnk", "evil\\. link and other\\-evil\\. lnk"),
    ("https://evil.link and www.evil.link", " and www\\. evil\\. link"),
    ("foo.bar/baz and https://localhost/foo.bar/bazsomething/weird", " and https://localhost/"),
    ("\\# Rogue Header", "\\\\\\# Rogue Header"),
    ("## Rogue Header", "\\#\\# Rogue Header"),
    ("Ulica Ceynowy 5\\44", "Ulica Ceynowy 5\\\\44"),
    (
        "[żądło rządzi tą pszczołą](to-jest-atak.com)",
        "\\[żądło rządzi tą pszczołą\\]\\(to\\-jest\\-atak\\. com\\)",
    ),
    ("`*_(){}[]<>#+-.!|", "".join("\\" + c for c in "`*_(){}[]<>#+-.!|")),
]


@pytest.mark.parametrize(("value", "expected"), SANITISE_VECTORS)
def test_sanitise_content_for(value: str, expected: str) -> None:
    sanitised, report = sanitise_content_for({"First_Name": value, "other": value}, ["first name"])
    assert sanitised == {"First_Name": expected, "other": value}
    assert report == {"First_Name": {"unsanitised": value, "sanitised": expected}}


@pytest.mark.parametrize("key", ["first name", "first_name", "First_Name", "FIRST NAME"])
def test_sanitise_content_for_key_matching(key: str) -> None:
    sanitised, _ = sanitise_content_for({"First_Name": "a.bc"}, [key])
    assert sanitised["First_Name"] == "a\\. bc"


def test_sanitise_content_for_reports_only_changes() -> None:
    sanitised, report = sanitise_content_for({"a": "plain words", "b": 5}, ["a", "b"])
    assert sanitised == {"a": "plain words", "b": 5}
    assert report == {}
    assert sanitise_content_for({"a": "x"}, None) == ({"a": "x"}, {})
