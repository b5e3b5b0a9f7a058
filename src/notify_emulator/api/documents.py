"""Send a file by email (notify-api.md §8.6): check options and files, store them, link them.

The emulator plays document-download's part: each file is stored and its placeholder becomes
a working local URL, ``<root>/_emulator/documents/<id>``.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from notify_emulator.store import DocumentRecord, ServiceRecord
from notify_emulator.web.errors import BadRequest, SchemaError
from notify_emulator.web.schemas import file_option_messages, is_file_upload

# dd app/utils/validation.py and file_checks.py
MAX_DECODED_FILE_SIZE = 2 * 1024 * 1024 + 1024
MAX_FILENAME_LENGTH = 100
DEFAULT_RETENTION_PERIOD = "26 weeks"
SUPPORTED_EXTENSIONS = {
    ".csv": "text/csv",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".jpeg": "image/jpeg",
    ".jpg": "image/jpeg",
    ".json": "application/json",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".rtf": "application/rtf",
    ".txt": "text/plain",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
SUPPORTED_MIMETYPES = frozenset(SUPPORTED_EXTENSIONS.values())
_SUPPORTED_LIST = ", ".join(f"'{extension}'" for extension in sorted(SUPPORTED_EXTENSIONS))
NOT_SET_UP = (
    "Send files by email has not been set up - add contact details for your service at "
    "https://www.notifications.service.gov.uk/services/{service_id}/service-settings/"
    "send-files-by-email"
)
TEST_DOCUMENT_PATH = "/services/{service_id}/documents/test-document"


def file_keys(personalisation: Mapping[str, Any]) -> list[str]:
    """Personalisation keys whose values are files."""
    return [key for key, value in personalisation.items() if is_file_upload(value)]


def check_file_options(personalisation: Mapping[str, Any]) -> None:
    """Raise the option errors of every file object (``ValidationError``)."""
    messages: list[str] = []
    for key in file_keys(personalisation):
        messages.extend(file_option_messages(personalisation[key]))
    if messages:
        raise SchemaError(messages)


def process_uploads(
    personalisation: Mapping[str, Any],
    service: ServiceRecord,
    *,
    root: str,
    simulated: bool,
    now: datetime,
) -> tuple[dict[str, Any], list[DocumentRecord]]:
    """Replace each file with its download URL; returns the personalisation and the files.

    Nothing is stored here: the caller stores the files with the notification.
    """
    keys = file_keys(personalisation)
    if not keys:
        return dict(personalisation), []
    check_file_options(personalisation)
    if not service.contact_link:
        raise BadRequest(NOT_SET_UP.format(service_id=service.id))
    result = dict(personalisation)
    documents: list[DocumentRecord] = []
    for key in keys:
        options: Mapping[str, Any] = personalisation[key]
        if simulated:
            result[key] = root + TEST_DOCUMENT_PATH.format(service_id=service.id)
            continue
        document = _document(options, service, now)
        documents.append(document)
        result[key] = f"{root}/_emulator/documents/{document.id}"
    return result, documents


def _document(options: Mapping[str, Any], service: ServiceRecord, now: datetime) -> DocumentRecord:
    try:
        data = base64.b64decode(str(options["file"]).encode("ascii"), validate=False)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise BadRequest("Document is not base64 encoded") from None
    if not data:
        raise BadRequest("Document must not be empty")
    if len(data) > MAX_DECODED_FILE_SIZE:
        raise BadRequest("Uploaded file exceeds file size limit")
    filename = options.get("filename")
    is_csv = bool(options.get("is_csv"))
    if filename is not None:
        if len(filename) > MAX_FILENAME_LENGTH:
            raise BadRequest(f"`filename` cannot be longer than {MAX_FILENAME_LENGTH} characters")
        extension = "." + filename.rsplit(".", 1)[-1].lower()
        if extension not in SUPPORTED_EXTENSIONS:
            raise BadRequest(
                f"Unsupported file type '{extension}'. Supported types are: {_SUPPORTED_LIST}"
            )
        mimetype = SUPPORTED_EXTENSIONS[extension]
    else:
        mimetype = sniff_mimetype(data)
        if is_csv and mimetype == "text/plain":
            mimetype = "text/csv"
        if mimetype not in SUPPORTED_MIMETYPES:
            raise BadRequest(
                f"Unsupported file type '{mimetype}'. Supported types are: {_SUPPORTED_LIST}"
            )
    confirm = options.get("confirm_email_before_download")
    return DocumentRecord(
        id=str(uuid.uuid4()),
        service_id=service.id,
        data=data,
        filename=filename,
        mimetype=mimetype,
        confirm_email_before_download=True if confirm is None else bool(confirm),
        retention_period=str(options.get("retention_period") or DEFAULT_RETENTION_PERIOD),
        created_at=now,
    )


def sniff_mimetype(data: bytes) -> str:
    """The type of a file from its first bytes (document-download uses libmagic)."""
    signatures = (
        (b"%PDF", "application/pdf"),
        (b"\x89PNG\r\n\x1a\n", "image/png"),
        (b"\xff\xd8\xff", "image/jpeg"),
        (b"{\\rtf", "text/rtf"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/msword"),
        (b"GIF8", "image/gif"),
    )
    for prefix, mimetype in signatures:
        if data.startswith(prefix):
            return "application/rtf" if mimetype == "text/rtf" else mimetype
    if data.startswith(b"PK\x03\x04"):
        return _zip_office_type(data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return "application/octet-stream"
    try:
        json.loads(text)
    except (ValueError, RecursionError):  # a file may nest deeper than the parser recurses
        return "text/plain"
    return "application/json" if text.strip()[:1] in {"{", "["} else "text/plain"


def _zip_office_type(data: bytes) -> str:
    head = data[:4096]
    if b"word/" in head:
        return SUPPORTED_EXTENSIONS[".docx"]
    if b"xl/" in head:
        return SUPPORTED_EXTENSIONS[".xlsx"]
    if b"application/vnd.oasis.opendocument.text" in head:
        return SUPPORTED_EXTENSIONS[".odt"]
    return "application/zip"
