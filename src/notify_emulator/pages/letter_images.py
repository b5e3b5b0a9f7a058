"""A letter's PDF pages as PNG images, rendered with PDFium (pypdfium2).

PDFium is not thread-safe, so one lock serialises rendering; a small cache keeps the pages
recently looked at, since a letter's PDF never changes once stored.

A precompiled letter's address is read from its PDF as Notify reads it (template-preview's
``extract_address_block``): the text of page 1 inside the address block, the area behind the
envelope's window, with Notify's 3 mm margin around it.
"""

from __future__ import annotations

import io
import math
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable

import pypdfium2

from notify_emulator.letters_pdf import inflates_too_far

__all__ = ["LetterImageError", "address_block", "page_count", "page_png", "precompiled_address"]

# 96 dots per inch: an A4 page is 794 × 1123 pixels, sharp on screen and quick to render.
RENDER_SCALE = 96 / 72
# The most pixels one page image may have: four A4 pages' worth at RENDER_SCALE. A page
# larger than A4 (a precompiled upload that fails validation, up to PDF's 200 × 200 inches)
# is drawn smaller, not at over a gigabyte of memory.
MAX_PIXELS = 4 * 794 * 1123
# How many rendered pages to keep (each is some tens of kilobytes).
CACHE_SIZE = 64

# The address block, in millimetres from the page's top left corner (template-preview's
# precompiled.py: ADDRESS_LEFT/RIGHT_FROM_LEFT_OF_PAGE, ADDRESS_TOP/BOTTOM_FROM_TOP_OF_PAGE),
# and the margin Notify adds "to ensure we capture all text".
ADDRESS_LEFT_MM = 24.60
ADDRESS_RIGHT_MM = 120.0
ADDRESS_TOP_MM = 39.50
ADDRESS_BOTTOM_MM = 66.30
ADDRESS_MARGIN_MM = 3
_POINTS_PER_MM = 72 / 25.4
# How many precompiled letters' addresses to remember (a few lines of text each).
ADDRESS_CACHE_SIZE = 4096

_lock = threading.Lock()
_cache: OrderedDict[tuple[str, int, int], bytes] = OrderedDict()
_addresses: OrderedDict[str, tuple[str, ...]] = OrderedDict()


class LetterImageError(Exception):
    """The PDF cannot be read, or has no such page."""


def page_count(pdf: bytes) -> int:
    """How many pages the PDF has."""
    with _lock:
        document = _open(pdf)
        try:
            return len(document)
        finally:
            document.close()


def page_png(key: str, pdf: bytes, page_number: int) -> bytes:
    """Page ``page_number`` (from 1) of ``pdf`` as a PNG; ``key`` names the PDF in the cache."""
    cache_key = (key, len(pdf), page_number)
    with _lock:
        cached = _cache.get(cache_key)
        if cached is not None:
            _cache.move_to_end(cache_key)
            return cached
        document = _open(pdf)
        try:
            if not 1 <= page_number <= len(document):
                raise LetterImageError(f"the letter has no page {page_number}")
            page = document[page_number - 1]
            try:
                width, height = page.get_size()
                image = page.render(scale=_scale(width, height)).to_pil()
            finally:
                page.close()
        finally:
            document.close()
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=False)
        png = buffer.getvalue()
        _cache[cache_key] = png
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
        return png


def _scale(width_points: float, height_points: float) -> float:
    """RENDER_SCALE, or less for a page that would otherwise exceed MAX_PIXELS."""
    area = max(width_points, 1.0) * max(height_points, 1.0) * RENDER_SCALE**2
    if area <= MAX_PIXELS:
        return RENDER_SCALE
    return RENDER_SCALE * math.sqrt(MAX_PIXELS / area)


def address_block(pdf: bytes) -> tuple[str, ...]:
    """The lines of text in the address block of page 1 (none if it is empty, the page is
    turned or the PDF cannot be read)."""
    with _lock:
        try:
            document = _open(pdf)
        except LetterImageError:
            return ()
        try:
            if len(document) == 0:
                return ()
            page = document[0]
            try:
                if page.get_rotation() % 360:
                    return ()
                left, _bottom, _right, top = page.get_bbox()
                textpage = page.get_textpage()
                try:
                    text = textpage.get_text_bounded(
                        left=left + (ADDRESS_LEFT_MM - ADDRESS_MARGIN_MM) * _POINTS_PER_MM,
                        right=left + (ADDRESS_RIGHT_MM + ADDRESS_MARGIN_MM) * _POINTS_PER_MM,
                        top=top - (ADDRESS_TOP_MM - ADDRESS_MARGIN_MM) * _POINTS_PER_MM,
                        bottom=top - (ADDRESS_BOTTOM_MM + ADDRESS_MARGIN_MM) * _POINTS_PER_MM,
                    )
                finally:
                    textpage.close()
            finally:
                page.close()
        except pypdfium2.PdfiumError:
            return ()
        finally:
            document.close()
    # As Notify does: compatibility forms (a ligature such as "ﬀ" becomes "ff").
    text = unicodedata.normalize("NFKD", text)
    lines = (" ".join(line.split()) for line in text.splitlines())
    return tuple(line for line in lines if line)


def precompiled_address(notification_id: str, load: Callable[[], bytes | None]) -> tuple[str, ...]:
    """A precompiled letter's address (:func:`address_block`), remembered by notification id:
    its PDF is stored once and never changes, so ``load`` is called once per letter."""
    with _lock:
        cached = _addresses.get(notification_id)
        if cached is not None:
            _addresses.move_to_end(notification_id)
            return cached
    pdf = load()
    if pdf is None:
        return ()
    lines = address_block(pdf)
    with _lock:
        _addresses[notification_id] = lines
        while len(_addresses) > ADDRESS_CACHE_SIZE:
            _addresses.popitem(last=False)
    return lines


def _open(pdf: bytes) -> pypdfium2.PdfDocument:
    # PDFium inflates every stream it draws: a small upload that inflates to gigabytes
    # (a precompiled letter that failed its checks) is not drawn at all.
    if inflates_too_far(pdf):
        raise LetterImageError("the letter's PDF inflates to too much data to draw")
    try:
        return pypdfium2.PdfDocument(pdf)
    except pypdfium2.PdfiumError as error:
        raise LetterImageError(f"the letter's PDF cannot be read ({error})") from error
