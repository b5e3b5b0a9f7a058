"""Letters: rules.md §4.7 rendering and the letter parts of §7."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from notify_emulator.rules.errors import MessageEmpty, MissingPersonalisation
from notify_emulator.rules.letter_template import (
    QR_CODE_MAX_BYTES,
    QrCodeTooLong,
    check_qr_codes,
    is_message_empty,
    letter_address_block,
    letter_body,
    letter_body_html,
    letter_contact_block_html,
    letter_date,
    letter_placeholder_names,
    letter_qr_codes,
    letter_subject,
)
from notify_emulator.rules.placeholders import require_personalisation

NB = "\u2011"

# §4.7 body


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("# heading", "<h2>heading</h2>\n"),
        ("## heading", "<p>heading</p>"),
        ("### heading", "<p>heading</p>"),
        ("a\n\n---\n\nb", '<p>a</p><div class="page-break">&nbsp;</div><p>b</p>'),
        ("[Example](http://example.com)", "<p>[Example](http://example.com)</p>"),
        ("^ inset text", "<p>inset text</p>"),
        ("* a\n* b", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n"),
        (
            "http://example.com",
            "<p><strong data-original-protocol='http://'>example.com</strong></p>",
        ),
        (
            "# Heading [link](https://example.com)",
            "<h2>Heading [link](https://example.com)</h2>\n",
        ),
        (
            '[Example](http://example.com "An example URL")',
            "<p>[Example](http://example.com “An example URL”)</p>",
        ),
    ],
)
def test_letter_markdown(content: str, expected: str) -> None:
    assert letter_body_html(content, {}) == expected


def test_non_breaking_hyphens_and_en_dash() -> None:
    assert letter_body_html("non-breaking a - b", {}) == f"<p>non{NB}breaking a – b</p>"


def test_markup_keeps_its_hyphens() -> None:
    html = letter_body_html("a\n\n---\n\nhttp://x-y.com", {})
    assert 'class="page-break"' in html
    assert f"data-original-protocol='http://'>x{NB}y.com" in html


def test_values_are_escaped_and_lists_are_bullets() -> None:
    html = letter_body_html("((a)) ((b))", {"a": "<b>&", "b": ["x", "y"]})
    # The space before the list stays in the paragraph: Notify does not trim paragraphs.
    assert html == "<p>&lt;b&gt;&amp; </p><ul>\n<li>x</li>\n<li>y</li>\n</ul>\n"


def test_typography_smart_quotes() -> None:
    assert letter_body_html("Tom's", {}) == "<p>Tom’s</p>"


def test_unfilled_placeholder_preview() -> None:
    assert letter_body_html("((name))", {}) == (
        "<p><span class='placeholder'>&#40;&#40;name&#41;&#41;</span></p>"
    )


# §4.7 QR codes


def test_qr_code_paragraph_keeps_data_hyphens() -> None:
    html = letter_body_html("qr: https://example.com/a-b", {})
    assert html == "<p><div class='qrcode'>https://example.com/a-b</div></p>"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        # The data is drawn as a QR code, so typography leaves it alone...
        (
            "qr: https://example.com/?q='x' - \"y\"",
            "<p><div class='qrcode'>https://example.com/?q='x' - \"y\"</div></p>",
        ),
        # ... and an "@" in it does not keep the next paragraph's quotes straight.
        (
            "qr: mail x@y.com\n\n'Hello' 'there'",
            "<p><div class='qrcode'>mail x@y.com</div></p>"
            "<p>\u2018Hello\u2019 \u2018there\u2019</p>",
        ),
    ],
)
def test_qr_code_data_is_left_out_of_typography(content: str, expected: str) -> None:
    assert letter_body_html(content, {}) == expected


def test_qr_code_too_long() -> None:
    with pytest.raises(QrCodeTooLong) as raised:
        check_qr_codes("qr: " + "too much data" * 50, {})
    error = raised.value
    assert error.message == "Cannot create a usable QR code - the link is too long"
    assert error.error == "ValidationError"
    assert (error.num_bytes, error.max_bytes) == (650, QR_CODE_MAX_BYTES)
    assert error.data == "too much data" * 50


def test_qr_code_at_limit_is_fine() -> None:
    check_qr_codes("QR: " + "a" * 504, {})


def test_qr_code_measured_after_escaping_values() -> None:
    # 126 × "&" is 126 bytes raw but 630 once escaped as &amp;
    with pytest.raises(QrCodeTooLong) as raised:
        check_qr_codes("qr: ((x))", {"x": "&" * 126})
    assert raised.value.num_bytes == 630


def test_qr_code_checked_on_raw_template_without_values() -> None:
    check_qr_codes("qr: ((x))", None)


def test_old_qr_syntax_is_not_a_qr_code() -> None:
    check_qr_codes("[qr](" + "x" * 600 + ")", {})


@pytest.mark.parametrize(
    ("content", "values", "expected"),
    [
        ("qr: ((data))", {"data": "https://www.example.com"}, ["https://www.example.com"]),
        ("qr: static", {}, ["static"]),
        (
            "qr: prefix https://www.google.com suffix",
            {},
            ["prefix https://www.google.com suffix"],
        ),
        (
            "qr: prefix ((data))",
            {"data": "https://www.example.com"},
            ["prefix https://www.example.com"],
        ),
        ('qr:http://example.com"', {}, ['http://example.com"']),
        (" qr : http://example.com", {}, ["http://example.com"]),
        ("qr: www.gov.uk/search?q=foo&r=bar", {}, ["www.gov.uk/search?q=foo&r=bar"]),
        (
            "qr: www.gov.uk/search?q=hello!@#$%^&*<>[]()\"'world",
            {},
            ["www.gov.uk/search?q=hello!@#$%^&*<>[]()\"'world"],
        ),
        ("qr: www.gov.uk/search?q=hello world", {}, ["www.gov.uk/search?q=hello world"]),
        ("qr: www.gov.uk/search?q=hello-world", {}, ["www.gov.uk/search?q=hello-world"]),
        ("qr: a\n\nqr: b", {}, ["a", "b"]),
        ("qr: ((data))", {}, []),  # unfilled: a placeholder box, not a code
        ("[qr](((data)))", {"data": "https://www.example.com"}, []),
        ("[qr](static)", {}, []),
        ("[qr](prefix https://www.google.com suffix)", {}, []),
        ("[qr](prefix ((data)))", {"data": "https://www.example.com"}, []),
    ],
)
def test_letter_qr_codes(content: str, values: dict[str, Any], expected: list[str]) -> None:
    assert letter_qr_codes(content, values) == expected


# §4.7 subject and API content (§7.1)


@pytest.mark.parametrize(
    ("subject", "values", "expected"),
    [
        ("Tom's & Jerry's", {}, "Tom’s &amp; Jerry’s"),
        ("Your ((thing))  due - now", {"thing": "tax\nis"}, "Your tax is due – now"),
        ("((x))", {"x": ["a", "b", "c"]}, "a, b and c"),
    ],
)
def test_letter_subject(subject: str, values: dict[str, Any], expected: str) -> None:
    assert letter_subject(subject, values) == expected


def test_letter_api_body_is_markdown_source() -> None:
    assert letter_body("  # Hi ((name))\n\n((list))  ", {"name": "Jo", "list": ["a"]}) == (
        "# Hi Jo\n\n\n\n* a"
    )


# §4.7 contact block


def test_contact_block() -> None:
    assert letter_contact_block_html("  Dept ((x)) ,\n   Line 2  \n", {"x": "<a>"}) == (
        "Dept &lt;a&gt;,<br>Line 2"
    )


def test_contact_block_placeholders_are_required() -> None:
    names = letter_placeholder_names(content="Body", subject="S", contact_block="((contact block))")
    with pytest.raises(MissingPersonalisation) as raised:
        require_personalisation(names, {})
    assert raised.value.message == "Missing personalisation: contact block"


def test_letter_placeholder_order() -> None:
    assert letter_placeholder_names(
        content="((body)) ((a))",
        subject="((subject))",
        contact_block="((contact))",
        welsh_subject="((welsh subject))",
        welsh_content="((welsh body)) ((A))",
    ) == ["contact", "welsh subject", "welsh body", "A", "subject", "body"]


# §4.7 address block


def test_address_block_uses_normalised_lines() -> None:
    lines = ["A Person", "1 Street", "N1 4WQ"]
    values = {"address_line_1": "A Person", "address_line_2": "1 Street", "postcode": "n14w q"}
    assert letter_address_block(values, lines) == lines


def test_address_block_raw_lines_when_too_short() -> None:
    values = {"address_line_1": "A <Person>", "postcode": "SW1A 1AA"}
    block = letter_address_block(values, ["A <Person>", "SW1A 1AA"])
    assert block[0] == "A &lt;Person&gt;"
    assert block[1] == "<span class='placeholder-no-brackets'>address line 2</span>"
    assert block[6] == "SW1A 1AA"
    assert len(block) == 7


def test_address_block_line_7_wins_over_postcode() -> None:
    block = letter_address_block({"address_line_7": "Seven", "postcode": "P"})
    assert block[6] == "Seven"


# §4.7 date


@pytest.mark.parametrize(
    ("when", "language", "expected"),
    [
        (
            datetime.datetime(2026, 1, 6, 12, 0, tzinfo=datetime.timezone.utc),
            "english",
            "6 January 2026",
        ),
        (
            datetime.datetime(2026, 5, 6, 23, 1, tzinfo=datetime.timezone.utc),
            "english",
            "7 May 2026",
        ),
        (
            datetime.datetime(2026, 1, 6, 23, 1, tzinfo=datetime.timezone.utc),
            "english",
            "6 January 2026",
        ),
        (datetime.datetime(2026, 1, 6, 12, 0), "welsh", "6 Ionawr 2026"),
        (datetime.datetime(2026, 12, 25, 12, 0), "welsh", "25 Rhagfyr 2026"),
    ],
)
def test_letter_date(when: datetime.datetime, language: Any, expected: str) -> None:
    assert letter_date(when, language) == expected


def test_letter_date_defaults_to_today() -> None:
    assert letter_date().split()[-1].isdigit()


# §3.6 empty check applies to letters too


@pytest.mark.parametrize(
    ("content", "values", "empty"),
    [
        ("((placeholder))", {"placeholder": ""}, True),
        ("((placeholder??x))", {"placeholder": False}, True),
        ("Some content", {}, False),
    ],
)
def test_letter_empty(content: str, values: dict[str, Any], empty: bool) -> None:
    assert is_message_empty(content, values) is empty


def test_empty_error_message() -> None:
    assert MessageEmpty().message == "Your message is empty."
