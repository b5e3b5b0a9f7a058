"""Notify's markdown subset: the rules.md §3.2 table for email HTML, plain text and letters."""

from __future__ import annotations

import pytest

from notify_emulator.rules.markdown import (
    create_sanitised_html_for_url,
    qr_code_data,
    render_email_html,
    render_letter_html,
    render_plain_text,
    render_preheader,
)

P = 'style="Margin: 0 0 20px 0; font-size: 19px; line-height: 25px; color: #0B0C0C;"'
A = 'style="word-wrap: break-word; color: #1D70B8;"'
H2 = (
    '<h2 style="Margin: 0 0 15px 0; padding: 10px 0 0 0; font-size: 27px; line-height: 35px; '
    'font-weight: bold; color: #0B0C0C;">'
)
H3 = (
    '<h3 style="Margin: 0 0 15px 0; padding: 10px 0 0 0; font-size: 19px; line-height: 25px; '
    'font-weight: bold; color: #0B0C0C;">'
)
LIST_OPEN = (
    '<table role="presentation" style="padding: 0 0 20px 0;"><tr>'
    '<td style="font-family: Helvetica, Arial, sans-serif;">'
)
UL = '<ul style="Margin: 0 0 0 20px; padding: 0; list-style-type: disc;">'
OL = '<ol style="Margin: 0 0 0 20px; padding: 0; list-style-type: decimal;">'
LI = (
    '<li style="Margin: 5px 0 5px; padding: 0 0 0 5px; font-size: 19px;'
    'line-height: 25px; color: #0B0C0C;">'
)
HR = '<hr style="border: 0; height: 1px; background: #B1B4B6; Margin: 30px 0 30px 0;">'
INSET = (
    '<div style="Margin: 0 0 20px 0;"><blockquote style="Margin: 0; border-left: 10px solid '
    '#B1B4B6;padding: 15px 0 0.1px 15px; font-size: 19px; line-height: 25px;">'
)
RULE = "=-" * 32 + "="


def ul(*items: str) -> str:
    return (
        LIST_OPEN + UL + "".join(f"{LI}{item}</li>" for item in items) + "</ul></td></tr></table>"
    )


def ol(*items: str) -> str:
    return (
        LIST_OPEN + OL + "".join(f"{LI}{item}</li>" for item in items) + "</ol></td></tr></table>"
    )


# (markdown, email HTML, plain text raw output, letter HTML)
VECTORS = [
    ("text", f"<p {P}>text</p>", "\n\ntext", "<p>text</p>"),
    (
        "line one\nline two\n\nnew paragraph",
        f"<p {P}>line one<br>line two</p><p {P}>new paragraph</p>",
        "\n\nline one\nline two\n\nnew paragraph",
        "<p>line one<br>line two</p><p>new paragraph</p>",
    ),
    ("# heading", f"{H2}heading</h2>", "\n\n\nheading\n" + "=" * 65, "<h2>heading</h2>\n"),
    ("#heading", f"{H2}heading</h2>", "\n\n\nheading\n" + "=" * 65, "<h2>heading</h2>\n"),
    ("## heading", f"{H3}heading</h3>", "\n\n\nheading\n" + "-" * 65, "<p>heading</p>"),
    ("### x", f"<p {P}>x</p>", "\n\nx", "<p>x</p>"),
    ("###### x", f"<p {P}>x</p>", "\n\nx", "<p>x</p>"),
    ("* a\n* b", ul("a", "b"), "\n\n• a\n• b", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n"),
    ("- a\n- b", ul("a", "b"), "\n\n• a\n• b", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n"),
    ("• a\n• b", ul("a", "b"), "\n\n• a\n• b", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n"),
    ("*a", ul("a"), "\n\n• a", "<ul>\n<li>a</li>\n</ul>\n"),
    (
        "1. one\n2. two",
        ol("one", "two"),
        "\n\n1. one\n2. two",
        "<ol>\n<li>one</li>\n<li>two</li>\n</ol>\n",
    ),
    ("1.one", ol("one"), "\n\n1. one", "<ol>\n<li>one</li>\n</ol>\n"),
    ("1. x\n1. y", ol("x", "y"), "\n\n1. x\n2. y", "<ol>\n<li>x</li>\n<li>y</li>\n</ol>\n"),
    (
        "+ one\n+ two",
        f"<p {P}>+ one</p><p {P}>+ two</p>",
        "\n\n+ one\n\n+ two",
        "<p>+ one</p><p>+ two</p>",
    ),
    (
        "^ inset text",
        f"{INSET}<p {P}>inset text</p></blockquote></div>",
        "\n\ninset text",
        "<p>inset text</p>",
    ),
    ("***", HR, "\n\n" + RULE, '<div class="page-break">&nbsp;</div>'),
    ("---", HR, "\n\n" + RULE, '<div class="page-break">&nbsp;</div>'),
    (
        "[Example](http://example.com)",
        f'<p {P}><a {A} href="http://example.com">Example</a></p>',
        "\n\nExample: http://example.com",
        "<p>[Example](http://example.com)</p>",
    ),
    (
        "[website](www.example.com/xyz)",
        f'<p {P}><a {A} href="http://www.example.com/xyz">website</a></p>',
        "\n\nwebsite: www.example.com/xyz",
        "<p>[website](www.example.com/xyz)</p>",
    ),
    (
        '[Example](http://example.com "An example URL")',
        f'<p {P}><a {A} href="http://example.com" title="An example URL">Example</a></p>',
        "\n\nExample (An example URL): http://example.com",
        '<p>[Example](http://example.com "An example URL")</p>',
    ),
    (
        "http://example.com",
        f'<p {P}><a {A} href="http://example.com">http://example.com</a></p>',
        "\n\nhttp://example.com",
        "<p><strong data-original-protocol='http://'>example.com</strong></p>",
    ),
    (
        "https://www.gov.uk/x",
        f'<p {P}><a {A} href="https://www.gov.uk/x">https://www.gov.uk/x</a></p>',
        "\n\nhttps://www.gov.uk/x",
        "<p><strong data-original-protocol='https://'>www.gov.uk/x</strong></p>",
    ),
    (
        "(http://example.com)",
        f'<p {P}>(<a {A} href="http://example.com">http://example.com</a>)</p>',
        "\n\n(http://example.com)",
        "<p>(<strong data-original-protocol='http://'>example.com</strong>)</p>",
    ),
    ('```\nprint("hello")\n```', 'print("hello")', 'print("hello")', 'print("hello")'),
    ("| a | b |\n|---|---|\n| 1 | 2 |", "", "", ""),
    ("a | b\n--|--\n1 | 2", "", "", ""),
    ("![alt](src)", "", "", ""),
    (
        "# Heading [link](https://example.com)",
        f'{H2}Heading <a {A} href="https://example.com">link</a></h2>',
        "\n\n\nHeading link: https://example.com\n" + "=" * 65,
        "<h2>Heading [link](https://example.com)</h2>\n",
    ),
    (
        "paragraph one\n\n&nbsp;\n\nparagraph two",
        f"<p {P}>paragraph one</p><p {P}>&nbsp;</p><p {P}>paragraph two</p>",
        "\n\nparagraph one\n\n&nbsp;\n\nparagraph two",
        "<p>paragraph one</p><p>&nbsp;</p><p>paragraph two</p>",
    ),
    (
        "one\n\n\n\ntwo",
        f"<p {P}>one</p><p {P}>two</p>",
        "\n\none\n\ntwo",
        "<p>one</p><p>two</p>",
    ),
]


@pytest.mark.parametrize(("markdown", "email", "plain", "letter"), VECTORS)
def test_email_html(markdown: str, email: str, plain: str, letter: str) -> None:
    assert render_email_html(markdown) == email


@pytest.mark.parametrize(("markdown", "email", "plain", "letter"), VECTORS)
def test_plain_text(markdown: str, email: str, plain: str, letter: str) -> None:
    assert render_plain_text(markdown) == plain


@pytest.mark.parametrize(("markdown", "email", "plain", "letter"), VECTORS)
def test_letter_html(markdown: str, email: str, plain: str, letter: str) -> None:
    assert render_letter_html(markdown) == letter


@pytest.mark.parametrize(
    "markdown",
    [
        "example.com",
        "www.example.com",
        "ftp://example.com",
        "mailto:someone@example.com",
        "test@example.com",
    ],
)
def test_only_http_addresses_are_linked(markdown: str) -> None:
    assert render_email_html(markdown) == f"<p {P}>{markdown}</p>"
    assert render_plain_text(markdown) == f"\n\n{markdown}"


@pytest.mark.parametrize(
    "markdown",
    [
        "something **bold** here",
        "something *important*",
        "something _em_ here",
        "something `code` here",
        "something ~~strike~~ here",
        "foo ****** bar",
    ],
)
def test_no_emphasis_strong_code_or_strikethrough(markdown: str) -> None:
    assert render_email_html(markdown) == f"<p {P}>{markdown}</p>"
    assert render_plain_text(markdown) == f"\n\n{markdown}"
    assert render_letter_html(markdown) == f"<p>{markdown}</p>"


def test_emphasis_at_start_of_line_is_a_list_item() -> None:
    assert render_email_html("*em*") == ul("em*")
    assert render_email_html("**bold**") == ul(ul("bold**"))
    assert render_plain_text("*em*") == "\n\n• em*"


@pytest.mark.parametrize(
    ("link", "href"),
    [
        ("mailto:unsubscribe@example.com", "mailto:unsubscribe%40example.com"),
        ("tel:+44123", "tel:%2B44123"),
        ("file:///C:\\Windows\\x", "file:///C:%5CWindows%5Cx"),
        ("example.com", "http://example.com"),
        ("HTTPS://EXAMPLE.COM", "HTTPS://EXAMPLE.COM"),
        ("http://example.com/a b", "http://example.com/a%20b"),
        ("http://example.com/~a_b-c.d", "http://example.com/~a_b-c.d"),
        ("http://example.com/?a=1&b=%2F;c#d", "http://example.com/?a=1&b=%2F;c#d"),
    ],
)
def test_href_sanitising(link: str, href: str) -> None:
    assert render_email_html(f"[x]({link})") == f'<p {P}><a {A} href="{href}">x</a></p>'
    assert create_sanitised_html_for_url(link) == f'<a href="{href}">{link}</a>'


def test_quotes_cannot_break_out_of_href() -> None:
    assert render_email_html("https://example.com\"onclick=\"alert('hi')") == (
        f'<p {P}><a {A} href="https://example.com%22onclick=%22alert%28%27hi">'
        "https://example.com\"onclick=\"alert('hi</a>')</p>"
    )


def test_escaped_ampersands_stay_escaped_in_href() -> None:
    url = "https://service.example.com/accept_invite/?a=b&amp;c=d&amp;"
    assert render_email_html(url) == f'<p {P}><a {A} href="{url}">{url}</a></p>'


@pytest.mark.parametrize(
    ("markdown", "linked"),
    [
        ("http://example.com.", "http://example.com"),
        ("http://example.com,", "http://example.com"),
        ("http://example.com:", "http://example.com"),
        ("http://example.com'", "http://example.com"),
        ('http://example.com"', "http://example.com"),
        ("http://example.com]", "http://example.com"),
        ("http://example.com/x;", "http://example.com/x;"),
    ],
)
def test_trailing_punctuation_is_not_part_of_a_bare_url(markdown: str, linked: str) -> None:
    assert render_plain_text(markdown) == f"\n\n{markdown}"
    assert f'href="{linked}">{linked}</a>' in render_email_html(markdown)


def test_nested_lists_in_letters() -> None:
    markdown = "1. one\n2. two\n3. three\n  - three one\n  - three two"
    assert render_letter_html(markdown) == (
        "<ol>\n<li>one</li>\n<li>two</li>\n"
        "<li>three<ul>\n<li>three one</li>\n<li>three two</li>\n</ul></li>\n</ol>\n"
    )


def test_nested_lists_in_email() -> None:
    markdown = "* one\n  * inner"
    assert render_email_html(markdown) == ul("one" + ul("inner"))
    assert render_plain_text(markdown) == "\n\n• one\n\n• inner"


def test_number_at_start_of_line_is_a_list() -> None:
    assert render_email_html("1.5 million people") == ol("5 million people")


def test_setext_headings() -> None:
    assert render_email_html("Some text\n---") == f"{H3}Some text</h3>"
    assert render_email_html("Some text\n===") == f"{H2}Some text</h2>"


def test_plus_line_stops_a_paragraph() -> None:
    assert render_plain_text("before\n+ after") == "\n\nbefore\n\n+ after"


def test_bullet_without_space_continues_a_paragraph() -> None:
    assert render_email_html("before\n•after") == f"<p {P}>before<br>•after</p>"


def test_loose_list_items_are_paragraphs() -> None:
    # The space after the marker stays in the item; only the list item is stripped.
    assert render_letter_html("* a\n\n* b") == (
        "<ul>\n<li><p> a</p></li>\n<li><p> b</p></li>\n</ul>\n"
    )


def test_indented_code_is_raw_text() -> None:
    assert render_email_html("    code here") == "code here"


def test_reference_links() -> None:
    markdown = "[Example][ex] and [ex]\n\n[ex]: http://example.com"
    assert render_plain_text(markdown) == (
        "\n\nExample: http://example.com and ex: http://example.com"
    )


def test_unknown_reference_stays_text() -> None:
    assert render_plain_text("[not a link] here") == "\n\n[not a link] here"


def test_footnotes_move_to_the_end_and_references_vanish() -> None:
    markdown = "Text[^1] more\n\n[^1]: The note\n\nAfter"
    assert render_plain_text(markdown) == "\n\nText more\n\nAfter\n\nThe note"


def test_unreferenced_footnote_disappears() -> None:
    assert render_plain_text("Text\n\n[^1]: The note") == "\n\nText"


def test_backslash_escapes() -> None:
    assert render_plain_text("\\# not a heading \\* \\\\ \\<") == "\n\n# not a heading * \\ \\&lt;"


def test_sanitised_specials_raw_plain_text_output() -> None:
    # rules.md §1.9: the renderer's raw output has \\&lt;&gt; (a backslash does not
    # escape <); the plain-text email's final unescape turns it into \\<>.
    escaped = "".join("\\" + c for c in "`*_(){}[]<>#+-.!|")
    assert render_plain_text(escaped) == "\n\n`*_(){}[]\\&lt;&gt;#+-.!|"


def test_plain_text_keeps_entities_for_the_final_unescape() -> None:
    assert render_plain_text("a & b < c") == "\n\na &amp; b &lt; c"


def test_placeholder_span_in_link_is_restored() -> None:
    span = "<span class='placeholder'>&#40;&#40;url&#41;&#41;</span>"
    assert render_letter_html(f"[x]({span})") == f"<p>[x]({span})</p>"


def test_preheader_renderer() -> None:
    assert render_preheader('# Head\n\n---\n\n[text](http://x.com "t")') == "\n\nHead\n\ntext (t)"


@pytest.mark.parametrize(
    ("paragraph", "data"),
    [
        ("qr: https://example.com", "https://example.com"),
        ("  QR  :  data here", "data here"),
        (
            "qr:<strong data-original-protocol='https://'>example.com</strong>",
            "https://example.com",
        ),
        ("not qr: x", None),
        ("qr:", None),
    ],
)
def test_qr_code_data(paragraph: str, data: str | None) -> None:
    assert qr_code_data(paragraph) == data


def test_letter_qr_code_paragraph() -> None:
    html = render_letter_html("qr: https://example.com/a-b")
    assert html.startswith("<p><div class='qrcode'>")
    assert "example.com/a" in html


def test_first_space_after_bullet_is_optional_but_kept_out_of_the_item() -> None:
    assert render_letter_html("-   spaced") == "<ul>\n<li>spaced</li>\n</ul>\n"


def test_whole_document_plain_text_structure() -> None:
    markdown = "# Heading\n\n1. one\n2. two\n\n***\n\n^ callout"
    assert render_plain_text(markdown) == (
        "\n\n\nHeading\n" + "=" * 65 + "\n\n1. one\n2. two\n\n" + RULE + "\n\ncallout"
    )
