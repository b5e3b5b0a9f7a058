"""Helpers for building requests."""

from __future__ import annotations

import base64
from typing import IO

from notifications_python_client._constants import DOCUMENT_UPLOAD_SIZE_LIMIT
from notifications_python_client.types import FileUpload

__all__ = ["DOCUMENT_UPLOAD_SIZE_LIMIT", "prepare_upload"]


def prepare_upload(
    f: IO[bytes],
    filename: str | None = None,
    confirm_email_before_download: bool | None = None,
    retention_period: str | None = None,
    *,
    is_csv: bool | None = None,
) -> FileUpload:
    """Turn a file into a personalisation value that sends it by email (notify-api.md §8.6).

    The unset options are sent as explicit nulls, as the official client does; Notify then applies
    its defaults.

    :param f: a file opened in binary mode
    :param filename: the name the recipient sees, with its extension
    :param confirm_email_before_download: ask the recipient to confirm their address first
    :param retention_period: how long the file stays available, e.g. ``"52 weeks"``
    :param is_csv: the older way to have the file downloaded as a CSV, which official clients
        before 9.0 sent and Notify still takes; ``filename`` is sent only if given with it (Notify
        refuses the two together, even as null)
    :raises ValueError: ``File is larger than 2MB``
    """
    contents = f.read()
    if len(contents) > DOCUMENT_UPLOAD_SIZE_LIMIT:
        raise ValueError("File is larger than 2MB")
    encoded = base64.b64encode(contents).decode("ascii")
    if is_csv is None:
        return {
            "file": encoded,
            "filename": filename,
            "confirm_email_before_download": confirm_email_before_download,
            "retention_period": retention_period,
        }
    upload: FileUpload = {
        "file": encoded,
        "is_csv": is_csv,
        "confirm_email_before_download": confirm_email_before_download,
        "retention_period": retention_period,
    }
    if filename is not None:
        upload["filename"] = filename
    return upload
