"""The set-up pages (GET /services, a service's settings, API keys and templates) over a real
server, and the template preview route they call."""

from __future__ import annotations

import re
import uuid

import requests

from tests.emulator.emulator_harness import Running

from .conftest import (
    PAGES_LIVE_SECRET,
    PAGES_SERVICE_ID,
    PAGES_SMS_TEMPLATE_ID,
    PAGES_TEST_SECRET,
    get,
)

SERVICE = f"/services/{PAGES_SERVICE_ID}"


def post(emulator: Running, path: str, body: object) -> requests.Response:
    return requests.post(emulator.base_url + "/_emulator" + path, json=body, timeout=10)


def test_the_services_list_links_each_service(emulator: Running) -> None:
    page = get(emulator, "/services")
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert f'href="{SERVICE}/templates">Pages Service</a>' in page.text
    assert 'href="/services" aria-current="page">Services</a>' in page.text
    assert 'data-setup="/_emulator/services"' in page.text
    assert "<script>" not in page.text  # scripts only from files


def test_settings_show_everything_but_the_bearer_token(emulator: Running) -> None:
    token = "a-secret-bearer-token-" + uuid.uuid4().hex
    answer = post(
        emulator,
        SERVICE + "/callbacks",
        {"type": "delivery_status", "url": "https://example.com/receipts", "bearer_token": token},
    )
    assert answer.status_code == 200, answer.text
    try:
        page = get(emulator, SERVICE)
        assert page.status_code == 200
        assert 'value="Pages Service"' in page.text
        assert "replies@pages.example.gov.uk" in page.text
        assert 'value="https://example.com/receipts"' in page.text
        assert token not in page.text
        assert 'name="bearer_token" autocomplete="off" value=""' in page.text
        assert 'data-setup="/_emulator/services/' + PAGES_SERVICE_ID + '/guest-list"' in page.text
    finally:
        post(emulator, SERVICE + "/callbacks", {"type": "delivery_status", "url": ""})


def test_a_callback_url_real_notify_would_refuse_is_flagged_by_its_field(
    emulator: Running,
) -> None:
    answer = post(
        emulator,
        SERVICE + "/callbacks",
        {
            "type": "inbound_sms",
            "url": "http://localhost:8000/inbound",
            "bearer_token": "a-long-enough-token",
        },
    )
    assert answer.status_code == 200, answer.text
    try:
        page = get(emulator, SERVICE).text
        warning_id = "callback-url-inbound_sms-warning"
        warning = re.search(rf'<p class="field-warning" id="{warning_id}">(.*?)</p>', page, re.S)
        assert warning is not None
        assert "Real GOV.UK Notify would not accept this URL" in warning.group(1)
        assert "must be a valid https URL" in warning.group(1)
        field = re.search(r'<input type="text" id="callback-url-inbound_sms"[^>]*>', page)
        assert field is not None
        assert f'aria-describedby="{warning_id}"' in field.group(0)
        # An https URL on a public name has no warning.
        assert 'id="callback-url-delivery_status-warning"' not in page
    finally:
        post(emulator, SERVICE + "/callbacks", {"type": "inbound_sms", "url": ""})


def test_each_callback_field_has_its_own_error_and_hint(emulator: Running) -> None:
    page = get(emulator, SERVICE).text
    for kind in ("delivery_status", "inbound_sms", "returned_letter"):
        assert f'data-error-for="url" id="callback-url-{kind}-error"' in page
        assert f'data-error-for="bearer_token" id="callback-token-{kind}-error"' in page
        token = re.search(rf'<input type="password" id="callback-token-{kind}"[^>]*>', page)
        assert token is not None
        assert f'aria-describedby="callback-token-{kind}-hint"' in token.group(0)


def test_api_keys_list_names_and_types_never_secrets(emulator: Running) -> None:
    name = "page key " + uuid.uuid4().hex[:8]
    created = post(emulator, SERVICE + "/api-keys", {"name": name, "type": "team"})
    assert created.status_code == 201, created.text
    page = get(emulator, SERVICE + "/api-keys")
    assert page.status_code == 200
    for secret in (PAGES_LIVE_SECRET, PAGES_TEST_SECRET, created.json()["key"].split("-", 1)[1]):
        assert secret[-36:] not in page.text
    row = re.search(rf'<tr id="k-{created.json()["id"]}">(.*?)</tr>', page.text, re.S)
    assert row is not None
    assert name in row.group(1)
    assert "Team and guest list" in row.group(1)
    assert "/revoke" in row.group(1)
    assert "Name for this key" in page.text
    assert "Live – sends to anyone" in page.text
    assert "Test – pretends to send messages" in page.text
    revoked = post(emulator, SERVICE + f"/api-keys/{created.json()['id']}/revoke", {})
    assert revoked.status_code == 200
    row = re.search(
        rf'<tr id="k-{created.json()["id"]}"[^>]*>(.*?)</tr>',
        get(emulator, SERVICE + "/api-keys").text,
        re.S,
    )
    assert row is not None
    assert "Revoked" in row.group(1)
    assert "/revoke" not in row.group(1)


def test_templates_list_and_a_template_with_its_id_and_versions(emulator: Running) -> None:
    listing = get(emulator, SERVICE + "/templates")
    assert listing.status_code == 200
    assert f'href="{SERVICE}/templates/{PAGES_SMS_TEMPLATE_ID}">Pages text</a>' in listing.text
    assert f'href="{SERVICE}/templates/new?type=letter"' in listing.text
    made = post(
        emulator,
        SERVICE + "/templates",
        {"name": "Script <script>alert(1)</script>", "type": "sms", "body": "<script>x()</script>"},
    )
    assert made.status_code == 201, made.text
    template_id = made.json()["id"]
    assert post(emulator, f"/templates/{template_id}", {"body": "second"}).json()["version"] == 2
    page = get(emulator, SERVICE + f"/templates/{template_id}")
    assert page.status_code == 200
    assert f'<code id="template-id">{template_id}</code>' in page.text
    assert "Copy template ID" in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<script>alert" not in page.text
    assert ">second</textarea>" in page.text
    assert "?version=1" in page.text
    first = get(emulator, SERVICE + f"/templates/{template_id}", version="1")
    assert first.status_code == 200
    assert "&lt;script&gt;x()&lt;/script&gt;" in first.text
    assert "the template is now at version 2" in first.text
    assert "<textarea" not in first.text  # an earlier version is read, not edited
    assert get(emulator, SERVICE + f"/templates/{template_id}", version="9").status_code == 404


def test_bad_addresses_are_pages_not_errors(emulator: Running) -> None:
    assert get(emulator, "/services/not-an-id").status_code == 404
    assert get(emulator, f"/services/{uuid.uuid4()}/api-keys").status_code == 404
    assert get(emulator, SERVICE + "/templates/new", type="fax").status_code == 400
    assert get(emulator, SERVICE + f"/templates/{uuid.uuid4()}").status_code == 404
    other = post(emulator, "/services", {"name": "Other " + uuid.uuid4().hex[:6]}).json()["id"]
    # A template is only found under its own service.
    assert get(emulator, f"/services/{other}/templates/{PAGES_SMS_TEMPLATE_ID}").status_code == 404
    new = get(emulator, SERVICE + "/templates/new", type="email")
    assert new.status_code == 200
    assert "Subject line of the email" in new.text


def test_the_preview_renders_as_notify_would_send_it(emulator: Running) -> None:
    sms = post(
        emulator,
        "/templates/preview",
        {"type": "sms", "body": "Hi ((name)) – <b>", "service_id": PAGES_SERVICE_ID},
    )
    assert sms.status_code == 200
    # The service prefixes its texts; the en dash is sent as a hyphen (GSM).
    assert sms.json() == {
        "body": "Pages Service: Hi ((name)) - <b>",
        "subject": None,
        "fragment_count": 1,
        "count_message": "Will be charged as 1 text message (not including personalisation)",
    }
    email = post(
        emulator,
        "/templates/preview",
        {"type": "email", "subject": "About ((x))", "body": "Hello  "},
    )
    assert email.json() == {"body": "Hello", "subject": "About ((x))"}
    long = post(emulator, "/templates/preview", {"type": "sms", "body": "a" * 161})
    assert long.json()["fragment_count"] == 2
    bad = post(emulator, "/templates/preview", {"type": "fax", "body": ""})
    assert bad.status_code == 400
    assert bad.json()["field"] == "type"
    assert post(emulator, "/templates/preview", {"type": "sms", "body": 3}).status_code == 400
    assert post(emulator, "/templates/preview", ["not", "an", "object"]).status_code == 400


def _checkbox(page: str) -> str | None:
    found = re.search(r'<input type="checkbox" id="template-unsubscribe-link"[^>]*>', page)
    return found.group(0) if found else None


def test_an_email_template_offers_the_unsubscribe_link_in_the_admin_apps_words(
    emulator: Running,
) -> None:
    new = get(emulator, SERVICE + "/templates/new", type="email")
    box = _checkbox(new.text)
    assert box is not None
    assert 'name="unsubscribe_link"' in box
    assert 'data-kind="bool"' in box  # sent to the JSON route as true or false
    assert " checked" not in box
    assert f"{box} Add an unsubscribe link</label>" in new.text
    assert (
        '<span class="hint" id="template-unsubscribe-link-hint">'
        "You will see unsubscribe requests on the dashboard</span>"
    ) in new.text
    # Between the subject and the message, as in the admin app.
    assert (
        new.text.index('id="template-subject"')
        < new.text.index(box)
        < new.text.index('id="template-body"')
    )
    for kind in ("sms", "letter"):
        assert _checkbox(get(emulator, SERVICE + "/templates/new", type=kind).text) is None


def test_the_unsubscribe_option_is_saved_kept_across_versions_and_shown(
    emulator: Running,
) -> None:
    made = post(
        emulator,
        SERVICE + "/templates",
        {
            "name": "Newsletter",
            "type": "email",
            "subject": "News",
            "body": "First",
            "unsubscribe_link": True,
        },
    )
    assert made.status_code == 201, made.text
    template_id = made.json()["id"]
    address = SERVICE + f"/templates/{template_id}"

    def shown(**query: str) -> tuple[str | None, str]:
        page = get(emulator, address, **query)
        assert page.status_code == 200
        fact = re.search(r'<dd id="unsubscribe-link-fact">(.*?)</dd>', page.text)
        assert fact is not None
        return _checkbox(page.text), fact.group(1)

    box, fact = shown()
    assert box is not None
    assert " checked" in box
    assert fact == "Yes – each email ends with ‘Unsubscribe from these emails’"
    # A save of the text alone is a new version that keeps the option (as the form sends it).
    second = post(
        emulator, f"/templates/{template_id}", {"body": "Second", "unsubscribe_link": True}
    )
    assert second.json()["version"] == 2
    stored = requests.get(emulator.base_url + f"/_emulator/templates/{template_id}", timeout=10)
    assert stored.json()["unsubscribe_link"] is True
    assert [v["body"] for v in stored.json()["versions"]] == ["First", "Second"]
    box, fact = shown()
    assert box is not None
    assert " checked" in box
    # Unticking it is a save of its own: a new version without the link.
    third = post(
        emulator, f"/templates/{template_id}", {"body": "Second", "unsubscribe_link": False}
    )
    assert third.json()["version"] == 3
    box, fact = shown()
    assert box is not None
    assert " checked" not in box
    assert fact == "No"
    # An earlier version is read only, and says the option is the template's as it is now.
    box, fact = shown(version="1")
    assert box is None
    assert fact == "No (as the template is now: versions do not keep their own)"
    # A text message's page has neither.
    text_page = get(emulator, SERVICE + f"/templates/{PAGES_SMS_TEMPLATE_ID}").text
    assert _checkbox(text_page) is None
    assert "unsubscribe-link-fact" not in text_page


def test_a_deleted_template_says_so_and_leaves_the_templates_list(emulator: Running) -> None:
    name = f"Soon deleted {uuid.uuid4().hex[:8]}"
    made = post(emulator, SERVICE + "/templates", {"name": name, "type": "sms", "body": "Hi"})
    assert made.status_code == 201, made.text
    template_id = made.json()["id"]
    assert post(emulator, f"/templates/{template_id}", {"archived": True}).status_code == 200
    page = get(emulator, SERVICE + f"/templates/{template_id}").text
    banner = re.search(r'<div class="banner banner--deleted"[^>]*>(.*?)</div>', page, re.DOTALL)
    assert banner is not None, page
    assert "This template was deleted today at" in banner.group(1)
    assert "<textarea" not in page  # nothing to edit
    assert ">Save</button>" not in page
    assert "Delete this template" not in page
    assert "Hi" in page  # its content stays readable
    listing = get(emulator, SERVICE + "/templates").text
    # Not among the templates in use, only under the deleted ones.
    in_use, _, deleted = listing.partition('<details class="deleted-templates"')
    assert name not in in_use
    assert name in deleted
    assert "Pages text" in in_use
    assert "Deleted templates" in deleted
