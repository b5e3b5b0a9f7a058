"""The list tables at a terminal's width: the columns a reader came for always fit."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from rich.console import Console

from notifications_python_client._cli import render
from notifications_python_client._cli.bulk import _progress
from notifications_python_client._cli.columns import Column, fit_table
from notifications_python_client._cli.commands import more_may_follow

NOTIFICATIONS: list[dict[str, Any]] = [
    {
        "id": "740e5834-3a29-46b4-9a6f-16142fde533a",
        "type": "sms",
        "phone_number": "07700900123",
        "status": "delivered",
        "reference": "my-reference",
        "created_at": "2024-05-17T15:58:38.342838Z",
        "body": "Hello Amala, this is a demo text.",
        "subject": None,
    },
    {
        "id": "140e5834-3a29-46b4-9a6f-16142fde533b",
        "type": "email",
        "email_address": "simulate-delivered@notifications.service.gov.uk",
        "status": "permanent-failure",
        "reference": None,
        "created_at": "2024-05-17T15:58:39.342838Z",
        "subject": "Your [appointment] is confirmed",
        "body": "Dear Amala,\n\nA much longer email body that a list does not show.",
    },
    {
        "id": "240e5834-3a29-46b4-9a6f-16142fde533c",
        "type": "letter",
        "line_1": "A Person",
        "status": "received",
        "reference": "batch-7",
        "created_at": "2024-05-17T15:58:40.342838Z",
        "subject": "Your appointment",
        "body": "Dear A Person",
    },
]
RECEIVED: list[dict[str, Any]] = [
    {
        "id": "9e1f0c4e-7d3b-4b8e-9f65-0c2d1e3f4a5b",
        "user_number": "447700900111",
        "notify_number": "07700900999",
        "created_at": "2024-05-17T15:58:38.342838Z",
        "content": "STOP [/] sending me these messages, I have had quite enough of them",
        "service_id": "c745a8d8-b48a-4b0d-96e5-dbea0165ebd1",
    }
]


def rendered(table: object, width: int) -> list[str]:
    output = io.StringIO()
    Console(file=output, width=width, color_system=None).print(table)
    return output.getvalue().splitlines()


def cells(lines: list[str]) -> list[list[str]]:
    """Each line's cell texts, between the table's vertical rules."""
    return [
        [cell.strip() for cell in line.strip("│┃").split("│" if "│" in line else "┃")]
        for line in lines
        if line.startswith(("│", "┃"))
    ]


def column_text(lines: list[str], header: str) -> str:
    """A column's text from top to bottom, joined (a wrapped value is whole again)."""
    rows = cells(lines)
    index = rows[0].index(header)
    return " ".join(row[index] for row in rows[1:] if row[index])


@pytest.mark.parametrize("width", [80, 100, 250])
def test_a_list_of_notifications_keeps_type_recipient_status_and_content(width: int) -> None:
    lines = rendered(render.notifications_table(NOTIFICATIONS, width), width)

    assert max(len(line) for line in lines) <= width
    # Every row ends at the table's right-hand edge: nothing was cut off.
    assert all(line.endswith(("│", "┃", "┓", "┩", "┛", "┘", "┐")) for line in lines[1:])
    headers = cells(lines)[0]
    for header in ("type", "recipient", "status", "content"):
        assert header in headers
    assert column_text(lines, "type").split() == ["sms", "email", "letter"]
    assert column_text(lines, "status").split() == ["delivered", "permanent-failure", "received"]
    recipients = column_text(lines, "recipient").replace(" ", "")
    assert "07700900123" in recipients
    assert "simulate-delivered@notifications.service.gov.uk" in recipients
    content = column_text(lines, "content")
    assert "Hello Amala, this is a demo text." in content
    # An email is listed by its subject, brackets and all.
    assert "Your [appointment] is confirmed" in content


def test_at_80_columns_the_id_still_shows_whole_and_the_rest_waits_for_room() -> None:
    narrow = rendered(render.notifications_table(NOTIFICATIONS, 80), 80)
    wide = rendered(render.notifications_table(NOTIFICATIONS, 250), 250)

    assert column_text(narrow, "id").replace(" ", "") == "".join(
        item["id"] for item in NOTIFICATIONS
    )
    assert "created at" not in cells(narrow)[0]
    assert cells(wide)[0] == [
        "id",
        "type",
        "recipient",
        "status",
        "content",
        "reference",
        "created at",
    ]
    # With room, nothing wraps: one line per notification.
    assert len(cells(wide)) == 1 + len(NOTIFICATIONS)
    assert cells(wide)[1][-1] == "2024-05-17T15:58:38.342838Z"


def test_a_long_text_is_cut_short_in_the_list() -> None:
    long_text = {**NOTIFICATIONS[0], "body": "word " * 100}

    lines = rendered(render.notifications_table([long_text], 250), 250)

    shown = column_text(lines, "content")
    assert len(shown) == render.LIST_CONTENT_CHARACTERS
    assert shown.endswith("…")


@pytest.mark.parametrize("width", [80, 250])
def test_received_texts_keep_number_time_and_content(width: int) -> None:
    lines = rendered(render.received_texts_table(RECEIVED, width), width)

    assert max(len(line) for line in lines) <= width
    headers = cells(lines)[0]
    for header in ("from", "received at", "content"):
        assert header in headers
    assert column_text(lines, "from") == "447700900111"
    assert column_text(lines, "received at") == "2024-05-17T15:58:38.342838Z"
    assert column_text(lines, "content") == RECEIVED[0]["content"]


def test_columns_join_in_rank_order_while_they_fit() -> None:
    columns = [
        Column("key", lambda item: str(item["key"]), minimum=5),
        Column("second", lambda item: "b" * 20, rank=2),
        Column("first", lambda item: "a" * 10, rank=1),
    ]
    items = [{"key": "k" * 30}]

    def headers(width: int) -> list[str]:
        return cells(rendered(fit_table("T", columns, items, width), width))[0]

    # Edges and separators take 3 characters a column, plus 1.
    assert headers(5 + 4) == ["key"]
    assert headers(5 + 10 + 7) == ["key", "first"]
    assert headers(5 + 10 + 20 + 10) == ["key", "second", "first"]


def test_only_a_full_page_says_that_more_may_follow() -> None:
    page = [{"id": str(number)} for number in range(250)]
    link = "https://api.notifications.service.gov.uk/v2/notifications?older_than=249"

    assert more_may_follow(page, link)
    # Notify links onward from every page that is not empty, even a short last one.
    assert not more_may_follow(page[:3], link)
    assert not more_may_follow(page, None)


def test_the_bulk_progress_bar_labels_its_times() -> None:
    output = io.StringIO()
    console = Console(file=output, width=100, color_system=None)
    with _progress(console, enabled=True) as progress:
        task = progress.add_task("Sending", total=10)
        progress.advance(task, 3)

    (line,) = [line for line in output.getvalue().splitlines() if line.strip()]
    assert line.startswith("Sending")
    assert "3/10" in line
    assert re.search(r"\d:\d\d:\d\d elapsed, (\d:\d\d:\d\d|-:--:--) remaining$", line), line
