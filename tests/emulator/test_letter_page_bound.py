"""A letter certainly over Notify's page limit is not rendered (shared/spec/emulator.md,
"Limits"): the bound that decides it never exceeds the pages a real rendering gives, and the
API answers such a letter as Notify does (201, then validation-failed)."""

from __future__ import annotations

import time
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notifications_python_client.errors import PDFNotReadyError
from notify_emulator.demo import service as demo
from notify_emulator.letters_pdf import fewest_pages, page_count, render_letter_pdf
from notify_emulator.rules.letter_template import letter_body_html
from notify_emulator.rules.letters import LETTER_MAX_PAGES

from .emulator_harness import Running

ADDRESS_LINES = ("Ada Lovelace", "1 Example Street", "SW1A 1AA")
ADDRESS = {
    "address_line_1": "Ada Lovelace",
    "address_line_2": "1 Example St",
    "postcode": "SW1A 1AA",
}

# Text as letters hold it: words of any characters (wide and narrow, outside the PDF font,
# invisible ones), markdown the letter template reads, and blank lines.
PIECES = [*"aeilmwW.,'|-–—•#*^`", "\u200b", "日", "ŵ", "€", "\t", "  ", "\n", "\n\n", "---\n"]
# Paragraphs that are QR codes, drawn as squares however much data they hold.
PIECES += ["\n\nqr: ", "\n\nQR :https://example.com/"]
WORD = st.lists(st.sampled_from(PIECES), min_size=1, max_size=12).map("".join)
BODY = st.lists(WORD, min_size=0, max_size=400).map(" ".join)


def bound_and_pages(body: str, subject: str = "Subject") -> tuple[int, int]:
    body_html = letter_body_html(body, {})
    bound = fewest_pages(
        address_lines=ADDRESS_LINES,
        contact_block="Contact\nBlock",
        subject=subject,
        body_html=body_html,
    )
    pdf = render_letter_pdf(
        address_lines=ADDRESS_LINES,
        contact_block="Contact\nBlock",
        date=date(2026, 1, 6),
        subject=subject,
        body_html=body_html,
    )
    return bound, page_count(pdf)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=BODY, repeat=st.integers(min_value=1, max_value=40))
def test_the_bound_never_exceeds_the_rendered_pages(body: str, repeat: int) -> None:
    bound, pages = bound_and_pages(((body + "\n\n") * repeat)[:60_000])
    assert 1 <= bound <= pages


@pytest.mark.parametrize(
    "body",
    [
        "word " * 20_000,  # about 19 pages
        "i" * 60_000,  # the narrowest letters, no spaces
        "W" * 20_000,
        "para\n\n" * 3_000,
        "---\n\n" * 30,  # page breaks only
    ],
)
def test_the_bound_is_close_for_long_letters(body: str) -> None:
    bound, pages = bound_and_pages(body)
    assert bound <= pages
    # A useful bound, not just "at least one page" (paragraphs' spacing is what it leaves out).
    assert pages <= 3 * bound


@pytest.mark.parametrize(
    ("address_lines", "contact_block"),
    [
        (ADDRESS_LINES, "W" * 200_000),  # one long word, hundreds of pages
        (ADDRESS_LINES, "line\n" * 20_000),
        (ADDRESS_LINES, "\n \n\u200b" * 600),  # blank lines take a line each too
        (ADDRESS_LINES, "word " * 100_000),
        (("W" * 100_000, "1 Example Street", "SW1A 1AA"), None),
        (("Ada\n" * 5_000, "1 Example Street", "SW1A 1AA"), "Contact"),
        (ADDRESS_LINES, "W" * 3_000),  # a few pages: bound and rendering close
        (("W" * 3_000, "1 Example Street", "SW1A 1AA"), "W" * 3_000),
    ],
)
def test_the_bound_counts_the_address_and_contact_blocks(
    address_lines: tuple[str, ...], contact_block: str | None
) -> None:
    # Both run down the first page before the body, however long a value makes them.
    body_html = letter_body_html("Hello", {})
    arguments = {
        "address_lines": address_lines,
        "contact_block": contact_block,
        "subject": "Subject",
        "body_html": body_html,
    }
    bound = fewest_pages(**arguments)  # type: ignore[arg-type]
    pages = page_count(render_letter_pdf(date=date(2026, 1, 6), **arguments))  # type: ignore[arg-type]
    assert bound <= pages
    assert pages <= 3 * bound


def test_a_contact_block_of_many_lines_is_counted_quickly() -> None:
    # Megabytes of personalisation in the contact block: far over the limit, found at once.
    started = time.perf_counter()
    bound = fewest_pages(
        address_lines=ADDRESS_LINES,
        contact_block="a\n" * 3_000_000,
        subject="Subject",
        body_html="<p>Hello</p>",
    )
    assert bound > LETTER_MAX_PAGES
    assert time.perf_counter() - started < 2


def _letter(emulator: Running, name: str) -> str:
    sent = emulator.client().send_letter_notification(
        demo.LETTER_TEMPLATE_ID, {"name": name, **ADDRESS}
    )
    return str(sent["id"])


def test_a_letter_certainly_too_long_is_accepted_then_fails_validation(emulator: Running) -> None:
    notification_id = _letter(emulator, "word " * 100_000)  # about 95 pages
    stored = emulator.emulator.store.get_notification(notification_id)
    assert stored is not None
    assert stored.page_count is None
    assert emulator.emulator.store.letter_pdf(notification_id) is None
    emulator.clock.advance(3)
    got = emulator.client().get_notification_by_id(notification_id)
    assert got["status"] == "validation-failed"
    with pytest.raises(PDFNotReadyError):
        emulator.client().get_pdf_for_letter(notification_id)


def test_a_letter_just_over_the_limit_is_rendered_and_fails_validation(emulator: Running) -> None:
    # In the demo template the name is in the subject too: 11 pages, and the bound says 9.
    notification_id = _letter(emulator, "word " * 3_000)
    stored = emulator.emulator.store.get_notification(notification_id)
    assert stored is not None
    assert stored.page_count is not None
    assert stored.page_count > LETTER_MAX_PAGES
    # Notify sets no billable units on a letter too long to print (api
    # update_validation_failed_for_templated_letter): no cost data while it waits.
    assert stored.billable_units == 0
    got = emulator.client().get_notification_by_id(notification_id)
    assert (got["is_cost_data_ready"], got["cost_details"]) == (False, {})
    emulator.clock.advance(3)
    assert emulator.client().get_notification_by_id(notification_id)["status"] == (
        "validation-failed"
    )


def test_a_letter_within_the_limit_is_rendered(emulator: Running) -> None:
    notification_id = _letter(emulator, "word " * 2_000)
    stored = emulator.emulator.store.get_notification(notification_id)
    assert stored is not None
    assert stored.page_count is not None
    assert stored.page_count <= LETTER_MAX_PAGES
    emulator.clock.advance(3)
    assert emulator.client().get_pdf_for_letter(notification_id).read().startswith(b"%PDF")


def test_a_long_contact_block_is_not_rendered(emulator: Running) -> None:
    template_id = "77777777-0000-4000-8000-000000000042"
    emulator.load_config(
        f"""
[[services]]
id = "{demo.SERVICE_ID}"
name = "{demo.SERVICE_NAME}"
  [[services.templates]]
  id = "{template_id}"
  name = "Long contact block"
  type = "letter"
  subject = "Hello"
  body = "Hello"
  letter_contact_block = "((contact))"
"""
    )
    sent = emulator.client().send_letter_notification(
        template_id,
        {"contact": "W" * 200_000, **ADDRESS},  # over 200 pages
    )
    stored = emulator.emulator.store.get_notification(sent["id"])
    assert stored is not None
    assert stored.page_count is None
    assert stored.billable_units == 0
    emulator.clock.advance(3)
    got = emulator.client().get_notification_by_id(sent["id"])
    assert got["status"] == "validation-failed"
