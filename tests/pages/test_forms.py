"""Every form on the pages: the ones that change something are sent with POST by the pages'
scripts (as JSON, the only body the emulator-only routes take), so that without JavaScript a
form can never put its fields (a callback's bearer token, say) into an address. Only the
search filters, which hold nothing secret, are sent as a page's query."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest

from notifications_python_client.notifications import NotificationsAPIClient
from tests.emulator.emulator_harness import Running

from .conftest import (
    PAGES_EMAIL_TEMPLATE_ID,
    PAGES_LETTER_TEMPLATE_ID,
    PAGES_LIVE_KEY,
    PAGES_SERVICE_ID,
    get,
)

SERVICE = f"/services/{PAGES_SERVICE_ID}"


@dataclass
class Form:
    attrs: dict[str, str | None]
    buttons: list[dict[str, str | None]] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)


class Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self.current: Form | None = None
        self.noscript = 0
        self.noscript_text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "form":
            self.current = Form(dict(attrs))
            self.forms.append(self.current)
        elif tag == "noscript":
            self.noscript += 1
        elif self.current is not None and tag == "button":
            self.current.buttons.append(dict(attrs))
        elif self.current is not None and tag in {"input", "textarea", "select"}:
            name = dict(attrs).get("name")
            if name:
                self.current.fields.append(name)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.current = None
        elif tag == "noscript":
            self.noscript -= 1

    def handle_data(self, data: str) -> None:
        if self.noscript:
            self.noscript_text += data


def parsed(emulator: Running, path: str) -> Forms:
    page = get(emulator, path)
    assert page.status_code == 200, path
    forms = Forms()
    forms.feed(page.text)
    return forms


def is_search(form: Form) -> bool:
    return form.attrs.get("role") == "search" or "filters" in (form.attrs.get("class") or "")


def pages(emulator: Running) -> list[str]:
    client = NotificationsAPIClient(PAGES_LIVE_KEY, base_url=emulator.base_url, max_retries=0)
    letter = client.send_letter_notification(
        PAGES_LETTER_TEMPLATE_ID,
        {
            "address_line_1": "A Person",
            "address_line_2": "1 Street",
            "postcode": "SW1A 1AA",
            "name": "Ada",
        },
    )
    email = client.send_email_notification(
        "ada@example.com", PAGES_EMAIL_TEMPLATE_ID, {"thing": "x", "name": "Ada"}
    )
    return [
        "/",
        "/received-texts",
        "/conversations/07700900111",
        f"/notifications/{letter['id']}",
        f"/notifications/{email['id']}",
        "/services",
        SERVICE,
        SERVICE + "/api-keys",
        SERVICE + "/templates",
        SERVICE + "/templates/new?type=sms",
        SERVICE + "/templates/new?type=letter",
        f"{SERVICE}/templates/{PAGES_EMAIL_TEMPLATE_ID}",
    ]


def test_only_search_filters_are_sent_as_an_address(emulator: Running) -> None:
    seen = 0
    for path in pages(emulator):
        for form in parsed(emulator, path).forms:
            seen += 1
            method = (form.attrs.get("method") or "get").lower()
            if is_search(form):
                assert method == "get", path
                assert "bearer_token" not in form.fields
                continue
            assert method == "post", (path, form.attrs)
    assert seen > 15


def test_without_javascript_a_form_that_needs_it_cannot_be_sent(emulator: Running) -> None:
    for path in pages(emulator):
        forms = parsed(emulator, path)
        needing = [form for form in forms.forms if not is_search(form)]
        if needing:
            assert "need JavaScript" in forms.noscript_text, path
        for form in needing:
            for button in form.buttons:
                if (button.get("type") or "submit") != "submit":
                    continue
                # The template's Preview, which shows what was written, is the one button
                # that works without a script: it asks for this page with the text.
                if button.get("formmethod") == "get":
                    assert "data-preview-button" in button, path
                    continue
                # Switched on by the pages' script.
                assert "disabled" in button, (path, button)
                assert "data-needs-script" in button, (path, button)


@pytest.mark.parametrize("kind", ["delivery_status", "inbound_sms", "returned_letter"])
def test_a_callbacks_form_is_never_sent_as_a_query(emulator: Running, kind: str) -> None:
    forms = parsed(emulator, SERVICE).forms
    (form,) = [f for f in forms if f.attrs.get("id") == f"callback-{kind}"]
    assert form.attrs.get("method") == "post"
    assert "bearer_token" in form.fields
