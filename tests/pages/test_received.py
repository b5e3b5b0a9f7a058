"""GET /received-texts and GET /conversations/{phone}."""

from __future__ import annotations

import re

import pytest
import requests

from tests.emulator.emulator_harness import Running

from .conftest import PAGES_SERVICE_ID, PAGES_SMS_TEMPLATE_ID, get
from .test_list import client


def receive(emulator: Running, number: str, content: str) -> str:
    answer = requests.post(
        emulator.base_url + "/_emulator/received-texts",
        json={"service_id": PAGES_SERVICE_ID, "user_number": number, "content": content},
        timeout=10,
    )
    assert answer.status_code == 201, answer.text
    emulator.clock.advance(0.001)
    return str(answer.json()["id"])


def test_received_texts_newest_first_with_a_form(emulator: Running) -> None:
    assert "you’ll see the messages here" in get(emulator, "/received-texts").text
    first = receive(emulator, "07700900111", "Hello <script>alert(1)</script>")
    second = receive(emulator, "+33 1 12 34 56 78", "Bonjour")
    page = get(emulator, "/received-texts")
    assert page.status_code == 200
    assert re.findall(r'id="r-([0-9a-f-]+)"', page.text) == [second, first]
    assert "Hello &lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "07700 900111" in page.text
    assert "+33 1 12 34 56 78" in page.text
    assert 'href="/conversations/447700900111"' in page.text
    assert 'data-json-post="/_emulator/received-texts"' in page.text
    assert "to Pages Service" in page.text
    only = get(emulator, "/received-texts", service_id="00000000-0000-4000-8000-000000000000")
    assert "r-" + first not in only.text


def test_received_texts_are_keyset_paged(emulator: Running) -> None:
    ids = [receive(emulator, "07700900111", f"text {n}") for n in range(53)]
    page = get(emulator, "/received-texts")
    shown = re.findall(r'id="r-([0-9a-f-]+)"', page.text)
    assert shown == list(reversed(ids))[:50]
    older = re.search(r'href="(/received-texts\?older_than=[0-9a-f-]+)" rel="next"', page.text)
    assert older is not None
    rest = re.findall(r'id="r-([0-9a-f-]+)"', get(emulator, older.group(1)).text)
    assert rest == list(reversed(ids))[50:]
    assert get(emulator, "/received-texts", older_than="nope").status_code == 400
    assert get(emulator, "/received-texts", service_id="\x00").status_code == 400
    # A NUL in the path is refused at the edge, as anywhere else.
    assert get(emulator, "/conversations/%00").status_code == 400


def test_a_conversation_has_both_directions_in_order(emulator: Running) -> None:
    asked = receive(emulator, "07700900444", "What time is my appointment?")
    answered = client(emulator).send_sms_notification(
        "07700 900444", PAGES_SMS_TEMPLATE_ID, {"code": "10am"}
    )["id"]
    emulator.clock.advance(0.001)
    thanked = receive(emulator, "07700900444", "Thanks")
    receive(emulator, "07700900222", "Someone else")
    page = get(emulator, "/conversations/07700900444")
    assert page.status_code == 200
    rows = re.findall(r'conversation__row--(inbound|outbound)" id="m-([0-9a-f-]+)"', page.text)
    assert rows == [("inbound", asked), ("outbound", answered), ("inbound", thanked)]
    assert "Pages Service: Your code is 10am" in page.text
    assert "Someone else" not in page.text
    assert "07700 900444" in page.text
    # The same conversation whichever way the number is written.
    same = get(emulator, "/conversations/%2B447700900444").text
    assert re.findall(r'id="m-([0-9a-f-]+)"', same) == [asked, answered, thanked]
    assert (
        "No text messages to or from this number yet."
        in get(emulator, "/conversations/07700900333").text
    )


def test_a_conversation_with_something_that_is_not_a_phone_number_is_not_found(
    emulator: Running,
) -> None:
    # No text can be sent to or from it, so there is no conversation, and no form whose
    # read-only number the received-texts route would refuse.
    for path in ("/conversations/abc%3Cscript%3E", "/conversations/00000", "/conversations/12"):
        page = get(emulator, path)
        assert page.status_code == 404, path
        assert "Not a phone number" in page.text
        assert "<script>" not in page.text
        assert 'name="user_number"' not in page.text
    # An international number is one.
    assert get(emulator, "/conversations/%2B33612345678").status_code == 200


def test_a_long_conversation_shows_an_unbroken_stretch_of_the_latest_texts(
    emulator: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    from notify_emulator.pages import received

    monkeypatch.setattr(received, "CONVERSATION_LIMIT", 2)
    oldest_in = receive(emulator, "07700900444", "oldest, in")
    sent = []
    for code in ("1", "2", "3"):
        sent.append(
            client(emulator).send_sms_notification(
                "07700900444", PAGES_SMS_TEMPLATE_ID, {"code": code}
            )["id"]
        )
        emulator.clock.advance(0.001)
    latest_in = receive(emulator, "07700900444", "latest, in")
    page = get(emulator, "/conversations/07700900444").text
    # The first text sent is not shown, so neither is the reply older than it: a gap in the
    # middle of the thread would read as if nothing had been sent in between.
    assert re.findall(r'id="m-([0-9a-f-]+)"', page) == [sent[1], sent[2], latest_in]
    assert oldest_in not in page
    assert "Showing the latest" in page


def test_a_conversation_heading_says_what_became_of_a_sent_text(emulator: Running) -> None:
    # Each text's hidden heading (what a screen reader lists) says, as the admin app's does,
    # whether a sent text was delivered, is on its way or failed.
    delivered = client(emulator).send_sms_notification(
        "07700900444", PAGES_SMS_TEMPLATE_ID, {"code": "1"}
    )["id"]
    emulator.clock.advance(0.001)
    failed = client(emulator).send_sms_notification(
        "07700900444", PAGES_SMS_TEMPLATE_ID, {"code": "2"}
    )["id"]
    for notification_id, status in ((delivered, "delivered"), (failed, "permanent-failure")):
        answer = requests.post(
            emulator.base_url + f"/_emulator/notifications/{notification_id}/status",
            json={"status": status},
            timeout=10,
        )
        assert answer.ok, answer.text
    page = get(emulator, "/conversations/07700900444").text
    headings = re.findall(r'<h2 class="visually-hidden">([^<]*)</h2>', page)
    assert [heading.split()[0] for heading in headings] == ["Sent", "Failed"]
