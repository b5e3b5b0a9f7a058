"""A file sent by email as its recipient downloads it: the HTTP answer carrying it, used by
the download route (admin/documents.py) and the download pages (pages/documents.py)."""

from __future__ import annotations

import re
from urllib.parse import quote

from starlette.responses import Response

from notify_emulator.store import DocumentRecord

__all__ = ["content_disposition", "file_response"]

# What a quoted filename may hold as it is: printable ASCII but the quote and backslash.
_NOT_PLAIN = re.compile(r'[^\x20-\x7e]|["\\]')


def file_response(document: DocumentRecord) -> Response:
    """The file itself, as an attachment."""
    filename = document.filename or f"{document.id}"
    return Response(
        document.data,
        media_type=document.mimetype,
        headers={"Content-Disposition": content_disposition(filename)},
    )


def content_disposition(filename: str) -> str:
    """``attachment`` with the file's name, for any name a sender gave (RFC 6266).

    A header is ASCII text on one line, so the plain ``filename`` is the name with every
    other character (non-ASCII, controls such as CR and LF, quotes) replaced by ``_``; when
    that changed anything, ``filename*`` carries the exact name, percent-encoded UTF-8, which
    browsers prefer.
    """
    plain = _NOT_PLAIN.sub("_", filename)
    header = f'attachment; filename="{plain}"'
    if plain != filename:
        exact = quote(filename, safe="", errors="surrogateescape")
        header += f"; filename*=UTF-8''{exact}"
    return header
