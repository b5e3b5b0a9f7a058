"""A file sent by email, opened from its link in a real browser: the email address asked for
first (``confirm_email_before_download``), a wrong one refused, the right one in another case
let through to the download."""

from __future__ import annotations

import base64
import re

import pytest
from playwright.sync_api import Page, expect

from notify_emulator.demo import service as demo

from .test_inbox import client

pytestmark = pytest.mark.browser

FILE = b"name,score\nAda,10\n"


def file_link(base_url: str, *, confirm: bool | None) -> str:
    upload = {
        "file": base64.b64encode(FILE).decode(),
        "filename": "scores.csv",
        "confirm_email_before_download": confirm,
    }
    sent = client(base_url).send_email_notification(
        "Ada.Lovelace@example.com", demo.EMAIL_TEMPLATE_ID, {"name": upload}
    )
    found = re.search(r"(http://\S+/_emulator/documents/[0-9a-f-]{36})", sent["content"]["body"])
    assert found is not None
    return found.group(1)


def test_the_recipient_confirms_their_email_address_before_downloading(
    page: Page, base_url: str
) -> None:
    page.goto(file_link(base_url, confirm=None))
    expect(page.locator("h1")).to_have_text("Confirm your email address")
    expect(page.locator(".download-link")).to_have_count(0)
    field = page.get_by_label("Email address")
    field.fill("someone.else@example.com")
    page.get_by_role("button", name="Continue").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("This is not the email address the file was sent to")
    expect(page.locator('[data-error-for="email_address"]')).to_contain_text(
        "This is not the email address the file was sent to"
    )
    expect(field).to_have_attribute("aria-describedby", "email-address-error")
    assert "example.com" not in page.url

    field.fill(" ada.lovelace@EXAMPLE.com ")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("h1")).to_have_text("Download your file")
    assert "example" not in page.url.lower()
    link = page.locator(".download-link")
    expect(link).to_have_text("Download this CSV file (18 bytes) to your device")
    with page.expect_download() as started:
        link.click()
    download = started.value
    assert download.suggested_filename == "scores.csv"
    path = download.path()
    assert path is not None
    assert path.read_bytes() == FILE


def test_a_file_sent_without_the_question_downloads_at_once(page: Page, base_url: str) -> None:
    page.goto(file_link(base_url, confirm=False))
    expect(page.locator("h1")).to_have_text("Download your file")
    with page.expect_download() as started:
        page.locator(".download-link").click()
    path = started.value.path()
    assert path is not None
    assert path.read_bytes() == FILE
