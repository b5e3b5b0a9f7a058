"""``GET /_emulator/documents/{id}``: the emulator's stand-in for Notify's document download
service, where the links in emails that carry a file point (notify-api.md §8.6)."""

from __future__ import annotations

import re
import uuid
from urllib.parse import quote

from starlette.responses import Response

from notify_emulator.web.context import ApiRequest, Emulator
from notify_emulator.web.handlers import Result

# What a quoted filename may hold as it is: printable ASCII but the quote and backslash.
_NOT_PLAIN = re.compile(r'[^\x20-\x7e]|["\\]')


def get_document(emulator: Emulator, request: ApiRequest) -> Result:
    """``GET /_emulator/documents/{id}``: a file sent by email, as its recipient downloads it."""
    document_id = request.path_params["document_id"]
    try:
        document = emulator.store.get_document(str(uuid.UUID(document_id)))
    except ValueError:
        document = None
    if document is None:
        return Response(b'{"error":"no such document"}', 404, media_type="application/json")
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
