"""Emails: rules.md §3.1, §3.5, §3.6 and the email parts of §1.9 and §7."""

from __future__ import annotations

import re
from typing import Any

import pytest

from notify_emulator.rules.email import (
    EMAIL_SIZE_LIMIT_IN_BYTES,
    check_email,
    email_body,
    email_html_body,
    email_plain_text,
    email_preheader,
    email_size_in_bytes,
    email_subject,
    is_message_empty,
)
from notify_emulator.rules.errors import MessageEmpty, MessageTooLong
from notify_emulator.rules.placeholders import placeholder_names, sanitise_content_for

P = 'style="Margin: 0 0 20px 0; font-size: 19px; line-height: 25px; color: #0B0C0C;"'
A = 'style="word-wrap: break-word; color: #1D70B8;"'
HR = '<hr style="border: 0; height: 1px; background: #B1B4B6; Margin: 30px 0 30px 0;">'
RULE = "=-" * 32 + "="

# §3.1 API body


def test_api_body_is_markdown_source_unrendered() -> None:
    content = "Hello\n\r\n\r\n\n# This is a heading\n\nParagraph"
    assert email_body(content, {}) == content


def test_api_body_lists_are_markdown_and_no_typography() -> None:
    assert email_body("  Tom's - ((x))  ", {"x": ["a", "b"]}) == "Tom's - \n\n* a\n* b"


def test_api_body_passthrough() -> None:
    assert email_body("((x))", {"x": "<b>&amp;</b>"}) == "<b>&amp;</b>"


# §3.1 plain-text part

WHITESPACE_DOCUMENT = """# Heading

1. one
2. two
3. three

***

# Heading

Paragraph

Paragraph

^ callout

1. one not four
1. two not five"""

WHITESPACE_EXPECTED = (
    "Heading\n" + "=" * 65 + "\n\n1. one\n2. two\n3. three\n\n" + RULE + "\n\n\n"
    "Heading\n" + "=" * 65 + "\n\nParagraph\n\nParagraph\n\ncallout\n\n"
    "1. one not four\n2. two not five\n"
)


def test_plain_text_whole_document() -> None:
    assert email_plain_text(WHITESPACE_DOCUMENT, None) == WHITESPACE_EXPECTED


def test_plain_text_entities() -> None:
    assert (
        email_plain_text("&lsqb; &rsqb; &lpar; &rpar; &ast; &sol; &num; &amp; &nbsp; &Hat;", None)
        == "[ ] ( ) * / # & \u00a0 ^\n"
    )


def test_plain_text_heading_only_content() -> None:
    assert email_plain_text("# Heading [link](https://example.com)", None) == (
        "Heading link: https://example.com\n" + "=" * 65 + "\n"
    )


def test_plain_text_nbsp_paragraph() -> None:
    assert email_plain_text("paragraph one\n\n&nbsp;\n\nparagraph two", None) == (
        "paragraph one\n\n\u00a0\n\nparagraph two\n"
    )


def test_plain_text_typography_and_unlinking() -> None:
    assert email_plain_text("Tom's tax - due on GOV.UK", None) == (
        "Tom’s tax – due on GOV.\u200bUK\n"
    )


def test_plain_text_strips_unsupported_characters() -> None:
    assert email_plain_text("a\u2028b\u3164c", None) == "abc\n"


def test_plain_text_personalisation_is_not_escaped() -> None:
    assert email_plain_text("Hi ((name))", {"name": "<b>Jo</b> & co"}) == "Hi <b>Jo</b> & co\n"


# §3.1 HTML body


def test_html_body_escapes_template_text() -> None:
    assert email_html_body("the <em>quick</em> brown fox", None) == (
        f"<p {P}>the &lt;em&gt;quick&lt;/em&gt; brown fox</p>"
    )


def test_html_body_entities() -> None:
    assert email_html_body(
        "&lsqb; &rsqb; &lpar; &rpar; &ast; &sol; &num; &amp; &nbsp; &Hat;", None
    ) == (f"<p {P}>[ ] ( ) * / # &amp; &nbsp; ^</p>")


def test_html_body_escapes_personalisation_and_keys() -> None:
    content = "... (( this&that )) HTML special character personalisation <>."
    assert email_html_body(content, {"this&that": "some very lovely &"}) == (
        f"<p {P}>... some very lovely &amp; HTML special character personalisation &lt;&gt;.</p>"
    )


def test_html_body_href_then_typography() -> None:
    assert email_html_body("https://example.com\"onclick=\"alert('hi')", None) == (
        f'<p {P}><a {A} href="https://example.com%22onclick=%22alert%28%27hi">'
        'https://example.com"onclick="alert(\'hi</a>‘)</p>'
    )


def test_html_body_escaped_ampersand_in_href() -> None:
    url = "https://service.example.com/accept_invite/?a=b&c=d&"
    escaped = "https://service.example.com/accept_invite/?a=b&amp;c=d&amp;"
    assert email_html_body(url, None) == f'<p {P}><a {A} href="{escaped}">{escaped}</a></p>'


def test_html_body_heading_only_content() -> None:
    assert email_html_body("# Heading [link](https://example.com)", None) == (
        '<h2 style="Margin: 0 0 15px 0; padding: 10px 0 0 0; font-size: 27px; line-height: 35px; '
        f'font-weight: bold; color: #0B0C0C;">Heading <a {A} href="https://example.com">link</a></h2>'
    )


def test_html_body_lists_from_personalisation() -> None:
    assert "<li" in email_html_body("Items: ((items))", {"items": ["a", "b"]})


def test_preview_html_example() -> None:
    content = "Dear ((Name)), Hello. Yours Truly, The Government."
    assert email_html_body(content, {"Name": "Jo"}) == (
        f"<p {P}>Dear Jo, Hello. Yours Truly, The Government.</p>"
    )


def test_html_body_unfilled_placeholder_preview() -> None:
    assert email_html_body("Hi ((name))", {}) == (
        f"<p {P}>Hi <span class='placeholder'>&#40;&#40;name&#41;&#41;</span></p>"
    )


# §3.1 preheader


def test_preheader() -> None:
    content = (
        'Hello (( name ))\n\n# This - is a "heading"\n\nMy favourite websites\' URLs are:\n'
        "- GOV.UK\n- https://www.example.com\n"
    )
    assert email_preheader(content, {"name": "Jo"}) == (
        "Hello Jo This – is a “heading” My favourite websites’ URLs are: • GOV.\u200bUK • "
        "https://www.example.com"
    )


def test_preheader_is_at_most_256_characters() -> None:
    assert len(email_preheader("word " * 200, None)) == 256
    # cut at 256 characters, then trimmed: here the 256th is a space
    assert len(email_preheader("wor " * 200, None)) == 255


def test_preheader_never_cuts_a_tag_in_half() -> None:
    # An unfilled placeholder (a preview) is a span; the cut falls inside the 4th one.
    content = "((name)) is here and there. " * 12
    preheader = email_preheader(content, {})
    assert preheader.count("<span class='placeholder'>") == preheader.count("</span>")
    assert re.fullmatch(r"[^<>]*(<span class='placeholder'>[^<>]*</span>[^<>]*)*", preheader)


@pytest.mark.parametrize("start", range(0, 40))
def test_preheader_counts_markup_but_never_cuts_it(start: int) -> None:
    # Notify cuts the escaped text at 256 characters, markup and character references
    # included; wherever that falls, the preheader is whole markup and ends before the cut.
    content = (
        "x" * start + " <b> & ((name)) [a link](https://example.com/?a=1&b=2) **not bold**" * 9
    )
    preheader = email_preheader(content, {})
    opened = re.findall(r"<span[^>]*>", preheader)
    assert len(opened) == preheader.count("</span>")
    unclosed = re.sub(r"(</span>)+$", "", preheader) if preheader.endswith("</span>") else None
    assert len(unclosed if unclosed is not None else preheader) <= 256
    assert re.fullmatch(r"[^<>]*(<span class='placeholder'>[^<>]*</span>[^<>]*)*", preheader)
    assert not re.search(r"&[#a-z0-9]*$", re.sub(r"<[^>]*>", "", preheader))


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        # Each "&amp;" and "&lt;" counts as the characters Notify writes, as in utils.
        (
            "Tom & Jerry <3 " * 30,
            "Tom &amp; Jerry &lt;3 " * 11 + "Tom &amp; Jerr",
        ),
        # A character reference the cut would split is left out (Notify would end "&a").
        ("Tom & Jerry <3 " * 11 + "Tommmmmmmm &", ("Tom &amp; Jerry &lt;3 " * 11) + "Tommmmmmmm"),
    ],
)
def test_preheader_cut_counts_escaped_characters(content: str, expected: str) -> None:
    assert email_preheader(content, None) == expected


def test_preheader_is_filled_text_when_values_are_given() -> None:
    content = "Dear ((name)) & co, " * 20
    preheader = email_preheader(content, {"name": "<Jo>"})
    assert preheader.startswith("Dear &lt;Jo&gt; &amp; co, ")
    assert len(preheader) == 255  # cut at 256 escaped characters, then trimmed
    assert preheader.endswith("co, Dear &lt;Jo&gt; &amp;")


# §3.1 subject

NO_BREAK = [" no break ", " no\tbreak ", "\tno break\t", "no \r\nbreak", "no \nbreak", "no \rbreak"]


@pytest.mark.parametrize("subject", [*NO_BREAK, "\rno break\n"])
def test_subject_whitespace(subject: str) -> None:
    assert email_subject(subject, {}) == "no break"


def test_subject_values_collapse() -> None:
    assert email_subject("\u200c Your tax   ((status))", {"status": " is\ndue "}) == (
        "Your tax is due"
    )


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("first.o’last@example.com", "first.o'last@example.com"),
        ("Tiffany's", "Tiffany’s"),
        ("Tom's tax - due", "Tom’s tax – due"),
    ],
)
def test_subject_typography(subject: str, expected: str) -> None:
    assert email_subject(subject, {}) == expected


def test_subject_lists_are_prose_and_plain_subject_is_not_escaped() -> None:
    assert email_subject("((x))", {"x": ["<a>", "b"]}) == "<a> and b"
    assert email_subject("((x))", {"x": ["<a>", "b"]}, escape=True) == "&lt;a&gt; and b"


def test_subject_no_length_limit() -> None:
    assert len(email_subject("x" * 5000, {})) == 5000


def test_email_placeholders_subject_first() -> None:
    assert placeholder_names("((animal))", "the quick ((colour))") == ["animal", "colour"]


# §3.5 unsubscribe link


def test_unsubscribe_link_html() -> None:
    html = email_html_body("Hello world", {}, unsubscribe_link="https://www.example.com")
    assert html.endswith(
        f'{HR}<p {P}><a {A} href="https://www.example.com">Unsubscribe from these emails</a></p>'
    )


def test_unsubscribe_link_plain_text() -> None:
    text = email_plain_text("Hello world", {}, unsubscribe_link="https://www.example.com")
    assert text == (
        f"Hello world\n\n{RULE}\n\nUnsubscribe from these emails: https://www.example.com\n"
    )


def test_unsubscribe_link_not_in_api_body_or_size() -> None:
    assert "Unsubscribe" not in email_html_body("Hello world", {})
    assert email_size_in_bytes("Hello world", {}) == len("Hello world")


# §3.6 size and empty


def test_exactly_two_million_bytes_passes() -> None:
    content = "a" * EMAIL_SIZE_LIMIT_IN_BYTES
    assert email_size_in_bytes(content, {}) == 2_000_000
    check_email(content, {})


def test_over_two_million_bytes_fails() -> None:
    with pytest.raises(MessageTooLong) as raised:
        check_email("((x))", {"x": "a" * 2_000_001})
    assert raised.value.message == (
        "Your message is too long. Emails cannot be longer than 2000000 bytes. "
        "Your message is 2000001 bytes."
    )


def test_size_counts_utf8_bytes() -> None:
    assert email_size_in_bytes("€", {}) == 3


@pytest.mark.parametrize(
    ("content", "values"),
    [
        ("", {}),
        ("((placeholder))", {"placeholder": ""}),
        ("((placeholder))", {"placeholder": "   \t   \r\n"}),
        ("((placeholder??show_or_hide))", {"placeholder": False}),
    ],
)
def test_empty(content: str, values: dict[str, Any]) -> None:
    assert is_message_empty(content, values)
    with pytest.raises(MessageEmpty) as raised:
        check_email(content, values)
    assert raised.value.message == "Your message is empty."


@pytest.mark.parametrize(
    ("content", "values"),
    [
        ("Some content", {}),
        ("((placeholder)) some content", {"placeholder": ""}),
        (" ((placeholder))", {"placeholder": ""}),  # checked on the raw template
    ],
)
def test_not_empty(content: str, values: dict[str, Any]) -> None:
    assert not is_message_empty(content, values)


# §1.9 end to end: what the reader sees

ALL_SPECIALS = "`*_(){}[]<>#+-.!|"


def test_sanitised_specials_in_plain_text() -> None:
    values, _ = sanitise_content_for({"x": ALL_SPECIALS}, ["x"])
    assert email_plain_text("((x))", values) == ALL_SPECIALS.replace("<>", "\\<>") + "\n"


def test_sanitised_specials_in_html() -> None:
    values, _ = sanitise_content_for({"x": ALL_SPECIALS}, ["x"])
    assert email_html_body("((x))", values) == (f"<p {P}>" + "`*_(){}[]\\&lt;\\&gt;#+-.!|" + "</p>")


def test_sanitised_link_cannot_inject_markdown() -> None:
    values, report = sanitise_content_for(
        {"name": "Amala, please [click this (evil link](https://evil.link)"}, ["name"]
    )
    assert "<a" not in email_html_body("Hi ((name))", values)
    assert report["name"]["sanitised"] == "Amala, please \\[click this \\(evil link\\]\\(\\)"


def test_unsanitised_value_can_inject_markdown() -> None:
    assert "<h2" in email_html_body("((x))", {"x": "# Rogue Header"})
