"""Properties of rendering: it never fails on any JSON-like personalisation, and an SMS
never needs fewer fragments as it grows."""

from __future__ import annotations

import contextlib
import html
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notify_emulator.rules.email import (
    check_email,
    email_body,
    email_html_body,
    email_plain_text,
    email_preheader,
    email_subject,
    is_message_empty,
)
from notify_emulator.rules.errors import MessageEmpty, MessageTooLong
from notify_emulator.rules.letter_template import (
    QrCodeTooLong,
    check_qr_codes,
    letter_address_block,
    letter_body,
    letter_body_html,
    letter_contact_block_html,
    letter_subject,
)
from notify_emulator.rules.placeholders import fill, missing_personalisation, placeholder_names
from notify_emulator.rules.sms import check_sms, render_sms, sms_body

PROPERTY_SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

NAMES = ["name", "First Name", "list", "show", "a&b", " x "]

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=10,
)
personalisations = st.dictionaries(
    st.sampled_from(NAMES) | st.text(max_size=8), json_values, max_size=6
)

# Pieces that exercise the grammar: placeholders, conditionals, markdown, entities, URLs.
FRAGMENTS = [
    *(f"(({name}))" for name in NAMES),
    "((show??shown text))",
    "((",
    "))",
    "\n",
    "\n\n",
    "# ",
    "## ",
    "* ",
    "- ",
    "• ",
    "1. ",
    "^ ",
    "---",
    "***",
    "    ",
    "```\n",
    "[link](http://example.com)",
    "[ref][r]\n\n[r]: http://x.com",
    "[^1]\n\n[^1]: note",
    "https://example.com/a-b?c=d&e",
    "<b>",
    "</b>",
    "&amp;",
    "&nbsp;",
    "&lpar;",
    "GOV.UK",
    "'",
    '"',
    " - ",
    "qr: data",
    "| a | b |\n|---|---|\n",
    "\\",
    "\t",
    "\r",
    "\u2028",
    "ŵ",
    "€",
    "😀",
]
templates = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=10), max_size=12).map("".join)


@PROPERTY_SETTINGS
@given(content=templates, personalisation=personalisations, prefix=st.none() | st.text(max_size=8))
def test_sms_rendering_never_raises(
    content: str, personalisation: dict[str, Any], prefix: str | None
) -> None:
    message = render_sms(content, personalisation, prefix=prefix)
    assert message.fragment_count >= 1
    assert message.content_count_without_prefix <= message.content_count
    assert sms_body(content, personalisation) == render_sms(content, personalisation).body
    if message.is_empty or message.is_too_long:
        with pytest.raises((MessageEmpty, MessageTooLong)):
            check_sms(message)
    else:
        check_sms(message)


@PROPERTY_SETTINGS
@given(content=templates, subject=templates, personalisation=personalisations)
def test_email_rendering_never_raises(
    content: str, subject: str, personalisation: dict[str, Any]
) -> None:
    body = email_body(content, personalisation)
    assert body == body.strip()
    assert "\n" not in email_subject(subject, personalisation)
    assert "\n" not in email_subject(subject, personalisation, escape=True)
    email_html_body(content, personalisation, unsubscribe_link="https://example.com/u")
    assert email_plain_text(content, personalisation).endswith("\n")
    # At most 256 characters of text; its markup (placeholder spans) is whole.
    preheader = email_preheader(content, personalisation)
    assert len(html.unescape(re.sub(r"<[^>]*>", "", preheader))) <= 256
    assert preheader.count("<span") == preheader.count("</span>")
    if is_message_empty(content, personalisation):
        with pytest.raises(MessageEmpty):
            check_email(content, personalisation)
    else:
        check_email(content, personalisation)  # generated bodies are far below 2,000,000 bytes


@PROPERTY_SETTINGS
@given(
    content=templates,
    subject=templates,
    contact_block=templates,
    personalisation=personalisations,
)
def test_letter_rendering_never_raises(
    content: str, subject: str, contact_block: str, personalisation: dict[str, Any]
) -> None:
    letter_body(content, personalisation)
    assert "-" not in _text_outside_tags(letter_body_html(content, personalisation))
    assert "\n" not in letter_subject(subject, personalisation)
    letter_contact_block_html(contact_block, personalisation)
    assert len(letter_address_block(personalisation)) == 7
    with contextlib.suppress(QrCodeTooLong):
        check_qr_codes(content, personalisation)


def _text_outside_tags(html: str) -> str:
    # QR data keeps its hyphens on purpose; drop it with the markup.
    html = re.sub(r"<div class='qrcode[^']*'>.*?</div>", "", html, flags=re.DOTALL)
    return re.sub(r"<[^>]*>", "", html)


@PROPERTY_SETTINGS
@given(value=st.text(), other=st.text())
def test_substitution_never_rescans_values(value: str, other: str) -> None:
    # A value that looks like a placeholder is never filled in itself.
    assert fill("((name))", {"name": value, "other": other}) == value


@PROPERTY_SETTINGS
@given(content=templates, personalisation=personalisations)
def test_names_found_are_the_names_required(content: str, personalisation: dict[str, Any]) -> None:
    names = placeholder_names(content)
    missing = missing_personalisation(names, personalisation)
    # Fill everything that is missing and nothing is missing any more.
    complete = {**personalisation, **dict.fromkeys(missing, "")}
    assert missing_personalisation(names, complete) == []
    assert set(missing) <= set(names)


# Text that cannot complete a placeholder, so appending it only ever adds characters.
no_brackets = st.text(
    alphabet=st.characters(exclude_characters="()", exclude_categories=["Cs"]), max_size=60
)


@PROPERTY_SETTINGS
@given(start=no_brackets, extra=no_brackets, prefix=st.none() | st.text(max_size=5))
def test_fragment_count_never_decreases_as_message_grows(
    start: str, extra: str, prefix: str | None
) -> None:
    shorter = render_sms(start, prefix=prefix)
    longer = render_sms(start + extra, prefix=prefix)
    assert longer.fragment_count >= shorter.fragment_count


@PROPERTY_SETTINGS
@given(
    character=st.sampled_from(["a", "^", "€", "ŵ", "😀", "…", "é", " "]),
    count=st.integers(min_value=0, max_value=1200),
)
def test_fragment_count_grows_one_character_at_a_time(character: str, count: int) -> None:
    shorter = render_sms("x" + character * count)
    longer = render_sms("x" + character * (count + 1))
    assert longer.fragment_count >= shorter.fragment_count
