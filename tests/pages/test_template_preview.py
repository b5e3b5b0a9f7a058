"""The template pages' preview as Notify's admin app shows it: a text in its bubble with the
admin app's count, an email's HTML document in a sandboxed frame, a letter's PDF and page
images; the routes that render unsaved text, the page's own preview without JavaScript, and
who may use them (the guard's rules, as for every local route)."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

from notify_emulator.app import create_app
from notify_emulator.demo import service as demo
from notify_emulator.pages.web import EMAIL_CSP
from notify_emulator.settings import Settings
from tests.emulator.emulator_harness import Running
from tests.fuzz.asgi import HOST, AsgiDriver, driving

from .conftest import PAGES_EMAIL_TEMPLATE_ID, PAGES_SERVICE_ID, PAGES_SMS_TEMPLATE_ID, get

SERVICE = f"/services/{PAGES_SERVICE_ID}"
SCRIPT = "<script>window.ran = true</script><img src=x onerror=alert(1)>"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TOKEN = "admin-token-for-tests"


def preview(emulator: Running, **fields: object) -> requests.Response:
    return requests.post(
        emulator.base_url + "/_emulator/templates/preview",
        json={"service_id": PAGES_SERVICE_ID, **fields},
        timeout=10,
    )


def fetch(emulator: Running, address: str) -> requests.Response:
    return requests.get(emulator.base_url + address, timeout=30)


# --- text messages ------------------------------------------------------------------------


def test_a_text_is_counted_in_the_admin_apps_words(emulator: Running) -> None:
    one = preview(emulator, type="sms", body="Hello ((name))").json()
    assert one["body"] == "Pages Service: Hello ((name))"
    assert one["count_message"] == (
        "Will be charged as 1 text message (not including personalisation)"
    )
    two = preview(emulator, type="sms", body="a" * 150).json()
    assert two["fragment_count"] == 2
    assert two["count_message"] == "Will be charged as 2 text messages"
    # The limit is counted without the service's name (content-count-message.html).
    over = preview(emulator, type="sms", body="a" * 920).json()
    assert over["count_message"] == "You have 2 characters too many"
    assert preview(emulator, type="sms", body="a" * 919).json()["count_message"] == (
        "You have 1 character too many"
    )


def test_a_texts_page_shows_the_bubble_with_placeholders_highlighted(emulator: Running) -> None:
    page = get(emulator, f"{SERVICE}/templates/{PAGES_SMS_TEMPLATE_ID}")
    assert page.status_code == 200
    bubble = re.search(r'<div class="sms-bubble"[^>]*data-preview-body>(.*?)</div>', page.text)
    assert bubble is not None
    # As the phone shows it: the dash and the curly apostrophe made GSM (escaped in the page).
    assert bubble.group(1) == (
        'Pages Service: Your code is <span class="placeholder">((code))</span> - don&#39;t share it'
    )
    assert "Will be charged as 1 text message (not including personalisation)" in page.text


# --- emails -------------------------------------------------------------------------------


def test_an_emails_preview_is_the_inboxs_html_in_a_sandboxed_document(emulator: Running) -> None:
    answer = preview(
        emulator, type="email", subject="Hello ((name))", body="# Hi ((name))\n\n* one\n* two"
    ).json()
    assert answer["subject"] == "Hello ((name))"
    address = answer["html_url"]
    assert address.startswith(f"{SERVICE}/templates/preview/email.html?")
    document = fetch(emulator, address)
    assert document.status_code == 200
    assert document.headers["Content-Type"].startswith("text/html")
    assert document.headers["Content-Security-Policy"] == EMAIL_CSP
    assert "sandbox allow-popups" in EMAIL_CSP
    assert "frame-ancestors 'self'" in EMAIL_CSP
    # Notify's email: the GOV.UK banner, the heading and list, the placeholders highlighted.
    assert ">GOV.UK</a>" in document.text
    assert "<h2" in document.text
    assert "<li" in document.text
    assert "<span class='placeholder'>&#40;&#40;name&#41;&#41;</span>" in document.text
    assert ".placeholder" in document.text  # the highlight's style rule
    assert "<title>Hello <span class='placeholder'>" in document.text
    assert '<base target="_blank">' in document.text


def test_an_emails_preview_renders_with_the_inboxs_renderer(emulator: Running) -> None:
    """The preview's document is the sent email's, with only the highlight added."""
    subject, body = "Your ((thing))", "Hello ((name)),\n\n^ Inset text"
    sent = requests.post(
        emulator.base_url + f"/_emulator/templates/{PAGES_EMAIL_TEMPLATE_ID}",
        json={"subject": subject, "body": body},
        timeout=10,
    )
    assert sent.ok, sent.text
    address = preview(emulator, type="email", subject=subject, body=body).json()["html_url"]
    shown = fetch(emulator, address).text
    assert "Inset text" in shown
    assert "border-left" in shown
    assert "<span class='placeholder'>&#40;&#40;thing&#41;&#41;</span>" in shown


def test_html_in_an_email_template_is_text_in_its_preview(emulator: Running) -> None:
    address = preview(emulator, type="email", subject=SCRIPT, body=SCRIPT).json()["html_url"]
    shown = fetch(emulator, address).text
    assert "<script>" not in shown
    assert "<img src=x" not in shown
    assert "&lt;script&gt;window.ran = true&lt;/script&gt;" in shown


def test_without_javascript_the_preview_button_shows_the_email(emulator: Running) -> None:
    page = get(
        emulator,
        f"{SERVICE}/templates/new",
        type="email",
        name=SCRIPT,
        subject="About ((x)) " + SCRIPT,
        body="Dear ((name)) " + SCRIPT,
        postage="",
        preview="yes",
    )
    assert page.status_code == 200
    assert "<script>window" not in page.text
    assert "<img src=x" not in page.text
    # The form keeps what was written (escaped); the subject is shown with its placeholder.
    assert f'value="{html.escape(SCRIPT)}"' in page.text
    assert "Dear ((name)) " + html.escape(SCRIPT, quote=False) + "</textarea>" in page.text
    assert '<span class="placeholder">((x))</span>' in page.text
    frame = re.search(r'<iframe class="email-frame" data-preview-frame src="([^"]+)"', page.text)
    assert frame is not None
    address = html.unescape(frame.group(1))
    assert parse_qs(urlsplit(address).query)["body"] == ["Dear ((name)) " + SCRIPT]
    assert 'sandbox="allow-popups allow-popups-to-escape-sandbox"' in page.text
    assert "Dear <span class='placeholder'>" in fetch(emulator, address).text
    # The Preview button sends the form as the page's own query.
    assert 'method="get"' in page.text
    assert 'name="preview" value="yes"' in page.text


FRAME = re.compile(r'<iframe class="email-frame" data-preview-frame src="([^"]+)"')
UNSUBSCRIBE = re.compile(
    r'<hr style="[^"]*"><p style="[^"]*"><a style="[^"]*" href="([^"]*)">'
    r"Unsubscribe from these emails</a></p></td>"
)


def test_an_email_with_the_unsubscribe_option_ends_with_the_link(emulator: Running) -> None:
    """As the admin app's preview (EmailPreviewTemplate): a rule, then the link to its
    example page, last in the email; without the option, neither."""
    ticked = preview(
        emulator, type="email", subject="News", body="Hello ((name))", unsubscribe_link=True
    ).json()["html_url"]
    assert parse_qs(urlsplit(ticked).query)["unsubscribe_link"] == ["yes"]
    shown = fetch(emulator, ticked).text
    link = UNSUBSCRIBE.search(shown)
    assert link is not None
    assert link.group(1) == emulator.base_url + "/unsubscribe/example"
    assert "<span class='placeholder'>&#40;&#40;name&#41;&#41;</span>" in shown
    # Not in the hidden preheader, as in Notify.
    preheader = re.search(r" hidden>(.*?)…</span>", shown)
    assert preheader is not None
    assert preheader.group(1).startswith("Hello <span class='placeholder'>")
    assert "Unsubscribe" not in preheader.group(1)
    plain = preview(emulator, type="email", subject="News", body="Hello ((name))").json()
    assert "unsubscribe_link" not in parse_qs(urlsplit(plain["html_url"]).query)
    without = fetch(emulator, plain["html_url"]).text
    assert "Unsubscribe from these emails" not in without
    assert "<hr" not in without
    # Only a true or false is taken.
    refused = preview(emulator, type="email", body="Hi", unsubscribe_link="yes")
    assert refused.status_code == 400
    assert refused.json()["field"] == "unsubscribe_link"


def test_the_unsubscribe_link_keeps_the_template_text_escaped(emulator: Running) -> None:
    address = preview(
        emulator, type="email", subject=SCRIPT, body=SCRIPT, unsubscribe_link=True
    ).json()["html_url"]
    shown = fetch(emulator, address).text
    assert UNSUBSCRIBE.search(shown) is not None
    assert "<script>" not in shown
    assert "<img src=x" not in shown
    assert "&lt;script&gt;window.ran = true&lt;/script&gt;" in shown


def test_without_javascript_the_preview_button_keeps_the_unsubscribe_option(
    emulator: Running,
) -> None:
    def frame_of(**ticked: str) -> tuple[str, str]:
        page = get(
            emulator,
            f"{SERVICE}/templates/new",
            type="email",
            name="News",
            subject="News",
            body="Hello <b>((name))</b>",
            postage="",
            preview="yes",
            **ticked,
        )
        assert page.status_code == 200
        frame = FRAME.search(page.text)
        assert frame is not None
        return page.text, html.unescape(frame.group(1))

    # A ticked checkbox is sent as unsubscribe_link=yes, an unticked one not at all.
    page, address = frame_of(unsubscribe_link="yes")
    assert re.search(r'<input type="checkbox" id="template-unsubscribe-link"[^>]* checked>', page)
    assert parse_qs(urlsplit(address).query)["unsubscribe_link"] == ["yes"]
    shown = fetch(emulator, address).text
    assert UNSUBSCRIBE.search(shown) is not None
    assert "Hello &lt;b&gt;" in shown
    page, address = frame_of()
    assert re.search(r'<input type="checkbox" id="template-unsubscribe-link"[^>]*>', page)
    assert not re.search(r'id="template-unsubscribe-link"[^>]* checked>', page)
    assert "unsubscribe_link" not in parse_qs(urlsplit(address).query)
    assert "Unsubscribe from these emails" not in fetch(emulator, address).text


def test_a_saved_templates_page_previews_its_unsubscribe_link(emulator: Running) -> None:
    made = requests.post(
        emulator.base_url + f"/_emulator/services/{PAGES_SERVICE_ID}/templates",
        json={
            "name": "With the link",
            "type": "email",
            "subject": "News",
            "body": "Hello",
            "unsubscribe_link": True,
        },
        timeout=10,
    )
    assert made.status_code == 201, made.text
    page = get(emulator, f"{SERVICE}/templates/{made.json()['id']}")
    frame = FRAME.search(page.text)
    assert frame is not None
    assert UNSUBSCRIBE.search(fetch(emulator, html.unescape(frame.group(1))).text) is not None


# --- letters ------------------------------------------------------------------------------


def test_a_letters_preview_is_its_pdfs_pages_as_images(emulator: Running) -> None:
    answer = preview(
        emulator,
        type="letter",
        subject="About ((name))",
        body="Dear ((name)),\n\n" + "A paragraph.\n\n" * 5 + "---\n\nThe second page.",
        letter_contact_block="Pages Service\n1 Street",
    ).json()
    assert answer["page_count"] == 2
    assert answer["too_long"] is None
    assert len(answer["page_urls"]) == 2
    assert answer["page_urls"][1].startswith(f"{SERVICE}/templates/preview/pages/2.png?")
    for address in answer["page_urls"]:
        image = fetch(emulator, address)
        assert image.status_code == 200
        assert image.headers["Content-Type"] == "image/png"
        assert image.content.startswith(PNG_SIGNATURE)
    pdf = fetch(emulator, answer["pdf_url"])
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.headers["Content-Disposition"] == 'attachment; filename="letter-preview.pdf"'
    assert pdf.content.startswith(b"%PDF-")
    third = answer["page_urls"][1].replace("/pages/2.png", "/pages/3.png")
    assert fetch(emulator, third).status_code == 404


def test_a_letters_pdf_prints_the_text_and_its_placeholders(emulator: Running) -> None:
    import pypdfium2

    answer = preview(
        emulator, type="letter", subject="About ((name))", body="Dear ((name)), " + SCRIPT
    ).json()
    document = pypdfium2.PdfDocument(fetch(emulator, answer["pdf_url"]).content)
    page = document[0]
    text = page.get_textpage().get_text_range()
    page.close()
    document.close()
    assert "((address line 1))" in text
    assert "((address line 7))" in text
    assert "About ((name))" in text
    assert "Dear ((name)), <script>window.ran = true</script>" in text


def test_a_letter_over_ten_pages_says_so_in_the_admin_apps_words(emulator: Running) -> None:
    body = "\n\n---\n\n".join(f"Page {n}" for n in range(1, 13))
    answer = preview(emulator, type="letter", subject="Long", body=body).json()
    assert answer["page_count"] == 12
    assert answer["too_long"] == (
        "Letters must be 10 pages or less (5 double-sided sheets of paper). "
        "Your letter is 12 pages long."
    )
    assert len(answer["page_urls"]) == 12


def test_a_letter_far_too_long_to_draw_is_only_counted(emulator: Running) -> None:
    body = "\n\n---\n\n".join(f"Page {n}" for n in range(1, 40))
    answer = preview(emulator, type="letter", subject="Long", body=body).json()
    assert answer["too_long"].endswith("Your letter is more than 30 pages long.")
    assert (answer["page_urls"], answer["pdf_url"]) == ([], None)
    query = urlencode({"subject": "Long", "body": body})
    assert fetch(emulator, f"{SERVICE}/templates/preview/pages/1.png?{query}").status_code == 409


@pytest.mark.parametrize(
    ("field", "kind", "words"),
    [
        ("body", "letter", "message"),
        ("body", "email", "message"),
        ("subject", "email", "subject"),
        ("letter_contact_block", "letter", "contact block"),
    ],
)
def test_text_too_long_to_preview_is_refused_in_a_sentence(
    emulator: Running, field: str, kind: str, words: str
) -> None:
    fields = {"subject": "Hi", "body": "Hi", field: "a" * 100_001}
    answer = preview(emulator, type=kind, **fields)
    assert answer.status_code == 400
    assert answer.json() == {
        "error": f"This {words} is too long to preview. "
        "The preview can show up to 100,000 characters.",
        "field": field,
    }


def test_a_page_with_text_too_long_to_preview_shows_no_preview(emulator: Running) -> None:
    page = get(
        emulator,
        f"{SERVICE}/templates/new",
        type="letter",
        name="A letter",
        subject="Hello",
        body="a" * 100_001,
        preview="yes",
    )
    assert page.status_code == 200
    assert (
        '<p class="field-error" data-preview-error>This message is too long to preview. '
        "The preview can show up to 100,000 characters.</p>"
    ) in page.text
    # The parts the script fills stay on the page, hidden, for a shorter text.
    assert "<div data-preview-content hidden>" in page.text
    assert 'class="letter-page"' not in page.text


def test_a_letters_page_shows_its_pages_and_the_pdf_link(emulator: Running) -> None:
    page = get(
        emulator,
        f"{SERVICE}/templates/new",
        type="letter",
        name="A letter",
        subject="Hello",
        body="Hello ((name))",
        postage="first",
        preview="yes",
    )
    assert page.status_code == 200
    images = re.findall(r'<img class="letter-page" src="([^"]+)" alt="Page 1 of 1"', page.text)
    assert len(images) == 1
    assert fetch(emulator, html.unescape(images[0])).content.startswith(PNG_SIGNATURE)
    assert ">1 page</span>" in page.text
    assert ">Download as a PDF</a>" in page.text
    assert '<option value="first" selected>' in page.text


def test_text_a_page_address_cannot_carry_is_refused_by_its_field(emulator: Running) -> None:
    refused = preview(emulator, type="email", subject="Hi", body="a\x00b")
    assert refused.status_code == 400
    assert refused.json() == {
        "error": "body must not contain a NUL character (\\u0000)",
        "field": "body",
    }
    address = f"{SERVICE}/templates/preview/email.html?body=a%00b"
    assert fetch(emulator, address).status_code == 400


def test_the_preview_routes_need_a_service(emulator: Running) -> None:
    missing = "/services/7ac5b3a8-7b43-4d7e-9b3e-6cb3c4f4e0a1/templates/preview/email.html"
    assert fetch(emulator, missing + "?body=x").status_code == 404
    assert fetch(emulator, "/services/nope/templates/preview/letter.pdf").status_code == 404
    for number in ("x", "%C2%B2", "%EF%BC%91"):  # "²" and "１" pass str.isdigit
        bad_page = f"{SERVICE}/templates/preview/pages/{number}.png?body=x"
        assert fetch(emulator, bad_page).status_code == 404, number


# --- who may use them: the guard's rules, as on every local route -------------------------


def _app(**settings: object) -> object:
    return create_app(
        Settings(database_url="sqlite:///:memory:", log_requests=False, **settings)  # type: ignore[arg-type]
    )


@pytest.fixture
def local() -> Iterator[AsgiDriver]:
    with driving(_app()) as driver:  # type: ignore[arg-type]
        yield driver


PREVIEW_PARTS = [
    f"/services/{demo.SERVICE_ID}/templates/preview/email.html?body=Hi",
    f"/services/{demo.SERVICE_ID}/templates/preview/letter.pdf?body=Hi",
    f"/services/{demo.SERVICE_ID}/templates/preview/pages/1.png?body=Hi",
    f"/services/{demo.SERVICE_ID}/templates/new?type=email&body=Hi&preview=yes",
]


@pytest.mark.parametrize("target", PREVIEW_PARTS)
def test_the_preview_routes_refuse_another_host(local: AsgiDriver, target: str) -> None:
    assert local.request("GET", target).status == 200
    for host in ("evil.example", "evil.example:6011", "127.0.0.1.nip.io:6011"):
        answer = local.request("GET", target, host=host)
        assert answer.status == 403
        assert "this emulator does not serve the host" in json.loads(answer.body)["error"]


@pytest.mark.parametrize("target", PREVIEW_PARTS)
def test_beyond_loopback_the_preview_routes_need_the_token(target: str) -> None:
    with driving(_app(host="0.0.0.0", admin_token=TOKEN)) as exposed:  # type: ignore[arg-type]
        assert exposed.request("GET", target).status == 403
        allowed = exposed.request("GET", target, headers=[("X-Emulator-Token", TOKEN)])
        assert allowed.status == 200


def test_the_preview_post_refuses_another_origin_and_form_bodies(local: AsgiDriver) -> None:
    body = json.dumps({"type": "email", "body": "Hi", "service_id": demo.SERVICE_ID}).encode()
    json_type = ("Content-Type", "application/json")
    own = local.request(
        "POST",
        "/_emulator/templates/preview",
        headers=[json_type, ("Origin", f"http://{HOST}")],
        body=body,
    )
    assert own.status == 200
    assert "html_url" in json.loads(own.body)
    foreign = local.request(
        "POST",
        "/_emulator/templates/preview",
        headers=[json_type, ("Origin", "http://evil.example")],
        body=body,
    )
    assert foreign.status == 403
    # What a cross-site form can send: never JSON.
    for form_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "text/plain",
    ):
        form = local.request(
            "POST",
            "/_emulator/templates/preview",
            headers=[("Content-Type", form_type)],
            body=b"type=email&body=Hi",
        )
        assert form.status == 415
    # The preview parts take no body at all: a POST is not a route of theirs.
    posted = local.request(
        "POST", PREVIEW_PARTS[0], headers=[json_type, ("Origin", f"http://{HOST}")], body=b"{}"
    )
    assert posted.status == 405


def test_the_preview_parts_answer_no_other_origin(local: AsgiDriver) -> None:
    """Another origin may point a frame or an image at a preview part, but reads nothing
    (no CORS headers), frames the email only from the emulator's own pages, and runs no
    script in it."""
    answer = local.request("GET", PREVIEW_PARTS[0], headers=[("Origin", "http://evil.example")])
    assert answer.status == 200
    assert not [name for name, _ in answer.headers if name.startswith(b"access-control-")]
    assert answer.header_map["content-security-policy"] == EMAIL_CSP
    page = local.request("GET", PREVIEW_PARTS[3])
    assert "frame-ancestors 'none'" in page.header_map["content-security-policy"]


def test_a_new_letters_preview_has_the_services_contact_block(emulator: Running) -> None:
    # A letter made from the new template gets the service's contact block (store/setup.py),
    # so its preview shows it, before and after the text is typed.
    import pypdfium2

    address = f"/services/{demo.SERVICE_ID}/templates/new"
    form = get(emulator, address, type="letter")
    assert form.status_code == 200
    found = re.search(r'data-letter-contact-block="([^"]*)"', form.text)
    assert found is not None
    assert html.unescape(found.group(1)) == "Demo Service\nWhitehall\nLondon\nSW1A 2AA"
    page = get(emulator, address, type="letter", name="A", subject="Hi", body="Hi", preview="yes")
    pdf = re.search(r'href="([^"]+letter\.pdf[^"]*)"', page.text)
    assert pdf is not None
    document = pypdfium2.PdfDocument(fetch(emulator, html.unescape(pdf.group(1))).content)
    first = document[0]
    text = first.get_textpage().get_text_range()
    first.close()
    document.close()
    assert "Whitehall" in text
    assert "SW1A 2AA" in text
