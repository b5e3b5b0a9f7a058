"""The pages' live updates in a real browser when the emulator goes away and comes back."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from notifications_python_client.notifications import NotificationsAPIClient
from notify_emulator.demo import service as demo

from .harness import NOT_LOOPBACK, Served, free_port

pytestmark = pytest.mark.browser


def test_a_page_catches_up_when_the_emulator_comes_back(browser: Browser, tmp_path: Path) -> None:
    # Restarted over another database (a fresh file, or :memory:), the emulator's change log
    # starts again: the events a page missed are not replayed, so on reconnecting the page
    # re-reads itself rather than go on showing messages that no longer exist.
    port = free_port()
    (tmp_path / "before").mkdir()
    (tmp_path / "after").mkdir()
    before = Served(tmp_path / "before")
    base_url = before.start(port=port)
    context = browser.new_context()
    context.route(NOT_LOOPBACK, lambda route: route.abort())
    page = context.new_page()
    page.set_default_timeout(15_000)
    after = Served(tmp_path / "after")
    try:
        sent = NotificationsAPIClient(
            demo.LIVE_API_KEY, base_url=base_url, max_retries=0
        ).send_sms_notification("07700900123", demo.SMS_TEMPLATE_ID, {"name": "Before"})
        page.goto(base_url + "/")
        expect(page.locator(f"#n-{sent['id']}")).to_be_visible()
        expect(page.locator("body")).to_have_attribute("data-live", "open")
        before.stop()
        expect(page.locator("body")).to_have_attribute("data-live", "reconnecting")
        after.start(port=port)
        expect(page.locator("body")).to_have_attribute("data-live", "open")
        expect(page.locator(".empty")).to_contain_text("No messages yet")
    finally:
        context.close()
        before.stop()
        after.stop()
