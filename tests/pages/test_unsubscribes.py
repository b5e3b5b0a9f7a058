"""Email unsubscribe requests in the pages: an email's page, where the recipient's one-click
unsubscribe can be pressed, and the service's list of requests (the admin app's "Email
unsubscribe requests")."""

from __future__ import annotations

import html
import re

import requests

from notify_emulator.present.serialise import unsubscribe_token
from tests.emulator.emulator_harness import Running

from .conftest import PAGES_EMAIL_TEMPLATE_ID, PAGES_SERVICE_ID, PAGES_SMS_TEMPLATE_ID, get
from .test_list import client

REQUESTS_PAGE = f"/services/{PAGES_SERVICE_ID}/unsubscribe-requests"


def send_email(emulator: Running, address: str, **options: str) -> str:
    sent = client(emulator).send_email_notification(
        address, PAGES_EMAIL_TEMPLATE_ID, {"thing": "passport", "name": "Grace"}, **options
    )
    return str(sent["id"])


def unsubscribe(emulator: Running, notification_id: str) -> None:
    url = f"{emulator.base_url}/unsubscribe/{notification_id}/{unsubscribe_token(notification_id)}"
    answer = requests.post(url, json={}, timeout=10)
    assert answer.status_code == 200, answer.text


def test_an_email_page_offers_the_recipients_one_click_unsubscribe(emulator: Running) -> None:
    notification_id = send_email(emulator, "grace@example.com")
    page = get(emulator, f"/notifications/{notification_id}").text
    path = f"/unsubscribe/{notification_id}/{unsubscribe_token(notification_id)}"
    assert f'data-json-post="{path}"' in page
    assert "Unsubscribe, as the recipient would" in page
    assert "asked to unsubscribe" not in page

    unsubscribe(emulator, notification_id)

    page = get(emulator, f"/notifications/{notification_id}").text
    assert "The recipient asked to unsubscribe today at " in page
    assert f'href="{REQUESTS_PAGE}">See every unsubscribe request</a>' in page
    assert "Unsubscribe, as the recipient would" not in page


def test_an_email_with_the_services_own_address_says_where_it_goes(emulator: Running) -> None:
    own = "https://www.example.gov.uk/unsubscribe?u=1&x=2"
    notification_id = send_email(emulator, "grace@example.com", one_click_unsubscribe_url=own)
    page = get(emulator, f"/notifications/{notification_id}").text
    assert f"<code>{html.escape(own, quote=True)}</code>: the emulator does not send it" in page
    # The template's own link (in the body) is still the emulator's to press.
    assert "Unsubscribe, as the recipient would" in page


def test_a_text_has_no_unsubscribe(emulator: Running) -> None:
    sent = client(emulator).send_sms_notification(
        "07700900123", PAGES_SMS_TEMPLATE_ID, {"code": "1"}
    )
    page = get(emulator, f"/notifications/{sent['id']}").text
    assert "notification-unsubscribe" not in page


def test_the_services_requests_are_listed_newest_first(emulator: Running) -> None:
    page = get(emulator, REQUESTS_PAGE)
    assert page.status_code == 200
    assert "If you have any email unsubscribe requests they will be listed here" in page.text
    assert 'aria-current="page">Unsubscribe requests</a>' in page.text

    first = send_email(emulator, "first@example.com")
    second = send_email(emulator, "o'brien&co@example.com")
    unsubscribe(emulator, first)
    emulator.clock.advance(5)
    unsubscribe(emulator, second)

    page = get(emulator, REQUESTS_PAGE).text
    rows = re.findall(r'<tr id="u-([0-9a-f-]+)">', page)
    assert rows == [second, first]
    assert f'<a href="/notifications/{first}">first@example.com</a>' in page
    assert "o&#39;brien&amp;co@example.com" in page  # escaped
    # The template version each email was sent with (other tests may have edited it since).
    version = client(emulator).get_notification_by_id(first)["template"]["version"]
    assert f"‘Pages email’, version {version}" in page


def test_an_unknown_service_has_no_requests_page(emulator: Running) -> None:
    assert (
        get(
            emulator, "/services/00000000-0000-4000-8000-000000000000/unsubscribe-requests"
        ).status_code
        == 404
    )
    assert get(emulator, "/services/not-a-uuid/unsubscribe-requests").status_code == 404
