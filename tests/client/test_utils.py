"""prepare_upload."""

from __future__ import annotations

import base64
import io

import pytest

from notifications_python_client import prepare_upload


def test_prepare_upload_encodes_the_file_and_options() -> None:
    upload = prepare_upload(
        io.BytesIO(b"hello"),
        filename="hello.txt",
        confirm_email_before_download=False,
        retention_period="4 weeks",
    )
    assert upload == {
        "file": base64.b64encode(b"hello").decode(),
        "filename": "hello.txt",
        "confirm_email_before_download": False,
        "retention_period": "4 weeks",
    }


def test_two_megabytes_is_the_limit() -> None:
    assert prepare_upload(io.BytesIO(b"x" * 2 * 1024 * 1024))["filename"] is None
    with pytest.raises(ValueError, match=r"^File is larger than 2MB$"):
        prepare_upload(io.BytesIO(b"x" * (2 * 1024 * 1024 + 1)))


def test_is_csv_from_clients_before_9_is_sent_instead_of_filename() -> None:
    # Notify refuses is_csv and filename together, even as null: only what was given goes.
    upload = prepare_upload(io.BytesIO(b"a,b\n"), is_csv=True, retention_period="4 weeks")
    assert upload == {
        "file": base64.b64encode(b"a,b\n").decode(),
        "is_csv": True,
        "confirm_email_before_download": None,
        "retention_period": "4 weeks",
    }
    both = prepare_upload(io.BytesIO(b"a,b\n"), "a.csv", is_csv=False)
    assert (both["is_csv"], both["filename"]) == (False, "a.csv")
