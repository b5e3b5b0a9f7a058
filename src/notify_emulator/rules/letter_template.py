"""Letters: the body, subject, contact block, address block and date as Notify renders
them for the printed letter, and what the API returns (rules.md §4.7, §7).

Source: notifications-utils ``template.py`` (``BaseLetterTemplate``) and ``qr_code.py``.
Address normalisation and validation live in :mod:`notify_emulator.rules.postal_address`;
this module only lays out lines it is given. The markdown grammar is imported with the first
letter rendered (as :mod:`notify_emulator.rules.email` imports it with the first email).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal
from zoneinfo import ZoneInfo

from notify_emulator.rules.email import email_body, is_message_empty
from notify_emulator.rules.errors import RuleError
from notify_emulator.rules.placeholders import (
    fill,
    normalise_key,
    placeholder_names,
    unescape_strict,
)
from notify_emulator.rules.typography import (
    nice_typography,
    normalise_whitespace,
    remove_whitespace_before_punctuation,
    replace_hyphens_with_non_breaking_hyphens,
)

__all__ = [
    "ADDRESS_BLOCK_LINES",
    "QR_CODE_DIV",
    "QR_CODE_MAX_BYTES",
    "QrCodeTooLong",
    "check_qr_codes",
    "is_message_empty",
    "letter_address_block",
    "letter_body",
    "letter_body_html",
    "letter_contact_block_html",
    "letter_date",
    "letter_placeholder_names",
    "letter_qr_codes",
    "letter_subject",
]

# qr_code.py: above this many bytes a printed QR code becomes hard to scan.
QR_CODE_MAX_BYTES = 504

ADDRESS_BLOCK_LINES = 7

WELSH_MONTHS = {
    1: "Ionawr",
    2: "Chwefror",
    3: "Mawrth",
    4: "Ebrill",
    5: "Mai",
    6: "Mehefin",
    7: "Gorffennaf",
    8: "Awst",
    9: "Medi",
    10: "Hydref",
    11: "Tachwedd",
    12: "Rhagfyr",
}
ENGLISH_MONTHS = {
    1: "January",
    2: "February",
    3: "March",
    4: "April",
    5: "May",
    6: "June",
    7: "July",
    8: "August",
    9: "September",
    10: "October",
    11: "November",
    12: "December",
}
LONDON = ZoneInfo("Europe/London")

Personalisation = Mapping[str, Any] | None


class QrCodeTooLong(RuleError):
    """A ``qr:`` paragraph holds more data than a printable QR code can (HTTP 400)."""

    error = "ValidationError"

    def __init__(self, data: str, num_bytes: int) -> None:
        super().__init__("Cannot create a usable QR code - the link is too long")
        self.data = data
        self.num_bytes = num_bytes
        self.max_bytes = QR_CODE_MAX_BYTES


def letter_placeholder_names(
    *,
    content: str,
    subject: str,
    contact_block: str | None = None,
    welsh_subject: str | None = None,
    welsh_content: str | None = None,
) -> list[str]:
    """A letter's placeholders in Notify's order: contact block, Welsh subject, Welsh body,
    subject, body. All of them are required."""
    return placeholder_names(
        (contact_block or "").strip(), welsh_subject, welsh_content, subject, content
    )


def letter_body(content: str, personalisation: Personalisation) -> str:
    """The ``body`` the API returns: the markdown source with values filled in, trimmed."""
    return email_body(content, personalisation)


def letter_subject(subject: str, personalisation: Personalisation) -> str:
    """The letter subject, as printed and as the API returns it: HTML-escaped, with
    typography, on one line (``Tom's & Jerry's`` → ``Tom’s &amp; Jerry’s``)."""
    filled = fill(subject, personalisation, escape=True, unfilled="html")
    return normalise_whitespace(nice_typography(filled))


def _personalised_markdown(content: str, personalisation: Personalisation) -> str:
    return fill(content, personalisation, escape=True, markdown_lists=True, unfilled="html")


def letter_body_html(content: str, personalisation: Personalisation) -> str:
    """The letter body as HTML for the printed page.

    Headings ``#`` become ``<h2>``, rules page breaks, links stay as markdown text; then
    typography, and every remaining ``-`` becomes a non-breaking hyphen (U+2011). A
    ``qr:`` paragraph becomes ``<div class='qrcode'>DATA</div>`` (DATA HTML-escaped, its
    hyphens untouched) for the PDF builder to draw.
    """
    from notify_emulator.rules.markdown import QR_HYPHEN_STAND_IN, LetterRenderer, render

    html = render(_personalised_markdown(content, personalisation) + "\n", LetterRenderer())
    # Notify has already drawn each QR code as an SVG (no text) when typography runs, so
    # the data is neither given smart quotes nor seen by the neighbouring text: an "@" in
    # it must not keep the next paragraph's quotes straight. Hide it until typography is done.
    qr_codes: list[str] = []

    def hide(match: re.Match[str]) -> str:
        qr_codes.append(match.group(0))
        return f"<div class='qrcode' data-qr='{len(qr_codes) - 1}'></div>"

    html = QR_CODE_DIV.sub(hide, html)
    html = _replace_hyphens_outside_tags(nice_typography(html))
    html = _HIDDEN_QR_CODE.sub(lambda match: qr_codes[int(match.group(1))], html)
    return html.replace(QR_HYPHEN_STAND_IN, "-")


_TAG = re.compile(r"(<[^>]*>)")
# The renderer's QR code paragraphs (their data is HTML-escaped, so holds no "</div>"): the
# class (``qrcode``, or ``qrcode-placeholder`` where the data holds an unfilled placeholder)
# and the data. The PDF builder draws them (letters_pdf.py).
QR_CODE_DIV = re.compile(r"<div class='(qrcode|qrcode-placeholder)'>(.*?)</div>", re.S)
_HIDDEN_QR_CODE = re.compile(r"<div class='qrcode' data-qr='([0-9]+)'></div>")


def _replace_hyphens_outside_tags(html: str) -> str:
    # Notify replaces every hyphen, markup included (class="page-break" and the
    # data-original-protocol attribute get U+2011 too). Only the reader sees the hyphens,
    # so here the markup is left intact for the PDF builder.
    parts = _TAG.split(html)
    return "".join(
        part if index % 2 else replace_hyphens_with_non_breaking_hyphens(part)
        for index, part in enumerate(parts)
    )


def check_qr_codes(content: str, personalisation: Personalisation) -> None:
    """Raise :class:`QrCodeTooLong` if any ``qr:`` paragraph holds over 504 bytes.

    Measured as Notify does: on the HTML-escaped text, in UTF-8. With no personalisation
    the raw template is checked (as when a template is saved).
    """
    from notify_emulator.rules.markdown import LetterRenderer, render

    markdown = _personalised_markdown(content, personalisation) if personalisation else content

    def measure(data: str) -> str:
        num_bytes = len(data.encode("utf-8"))
        if num_bytes > QR_CODE_MAX_BYTES:
            raise QrCodeTooLong(data, num_bytes)
        return data

    render(markdown + "\n", LetterRenderer(qr_code=measure))


def letter_qr_codes(content: str, personalisation: Personalisation) -> list[str]:
    """The data of each ``qr:`` paragraph, in order and unescaped: what each printed QR
    code encodes. Data that still holds an unfilled placeholder is skipped."""
    from notify_emulator.rules.markdown import LetterRenderer, render

    found: list[str] = []

    def collect(data: str) -> str:
        if "<span class='placeholder" not in data and '<span class="placeholder' not in data:
            found.append(unescape_strict(data))
        return data

    render(_personalised_markdown(content, personalisation) + "\n", LetterRenderer(qr_code=collect))
    return found


def _nl2br(text: str) -> str:
    return re.sub(r"\n|\r", "<br>", text.strip())


def letter_contact_block_html(contact_block: str | None, personalisation: Personalisation) -> str:
    """The contact block as HTML: each line trimmed, values filled (escaped), spaces before
    punctuation removed and line breaks as ``<br>``."""
    lines = (contact_block or "").strip().split("\n")
    filled = fill("\n".join(line.strip() for line in lines), personalisation, escape=True)
    return _nl2br(remove_whitespace_before_punctuation(filled))


def letter_address_block(
    personalisation: Personalisation, normalised_lines: Sequence[str] | None = None
) -> list[str]:
    """The lines printed in the address window.

    Pass ``normalised_lines`` (from the postal-address rules) when the address has 3 to 7
    of them: they are printed as they are. Otherwise the seven raw lines are shown,
    HTML-escaped, with ``postcode`` standing in for line 7 and empty lines as unfilled
    placeholders without brackets.
    """
    if normalised_lines is not None and 3 <= len(normalised_lines) <= ADDRESS_BLOCK_LINES:
        return list(normalised_lines)
    values = dict(personalisation or {})
    keys = {normalise_key(str(key)) for key in values}
    if "addressline7" not in keys and "postcode" in keys:
        postcode = next(v for k, v in values.items() if normalise_key(str(k)) == "postcode")
        values["address line 7"] = postcode
    block = "\n".join(f"((address line {n}))" for n in range(1, ADDRESS_BLOCK_LINES + 1))
    return fill(block, values, escape=True, unfilled="html_no_brackets").splitlines()


def letter_date(
    when: datetime.datetime | None = None,
    language: Literal["english", "welsh"] = "english",
) -> str:
    """The date printed on the letter: ``D Month YYYY`` in London time (Welsh month names
    for the Welsh version). ``when`` defaults to now; a naive value is taken as UTC."""
    moment = when or datetime.datetime.now(datetime.timezone.utc)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    local = moment.astimezone(LONDON).date()
    months = WELSH_MONTHS if language == "welsh" else ENGLISH_MONTHS
    return f"{local.day} {months[local.month]} {local.year}"
