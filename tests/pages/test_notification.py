"""GET /notifications/{id}: each message as its recipient sees it, and its email HTML, PDF and
page images."""

from __future__ import annotations

import base64
import datetime
import html
import io
import json
import re
import zlib

import requests
from PIL import Image

from notify_emulator.demo import service as demo
from notify_emulator.letters_pdf import render_letter_pdf
from notify_emulator.rules.timings import print_run
from tests.emulator.emulator_harness import Running
from tests.pdf_objects import pdf_of_objects

from .conftest import (
    PAGES_EMAIL_TEMPLATE_ID,
    PAGES_LETTER_TEMPLATE_ID,
    PAGES_SERVICE_ID,
    PAGES_SMS_TEMPLATE_ID,
    PAGES_TEST_KEY,
    get,
)
from .test_list import client

ADDRESS = {
    "address_line_1": "Ada Lovelace",
    "address_line_2": "1 Example Street",
    "address_line_3": "London",
    "postcode": "SW1A 1AA",
}


def sent_created_at(emulator: Running, notification_id: str) -> str:
    answer = client(emulator).get_notification_by_id(notification_id)
    return str(answer["created_at"]).replace("Z", "+00:00")


def page_of(emulator: Running, notification_id: str) -> str:
    page = get(emulator, f"/notifications/{notification_id}")
    assert page.status_code == 200, page.text
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    return page.text


def v2_json(page: str) -> dict[str, object]:
    found = re.search(r'<pre class="json" id="v2-json">(.*?)</pre>', page, re.DOTALL)
    assert found is not None
    data: dict[str, object] = json.loads(html.unescape(found.group(1)))
    return data


def test_a_text_as_delivered(emulator: Running) -> None:
    sent = client(emulator).send_sms_notification(
        "07700900123", PAGES_SMS_TEMPLATE_ID, {"code": "4417"}, reference="ref-1"
    )
    page = page_of(emulator, sent["id"])
    # The service prefixes its texts, and GSM has no en dash or curly quote.
    assert "Pages Service: Your code is 4417 - don&#39;t share it" in page
    assert "From: 07700900888" in page  # the inbound number is the default sender
    assert "<dt>Characters</dt><dd>49</dd>" in page
    assert "1 text message" in page
    assert "GSM 7-bit" in page
    assert "replaced by their nearest equivalent in the GSM alphabet" in page
    # The admin's wording counts a message sent in a day's first minute as yesterday's.
    assert re.search("‘Pages text’ was sent (today|yesterday) at", page)
    assert '/conversations/447700900123"' in page
    # The v2 JSON is the API's, prefix-free.
    assert v2_json(page)["body"] == "Your code is 4417 - don't share it"
    assert f"/?template_id={PAGES_SMS_TEMPLATE_ID}" in page


def test_an_email_with_its_html_plain_text_and_headers(emulator: Running) -> None:
    sent = client(emulator).send_email_notification(
        "grace@example.com",
        PAGES_EMAIL_TEMPLATE_ID,
        {"thing": "<b>passport</b>", "name": "Grace"},
        one_click_unsubscribe_url="https://www.example.gov.uk/unsubscribe?u=1&x=2",
    )
    page = page_of(emulator, sent["id"])
    assert f'src="/notifications/{sent["id"]}/email.html"' in page
    assert 'sandbox="allow-popups allow-popups-to-escape-sandbox"' in page
    assert "allow-scripts" not in page
    assert "allow-same-origin" not in page
    assert (
        "From: &#34;Pages Service&#34; &lt;pages.service@notifications.service.gov.uk&gt;" in page
    )
    assert "Reply-To: replies@pages.example.gov.uk" in page
    assert "Subject: Your &lt;b&gt;passport&lt;/b&gt; is ready" in page
    assert "List-Unsubscribe: &lt;https://www.example.gov.uk/unsubscribe?u=1&amp;x=2&gt;" in page
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in page
    # The plain-text part has the template's unsubscribe link (the body's, on Notify's domain).
    assert "Unsubscribe from these emails" in page

    email = get(emulator, f"/notifications/{sent['id']}/email.html")
    assert email.status_code == 200
    policy = email.headers["Content-Security-Policy"]
    assert "sandbox allow-popups allow-popups-to-escape-sandbox" in policy
    assert "script-src" not in policy
    assert "default-src 'none'" in policy
    html = email.text
    assert "<script" not in html
    assert "<title>Your &lt;b&gt;passport&lt;/b&gt; is ready</title>" in html
    assert re.search(r"<h2 [^>]*>Your &lt;b&gt;passport&lt;/b&gt;</h2>", html)
    assert html.count("<li ") == 2
    assert 'href="https://www.example.gov.uk/thing"' in html
    assert '<base target="_blank">' in html
    assert "hidden>Your &lt;b&gt;passport&lt;/b&gt; Hello Grace" in html  # the preheader


def test_an_email_sending_a_file_links_to_it(emulator: Running) -> None:
    upload = {"file": base64.b64encode(b"a,b\n1,2\n").decode(), "filename": "report.csv"}
    sent = emulator.client().send_email_notification(
        "ada@example.com", demo.EMAIL_TEMPLATE_ID, {"name": upload}
    )
    html = get(emulator, f"/notifications/{sent['id']}/email.html").text
    link = re.search(r'href="([^"]*/_emulator/documents/[^"]+)"', html)
    assert link is not None, html
    download = requests.get(link.group(1).replace("&amp;", "&"), timeout=10)
    assert download.status_code == 200
    assert download.content == b"a,b\n1,2\n"


def test_a_letter_with_its_pages_postage_and_delivery(emulator: Running) -> None:
    sent = client(emulator).send_letter_notification(
        PAGES_LETTER_TEMPLATE_ID, {**ADDRESS, "name": "Tom's & Jerry's <b>"}
    )
    page = page_of(emulator, sent["id"])
    # The API's letter subject is HTML-escaped; the page unescapes it and escapes it once.
    assert "<dt>Subject</dt><dd>About Tom’s &amp; Jerry’s &lt;b&gt;</dd>" in page
    listed = get(emulator, "/").text
    assert "About Tom’s &amp; Jerry’s &lt;b&gt;" in listed
    assert "&amp;amp;" not in listed
    assert "&amp;lt;" not in listed
    # The v2 JSON shows the API's own (escaped) subject, as text.
    assert v2_json(page)["subject"] == "About Tom’s &amp; Jerry’s &lt;b&gt;"
    lines = re.search(r'<address class="letter-address">(.*?)</address>', page, re.DOTALL)
    assert lines is not None
    assert re.findall(r"<span>(.*?)</span>", lines.group(1)) == [
        "Ada Lovelace",
        "1 Example Street",
        "London",
        "SW1A 1AA",
    ]
    assert "Second class" in page
    assert "Estimated delivery by " in page
    assert f'href="/notifications/{sent["id"]}/letter.pdf"' in page
    assert f'src="/notifications/{sent["id"]}/pages/1.png"' in page

    image = get(emulator, f"/notifications/{sent['id']}/pages/1.png")
    assert image.status_code == 200
    assert image.headers["Content-Type"] == "image/png"
    with Image.open(io.BytesIO(image.content)) as png:
        assert png.format == "PNG"
        width, height = png.size
    assert abs(height / width - 297 / 210) < 0.01  # A4 portrait
    for missing in ("0", "2", "999", "x"):
        assert get(emulator, f"/notifications/{sent['id']}/pages/{missing}.png").status_code == 404
    pdf = get(emulator, f"/notifications/{sent['id']}/letter.pdf")
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_only_a_printed_letter_can_be_returned(emulator: Running) -> None:
    sent = client(emulator).send_letter_notification(
        PAGES_LETTER_TEMPLATE_ID, {**ADDRESS, "name": "Ada"}
    )
    page = page_of(emulator, sent["id"])
    assert "Return this letter" not in page
    assert f"/_emulator/notifications/{sent['id']}/return" not in page
    assert "You can return this letter once it has been printed" in page
    # Past the print run it has been sent to the printer, and can come back.
    created_at = datetime.datetime.fromisoformat(sent_created_at(emulator, sent["id"]))
    emulator.clock.set(print_run(created_at) + datetime.timedelta(seconds=5))
    page = page_of(emulator, sent["id"])
    assert "Return this letter" in page
    assert "once it has been printed" not in page
    answer = requests.post(
        emulator.base_url + f"/_emulator/notifications/{sent['id']}/return", json={}, timeout=10
    )
    assert answer.status_code == 200, answer.text
    # Once returned, it cannot be returned again.
    page = page_of(emulator, sent["id"])
    assert "Return this letter" not in page
    assert "once it has been printed" not in page


def test_a_test_key_letter_is_never_printed(emulator: Running) -> None:
    sent = client(emulator, PAGES_TEST_KEY).send_letter_notification(
        PAGES_LETTER_TEMPLATE_ID, {**ADDRESS, "name": "Ada"}
    )
    page = page_of(emulator, sent["id"])
    assert "We will not print this letter because you used a test key." in page
    assert "Not printed (test key)" in page
    assert "Return this letter" not in page
    assert "once it has been printed" not in page


def test_a_precompiled_letter(emulator: Running) -> None:
    pdf = render_letter_pdf(
        address_lines=["Ada Lovelace", "1 Example Street", "SW1A 1AA"],
        contact_block="Pages Service\nPO Box 1\nLeeds",
        subject="Hello",
        body_html="<p>Hello</p>",
        date=datetime.date(2026, 1, 1),
    )
    sent = client(emulator).send_precompiled_letter_notification("my-upload", io.BytesIO(pdf))
    emulator.clock.advance(5)
    page = page_of(emulator, sent["id"])
    # The address is read from the PDF's address block, as Notify reads it; the contact
    # block at the top right is not part of it.
    address = re.search(r'<address class="letter-address">(.*?)</address>', page, re.DOTALL)
    assert address is not None
    assert re.findall(r"<span>(.*?)</span>", address.group(1)) == [
        "Ada Lovelace",
        "1 Example Street",
        "SW1A 1AA",
    ]
    assert "PO Box 1" not in address.group(1)
    assert "Provided as PDF" in page  # the admin's "Provided as PDF <when>"
    assert f'src="/notifications/{sent["id"]}/pages/1.png"' in page
    listed = get(emulator, "/").text
    assert "Ada Lovelace, 1 Example Street, SW1A 1AA" in listed
    assert "my-upload" in listed
    # The API still says what Notify's API says.
    assert v2_json(page)["line_1"] == "Provided as PDF"
    # A search finds it by the address read from it.
    assert sent["id"] in get(emulator, "/", q="example street").text


def test_a_precompiled_letter_with_nothing_in_its_address_block(emulator: Running) -> None:
    pdf = render_letter_pdf(
        address_lines=[],
        contact_block=None,
        subject="Hello",
        body_html="<p>Hello</p>",
        date=datetime.date(2026, 1, 1),
    )
    sent = client(emulator).send_precompiled_letter_notification("blank", io.BytesIO(pdf))
    page = page_of(emulator, sent["id"])
    assert '<address class="letter-address">' not in page
    listed = get(emulator, "/").text
    assert re.search(r'class="messages__recipient"[^>]*>Provided as PDF</a>', listed)


def test_buttons_post_json_to_the_emulator_routes(emulator: Running) -> None:
    sent = client(emulator).send_sms_notification(
        "07700900123", PAGES_SMS_TEMPLATE_ID, {"code": "1"}
    )
    page = page_of(emulator, sent["id"])
    assert f'data-json-post="/_emulator/notifications/{sent["id"]}/status"' in page
    options = re.findall(r'<option value="([a-z-]+)"', page)
    assert "permanent-failure" in options
    assert "returned-letter" not in options
    assert "Return this letter" not in page
    # What the form sends, as its script sends it: JSON.
    answer = requests.post(
        emulator.base_url + f"/_emulator/notifications/{sent['id']}/status",
        json={"status": "permanent-failure"},
        timeout=10,
    )
    assert answer.status_code == 200
    assert "Not delivered" in page_of(emulator, sent["id"])


def test_unknown_or_malformed_ids_are_404_pages(emulator: Running) -> None:
    for path in (
        "/notifications/00000000-0000-4000-8000-000000000000",
        "/notifications/not-an-id",
        "/notifications/not-an-id/email.html",
        "/notifications/00000000-0000-4000-8000-000000000000/pages/1.png",
        "/notifications/00000000-0000-4000-8000-000000000000/letter.pdf",
    ):
        page = get(emulator, path)
        assert page.status_code == 404, path
        assert page.headers["Content-Type"].startswith("text/html")
        assert "Content-Security-Policy" in page.headers
    text = client(emulator).send_sms_notification(
        "07700900123", PAGES_SMS_TEMPLATE_ID, {"code": "1"}
    )
    assert get(emulator, f"/notifications/{text['id']}/email.html").status_code == 404
    assert get(emulator, f"/notifications/{text['id']}/pages/1.png").status_code == 404


def test_the_service_link_filters_the_list(emulator: Running) -> None:
    sent = client(emulator).send_sms_notification(
        "07700900123", PAGES_SMS_TEMPLATE_ID, {"code": "1"}
    )
    assert f'href="/?service_id={PAGES_SERVICE_ID}"' in page_of(emulator, sent["id"])


def test_a_precompiled_letter_that_fails_validation_keeps_provided_as_pdf(
    emulator: Running,
) -> None:
    # Notify reads the address only once the PDF has passed its checks.
    pdf = render_letter_pdf(
        address_lines=["Ada Lovelace", "1 Example Street", "SW1A 1AA"],
        contact_block=None,
        subject="Hello",
        body_html="<p>Page</p>" + "<!-- pagebreak --><p>Page</p>" * 11,
        date=datetime.date(2026, 1, 1),
    )
    sent = client(emulator).send_precompiled_letter_notification("too-long", io.BytesIO(pdf))
    emulator.clock.advance(5)
    page = page_of(emulator, sent["id"])
    assert "Validation failed" in page
    assert '<address class="letter-address">' not in page
    listed = get(emulator, "/").text
    assert re.search(r'class="messages__recipient"[^>]*>Provided as PDF</a>', listed)


def _one_page_pdf(media_box: str) -> bytes:
    """A PDF of one blank page of the given ``/MediaBox`` (in points)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        f"<< /Type /Page /Parent 2 0 R /MediaBox [{media_box}] >>".encode(),
    ]
    return pdf_of_objects(objects)


def test_a_huge_page_is_drawn_small_enough_to_show(emulator: Running) -> None:
    # 200 × 200 inches, PDF's largest page: at screen resolution 19200 × 19200 pixels, over a
    # gigabyte of memory and seconds of work for one image. It fails validation (not A4) but
    # its page is still shown, scaled down.
    pdf = _one_page_pdf("0 0 14400 14400")
    sent = client(emulator).send_precompiled_letter_notification("huge", io.BytesIO(pdf))
    emulator.clock.advance(5)
    image = get(emulator, f"/notifications/{sent['id']}/pages/1.png")
    assert image.status_code == 200
    with Image.open(io.BytesIO(image.content)) as png:
        width, height = png.size
    assert width == height
    assert width * height <= 4_000_000


def test_page_numbers_are_ascii_digits(emulator: Running) -> None:
    sent = client(emulator).send_letter_notification(
        PAGES_LETTER_TEMPLATE_ID, {**ADDRESS, "name": "Ada"}
    )
    # "²" and "１" pass str.isdigit; int() refuses the first and reads the second as 1.
    for number in ("%C2%B2", "%EF%BC%91", "%D9%A1"):
        answer = get(emulator, f"/notifications/{sent['id']}/pages/{number}.png")
        assert answer.status_code == 404, number


def test_a_decompression_bomb_is_not_drawn(emulator: Running) -> None:
    # Under 1 MB uploaded, a gigabyte of page content once inflated.
    compressor = zlib.compressobj(9)
    content = b"".join(compressor.compress(b" " * 1_000_000) for _ in range(1000))
    content += compressor.flush()
    pdf = _one_page_pdf("0 0 595 842").replace(
        b"/MediaBox [0 0 595 842] >>",
        b"/MediaBox [0 0 595 842] /Contents 4 0 R >>\nendobj\n4 0 obj\n"
        + f"<< /Length {len(content)} /Filter /FlateDecode >>\nstream\n".encode()
        + content
        + b"\nendstream",
    )  # the xref is now wrong: readers rebuild it, as they do for any damaged file
    sent = client(emulator).send_precompiled_letter_notification("bomb", io.BytesIO(pdf))
    emulator.clock.advance(5)
    assert client(emulator).get_notification_by_id(sent["id"])["status"] == "validation-failed"
    assert get(emulator, f"/notifications/{sent['id']}/pages/1.png").status_code == 404
    assert get(emulator, f"/notifications/{sent['id']}").status_code == 200
    assert get(emulator, "/").status_code == 200
