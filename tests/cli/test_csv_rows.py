"""Reading bulk-sending spreadsheets: column matching as in a Notify upload."""

from __future__ import annotations

import csv
import hashlib
import itertools
from pathlib import Path

import pytest

from notifications_python_client._cli.csv_rows import (
    CsvFormatError,
    RowPosition,
    Spreadsheet,
    check_placeholder_columns,
    normalise_heading,
    read_bulk_rows,
    read_headings,
)


def write_csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "people.csv"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "heading", ["phone number", "Phone Number", "phone_number", "PHONE-NUMBER", " phonenumber "]
)
def test_headings_match_ignoring_case_spaces_underscores_and_hyphens(heading: str) -> None:
    assert normalise_heading(heading) == "phonenumber"


def test_sms_rows_take_the_recipient_and_keep_every_column_as_personalisation(
    tmp_path: Path,
) -> None:
    path = write_csv(tmp_path, "Name,Phone_Number,Day\nAmala,07700900001,Monday\n")

    (row,) = read_bulk_rows(path, "sms")

    assert row.number == 2
    assert row.recipient == "07700900001"
    assert row.personalisation == {"Name": "Amala", "Phone_Number": "07700900001", "Day": "Monday"}


def test_blank_rows_are_left_out_but_keep_their_row_numbers(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "email address,name\na@example.com,A\n,\n\nb@example.com,B\n")

    rows = read_bulk_rows(path, "email")

    assert [(row.number, row.recipient) for row in rows] == [
        (2, "a@example.com"),
        (5, "b@example.com"),
    ]


def test_a_byte_order_mark_does_not_hide_the_first_heading(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufeffemail address,name\nc@example.com,C\n".encode())

    (row,) = read_bulk_rows(path, "email")

    assert row.recipient == "c@example.com"


def test_a_missing_recipient_column_is_refused_before_anything_is_sent(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "email,name\nc@example.com,C\n")

    with pytest.raises(CsvFormatError) as email:
        read_bulk_rows(path, "email")
    with pytest.raises(CsvFormatError) as sms:
        read_bulk_rows(write_csv(tmp_path, "mobile,name\n07700900001,C\n"), "sms")

    assert str(email.value) == "The spreadsheet needs an 'email address' column"
    assert str(sms.value) == "The spreadsheet needs a 'phone number' column"


def test_two_headings_that_notify_sees_as_one_are_refused(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "phone number,Phone_Number\n07700900001,07700900002\n")

    with pytest.raises(CsvFormatError, match="same column"):
        read_bulk_rows(path, "sms")


def test_letter_address_columns_become_the_exact_api_keys(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        "Address Line 1,address_line_2,ADDRESS-LINE-3,address line 4,Postcode,name\n"
        "A Person,1 Street,London,,SW1A 1AA,Amala\n",
    )

    (row,) = read_bulk_rows(path, "letter")

    assert row.recipient is None
    # The blank optional line 4 is left out rather than sent as an empty line.
    assert row.personalisation == {
        "address_line_1": "A Person",
        "address_line_2": "1 Street",
        "address_line_3": "London",
        "postcode": "SW1A 1AA",
        "name": "Amala",
    }
    assert row.describe_recipient() == "A Person"


def test_a_letter_spreadsheet_needs_the_first_two_address_lines(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "address line 1,postcode\nA Person,SW1A 1AA\n")

    with pytest.raises(CsvFormatError, match="'address line 2'"):
        read_bulk_rows(path, "letter")


def test_the_digest_changes_with_the_content(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "phone number,name\n07700900001,A\n07700900001,A\n07700900001,B\n")

    first, same, different = read_bulk_rows(path, "sms")

    assert first.digest() == same.digest()
    assert first.digest() != different.digest()


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "")

    with pytest.raises(CsvFormatError, match="heading row"):
        read_bulk_rows(path, "sms")


def test_columns_fill_placeholders_as_notify_matches_them() -> None:
    # Case, spaces, underscores and hyphens aside (rules.md 1.2), as in a Notify upload.
    check_placeholder_columns(
        ["Phone Number", "First Name", "date-of-birth"], ["first_name", "Date Of Birth"]
    )
    check_placeholder_columns(["email address"], ["Email_Address"])
    check_placeholder_columns(["phone number"], [])


def test_a_missing_placeholder_column_is_refused_in_notifys_words() -> None:
    with pytest.raises(CsvFormatError) as one:
        check_placeholder_columns(["phone number", "name"], ["name", "date"])
    with pytest.raises(CsvFormatError) as three:
        check_placeholder_columns(["phone number"], ["name", "date", "time"])

    assert str(one.value) == (
        "Your file is missing some columns. The column names need to match the double "
        "brackets in your template. Your file is missing a column called ‘date’."
    )
    assert str(three.value).endswith(
        "Your file is missing columns called ‘name’, ‘date’ and ‘time’."
    )


def test_headings_are_read_as_the_rows_are(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes("\ufeffPhone Number,name\n07700900001,A\n".encode())

    assert read_headings(path) == ["Phone Number", "name"]
    assert read_headings(write_csv(tmp_path, "")) == []


def test_each_record_knows_the_bytes_it_spans(tmp_path: Path) -> None:
    text = (
        "\ufeffphone number,name,note\r\n"
        '07700900001,Zoë,"two\r\nlines"\r\n'
        "\r\n"
        "07700900002,Åsa,plain\r\n"
        "07700900003,Bo,last row without a line break"
    )
    path = tmp_path / "people.csv"
    path.write_bytes(text.encode("utf-8"))
    content = path.read_bytes()
    spreadsheet = Spreadsheet(path, "sms")

    records = list(spreadsheet.records())

    assert [(r.number, r.blank) for r in records] == [(2, False), (3, True), (4, False), (5, False)]
    assert records[0].start == spreadsheet.first_row.offset == content.index(b"07700900001")
    assert (
        content[records[0].start : records[0].end] == '07700900001,Zoë,"two\r\nlines"\r\n'.encode()
    )
    assert records[-1].end == len(content)
    for earlier, later in itertools.pairwise(records):
        assert earlier.end == later.start
        assert earlier.following == RowPosition(later.number, later.start)
    # Reading can start at any record's position and reads the same rows from there.
    for record in records:
        assert next(spreadsheet.records(RowPosition(record.number, record.start))) == record
    assert spreadsheet.row(records[0]).personalisation["note"] == "two\r\nlines"
    row = spreadsheet.row_at(RowPosition(4, records[2].start))
    assert row is not None
    assert (row.number, row.recipient, row.personalisation["name"]) == (4, "07700900002", "Åsa")
    assert spreadsheet.row_at(RowPosition(6, len(content))) is None


def test_old_mac_line_endings_are_rows_too(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(b"phone number,name\r07700900001,A\r07700900002,B\r")
    spreadsheet = Spreadsheet(path, "sms")

    assert [spreadsheet.row(r).recipient for r in spreadsheet.records()] == [
        "07700900001",
        "07700900002",
    ]
    assert spreadsheet.count_rows() == 2


def test_counting_rows_reads_the_whole_file_and_refuses_one_that_is_not_utf_8(
    tmp_path: Path,
) -> None:
    path = write_csv(tmp_path, "phone number,name\n" + "07700900001,A\n" * 5 + "07700900002,B")
    assert Spreadsheet(path, "sms").count_rows() == 6

    path.write_bytes(b"phone number,name\n07700900001,A\n" * 1000 + b"07700900002,\xe9\n")
    with pytest.raises(CsvFormatError, match="not UTF-8 text: line 2,001 holds the byte 0xe9"):
        Spreadsheet(path, "sms").count_rows()


def test_a_row_the_csv_module_cannot_read_is_named(tmp_path: Path) -> None:
    huge = "x" * (csv.field_size_limit() + 1)
    path = write_csv(tmp_path, f"phone number,name\n07700900001,A\n07700900002,{huge}\n")
    records = Spreadsheet(path, "sms").records()

    assert next(records).number == 2
    with pytest.raises(CsvFormatError, match="Row 3 cannot be read"):
        next(records)


def test_the_prefix_hash_grows_with_the_prefix(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "phone number,name\n07700900001,A\n")
    content = path.read_bytes()
    prefix = Spreadsheet(path, "sms").prefix_hash()

    assert prefix.through(10) == hashlib.sha256(content[:10]).hexdigest()
    assert prefix.through(len(content)) == hashlib.sha256(content).hexdigest()
    assert prefix.through(5) == hashlib.sha256(content[:5]).hexdigest()  # shorter: hashed anew
    assert prefix.through(len(content) + 1) is None
