"""Letters as PDFs: precompiled uploads checked, template letters rendered, pages counted.

notify-api.md §5.3, §5.4, §5.6 and rules.md §4.7–§4.8. Notify renders and checks letter PDFs
in a separate service (template-preview); the emulator does a faithful-enough version here:
real A4 PDFs for template letters (fpdf2, with QR codes made by segno as Notify makes
them), and the checks a precompiled upload must pass (pypdf) with Notify's validation
message codes.

Fonts: the PDF uses the standard Helvetica font, which every PDF reader has, so no font
file needs shipping. It covers Windows-1252 (Western European letters, curly quotes,
dashes, the euro sign); any other character is transliterated (``ŵ`` → ``w``, a
non-breaking hyphen → ``-``) or shown as ``?``. The API's ``body`` keeps the exact text, so
only the printed preview is affected.

fpdf2, pypdf and segno (with fontTools and Pillow, which fpdf2 brings) are imported when a
letter is first checked or rendered, not with this module: starting the emulator, which the
pytest fixture does once per test session, should not wait for them.
"""

from __future__ import annotations

import datetime
import html
import io
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from notify_emulator.rules.letter_template import QR_CODE_DIV
from notify_emulator.rules.letters import (
    LETTER_MAX_PAGES,
    NOT_A4_PORTRAIT,
    TOO_LONG,
    UNREADABLE,
    format_letter_date,
)
from notify_emulator.rules.placeholders import unescape_strict

__all__ = [
    "PrecompiledCheck",
    "check_precompiled_pdf",
    "fewest_pages",
    "inflates_too_far",
    "page_count",
    "render_letter_pdf",
]

_A4_WIDTH_MM = 210
_A4_HEIGHT_MM = 297
_A4_TOLERANCE_MM = 2  # as template-preview allows
_POINTS_PER_MM = 72 / 25.4
# The most bytes a precompiled letter's streams (page content, images, fonts) may inflate to
# in all: an ordinary letter needs a few megabytes. Beyond this a small upload is a
# decompression bomb, which drawing its pages (the inbox's page images) would have to inflate.
_MAX_DECODED_BYTES = 100_000_000

# A page break: the marker the letter template renders for a markdown rule, or the element
# Notify's own letter HTML uses for it.
_PAGE_BREAK = re.compile(
    r"<!--\s*pagebreak\s*-->|<div\s+class=[\"']page-break[\"']\s*>.*?</div>",
    re.IGNORECASE | re.DOTALL,
)


@dataclass(frozen=True)
class PrecompiledCheck:
    """The outcome of checking an uploaded PDF.

    ``code`` is Notify's validation message code when invalid (e.g. ``letter-too-long``);
    ``reason`` says the same for people.
    """

    valid: bool
    page_count: int | None
    reason: str | None = None
    code: str | None = None


def _invalid(reason: str, code: str, pages: int | None = None) -> PrecompiledCheck:
    return PrecompiledCheck(valid=False, page_count=pages, reason=reason, code=code)


@cache
def _pdf_reader() -> tuple[Any, tuple[type[BaseException], ...]]:
    """pypdf's ``PdfReader``, and the errors that say a PDF cannot be read.

    pypdf reports damaged files with a range of exceptions, not only its own; a page tree or
    object nested deeply enough makes it recurse past Python's limit.
    """
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    errors = (PyPdfError, ValueError, TypeError, KeyError, AttributeError, IndexError)
    return PdfReader, (*errors, RecursionError)


def check_precompiled_pdf(data: bytes) -> PrecompiledCheck:
    """Check an uploaded letter: a readable, unencrypted PDF of 1 to 10 A4 portrait pages."""
    # The PDF header must come first (readers allow a little junk before it).
    if b"%PDF-" not in data[:1024]:
        return _invalid("not a PDF", UNREADABLE)
    pdf_reader, unreadable = _pdf_reader()
    try:
        reader = pdf_reader(io.BytesIO(data))
        if reader.is_encrypted:
            return _invalid("the PDF is encrypted", UNREADABLE)
        pages = len(reader.pages)
        if pages == 0:
            return _invalid("the PDF has no pages", UNREADABLE, 0)
        if pages > LETTER_MAX_PAGES:
            return _invalid(
                f"too many pages: {pages} (at most {LETTER_MAX_PAGES})", TOO_LONG, pages
            )
        not_a4 = [
            number
            for number, page in enumerate(reader.pages, start=1)
            if not _is_a4_portrait(
                float(page.mediabox.width), float(page.mediabox.height), page.rotation
            )
        ]
        if _decoded_bytes(reader) > _MAX_DECODED_BYTES:
            return _invalid("the PDF inflates to too much data", UNREADABLE, pages)
    except unreadable as error:
        return _invalid(f"the PDF cannot be read ({type(error).__name__})", UNREADABLE)
    if not_a4:
        listed = ", ".join(str(number) for number in not_a4)
        return _invalid(f"not A4 portrait: page {listed}", NOT_A4_PORTRAIT, pages)
    return PrecompiledCheck(valid=True, page_count=pages)


def inflates_too_far(data: bytes) -> bool:
    """Whether a PDF's streams inflate past what a letter needs (a decompression bomb), or
    cannot be read to tell: such a PDF is not to be drawn."""
    pdf_reader, unreadable = _pdf_reader()
    try:
        return _decoded_bytes(pdf_reader(io.BytesIO(data))) > _MAX_DECODED_BYTES
    except unreadable:
        return True


def _decoded_bytes(reader: Any) -> int:
    """How many bytes the PDF's streams inflate to, counted until past the budget.

    pypdf refuses to inflate any one stream past its own limit (``LimitReachedError``, an
    unreadable file); this adds up the rest.
    """
    from pypdf.generic import IndirectObject, StreamObject

    total = 0
    for generation, objects in reader.xref.items():
        for number in objects:
            found = reader.get_object(IndirectObject(number, generation, reader))
            if isinstance(found, StreamObject):
                total += len(found.get_data())
                if total > _MAX_DECODED_BYTES:
                    return total
    return total


def _is_a4_portrait(width_points: float, height_points: float, rotation: int) -> bool:
    width = width_points / _POINTS_PER_MM
    height = height_points / _POINTS_PER_MM
    upright = rotation % 180 == 0
    if not upright:
        width, height = height, width
    return math.isclose(width, _A4_WIDTH_MM, abs_tol=_A4_TOLERANCE_MM) and math.isclose(
        height, _A4_HEIGHT_MM, abs_tol=_A4_TOLERANCE_MM
    )


def page_count(pdf: bytes) -> int:
    """The number of pages in a PDF (raises ``ValueError`` if it cannot be read)."""
    pdf_reader, unreadable = _pdf_reader()
    try:
        return len(pdf_reader(io.BytesIO(pdf)).pages)
    except unreadable as error:
        raise ValueError(f"not a readable PDF ({type(error).__name__})") from error


# Characters outside Windows-1252 with an obvious stand-in; others are decomposed
# (accents dropped) or become "?".
_STAND_INS = {
    "\u2010": "-",  # hyphen
    "\u2011": "-",  # non-breaking hyphen (Notify's letter typography uses it for every -)
    "\u2012": "–",  # figure dash
    "\u2015": "—",  # horizontal bar
    "\u2212": "-",  # minus sign
    "\u2009": " ",  # thin space
    "\u200a": " ",  # hair space
    "\u202f": " ",  # narrow no-break space
    "\u200b": "",  # zero-width space
    "\u200c": "",
    "\u200d": "",
    "\u2060": "",  # word joiner
    "\ufeff": "",
    "\u2032": "'",  # prime
    "\u2033": '"',
    "\u2190": "<-",
    "\u2192": "->",
    "\u2264": "<=",
    "\u2265": ">=",
    "\u2260": "!=",
    "ł": "l",
    "Ł": "L",
    "đ": "d",
    "Đ": "D",
    "ħ": "h",
    "Ħ": "H",
    "ı": "i",
    "ŧ": "t",
    "Ŧ": "T",
}
_PDF_ENCODING = "windows-1252"


def _printable(text: str) -> str:
    try:
        text.encode(_PDF_ENCODING)
    except UnicodeEncodeError:
        # Each distinct character looked up once, the text rewritten in C: a long text of
        # characters outside the font costs little more than a short one.
        table = {ord(character): _printable_character(character) for character in set(text)}
        return text.translate(table)
    return text


def _printable_character(character: str) -> str:
    try:
        character.encode(_PDF_ENCODING)
    except UnicodeEncodeError:
        pass
    else:
        return character
    if character in _STAND_INS:
        return _STAND_INS[character]
    decomposed = unicodedata.normalize("NFKD", character)
    base = "".join(part for part in decomposed if not unicodedata.combining(part))
    try:
        base.encode(_PDF_ENCODING)
    except UnicodeEncodeError:
        return "?"
    return base or "?"


# Layout, in millimetres: a letter's address shows through a window envelope, at the left;
# the sender's contact block sits at the top right.
_MARGIN_MM = 20
_FONT = "helvetica"
_BODY_SIZE = 11
_HEADING_SIZE = 14
_LINE_MM = 5
_ADDRESS_X_MM = 24
_ADDRESS_Y_MM = 50
_ADDRESS_WIDTH_MM = 90
_CONTACT_WIDTH_MM = 70
_DATE_Y_MM = 95
_BLACK = (0, 0, 0)
_POINTS_TO_MM = 25.4 / 72
# A QR code as Notify's letters print it (utils' letter CSS, in its 16 pt lines): a square of
# 5.25 lines, centred, with 1.25 lines above it and 1.5 below.
_QR_SIZE_MM = 84 * _POINTS_TO_MM
_QR_ABOVE_MM = 20 * _POINTS_TO_MM
_QR_BELOW_MM = 24 * _POINTS_TO_MM
_QR_PLACEHOLDER_BORDER_MM = 4 * _POINTS_TO_MM


@cache
def _letter_pdf_class() -> Any:
    """fpdf2's ``FPDF`` with Helvetica, and text outside its character set made printable."""
    from fpdf import FPDF

    class LetterPDF(FPDF):
        def __init__(self) -> None:
            super().__init__(orientation="portrait", unit="mm", format="A4")
            self.core_fonts_encoding = _PDF_ENCODING
            self.set_margins(left=_MARGIN_MM, top=_MARGIN_MM, right=_MARGIN_MM)
            self.set_auto_page_break(auto=True, margin=_MARGIN_MM)

        def normalize_text(self, text: str) -> str:
            return str(super().normalize_text(_printable(text)))

    return LetterPDF


@cache
def _tag_styles() -> dict[str, Any]:
    """Notify's letters have plain black headings, a little larger than the text."""
    from fpdf.fonts import TextStyle

    return {
        "h2": TextStyle(
            font_family=_FONT,
            font_style="B",
            font_size_pt=_BODY_SIZE + 2,
            color=_BLACK,
            t_margin=_LINE_MM,
            l_margin=0,
            b_margin=1,
        ),
        "p": TextStyle(t_margin=0, l_margin=0, b_margin=_LINE_MM / 2),
        "li": TextStyle(t_margin=1, l_margin=_LINE_MM, b_margin=0),
    }


def render_letter_pdf(
    *,
    address_lines: Sequence[str],
    contact_block: str | None,
    date: datetime.date,
    subject: str,
    body_html: str,
) -> bytes:
    """Render a template letter as an A4 PDF.

    The address block is at the top left, the contact block (lines separated by ``\\n``) at
    the top right, then the date (``D Month YYYY``), the subject as a heading and the body.
    ``body_html`` is the simple HTML the letter template renders (``<h2>``, ``<p>``,
    ``<ul><li>``, ``<br>``, ``<strong>``); ``<!-- pagebreak -->`` (or Notify's
    ``<div class="page-break">``) starts a new page.
    """
    pdf = _letter_pdf_class()()
    pdf.set_title(_printable(subject))
    pdf.set_creator("notify-emulator")
    pdf.add_page()
    pdf.set_font(_FONT, size=_BODY_SIZE)

    if contact_block:
        pdf.set_xy(pdf.w - _MARGIN_MM - _CONTACT_WIDTH_MM, _MARGIN_MM)
        pdf.multi_cell(_CONTACT_WIDTH_MM, _LINE_MM, contact_block.strip("\n"), align="R")
    contact_bottom = pdf.get_y()

    pdf.set_xy(_ADDRESS_X_MM, _ADDRESS_Y_MM)
    # fpdf2's multi_cell justifies unless told otherwise; Notify's letters are ragged right.
    pdf.multi_cell(_ADDRESS_WIDTH_MM, _LINE_MM, "\n".join(address_lines), align="L")

    # Below both blocks, even when a long contact block runs down the page.
    pdf.set_y(max(_DATE_Y_MM, pdf.get_y() + _LINE_MM, contact_bottom + _LINE_MM))
    pdf.cell(0, _LINE_MM, format_letter_date(date), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(_LINE_MM)

    pdf.set_font(_FONT, style="B", size=_HEADING_SIZE)
    pdf.multi_cell(0, 7, subject, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font(_FONT, size=_BODY_SIZE)

    for number, part in enumerate(_PAGE_BREAK.split(body_html)):
        if number:
            pdf.add_page()
        position = 0
        for qr_code in QR_CODE_DIV.finditer(part):
            _write_html(pdf, part[position : qr_code.start()])
            if qr_code.group(1) == "qrcode":
                _draw_qr_code(pdf, unescape_strict(qr_code.group(2)))
            else:
                _draw_qr_code_placeholder(pdf, html.unescape(_TAG.sub("", qr_code.group(2))))
            position = qr_code.end()
        _write_html(pdf, part[position:])
    return bytes(pdf.output())


def _write_html(pdf: Any, part: str) -> None:
    part = _balanced(part)
    if part.strip():
        pdf.write_html(
            part,
            font_family=_FONT,
            ul_bullet_char="\u2022",
            li_prefix_color=_BLACK,
            tag_styles=_tag_styles(),
            warn_on_tags_not_matching=False,
        )


def _qr_code_top(pdf: Any) -> float:
    """Where a QR code's square starts: below the text, or at the top of the next page when
    it does not fit (where, as in Notify's letters, the space above it is dropped)."""
    top = pdf.get_y() + _QR_ABOVE_MM
    if top + _QR_SIZE_MM > pdf.h - pdf.b_margin:
        pdf.add_page()
        top = pdf.t_margin
    return float(top)


def _draw_qr_code(pdf: Any, data: str) -> None:
    """Draw ``data`` as Notify does (segno, medium error correction, no quiet zone), one
    filled path of the dark modules' rows, so that no seam shows between them."""
    import segno
    from fpdf.enums import PathPaintRule

    try:
        code = segno.make(data, error="m", micro=False)
    except segno.DataOverflowError:
        # More than any QR code holds (a send is refused long before, at 504 bytes).
        _write_html(pdf, f"<p>{html.escape(data)}</p>")
        return
    top = _qr_code_top(pdf)
    left = (pdf.w - _QR_SIZE_MM) / 2
    module = _QR_SIZE_MM / code.symbol_size(border=0)[0]
    with pdf.new_path(paint_rule=PathPaintRule.FILL_NONZERO) as path:
        path.style.fill_color = "#000000"
        for row_number, row in enumerate(code.matrix):
            y = top + row_number * module
            column = 0
            while column < len(row):
                if not row[column] & 1:
                    column += 1
                    continue
                start = column
                while column < len(row) and row[column] & 1:
                    column += 1
                path.rectangle(left + start * module, y, (column - start) * module, module)
    pdf.set_y(top + _QR_SIZE_MM + _QR_BELOW_MM)


def _draw_qr_code_placeholder(pdf: Any, text: str) -> None:
    """The dashed square Notify's preview shows where a QR code's data is still a
    placeholder, the placeholder written across its middle."""
    top = _qr_code_top(pdf)
    left = (pdf.w - _QR_SIZE_MM) / 2
    inset = _QR_PLACEHOLDER_BORDER_MM / 2
    pdf.set_draw_color(*_BLACK)
    pdf.set_line_width(_QR_PLACEHOLDER_BORDER_MM)
    # fpdf2's lines end in square caps, which reach half the width into each gap: these
    # dashes show three widths long with a gap of one.
    pdf.set_dash_pattern(dash=2 * _QR_PLACEHOLDER_BORDER_MM, gap=2 * _QR_PLACEHOLDER_BORDER_MM)
    pdf.rect(left + inset, top + inset, _QR_SIZE_MM - 2 * inset, _QR_SIZE_MM - 2 * inset)
    pdf.set_dash_pattern()
    pdf.set_line_width(0.2)
    pdf.set_xy(left, top + _QR_SIZE_MM / 2 - _LINE_MM / 2)
    pdf.multi_cell(_QR_SIZE_MM, _LINE_MM, text, align="C")
    pdf.set_xy(pdf.l_margin, top + _QR_SIZE_MM + _QR_BELOW_MM)


_ELEMENT_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*?(/?)>")
_VOID_ELEMENTS = frozenset({"br", "hr", "img", "wbr"})


def _balanced(part: str) -> str:
    """A part of the body between page breaks, its elements closed where the break cut them.

    A break inside a list item (``* ---``) leaves ``<ul><li>`` on one side and ``</li></ul>``
    on the other; fpdf2 fails on an end tag it never saw start. End tags without a start are
    dropped, and elements still open at the end are closed.
    """
    pieces: list[str] = []
    open_elements: list[str] = []
    position = 0
    for tag in _ELEMENT_TAG.finditer(part):
        pieces.append(part[position : tag.start()])
        position = tag.end()
        closing, name, self_closing = tag.group(1), tag.group(2).lower(), tag.group(3)
        if name in _VOID_ELEMENTS or self_closing:
            pieces.append(tag.group())
        elif not closing:
            open_elements.append(name)
            pieces.append(tag.group())
        elif name in open_elements:
            while open_elements[-1] != name:
                pieces.append(f"</{open_elements.pop()}>")
            open_elements.pop()
            pieces.append(tag.group())
    pieces.append(part[position:])
    pieces.extend(f"</{name}>" for name in reversed(open_elements))
    return "".join(pieces)


# --- how many pages a letter needs at least, without rendering it ---------------------------

_TEXT_WIDTH_MM = _A4_WIDTH_MM - 2 * _MARGIN_MM
_PAGE_TEXT_HEIGHT_MM = _A4_HEIGHT_MM - 2 * _MARGIN_MM
# The body's lines are at least as tall as its font (fpdf2's HTML line height is 1.0 of it);
# the subject's are the 7 mm render_letter_pdf gives them.
_BODY_LINE_MM = _BODY_SIZE * _POINTS_TO_MM
_SUBJECT_LINE_MM = 7
_TAG = re.compile(r"<[^>]*>")
# Where the letter's HTML starts a new line: paragraphs, list items, headings, line breaks.
_BLOCK = re.compile(r"<(?:/?p|br|/?li|/?h[1-6]|/?ul|/?ol|/?div)\b[^>]*>", re.IGNORECASE)
_WHITE_SPACE = re.compile(r"\s+")
# Lines of a block at which it certainly fills more than LETTER_MAX_PAGES pages.
_MANY_LINES = 2 * LETTER_MAX_PAGES * math.ceil(_PAGE_TEXT_HEIGHT_MM / _LINE_MM)


@dataclass(frozen=True)
class _Face:
    """A font at a size: glyph widths (thousandths of the size, by Windows-1252 character)."""

    widths: dict[str, int]
    size_pt: float

    @property
    def widest_mm(self) -> float:
        return max(self.widths.values()) * self.size_pt * 0.001 * _POINTS_TO_MM


@cache
def _faces() -> tuple[_Face, _Face]:
    """The body's face and the subject's (Helvetica's widths, from fpdf2)."""
    from fpdf.fonts import CORE_FONTS_CHARWIDTHS

    return (
        _Face(CORE_FONTS_CHARWIDTHS[_FONT], _BODY_SIZE),
        _Face(CORE_FONTS_CHARWIDTHS[_FONT + "B"], _HEADING_SIZE),
    )


def fewest_pages(
    *,
    address_lines: Sequence[str],
    contact_block: str | None,
    subject: str,
    body_html: str,
) -> int:
    """A lower bound on the pages :func:`render_letter_pdf` would produce, found cheaply.

    Every printed character is at least as wide as Helvetica draws it and every line at least
    as tall as its font; a line holds no more than the text width (plus the one space at
    which it was broken); each paragraph, list item or line break starts a line, and each
    page break a page. The address and contact blocks sit side by side above the body, so
    the taller of them comes first (a long value can make either run over pages); margins
    and the date only add to that. So a letter whose bound is over Notify's page limit
    would certainly render over it, and need not be rendered at all: rendering costs time
    in proportion to the text (about a second for ten pages), and a long personalisation
    would otherwise keep a worker busy for minutes.
    """
    body_face, subject_face = _faces()
    pages = _PAGE_BREAK.split(body_html)
    blocks_lines = max(
        _block_lines("\n".join(address_lines), body_face, _ADDRESS_WIDTH_MM),
        _block_lines(contact_block or "", body_face, _CONTACT_WIDTH_MM),
    )
    height: float = blocks_lines * _LINE_MM + _lines(subject, subject_face) * _SUBJECT_LINE_MM
    for part in pages:
        # A QR code takes at least its square, however much data it holds (one that does not
        # fit goes to the next page, leaving the rest of this one empty).
        height += len(QR_CODE_DIV.findall(part)) * _QR_SIZE_MM
        blocks = _BLOCK.split(QR_CODE_DIV.sub("", part))
        lines = sum(_lines(html.unescape(_TAG.sub("", block)), body_face) for block in blocks)
        height += lines * _BODY_LINE_MM
    return max(len(pages), math.ceil(height / _PAGE_TEXT_HEIGHT_MM - 1e-9))


def _lines(text: str, face: _Face, width_mm: float = _TEXT_WIDTH_MM) -> int:
    """The fewest lines a block of text can take (none if nothing in it is printed)."""
    # Runs of white space print as one space (HTML prints them so).
    width = _text_width_mm(_WHITE_SPACE.sub(" ", text).strip(), face)
    if width <= 0:
        return 0
    return max(1, math.ceil(width / (width_mm + face.widest_mm)))


def _block_lines(text: str, face: _Face, width_mm: float) -> int:
    """The fewest lines a block of plain text lines (address, contact block) can take.

    fpdf2 gives every line of the block a line, blank or not. So many lines are certainly
    over the page limit that they are only counted, not measured one by one.
    """
    text = text.strip("\n")
    if not text:
        return 0
    count = text.count("\n") + 1
    if count > _MANY_LINES:
        return count
    return sum(max(1, _lines(line, face, width_mm)) for line in text.split("\n"))


def _text_width_mm(text: str, face: _Face) -> float:
    # Counted per distinct character (in C), so a few megabytes of text take milliseconds.
    units = 0
    for character, count in Counter(text).items():
        units += count * _printed_width(character, face.widths)
    return units * face.size_pt * 0.001 * _POINTS_TO_MM


def _printed_width(character: str, widths: dict[str, int]) -> int:
    printed = _printable_character(character)
    total = 0
    for byte in printed.encode(_PDF_ENCODING, "replace"):
        total += widths.get(chr(byte), 0)
    return total
