"""GET /received-texts and GET /conversations/{phone}."""

from __future__ import annotations

import re

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
