"""The set-up pages in a real browser: a key created on the page sends through the client, a
template created, previewed, edited and versioned, refusals shown by their fields, revoking
after a question, a template holding a script that never runs, and the previews as Notify's
admin app shows them (an email's HTML in its frame, a letter's pages as images), with and
without JavaScript."""

from __future__ import annotations

import uuid

import pytest
import requests
from playwright.sync_api import Browser, Dialog, Page, expect

from notifications_python_client.errors import HTTPError
from notifications_python_client.notifications import NotificationsAPIClient

from .harness import NOT_LOOPBACK

pytestmark = pytest.mark.browser

PHONE = "07700900123"


def new_service(base_url: str) -> str:
    """A service of the test's own (other tests may load other configurations)."""
    answer = requests.post(
        base_url + "/_emulator/services",
        json={"name": "Browser set-up " + uuid.uuid4().hex[:8], "trial_mode": False},
        timeout=10,
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def create_key_in_page(page: Page, base_url: str, service_id: str, name: str) -> str:
    page.goto(f"{base_url}/services/{service_id}/api-keys")
    page.get_by_label("Name for this key").fill(name)
    page.get_by_label("Live – sends to anyone").check()
    page.get_by_role("button", name="Continue").click()
    shown = page.locator("#new-api-key")
    expect(shown).to_be_visible()
    expect(page.locator("[data-key-created]")).to_contain_text("You will not be able to see it")
    # Focus moves to the new key, so that a keyboard or screen reader user is told of it.
    expect(shown).to_be_focused()
    return shown.inner_text().strip()


def test_a_key_made_in_the_page_sends_a_message_seen_in_the_inbox(
    page: Page, base_url: str
) -> None:
    service_id = new_service(base_url)
    key = create_key_in_page(page, base_url, service_id, "browser key")
    assert key.startswith(f"browser_key-{service_id}-") or key.startswith(
        f"browser key-{service_id}-"
    )
    expect(page.get_by_role("button", name="Copy this key")).to_be_visible()
    template = requests.post(
        f"{base_url}/_emulator/services/{service_id}/templates",
        json={"name": "Hello", "type": "sms", "body": "Hello from the key page"},
        timeout=10,
    ).json()["id"]
    sent = NotificationsAPIClient(key, base_url=base_url, max_retries=0).send_sms_notification(
        PHONE, template
    )
    page.goto(base_url + "/")
    expect(page.locator(f"#n-{sent['id']}")).to_contain_text("Hello from the key page")
    # The key's secret is never shown again.
    page.goto(f"{base_url}/services/{service_id}/api-keys")
    expect(page.locator("tbody")).to_contain_text("browser key")
    assert key[-36:] not in page.content()


def test_revoking_asks_first_and_the_key_stops_working(page: Page, base_url: str) -> None:
    service_id = new_service(base_url)
    key = create_key_in_page(page, base_url, service_id, "to revoke")
    page.goto(f"{base_url}/services/{service_id}/api-keys")
    questions: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        questions.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.get_by_role("button", name="Revoke").click()
    assert questions
    assert "to revoke" in questions[0]
    expect(page.get_by_role("button", name="Revoke")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revoke").click()
    expect(page.locator("tbody")).to_contain_text("Revoked")
    expect(page.get_by_role("button", name="Revoke")).to_have_count(0)
    with pytest.raises(HTTPError) as refused:
        NotificationsAPIClient(key, base_url=base_url, max_retries=0).get_all_templates()
    assert refused.value.status_code == 403


def test_refusals_are_shown_next_to_their_fields(page: Page, base_url: str) -> None:
    service_id = new_service(base_url)
    page.goto(f"{base_url}/services/{service_id}/api-keys")
    page.get_by_label("Name for this key").fill("   ")
    page.get_by_role("button", name="Continue").click()
    error = page.locator('[data-error-for="name"]')
    expect(error).to_have_text("Error: Enter a name for this API key")
    expect(page.locator("[data-key-created]")).to_be_hidden()
    page.goto(f"{base_url}/services/{service_id}")
    page.locator("#limit-rate_limit").fill("lots")
    page.get_by_role("button", name="Save").first.click()
    expect(page.locator('[data-error-for="rate_limit"]')).to_be_visible()


def test_the_first_reply_to_address_added_in_the_page_is_the_default(
    page: Page, base_url: str
) -> None:
    service_id = new_service(base_url)
    page.goto(f"{base_url}/services/{service_id}")
    expect(page.locator("#reply-to-heading ~ p.hint")).to_have_text(
        "You have not added any reply-to email addresses yet."
    )
    page.get_by_label("Email address", exact=True).fill("first@example.gov.uk")
    page.get_by_role("button", name="Add reply-to address").click()
    first = page.locator("ul.senders li", has_text="first@example.gov.uk")
    expect(first).to_contain_text("(default)")
    expect(page.locator('[data-error-for="email_address"]')).to_be_hidden()
    # A second one is not the default until made so.
    page.get_by_label("Email address", exact=True).fill("second@example.gov.uk")
    page.get_by_role("button", name="Add reply-to address").click()
    second = page.locator("ul.senders li", has_text="second@example.gov.uk")
    expect(second.get_by_role("button", name="Make default")).to_be_visible()
    expect(first).to_contain_text("(default)")


def test_callback_errors_and_warnings_are_shown_by_their_fields(page: Page, base_url: str) -> None:
    service_id = new_service(base_url)
    page.goto(f"{base_url}/services/{service_id}")
    form = page.locator("#callback-delivery_status")
    url = form.get_by_label("URL")
    token = form.get_by_label("Bearer token")
    url.fill("ftp://example.com/receipts")
    token.fill("a-long-enough-token")
    form.get_by_role("button", name="Save").click()
    # GOV.UK's pattern: a summary at the top linking to the field, the message by the field.
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary.locator("h2")).to_have_text("There is a problem")
    link = summary.get_by_role("link")
    expect(link).to_have_text("The callback URL must start with http:// or https://")
    error = form.locator('[data-error-for="url"]')
    expect(error).to_have_text("Error: The callback URL must start with http:// or https://")
    described = str(url.get_attribute("aria-describedby")).split()
    assert str(error.get_attribute("id")) in described
    link.click()
    expect(url).to_be_focused()
    # A short token is refused by its own field.
    url.fill("https://example.com/receipts")
    token.fill("short")
    form.get_by_role("button", name="Save").click()
    expect(form.locator('[data-error-for="bearer_token"]')).to_have_text(
        "Error: The bearer token must be at least 10 characters long"
    )
    expect(error).to_be_hidden()
    assert str(error.get_attribute("id")) not in str(url.get_attribute("aria-describedby"))
    # Saved with a URL real Notify would refuse: the emulator takes it and says so.
    url.fill("http://localhost:8000/receipts")
    token.fill("a-long-enough-token")
    form.get_by_role("button", name="Save").click()
    warning = page.locator("#callback-url-delivery_status-warning")
    expect(warning).to_contain_text("Real GOV.UK Notify would not accept this URL")
    expect(page.locator("[data-error-summary]")).to_be_hidden()


def test_a_template_made_edited_and_its_first_version_still_read(page: Page, base_url: str) -> None:
    service_id = new_service(base_url)
    key = requests.post(
        f"{base_url}/_emulator/services/{service_id}/api-keys",
        json={"name": "sender", "type": "normal"},
        timeout=10,
    ).json()["key"]
    client = NotificationsAPIClient(key, base_url=base_url, max_retries=0)
    page.goto(f"{base_url}/services/{service_id}/templates")
    page.get_by_role("link", name="Text message", exact=True).click()
    page.get_by_label("Template name").fill("Appointment")
    page.get_by_label("Message").fill("Hello ((name)), version one")
    # The preview follows the typing.
    expect(page.locator("[data-preview-body]")).to_have_text("Hello ((name)), version one")
    expect(page.locator("[data-preview-fragments]")).to_have_text(
        "Will be charged as 1 text message (not including personalisation)"
    )
    expect(page.locator("[data-preview-body] .placeholder")).to_have_text("((name))")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#template-id")).to_be_visible()
    template_id = page.locator("#template-id").inner_text()
    first = client.send_sms_notification(PHONE, template_id, {"name": "Ada"})
    assert first["content"]["body"] == "Hello Ada, version one"
    page.get_by_label("Message").fill("Hello ((name)), version two")
    expect(page.locator("[data-preview-body]")).to_have_text("Hello ((name)), version two")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#v-2")).to_be_visible()
    second = client.send_sms_notification(PHONE, template_id, {"name": "Ada"})
    assert second["content"]["body"] == "Hello Ada, version two"
    assert second["template"]["version"] == 2
    assert client.get_template_version(template_id, 1)["body"] == "Hello ((name)), version one"
    page.get_by_role("link", name="Version 1").click()
    expect(page.locator("#version-body")).to_have_text("Hello ((name)), version one")
    # A bad body is refused by its field, and nothing is saved.
    page.get_by_role("link", name="See the current version").click()
    page.get_by_label("Message").fill("")
    page.get_by_role("button", name="Save").click()
    expect(page.locator('[data-error-for="body"]')).to_have_text("Error: Enter your message")
    assert client.get_template(template_id)["version"] == 2
    # Archive, after a question.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete this template").click()
    expect(page.locator(".banner--deleted")).to_contain_text("This template was deleted")
    expect(page.get_by_role("button", name="Save")).to_have_count(0)
    with pytest.raises(HTTPError):
        client.send_sms_notification(PHONE, template_id, {"name": "Ada"})


def test_a_template_holding_a_script_shows_it_as_text(page: Page, base_url: str) -> None:
    service_id = new_service(base_url)
    script = "<script>window.ran = true</script><img src=x onerror='window.ran = true'>"
    page.goto(f"{base_url}/services/{service_id}/templates/new?type=email")
    page.get_by_label("Template name").fill(script)
    page.get_by_label("Subject line of the email").fill(script)
    page.get_by_label("Message").fill(script)
    expect(page.locator("[data-preview-subject]")).to_have_text(script)
    # The email's own frame shows the script as text (with Notify's curly quotes), and holds
    # no script or image.
    email = page.frame_locator("[data-preview-frame]")
    expect(email.locator("p")).to_have_text(script.replace("'", "’"))
    expect(email.locator("script")).to_have_count(0)
    expect(email.locator("img")).to_have_count(0)
    page.get_by_role("button", name="Save").click()
    expect(page.locator("h1")).to_have_text(script)
    assert page.get_by_label("Message").input_value() == script
    page.goto(f"{base_url}/services/{service_id}/templates")
    expect(page.locator(".template-list")).to_contain_text(script)
    assert page.evaluate("window.ran") is None


def test_an_email_preview_shows_the_email_as_sent_while_typing(page: Page, base_url: str) -> None:
    service_id = new_service(base_url)
    page.goto(f"{base_url}/services/{service_id}/templates/new?type=email")
    expect(page.get_by_role("button", name="Preview")).to_be_hidden()
    page.get_by_label("Subject line of the email").fill("Your ((thing)) is ready")
    page.get_by_label("Message").fill("# Your new passport\n\nHello ((name)),\n\n* bring it")
    expect(page.locator("[data-preview-subject] .placeholder")).to_have_text("((thing))")
    email = page.frame_locator("[data-preview-frame]")
    expect(email.locator("h2")).to_have_text("Your new passport")
    expect(email.locator("li")).to_have_text("bring it")
    expect(email.locator("p .placeholder")).to_have_text("((name))")
    expect(email.get_by_role("link", name="GOV.UK")).to_be_visible()
    # Notify's highlight: the GOV.UK focus yellow behind the placeholder.
    colour = email.locator("p .placeholder").evaluate(
        "span => getComputedStyle(span).backgroundColor"
    )
    assert colour == "rgb(255, 221, 0)"
    # It follows the typing.
    page.get_by_label("Message").fill("Goodbye ((name))")
    expect(email.locator("body")).to_contain_text("Goodbye ((name))")
    expect(email.locator("h2")).to_have_count(0)


def test_an_email_with_a_long_first_paragraph_is_shown_whole(page: Page, base_url: str) -> None:
    # The hidden preheader is the first 256 characters of its text: cut in the middle of a
    # placeholder's markup, it once hid the whole email.
    paragraph = (
        "Dear ((name)), your application for a [new passport]"
        "(https://www.gov.uk/apply-renew-passport) has been received. "
        "We will write to ((address)) when it is ready. "
    )
    body = "Reference ABC-12345:" + paragraph * 3 + "\n\n# Next steps\n\n* Bring this letter"
    service_id = new_service(base_url)
    page.goto(f"{base_url}/services/{service_id}/templates/new?type=email")
    page.get_by_label("Subject line of the email").fill("Your application")
    page.get_by_label("Message").fill(body)
    email = page.frame_locator("[data-preview-frame]")
    expect(email.locator("h2")).to_have_text("Next steps")
    expect(email.locator("h2")).to_be_visible()
    expect(email.locator("li")).to_be_visible()
    expect(email.locator("p").first).to_be_visible()
    expect(email.locator("p").first).to_contain_text("Reference ABC-12345:Dear ((name))")
    expect(email.get_by_role("link", name="new passport").first).to_be_visible()
    # The preheader itself stays hidden, and holds whole placeholders only.
    hidden = email.locator("body > span[hidden]")
    expect(hidden).to_be_hidden()
    expect(hidden).to_contain_text("Reference ABC-12345:Dear ((name)), your application")
    assert hidden.inner_text().endswith("…")
    for placeholder in hidden.locator(".placeholder").all():
        assert placeholder.inner_text() in ("((name))", "((address))")


def test_a_letter_preview_shows_its_pages_as_images(page: Page, base_url: str) -> None:
    service_id = new_service(base_url)
    page.goto(f"{base_url}/services/{service_id}/templates/new?type=letter")
    page.get_by_label("Main heading").fill("About your application")
    page.get_by_label("Message").fill("Dear ((name)),\n\nThe first page.")
    images = page.locator("[data-preview-pages] img")
    expect(images).to_have_count(1)
    expect(page.locator("[data-preview-page-count]")).to_have_text("1 page")
    # A page break makes a second page.
    page.get_by_label("Message").fill("Dear ((name)),\n\nThe first page.\n\n---\n\nThe second.")
    expect(images).to_have_count(2)
    expect(page.locator("[data-preview-page-count]")).to_have_text("2 pages")
    expect(images.nth(1)).to_have_attribute("alt", "Page 2 of 2")
    for index in range(2):
        images.nth(index).evaluate("image => image.decode()")
        size = images.nth(index).evaluate("image => [image.naturalWidth, image.naturalHeight]")
        assert size == [794, 1123]  # A4 at 96 dots per inch
    link = page.get_by_role("link", name="Download as a PDF")
    pdf = page.request.get(base_url + str(link.get_attribute("href")))
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF-")
    # Over ten pages, the admin app's words.
    page.get_by_label("Message").fill("\n\n---\n\n".join(f"Page {n}" for n in range(1, 12)))
    expect(page.locator("[data-preview-too-long]")).to_contain_text(
        "Letters must be 10 pages or less (5 double-sided sheets of paper). "
        "Your letter is 11 pages long."
    )
    expect(images).to_have_count(11)


def test_text_too_long_to_preview_hides_the_preview_until_it_is_shorter(
    page: Page, base_url: str
) -> None:
    service_id = new_service(base_url)
    page.goto(f"{base_url}/services/{service_id}/templates/new?type=letter")
    page.get_by_label("Main heading").fill("About your application")
    page.get_by_label("Message").fill("Dear ((name)),\n\nThe first page.")
    images = page.locator("[data-preview-pages] img")
    expect(images).to_have_count(1)
    expect(images.first).to_be_visible()
    page.get_by_label("Message").fill("a" * 100_001)
    error = page.locator("[data-preview-error]")
    expect(error).to_have_text(
        "This message is too long to preview. The preview can show up to 100,000 characters."
    )
    # Nothing of the earlier text's preview is left showing.
    expect(page.locator("[data-preview-content]")).to_be_hidden()
    expect(images.first).to_be_hidden()
    expect(page.locator("[data-preview-page-count]")).to_be_hidden()
    page.get_by_label("Message").fill("Shorter now.")
    expect(error).to_be_hidden()
    expect(images.first).to_be_visible()
    expect(page.locator("[data-preview-page-count]")).to_have_text("1 page")


def test_without_javascript_the_preview_button_shows_the_preview(
    browser: Browser, base_url: str
) -> None:
    service_id = new_service(base_url)
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1200, "height": 900}
    )
    context.route(NOT_LOOPBACK, lambda route: route.abort())
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(f"{base_url}/services/{service_id}/templates/new?type=email")
        page.get_by_label("Template name").fill("No script")
        page.get_by_label("Subject line of the email").fill("Hello ((name))")
        page.get_by_label("Message").fill("# Written without JavaScript\n\nHello ((name))")
        page.get_by_role("button", name="Preview").click()
        expect(page.get_by_label("Message")).to_have_value(
            "# Written without JavaScript\n\nHello ((name))"
        )
        expect(page.get_by_label("Template name")).to_have_value("No script")
        email = page.frame_locator("[data-preview-frame]")
        expect(email.locator("h2")).to_have_text("Written without JavaScript")
        expect(page.locator("[data-preview-subject] .placeholder")).to_have_text("((name))")
        # A letter's pages too.
        page.goto(f"{base_url}/services/{service_id}/templates/new?type=letter")
        page.get_by_label("Message").fill("One\n\n---\n\nTwo")
        page.get_by_role("button", name="Preview").click()
        expect(page.locator("[data-preview-pages] img")).to_have_count(2)
        expect(page.locator("[data-preview-page-count]")).to_have_text("2 pages")
    finally:
        context.close()


def test_without_javascript_no_form_puts_its_fields_in_the_address(
    browser: Browser, base_url: str
) -> None:
    service_id = new_service(base_url)
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1200, "height": 900}
    )
    context.route(NOT_LOOPBACK, lambda route: route.abort())
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        settings = f"{base_url}/services/{service_id}"
        page.goto(settings)
        expect(page.locator("[data-no-script]")).to_contain_text("need JavaScript")
        page.get_by_label("URL").first.fill("https://example.com/receipts")
        token = page.get_by_label("Bearer token").first
        token.fill("a-secret-bearer-token")
        token.press("Enter")
        save = page.locator("#callback-delivery_status").get_by_role("button", name="Save")
        expect(save).to_be_disabled()
        page.get_by_label("Email address", exact=True).fill("someone@example.gov.uk")
        page.get_by_label("Email address", exact=True).press("Enter")
        page.wait_for_timeout(500)
        assert page.url == settings
        assert "bearer" not in page.url
        # The key's name neither.
        page.goto(settings + "/api-keys")
        page.get_by_label("Name for this key").fill("no script")
        page.get_by_label("Name for this key").press("Enter")
        expect(page.get_by_role("button", name="Continue")).to_be_disabled()
        page.wait_for_timeout(500)
        assert page.url == settings + "/api-keys"
    finally:
        context.close()


def test_the_unsubscribe_link_ticked_previewed_saved_and_read_back(
    page: Page, base_url: str
) -> None:
    service_id = new_service(base_url)
    key = requests.post(
        f"{base_url}/_emulator/services/{service_id}/api-keys",
        json={"name": "sender", "type": "normal"},
        timeout=10,
    ).json()["key"]
    client = NotificationsAPIClient(key, base_url=base_url, max_retries=0)
    page.goto(f"{base_url}/services/{service_id}/templates/new?type=email")
    page.get_by_label("Template name").fill("Newsletter")
    page.get_by_label("Subject line of the email").fill("This month’s news")
    page.get_by_label("Message").fill("Hello ((name)),\n\nHere is the news.")
    email = page.frame_locator("[data-preview-frame]")
    expect(email.locator("body")).to_contain_text("Here is the news.")
    unsubscribe = email.get_by_role("link", name="Unsubscribe from these emails")
    expect(unsubscribe).to_have_count(0)
    option = page.get_by_label("Add an unsubscribe link")
    expect(option).not_to_be_checked()
    option.check()
    # The preview follows the checkbox: a rule, then the link to the example page.
    expect(unsubscribe).to_be_visible()
    expect(unsubscribe).to_have_attribute("href", base_url + "/unsubscribe/example")
    expect(email.locator("hr")).to_have_count(1)
    option.uncheck()
    expect(unsubscribe).to_have_count(0)
    option.check()
    expect(unsubscribe).to_be_visible()
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#template-id")).to_be_visible()
    template_id = page.locator("#template-id").inner_text()
    # The v2 template has no field for the option (notify-api.md §5.8): read the text there
    # and the option from the route the set-up pages read.
    v2 = client.get_template(template_id)  # GET /v2/template/{id}
    assert v2["body"] == "Hello ((name)),\n\nHere is the news."
    assert v2["subject"] == "This month’s news"
    assert v2["version"] == 1
    assert not any("unsubscribe" in name for name in v2)
    stored = requests.get(f"{base_url}/_emulator/templates/{template_id}", timeout=10).json()
    assert stored["unsubscribe_link"] is True
    # The saved page shows it ticked and previews the link; an email sent has it.
    expect(page.get_by_label("Add an unsubscribe link")).to_be_checked()
    expect(page.locator("#unsubscribe-link-fact")).to_contain_text("Yes")
    expect(unsubscribe).to_be_visible()
    sent = client.send_email_notification("someone@example.com", template_id, {"name": "Ada"})
    read = client.get_notification_by_id(sent["id"])
    assert str(read["one_click_unsubscribe_url"]).startswith(
        f"{base_url}/unsubscribe/{sent['id']}/"
    )
    # A new version keeps the option.
    page.get_by_label("Message").fill("Hello ((name)),\n\nHere is more news.")
    expect(email.locator("body")).to_contain_text("Here is more news.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#v-2")).to_be_visible()
    expect(page.get_by_label("Add an unsubscribe link")).to_be_checked()
    assert client.get_template(template_id)["version"] == 2
    stored = requests.get(f"{base_url}/_emulator/templates/{template_id}", timeout=10).json()
    assert stored["unsubscribe_link"] is True
