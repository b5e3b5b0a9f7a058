"""Reading bulk-sending spreadsheets: column matching as in a Notify upload."""

from __future__ import annotations

from pathlib import Path

import pytest

from notifications_python_client._cli.csv_rows import (
    CsvFormatError,
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
