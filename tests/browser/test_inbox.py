"""The inbox in a real browser: live updates, each channel's view, search and filters, forced
statuses, and personalisation that tries to run a script."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import requests
from PIL import Image
from playwright.sync_api import Browser, Dialog, Page, expect

from notifications_python_client.notifications import NotificationsAPIClient
from notify_emulator.demo import service as demo
from notify_emulator.rules.timings import print_run
from tests.emulators import newsletter_template

from .screenshots import HEIGHT, NAMES, WIDTH, take

pytestmark = pytest.mark.browser

ADDRESS = {
    "address_line_1": "Ada Lovelace",
    "address_line_2": "1 Example Street",
    "postcode": "SW1A 1AA",
}


def pass_print_run(base_url: str, letter_id: str) -> None:
    """Move the emulator's clock past the evening print run a live letter waits for."""
    created_at = client(base_url).get_notification_by_id(letter_id)["created_at"]
    run = print_run(datetime.fromisoformat(created_at.replace("Z", "+00:00")))
    target = (run + timedelta(seconds=5)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert requests.post(f"{base_url}/_emulator/clock", json={"set": target}, timeout=10).ok


def client(base_url: str, key: str = demo.LIVE_API_KEY) -> NotificationsAPIClient:
    return NotificationsAPIClient(key, base_url=base_url, max_retries=0)


def test_the_list_gains_a_row_without_a_reload(page: Page, base_url: str) -> None:
    page.goto(base_url + "/")
    expect(page.locator(".empty")).to_contain_text("No messages yet")
    expect(page.locator("body")).to_have_attribute("data-live", "open")
    page.evaluate("window.notReloaded = true")
    sent = client(base_url).send_sms_notification(
        "07700900123", demo.SMS_TEMPLATE_ID, {"name": "Live"}
    )
    row = page.locator(f"#n-{sent['id']}")
    expect(row).to_contain_text("Hello Live, this is a demo text.")
    # And its status follows the lifecycle, still without a reload.
    expect(row.locator(".status")).to_have_text("Delivered")
    assert page.evaluate("window.notReloaded") is True
    # A page going away (or into the back-forward cache) closes its stream, and one coming
    # back opens it again: many tabs never use up the browser's six connections to a host.
    page.evaluate("window.dispatchEvent(new PageTransitionEvent('pagehide'))")
    expect(page.locator("body")).to_have_attribute("data-live", "closed")
    page.evaluate("window.dispatchEvent(new PageTransitionEvent('pageshow'))")
    expect(page.locator("body")).to_have_attribute("data-live", "open")


def test_each_message_as_its_recipient_sees_it(page: Page, base_url: str) -> None:
    live = client(base_url)
    text = live.send_sms_notification("07700900123", demo.SMS_TEMPLATE_ID, {"name": "Ada"})
    email = live.send_email_notification(
        "ada@example.com",
        demo.EMAIL_TEMPLATE_ID,
        {"name": "Ada\n\n# A heading\n\n* one item\n* another item"},
    )
    letter = live.send_letter_notification(demo.LETTER_TEMPLATE_ID, {**ADDRESS, "name": "Ada"})

    page.goto(f"{base_url}/notifications/{text['id']}")
    expect(page.locator(".sms-bubble")).to_have_text("Hello Ada, this is a demo text.")
    expect(page.locator(".phone__sender")).to_have_text("From: GOVUK")

    page.goto(f"{base_url}/notifications/{email['id']}")
    frame = page.frame_locator("iframe.email-frame")
    expect(frame.locator("h2")).to_have_text("A heading")
    # The template says "Dear ((name)),": its comma follows the last item.
    expect(frame.locator("li")).to_have_text(["one item", "another item,"])
    page.get_by_role("tab", name="Headers").click()
    expect(page.locator("#email-headers")).to_contain_text("Reply-To: replies@example.gov.uk")
    expect(page.locator("#email-html")).to_be_hidden()

    page.goto(f"{base_url}/notifications/{letter['id']}")
    image = page.locator("img.letter-page").first
    image.scroll_into_view_if_needed()
    size = image.evaluate("img => img.decode().then(() => [img.naturalWidth, img.naturalHeight])")
    width, height = size
    assert width > 0
    assert abs(height / width - 297 / 210) < 0.01  # an A4 page
    expect(page.locator(".letter-address span")).to_have_text(
        ["Ada Lovelace", "1 Example Street", "SW1A 1AA"]
    )


def test_search_and_filters_narrow_the_list(page: Page, base_url: str) -> None:
    live = client(base_url)
    first = live.send_sms_notification("07700900123", demo.SMS_TEMPLATE_ID, {"name": "Zebedee"})
    second = live.send_sms_notification("07700900123", demo.SMS_TEMPLATE_ID, {"name": "Dougal"})
    email = live.send_email_notification("ada@example.com", demo.EMAIL_TEMPLATE_ID, {"name": "Ada"})
    page.goto(base_url + "/")
    expect(page.locator("tbody tr")).to_have_count(3)
    page.fill("#q", "zebedee")
    page.press("#q", "Enter")
    expect(page).to_have_url(re.compile(r"\?q=zebedee"))
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator(f"#n-{first['id']}")).to_be_visible()
    page.fill("#q", "")
    page.select_option("select[name=type]", "email")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator(f"#n-{email['id']}")).to_be_visible()
    # The filters are in the address: a deep link shows the same.
    page.goto(base_url + "/?type=sms&q=dougal")
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator(f"#n-{second['id']}")).to_be_visible()


def test_forcing_a_status_updates_the_open_page(page: Page, base_url: str) -> None:
    sent = client(base_url).send_sms_notification(
        "07700900123", demo.SMS_TEMPLATE_ID, {"name": "A"}
    )
    page.goto(f"{base_url}/notifications/{sent['id']}")
    status = page.locator("#notification-status .status")
    expect(status).to_have_text("Delivered")
    page.select_option("#force-status", "temporary-failure")
    page.get_by_role("button", name="Set status").click()
    expect(status).to_have_text("Phone not accepting messages right now")
    expect(page.locator("[data-flash]")).to_have_text("Status changed.")
    # Forced from elsewhere (a script, another tab): the open page follows.
    forced = requests.post(
        f"{base_url}/_emulator/notifications/{sent['id']}/status",
        json={"status": "permanent-failure"},
        timeout=10,
    )
    assert forced.ok
    expect(status).to_have_text("Not delivered")
    expect(page.locator("#v2-json")).to_contain_text('"status": "permanent-failure"')

    # A letter comes back: the button calls POST /_emulator/notifications/{id}/return.
    letter = client(base_url).send_letter_notification(
        demo.LETTER_TEMPLATE_ID, {**ADDRESS, "name": "A"}
    )
    # Not before it has been printed.
    page.goto(f"{base_url}/notifications/{letter['id']}")
    expect(page.locator("#return-hint")).to_have_text(
        "You can return this letter once it has been printed."
    )
    expect(page.get_by_role("button", name="Return this letter")).to_have_count(0)
    pass_print_run(base_url, letter["id"])
    page.goto(f"{base_url}/notifications/{letter['id']}")
    expect(page.locator("#notification-status .hint")).to_have_text("delivered")
    expect(page.locator("#return-hint")).to_have_count(0)
    page.get_by_role("button", name="Return this letter").click()
    expect(status).to_have_text("Returned")
    expect(page.locator("[data-flash]")).to_have_text("The letter was returned.")


def test_a_received_text_sent_in_through_the_form(page: Page, base_url: str) -> None:
    page.goto(base_url + "/received-texts")
    page.fill("input[name=user_number]", "07700900444")
    page.fill("textarea[name=content]", "Can I change my appointment?")
    page.get_by_role("button", name="Send it in").click()
    item = page.locator(".received__item").first
    expect(item).to_contain_text("Can I change my appointment?")
    item.locator(".received__number").click()
    expect(page.locator(".conversation__row--inbound")).to_contain_text(
        "Can I change my appointment?"
    )


def test_a_received_text_from_a_bad_number_is_refused_by_its_field(
    page: Page, base_url: str
) -> None:
    page.goto(base_url + "/received-texts")
    number = page.get_by_label("From the phone number")
    number.fill("07700 9")
    page.fill("textarea[name=content]", "Hello?")
    page.get_by_role("button", name="Send it in").click()
    # GOV.UK's pattern, in the admin app's words: the summary links to the field.
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    link = summary.get_by_role("link")
    expect(link).to_have_text("Mobile number is too short")
    error = page.locator('[data-error-for="user_number"]')
    expect(error).to_have_text("Error: Mobile number is too short")
    assert str(error.get_attribute("id")) in str(number.get_attribute("aria-describedby")).split()
    expect(page.locator("[data-flash]")).to_be_hidden()
    expect(page.locator("textarea[name=content]")).to_have_value("Hello?")  # kept to correct
    link.click()
    expect(number).to_be_focused()
    # Corrected, it is sent in and the error goes.
    number.fill("07700900555")
    page.get_by_role("button", name="Send it in").click()
    expect(page.locator("[data-flash]")).to_have_text("Sent.")
    expect(summary).to_be_hidden()
    expect(error).to_be_hidden()
    expect(page.locator(".received__item").first).to_contain_text("Hello?")


def test_a_script_in_personalisation_never_runs(page: Page, base_url: str) -> None:
    dialogs: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    attack = (
        "<script>window.pwned = 1; alert('script')</script>"
        "<img src=x onerror=\"window.pwned = 2; alert('img')\">"
        "[link](javascript:alert('link'))"
    )
    live = client(base_url)
    text = live.send_sms_notification("07700900123", demo.SMS_TEMPLATE_ID, {"name": attack})
    email = live.send_email_notification(
        "ada@example.com", demo.EMAIL_TEMPLATE_ID, {"name": attack}
    )
    letter = live.send_letter_notification(demo.LETTER_TEMPLATE_ID, {**ADDRESS, "name": attack})
    for path in ("/", f"/notifications/{text['id']}", f"/notifications/{letter['id']}"):
        page.goto(base_url + path)
        expect(page.locator("main")).to_contain_text("<script>window.pwned = 1;")
        assert page.evaluate("window.pwned") is None
    page.goto(f"{base_url}/notifications/{email['id']}")
    frame = page.frame_locator("iframe.email-frame")
    expect(frame.locator("body")).to_contain_text("<script>window.pwned = 1;")
    expect(frame.locator("a[href^='javascript:']")).to_have_count(0)
    assert page.evaluate("window.pwned") is None
    frame_pwned = page.frames[-1].evaluate("window.pwned")
    assert frame_pwned is None
    assert dialogs == []


def test_the_readme_screenshots_can_be_taken(
    browser: Browser, base_url: str, tmp_path: Path
) -> None:
    saved = take(base_url, browser, tmp_path)
    assert [path.stem for path in saved] == list(NAMES)
    for path in saved:
        with Image.open(path) as image:
            assert image.format == "PNG"
            assert image.size == (WIDTH, HEIGHT)


def test_the_list_and_its_filters_fit_a_phone_screen(page: Page, base_url: str) -> None:
    client(base_url).send_sms_notification("07700900123", demo.SMS_TEMPLATE_ID, {"name": "Ada"})
    # A service whose name is longer than the screen is wide, as the Service filter lists it.
    long_name = "The Department for Long Service Names and Very Wide Select Boxes"
    created = requests.post(base_url + "/_emulator/services", json={"name": long_name}, timeout=10)
    assert created.ok, created.text
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(
        base_url
        + "/?q=a-long-search-text-that-goes-on&status=pending-virus-check"
        + "&template_id=0f0e0d0c-0b0a-4908-8706-050403020100"
    )
    expect(page.locator(".filters__clear")).to_be_visible()
    expect(page.locator(".filters")).to_be_visible()
    # No sideways scrolling: everything fits the 375 pixels.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    for selector in (".filters select", ".filters input", ".filters button"):
        boxes = page.locator(selector)
        for index in range(boxes.count()):
            box = boxes.nth(index).bounding_box()
            assert box is not None
            assert box["x"] >= 0
            assert box["x"] + box["width"] <= 375, selector
    # The received texts' service filter too.
    page.goto(base_url + "/received-texts")
    expect(page.locator(".filters--compact")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_the_recipients_one_click_unsubscribe_pressed_from_the_emails_page(
    page: Page, base_url: str
) -> None:
    template_id = newsletter_template(base_url, "Newsletter " + datetime.now().isoformat())
    sent = client(base_url).send_email_notification("reader@example.com", template_id)
    page.goto(f"{base_url}/notifications/{sent['id']}")
    page.get_by_role("button", name="Unsubscribe, as the recipient would").click()
    expect(page.locator("[data-flash]")).to_have_text("The recipient unsubscribed.")
    notice = page.locator("#notification-unsubscribe .notice")
    expect(notice).to_contain_text("The recipient asked to unsubscribe today at")
    notice.get_by_role("link", name="See every unsubscribe request").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Email unsubscribe requests")
    row = page.locator(f"#u-{sent['id']}")
    expect(row).to_contain_text("reader@example.com")
    expect(row).to_contain_text("Newsletter")
