"""A letter's PDF pages as PNG images, rendered with PDFium (pypdfium2).

PDFium is not thread-safe, so one lock serialises rendering; a small cache keeps the pages
recently looked at, since a letter's PDF never changes once stored.
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict

import pypdfium2

__all__ = ["LetterImageError", "page_count", "page_png"]

# 96 dots per inch: an A4 page is 794 × 1123 pixels, sharp on screen and quick to render.
RENDER_SCALE = 96 / 72
# How many rendered pages to keep (each is some tens of kilobytes).
CACHE_SIZE = 64

_lock = threading.Lock()
_cache: OrderedDict[tuple[str, int, int], bytes] = OrderedDict()


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
                image = page.render(scale=RENDER_SCALE).to_pil()
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


def _open(pdf: bytes) -> pypdfium2.PdfDocument:
    try:
        return pypdfium2.PdfDocument(pdf)
    except pypdfium2.PdfiumError as error:
        raise LetterImageError(f"the letter's PDF cannot be read ({error})") from error
