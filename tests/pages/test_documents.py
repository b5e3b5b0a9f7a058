"""GET /_emulator/documents/{id} in a browser: the page a file sent by email opens on, and the
email address its recipient must confirm first when the file was sent with
``confirm_email_before_download`` (Notify's default)."""

from __future__ import annotations

import base64
import re
from urllib.parse import urljoin

import requests

from notify_emulator.demo import service as demo
from tests.emulator.emulator_harness import Running

# What a browser sends when it opens a link.
NAVIGATION = {
    "Sec-Fetch-Dest": "document",
    "Sec-Fetch-Mode": "navigate",
    "Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
}
FILE = b"a,b\n1,2\n"


def send_file(
    emulator: Running, *, confirm: bool | None = None, to: str = "Ada@Example.com"
) -> str:
    upload: dict[str, object] = {
        "file": base64.b64encode(FILE).decode(),
        "filename": "report.csv",
        "confirm_email_before_download": confirm,
    }
    sent = emulator.client().send_email_notification(to, demo.EMAIL_TEMPLATE_ID, {"name": upload})
    found = re.search(r"(http://\S+/_emulator/documents/[0-9a-f-]{36})", sent["content"]["body"])
    assert found is not None, sent["content"]["body"]
    return found.group(1)


def open_page(url: str) -> requests.Response:
    return requests.get(url, headers=NAVIGATION, timeout=10)


def confirm(url: str, email_address: object) -> requests.Response:
    return requests.post(url + "/confirm-email", json={"email_address": email_address}, timeout=10)


def download_link(page: str, base: str) -> str:
    found = re.search(r'<a class="download-link" href="([^"]+)"', page)
    assert found is not None, page
    return urljoin(base, found.group(1).replace("&amp;", "&"))


def test_a_file_that_needs_the_email_address_asks_for_it_first(emulator: Running) -> None:
    url = send_file(emulator)
    page = open_page(url)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert "Confirm your email address" in page.text
    assert 'name="email_address"' in page.text
    assert f'data-setup="/_emulator/documents/{url.rsplit("/", 1)[1]}/confirm-email"' in page.text
    # Neither the file nor a way to it, nor the address it was sent to.
    assert "download-link" not in page.text
    assert "example.com" not in page.text.lower()
    # A made-up key does not get past the question, whatever it holds.
    for key in ("0123", "%C3%A9", "%00", "%FF"):
        answer = open_page(f"{url}?key={key}&download=1")
        assert answer.status_code == 200
        assert "Confirm your email address" in answer.text


def test_the_wrong_address_is_refused_and_the_right_one_in_any_case_opens_the_file(
    emulator: Running,
) -> None:
    url = send_file(emulator)
    wrong = confirm(url, "someone@example.com")
    assert wrong.status_code == 400
    assert wrong.json()["field"] == "email_address"
    assert wrong.json()["error"].startswith("This is not the email address the file was sent to")
    empty = confirm(url, "  ")
    assert empty.status_code == 400
    assert empty.json() == {"error": "Enter your email address", "field": "email_address"}
    assert confirm(url, 7).status_code == 400
    for malformed in ("not-an-email", "someoné@example.com"):
        answer = confirm(url, malformed)
        assert answer.status_code == 400
        assert answer.json() == {
            "error": "Enter an email address in the correct format, like name@example.com",
            "field": "email_address",
        }

    right = confirm(url, "  ada@EXAMPLE.com ")
    assert right.status_code == 200, right.text
    next_url = right.json()["url"]
    assert next_url.startswith("/_emulator/documents/")
    assert "example" not in next_url.lower()
    assert "@" not in next_url
    page = open_page(urljoin(url, next_url))
    assert "Download your file" in page.text
    assert "You can download it until" in page.text
    download = open_page(download_link(page.text, url))
    assert download.status_code == 200
    assert download.content == FILE
    assert download.headers["Content-Disposition"].startswith("attachment")


def test_a_file_sent_without_the_question_opens_on_its_download_page(emulator: Running) -> None:
    url = send_file(emulator, confirm=False)
    page = open_page(url)
    assert "Confirm your email address" not in page.text
    assert "Download your file" in page.text
    assert "CSV file" in page.text
    assert open_page(download_link(page.text, url)).content == FILE


def test_a_script_still_gets_the_file_itself(emulator: Running) -> None:
    url = send_file(emulator)
    download = requests.get(url, timeout=10)
    assert download.status_code == 200
    assert download.content == FILE


def test_a_missing_file_is_a_page_in_a_browser(emulator: Running) -> None:
    missing = emulator.base_url + "/_emulator/documents/00000000-0000-4000-8000-000000000000"
    page = open_page(missing)
    assert page.status_code == 404
    assert page.headers["Content-Type"].startswith("text/html")
    assert "no longer available" in page.text
    assert confirm(missing, "ada@example.com").status_code == 404


def test_confirming_takes_json_only(emulator: Running) -> None:
    url = send_file(emulator)
    form = requests.post(
        url + "/confirm-email", data={"email_address": "ada@example.com"}, timeout=10
    )
    assert form.status_code == 415
    cross_site = requests.post(
        url + "/confirm-email",
        json={"email_address": "ada@example.com"},
        headers={"Origin": "https://evil.example"},
        timeout=10,
    )
    assert cross_site.status_code == 403


def test_the_address_is_found_among_many_emails_sent_at_one_moment(emulator: Running) -> None:
    # The emulator's clock here is frozen, so every email has the same moment: more of them
    # than one page of the search for the email that carries the file.
    urls = [send_file(emulator, to=f"person{n}@example.com") for n in range(55)]
    for n, url in enumerate(urls):
        answer = confirm(url, f"person{n}@example.com")
        assert answer.status_code == 200, (n, answer.text)
