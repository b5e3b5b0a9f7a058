"""A template being written, shown as Notify's admin app previews it: a text with its count
of parts, an email as its recipient sees it, a letter as its printed pages.

Nothing here is stored. Placeholders with no value stay as ``((name))``, highlighted as the
admin app highlights them. The template pages take it from here whichever way they are asked:
the JSON preview route (``admin/preview.py``) as the user types, and the pages' own routes
(``pages/setup.py``) for the email's document, the letter's PDF and its page images, whose
addresses carry the unsaved text in their query (:func:`preview_address`).
"""

from __future__ import annotations

import datetime
import hashlib
import html
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from notify_emulator.letters_pdf import fewest_pages, page_count, render_letter_pdf
from notify_emulator.rules.email import email_subject
from notify_emulator.rules.email_document import email_document
from notify_emulator.rules.letter_template import (
    ADDRESS_BLOCK_LINES,
    letter_body_html,
    letter_contact_block_html,
    letter_subject,
)
from notify_emulator.rules.letters import LETTER_MAX_PAGES, billable_sheets
from notify_emulator.rules.placeholders import PLACEHOLDER_PATTERN, fill, placeholder_names
from notify_emulator.rules.sms import render_sms

__all__ = [
    "MAX_PREVIEW_CHARACTERS",
    "MAX_PREVIEW_QUERY",
    "LetterPreview",
    "SmsPreview",
    "email_preview_document",
    "email_preview_subject",
    "example_unsubscribe_link",
    "letter_preview",
    "placeholder_parts",
    "preview_address",
    "sms_preview",
    "too_long_to_preview",
    "viewed_email",
]

# Far above any template Notify accepts (the content limit is checked when saving); a preview
# of more would only cost time.
MAX_PREVIEW_CHARACTERS = 100_000
# What each field of a template is called in the preview's words.
_FIELD_WORDS = {"body": "message", "subject": "subject", "letter_contact_block": "contact block"}


def too_long_to_preview(field: str) -> str:
    """Why a field over :data:`MAX_PREVIEW_CHARACTERS` has no preview, in a sentence."""
    return (
        f"This {_FIELD_WORDS.get(field, field)} is too long to preview. "
        f"The preview can show up to {MAX_PREVIEW_CHARACTERS:,} characters."
    )


# The longest query a preview's address may have: far below the browsers' own limits (about
# 2 MB) and the emulator's request-head limit (``MAX_HEAD_BYTES`` in ``web/guard.py``, 1 MiB).
MAX_PREVIEW_QUERY = 512 * 1024
# A letter whose text certainly needs more pages than this is not drawn: its page count is
# all the preview says. Rendering takes time in proportion to the text.
MAX_DRAWN_PAGES = 3 * LETTER_MAX_PAGES

# The admin app's placeholder highlight (components/placeholder.scss): the GOV.UK focus yellow,
# rounded, inset from the text around it. Only the preview's copy of the email carries it.
PLACEHOLDER_STYLE = (
    "<style>"
    ".placeholder, .placeholder-conditional, .placeholder-no-brackets "
    "{ display: inline; background: #ffdd00; color: #0b0c0c; overflow-wrap: break-word; } "
    ".placeholder { border-radius: 11px; box-shadow: inset 0.47em 0 0 0 #ffffff, "
    "inset -0.47em 0 0 0 #ffffff, inset 0 -0.05em 0 0 #ffffff, inset 0 0.26em 0 0 #ffffff; } "
    ".placeholder-conditional { border-radius: 20px 8px 8px 20px; box-shadow: inset 0.47em 0 0 0 "
    "#ffffff, inset -0.89em 0 0 0 #ffffff, inset 0 -0.16em 0 0 #ffffff, "
    "inset 0 0.16em 0 0 #ffffff; }"
    "</style>"
)


def placeholder_parts(text: str) -> list[tuple[str, bool]]:
    """``text`` cut into (piece, is it a placeholder) for a page to highlight the
    placeholders, each piece still text (the page escapes it)."""
    parts: list[tuple[str, bool]] = []
    position = 0
    for match in PLACEHOLDER_PATTERN.finditer(text):
        if match.start() > position:
            parts.append((text[position : match.start()], False))
        parts.append((match.group(0), True))
        position = match.end()
    if position < len(text):
        parts.append((text[position:], False))
    return parts


# --- text messages ------------------------------------------------------------------------


@dataclass(frozen=True)
class SmsPreview:
    """A text as the admin app previews it, and what it says under the message."""

    body: str
    fragment_count: int
    count_message: str
    too_long: bool


def _character_count(count: int) -> str:
    # The admin app's character_count formatter.
    return "1 character" if count == 1 else f"{count:,} characters"


def sms_preview(body: str, *, prefix: str | None) -> SmsPreview:
    """The text shown with its placeholders as written, and counted with them as nothing, as
    the admin app counts a template's length (``content-count-message.html``)."""
    names = placeholder_names(body)
    shown = render_sms(body, {name: f"(({name}))" for name in names}, prefix=prefix)
    measured = render_sms(body, {}, prefix=prefix)
    if measured.is_too_long:
        message = f"You have {_character_count(measured.characters_above_limit)} too many"
    else:
        count = measured.fragment_count
        message = f"Will be charged as {count:,} text message{'' if count == 1 else 's'}"
        if names:
            message += " (not including personalisation)"
    return SmsPreview(
        body=shown.body,
        fragment_count=measured.fragment_count,
        count_message=message,
        too_long=measured.is_too_long,
    )


# --- emails -------------------------------------------------------------------------------


def email_preview_subject(subject: str) -> str:
    """The subject line as the recipient's inbox shows it, placeholders as written."""
    return email_subject(subject, {})


def viewed_email(document: str) -> str:
    """An email's HTML document as the emulator's pages frame it: its links leave the frame
    for a new tab."""
    return document.replace("<head>", '<head>\n<base target="_blank">', 1)


def example_unsubscribe_link(root: str) -> str:
    """Where the preview's unsubscribe link goes: the admin app's example page
    (``main.unsubscribe_example``, ``/unsubscribe/example``) under the emulator's root, as the
    pages stand for the admin app."""
    return f"{root}/unsubscribe/example"


def email_preview_document(subject: str, body: str, *, unsubscribe_link: str | None = None) -> str:
    """The email as Notify would send it (the inbox's renderer, ``email_document``), with its
    unfilled placeholders highlighted. The template's text is escaped there, so it cannot
    add markup. With ``unsubscribe_link`` (a template with the option on) it ends as the
    admin app's preview ends (``EmailPreviewTemplate``): a rule, then **Unsubscribe from these
    emails** linking there."""
    document = viewed_email(email_document(subject, body, {}, unsubscribe_link=unsubscribe_link))
    return document.replace("</head>", PLACEHOLDER_STYLE + "\n</head>", 1)


# --- letters ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LetterPreview:
    """A letter's printed preview: its PDF (None when too long to draw) and page count."""

    pdf: bytes | None
    page_count: int
    key: str
    """Names this letter's text in the page-image cache."""

    @property
    def too_long_message(self) -> str | None:
        """The admin app's words for a letter over the page limit (``letter-too-long.html``)."""
        if self.page_count <= LETTER_MAX_PAGES:
            return None
        pages = f"{self.page_count}" if self.pdf is not None else f"more than {MAX_DRAWN_PAGES}"
        return (
            f"Letters must be {LETTER_MAX_PAGES} pages or less "
            f"({billable_sheets(LETTER_MAX_PAGES)} double-sided sheets of paper). "
            f"Your letter is {pages} pages long."
        )


_TAG = re.compile(r"<[^>]*>")
_LETTER_CACHE_SIZE = 16
_letter_lock = threading.Lock()
_letters: OrderedDict[str, LetterPreview] = OrderedDict()


def _text_of(markup: str) -> str:
    # The rules' HTML of a subject or contact block: escaped text and the placeholder spans
    # the rules add themselves.
    return html.unescape(_TAG.sub("", markup))


def letter_preview(
    subject: str, body: str, *, contact_block: str | None, date: datetime.date
) -> LetterPreview:
    """The letter drawn as Notify prints it (``letters_pdf``): the address block's seven
    placeholders, the contact block, the date, the heading and the message, placeholders as
    written. The same text gives the same preview, kept for the page images that follow."""
    key = hashlib.sha256(
        "\x00".join((subject, body, contact_block or "", date.isoformat())).encode("utf-8")
    ).hexdigest()
    with _letter_lock:
        cached = _letters.get(key)
        if cached is not None:
            _letters.move_to_end(key)
            return cached
    block = "\n".join(f"((address line {n}))" for n in range(1, ADDRESS_BLOCK_LINES + 1))
    address = fill(block, {})
    contact = (
        _text_of(letter_contact_block_html(contact_block, {}).replace("<br>", "\n"))
        if contact_block
        else None
    )
    heading = _text_of(letter_subject(subject, {}))
    body_html = letter_body_html(body, {})
    lines = address.splitlines()
    least = fewest_pages(
        address_lines=lines, contact_block=contact, subject=heading, body_html=body_html
    )
    if least > MAX_DRAWN_PAGES:
        preview = LetterPreview(pdf=None, page_count=least, key=key)
    else:
        pdf = render_letter_pdf(
            address_lines=lines,
            contact_block=contact,
            date=date,
            subject=heading,
            body_html=body_html,
        )
        preview = LetterPreview(pdf=pdf, page_count=page_count(pdf), key=key)
    with _letter_lock:
        _letters[key] = preview
        while len(_letters) > _LETTER_CACHE_SIZE:
            _letters.popitem(last=False)
    return preview


# --- where the preview's parts are served -------------------------------------------------


def preview_address(
    service_id: str,
    part: str,
    subject: str,
    body: str,
    contact_block: str | None = None,
    *,
    unsubscribe_link: bool = False,
) -> str | None:
    """The address of one part of a preview (``email.html``, ``letter.pdf``,
    ``pages/N.png``) under the service's template pages, the text in its query (a letter's
    contact block as ``letter_contact_block``, an email's unsubscribe option as
    ``unsubscribe_link=yes``, as the form sends it); None when the query would be too long to
    send."""
    fields = {"subject": subject, "body": body}
    if contact_block:
        fields["letter_contact_block"] = contact_block
    if unsubscribe_link:
        fields["unsubscribe_link"] = "yes"
    query = urlencode(fields)
    if len(query) > MAX_PREVIEW_QUERY:
        return None
    return f"/services/{quote(service_id, safe='')}/templates/preview/{part}?{query}"
