"""``GET /_emulator/documents/{id}``: the emulator's stand-in for Notify's document download
service, where the links in emails that carry a file point (notify-api.md §8.6)."""

from __future__ import annotations

import uuid

from starlette.responses import Response

from notify_emulator.web.context import ApiRequest, Emulator
from notify_emulator.web.handlers import Result


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
    safe_name = filename.replace('"', "").replace("\\", "")
    return Response(
        document.data,
        media_type=document.mimetype,
        headers={"Content-Disposition": f'attachment; filename="{safe_name}"'},
    )
