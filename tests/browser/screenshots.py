"""Screenshots of each page of the inbox, for the README (``make screenshots``).

Run as ``python -m tests.browser.screenshots [FOLDER]`` (default ``docs/screenshots``): it
starts its own emulator, sends a few messages through the real client and photographs the
list, a text, an email, a letter, the received texts, a conversation and the set-up pages (a
template of each type with its preview) with Chromium.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import requests
from playwright.sync_api import Browser, sync_playwright

from notifications_python_client.notifications import NotificationsAPIClient
from notify_emulator.demo import service as demo

from .harness import NOT_LOOPBACK, Served, launch

NAMES = (
    "list",
    "text",
    "email",
    "letter",
    "received-texts",
    "conversation",
    "services",
    "service-settings",
    "api-keys",
    "api-key-created",
    "templates",
    "template",
    "template-text",
    "template-letter",
)
WIDTH = 1200
HEIGHT = 1100
PHONE = "07700900444"


SERVICE_ID = "88888888-8888-4888-8888-888888888888"
SECRET = "88888888-aaaa-4aaa-8aaa-000000000001"
SMS_TEMPLATE = "88888888-bbbb-4bbb-8bbb-000000000001"
EMAIL_TEMPLATE = "88888888-bbbb-4bbb-8bbb-000000000002"
LETTER_TEMPLATE = "88888888-bbbb-4bbb-8bbb-000000000003"
SEED = f"""
[[services]]
id = "{SERVICE_ID}"
name = "Passport Office"
inbound_number = "07700900777"
letter_contact_block = '''Passport Office
2 Marsham Street
London
SW1P 4DF'''
  [[services.api_keys]]
  name = "live"
  secret = "{SECRET}"
  [[services.email_reply_to]]
  email_address = "passports@example.gov.uk"
  is_default = true
  [[services.templates]]
  id = "{SMS_TEMPLATE}"
  name = "Appointment reminder"
  type = "sms"
  body = '''Hello ((name)), your passport appointment is on ((date)). \
Reply to this message to change it.'''
  [[services.templates]]
  id = "{EMAIL_TEMPLATE}"
  name = "Passport ready"
  type = "email"
  subject = "Your passport is ready, ((name))"
  body = '''# Your new passport

Hello ((name)),

Your passport is ready to collect. Bring:

* your old passport
* your reference number: ((reference))

^ You cannot collect it for someone else.

Find your nearest office at https://www.gov.uk/passport-offices'''
  [[services.templates]]
  id = "{LETTER_TEMPLATE}"
  name = "Application received"
  type = "letter"
  subject = "We have received your application, ((name))"
  body = '''Dear ((name)),

We have your passport application, reference ((reference)).

# What happens next

* we check your documents
* we print your passport
* we post it to you by secure delivery

Yours sincerely,

The Passport Office'''
"""


def take(base_url: str, browser: Browser, folder: Path) -> list[Path]:
    """Send some messages, then save one PNG per page in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    loaded = requests.post(
        base_url + "/_emulator/config",
        data=SEED.encode(),
        headers={"Content-Type": "application/toml"},
        timeout=10,
    )
    assert loaded.ok, loaded.text
    assert requests.post(base_url + "/_emulator/reset", json={}, timeout=10).ok
    live = NotificationsAPIClient(f"live-{SERVICE_ID}-{SECRET}", base_url=base_url, max_retries=0)
    test = NotificationsAPIClient(demo.TEST_API_KEY, base_url=base_url, max_retries=0)

    def received(content: str) -> None:
        answer = requests.post(
            base_url + "/_emulator/received-texts",
            json={"service_id": SERVICE_ID, "user_number": PHONE, "content": content},
            timeout=10,
        )
        assert answer.ok, answer.text

    text = live.send_sms_notification(
        PHONE, SMS_TEMPLATE, {"name": "Amala", "date": "Friday 12 March at 10am"}
    )
    received("Can I move it to the afternoon please?")
    test.send_sms_notification("07700900002", demo.SMS_TEMPLATE_ID, {"name": "Dee"})
    email = live.send_email_notification(
        "amala@example.com",
        EMAIL_TEMPLATE,
        {"name": "Amala", "reference": "PX-4471-22"},
        reference="passport-4471",
    )
    letter = live.send_letter_notification(
        LETTER_TEMPLATE,
        {
            "name": "Amala Okafor",
            "reference": "PX-4471-22",
            "address_line_1": "Amala Okafor",
            "address_line_2": "10 Station Road",
            "address_line_3": "Leeds",
            "postcode": "LS1 4DY",
        },
    )
    received("Thank you!")
    time.sleep(1.5)  # let the statuses reach their final state
    pages = {
        "list": "/",
        "text": f"/notifications/{text['id']}",
        "email": f"/notifications/{email['id']}",
        "letter": f"/notifications/{letter['id']}",
        "received-texts": "/received-texts",
        "conversation": f"/conversations/{PHONE}",
        "services": "/services",
        "service-settings": f"/services/{SERVICE_ID}",
        "api-keys": f"/services/{SERVICE_ID}/api-keys",
        "api-key-created": f"/services/{SERVICE_ID}/api-keys",
        "templates": f"/services/{SERVICE_ID}/templates",
        "template": f"/services/{SERVICE_ID}/templates/{EMAIL_TEMPLATE}",
        "template-text": f"/services/{SERVICE_ID}/templates/{SMS_TEMPLATE}",
        "template-letter": f"/services/{SERVICE_ID}/templates/{LETTER_TEMPLATE}",
    }
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
    context.route(NOT_LOOPBACK, lambda route: route.abort())
    saved = []
    try:
        page = context.new_page()
        for name in NAMES:
            page.goto(base_url + pages[name])
            page.wait_for_load_state("networkidle")
            if name == "api-key-created":
                page.get_by_label("Name for this key").fill("Screenshot key")
                page.get_by_role("button", name="Continue").click()
                page.locator("#new-api-key").wait_for()
            if name.startswith("template-") or name == "template":
                page.locator("[data-previewed]").wait_for()
                page.wait_for_load_state("networkidle")
            page.evaluate("Promise.all([...document.images].map(image => image.decode()))")
            path = folder / f"{name}.png"
            page.screenshot(path=str(path))
            saved.append(path)
    finally:
        context.close()
    return saved


def main(argv: list[str]) -> int:
    folder = Path(argv[1] if len(argv) > 1 else "docs/screenshots")
    with tempfile.TemporaryDirectory() as scratch:
        server = Served(Path(scratch))
        base_url = server.start()
        try:
            with sync_playwright() as playwright:
                browser = launch(playwright)
                try:
                    for path in take(base_url, browser, folder):
                        print(path)
                finally:
                    browser.close()
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
