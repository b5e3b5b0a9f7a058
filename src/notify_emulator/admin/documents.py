"""``GET /_emulator/documents/{id}``: the emulator's stand-in for Notify's document download
service, where the links in emails that carry a file point (notify-api.md §8.6).

A script fetching the link gets the file; a browser opening it gets the pages Notify's
recipients see, which ask for the email address first when the file was sent with
``confirm_email_before_download`` (pages/documents.py), and
``POST /_emulator/documents/{id}/confirm-email`` checks the address they give."""

from __future__ import annotations

import uuid

from starlette.responses import Response

from notify_emulator.admin.bodies import json_object
from notify_emulator.present.documents import file_response
from notify_emulator.store import DocumentRecord
from notify_emulator.web.context import ApiRequest, Emulator
from notify_emulator.web.errors import AdminError
from notify_emulator.web.handlers import Result


def _document(emulator: Emulator, request: ApiRequest) -> DocumentRecord | None:
    try:
        document_id = str(uuid.UUID(request.path_params["document_id"]))
    except ValueError:
        return None
    return emulator.store.get_document(document_id)


def get_document(emulator: Emulator, request: ApiRequest) -> Result:
    """``GET /_emulator/documents/{id}``: a file sent by email, as its recipient downloads it
    (a browser opening it as a page gets Notify's download pages)."""
    document = _document(emulator, request)
    if request.navigation:
        from notify_emulator.pages.documents import document_page

        return document_page(emulator, request, document)
    if document is None:
        return Response(b'{"error":"no such document"}', 404, media_type="application/json")
    return file_response(document)


def confirm_email(emulator: Emulator, request: ApiRequest) -> Result:
    """``POST /_emulator/documents/{id}/confirm-email`` with ``{"email_address": ...}``: if it
    is the address the file was sent to (in any case), ``{"url": ...}``, the page that
    downloads it; else 400 saying so."""
    from notify_emulator.pages.documents import ConfirmError, confirm_email_address

    document = _document(emulator, request)
    if document is None:
        raise AdminError("There is no file with this id", 404)
    data = json_object(request.body, empty_is_empty=True)
    for name in data:
        if name != "email_address":
            raise AdminError(f"{name} is not a field of this form", field=name)
    entered = data.get("email_address", "")
    if not isinstance(entered, str):
        raise AdminError("email_address must be a string", field="email_address")
    try:
        url = confirm_email_address(emulator, document, entered)
    except ConfirmError as error:
        raise AdminError(error.message, field="email_address") from None
    return 200, {"url": url}
