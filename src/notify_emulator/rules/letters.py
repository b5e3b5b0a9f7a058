"""Letter arithmetic: the page limit, sheets, billable units, the printed date, and the
decoding of a precompiled letter's content (notify-api.md §5.3, §5.4; rules.md §4.7–§4.8).

Reading and writing the PDFs themselves is I/O on a library and lives in
:mod:`notify_emulator.letters_pdf`.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import math

from notify_emulator.rules.errors import RuleError
from notify_emulator.rules.letter_template import ENGLISH_MONTHS

__all__ = [
    "DECODE_ERROR_MESSAGE",
    "LETTER_MAX_PAGES",
    "NOT_A4_PORTRAIT",
    "TOO_LONG",
    "UNREADABLE",
    "billable_sheets",
    "decode_letter_content",
    "format_letter_date",
    "letter_billable_units",
]

# api LETTER_MAX_PAGE_COUNT: at most 10 pages, i.e. 5 sheets printed on both sides.
LETTER_MAX_PAGES = 10

# Validation message codes Notify records on a letter that fails its checks
# (template-preview, shown by notifications-admin).
UNREADABLE = "unable-to-read-the-file"
TOO_LONG = "letter-too-long"
NOT_A4_PORTRAIT = "letter-not-a4-portrait-oriented"

DECODE_ERROR_MESSAGE = "Cannot decode letter content (invalid base64 encoding)"


def decode_letter_content(content: str) -> bytes:
    """Decode a precompiled letter's ``content`` as Notify does.

    Standard base64, leniently: characters outside the alphabet are dropped, and only bad
    padding (or non-ASCII text) fails, with Notify's ``BadRequestError``.
    """
    try:
        return base64.b64decode(content)
    except (binascii.Error, ValueError) as error:
        raise RuleError(DECODE_ERROR_MESSAGE) from error


def billable_sheets(pages: int) -> int:
    """Sheets of paper for ``pages`` printed pages (double-sided): ``ceil(pages / 2)``."""
    if pages < 0:
        raise ValueError(f"a page count cannot be negative, got {pages}")
    return math.ceil(pages / 2)


def letter_billable_units(*, key_type: str, precompiled: bool, pages: int) -> int:
    """The ``billable_units`` Notify stores once a letter's PDF is ready.

    Template letters sent with a test key stay at 0 (api ``update_billable_units_for_letter``);
    precompiled letters are counted whatever the key (``process_sanitised_letter``).
    """
    if key_type == "test" and not precompiled:
        return 0
    return billable_sheets(pages)


def format_letter_date(day: datetime.date) -> str:
    """A letter's date as Notify prints it, e.g. ``6 January 2026`` (no leading zero)."""
    return f"{day.day} {ENGLISH_MONTHS[day.month]} {day.year}"
