"""GET /: every notification, newest first, keyset-paged, filtered and searched."""

from __future__ import annotations

import re

import pytest
import requests

from notifications_python_client.notifications import NotificationsAPIClient
from notify_emulator.demo import service as demo
from notify_emulator.pages import inbox as inbox_module
from notify_emulator.pages.inbox import PAGE_SIZE
from tests.emulator.emulator_harness import Running

from .conftest import PAGES_LIVE_KEY, PAGES_SERVICE_ID, PAGES_SMS_TEMPLATE_ID, PAGES_TEST_KEY, get


def listed(page: requests.Response) -> list[str]:
    """The notification ids a list page shows, in order."""
    assert page.status_code == 200, page.text
    return re.findall(r'data-notification-id="([0-9a-f-]+)"', page.text)


def client(emulator: Running, key: str = PAGES_LIVE_KEY) -> NotificationsAPIClient:
    return NotificationsAPIClient(key, base_url=emulator.base_url, max_retries=0)


def send_text(emulator: Running, code: str, *, key: str = PAGES_LIVE_KEY, **extra: str) -> str:
    sent = client(emulator, key).send_sms_notification(
        extra.pop("phone", "07700900123"), PAGES_SMS_TEMPLATE_ID, {"code": code}, **extra
    )
    emulator.clock.advance(0.001)  # distinct created_at, as real sends have
    return str(sent["id"])


def test_every_service_and_key_type_newest_first(emulator: Running) -> None:
    first = send_text(emulator, "111")
    second = send_text(emulator, "222", key=PAGES_TEST_KEY)
    demo_email = emulator.client().send_email_notification(
        "ada@example.com", demo.EMAIL_TEMPLATE_ID, {"name": "Ada"}
    )["id"]
    page = get(emulator, "/")
    assert listed(page) == [demo_email, second, first]
    assert page.headers["Content-Type"].startswith("text/html")
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert "Demo Service" in page.text
    assert "Pages Service" in page.text
    assert 'class="badge badge--test"' in page.text
    # The admin app's words for statuses and channels.
    assert "Delivering" in page.text
    assert "Text message" in page.text
    assert "Email" in page.text
    # The body as sent: GSM downgrades the dash and the curly quote.
    assert "Your code is 111 - don&#39;t share it" in page.text


def test_statuses_in_the_admin_apps_words(emulator: Running) -> None:
    failed = send_text(emulator, "1", key=PAGES_TEST_KEY, phone="07700900002")
    temporary = send_text(emulator, "2", key=PAGES_TEST_KEY, phone="07700900003")
    emulator.clock.advance(5)
    page = get(emulator, "/").text
    assert "Not delivered" in page
    assert "Phone not accepting messages right now" in page
    assert {failed, temporary} <= set(re.findall(r'data-notification-id="([0-9a-f-]+)"', page))


def test_keyset_pages_cover_everything_once(emulator: Running) -> None:
    ids = [send_text(emulator, str(n)) for n in range(PAGE_SIZE + 7)]
    first_page = get(emulator, "/")
    first = listed(first_page)
    assert first == list(reversed(ids))[:PAGE_SIZE]
    older = re.search(r'href="(/\?older_than=[0-9a-f-]+)" rel="next"', first_page.text)
    assert older is not None
    second_page = get(emulator, older.group(1).replace("&amp;", "&"))
    assert listed(second_page) == list(reversed(ids))[PAGE_SIZE:]
    assert 'rel="next"' not in second_page.text


def test_filters_narrow_the_list_and_are_in_the_url(emulator: Running) -> None:
    text = send_text(emulator, "1")
    test_text = send_text(emulator, "2", key=PAGES_TEST_KEY)
    email = emulator.client().send_email_notification(
        "ada@example.com", demo.EMAIL_TEMPLATE_ID, {"name": "Ada"}
    )["id"]
    assert listed(get(emulator, "/", type="email")) == [email]
    assert listed(get(emulator, "/", type="sms")) == [test_text, text]
    assert listed(get(emulator, "/", key_type="test")) == [test_text]
    assert listed(get(emulator, "/", service_id=PAGES_SERVICE_ID)) == [test_text, text]
    assert listed(get(emulator, "/", template_id=demo.EMAIL_TEMPLATE_ID)) == [email]
    assert listed(get(emulator, "/", status="created")) == [email, test_text, text]
    assert listed(get(emulator, "/", status="delivered")) == []
    emulator.clock.advance(5)
    assert listed(get(emulator, "/", status="delivered", type="sms")) == [test_text, text]
    # Empty choices from the filter form mean "any".
    assert listed(get(emulator, "/", type="", status="", q="")) == [email, test_text, text]


def test_bad_filters_get_a_clear_400_page(emulator: Running) -> None:
    for params, message in [
        ({"type": "fax"}, "type must be one of sms, email, letter"),
        ({"key_type": "secret"}, "key_type must be one of normal, team, test"),
        ({"status": "lost"}, "status must be one of"),
        ({"older_than": "not-an-id"}, "older_than must be a notification ID"),
        ({"service_id": "not-an-id"}, "service_id must be a service ID"),
        ({"template_id": "x"}, "template_id must be a template ID"),
        ({"q": "a\x00b"}, "q must not contain a NUL character"),
        ({"q": "a\x07b"}, "q must not contain control characters"),
        ({"service_id": "\x00"}, "service_id must not contain a NUL character"),
        ({"q": "x" * 201}, "q must be at most 200 characters"),
        ({"service_id": [PAGES_SERVICE_ID, PAGES_SERVICE_ID]}, "give service_id once"),
    ]:
        page = get(emulator, "/", **params)
        assert page.status_code == 400, params
        assert message in page.text, params


def test_a_page_after_a_cleared_message_says_so(emulator: Running) -> None:
    page = get(emulator, "/", older_than="00000000-0000-4000-8000-000000000000")
    assert page.status_code == 200
    assert "That page no longer exists" in page.text


def test_search_finds_recipient_reference_id_subject_and_body(emulator: Running) -> None:
    by_reference = send_text(emulator, "1", reference="invoice-4471")
    by_phone = send_text(emulator, "2", phone="07700 900 456")
    by_body = send_text(emulator, "SECRET-93")
    email = client(emulator).send_email_notification(
        "grace@example.com",
        "77777777-bbbb-4bbb-8bbb-000000000002",
        {"thing": "passport", "name": "Grace"},
    )["id"]
    assert listed(get(emulator, "/", q="INVOICE-4471")) == [by_reference]
    assert listed(get(emulator, "/", q="+44 7700 900456")) == [by_phone]
    assert listed(get(emulator, "/", q="900 456")) == [by_phone]
    assert listed(get(emulator, "/", q="secret-93")) == [by_body]
    assert listed(get(emulator, "/", q=by_body[:13])) == [by_body]
    assert listed(get(emulator, "/", q="passport is ready")) == [email]  # subject
    assert listed(get(emulator, "/", q="Hello Grace")) == [email]  # body
    assert listed(get(emulator, "/", q="grace@EXAMPLE")) == [email]
    assert listed(get(emulator, "/", q="nothing like it", type="sms")) == []
    assert "No messages match ‘nothing like it’" in get(emulator, "/", q="nothing like it").text


def test_personalisation_holding_markup_stays_text(emulator: Running) -> None:
    send_text(emulator, "<script>alert('x')</script><img src=x onerror=alert(1)>")
    page = get(emulator, "/").text
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert (
        "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    )
    # No inline script at all: the only scripts are the static files.
    assert re.findall(r"<script[^>]*>", page) == [
        '<script src="/_emulator/static/forms.js" defer>',
        '<script src="/_emulator/static/inbox.js" defer>',
    ]


def test_a_search_reads_a_bounded_number_per_request_and_goes_on(
    emulator: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inbox_module, "SEARCH_SCAN_LIMIT", 5)
    monkeypatch.setattr(inbox_module, "SEARCH_BATCH", 2)
    oldest = send_text(emulator, "needle")
    for n in range(7):
        send_text(emulator, f"hay {n}")
    first = get(emulator, "/", q="needle")
    assert listed(first) == []
    assert "No messages match ‘needle’ among the 5 messages searched." in first.text
    assert "Searched the 5 messages before this point; there are older ones." in first.text
    older = re.search(r'href="(/\?[^"]*older_than=[0-9a-f-]+)" rel="next">Search older', first.text)
    assert older is not None
    second = get(emulator, older.group(1).replace("&amp;", "&"))
    assert listed(second) == [oldest]
    assert 'rel="next"' not in second.text
