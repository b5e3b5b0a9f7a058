"""How the pages look in a real browser: focus that can be seen, and narrow screens."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import Browser, Page

from notify_emulator.demo import service as demo

pytestmark = pytest.mark.browser

YELLOW = "rgb(255, 221, 0)"
BLACK = "rgb(11, 12, 12)"

FOCUS_STYLE = """() => {
  const style = getComputedStyle(document.activeElement);
  return {
    tag: document.activeElement.tagName,
    background: style.backgroundColor,
    color: style.color,
    shadow: style.boxShadow,
  };
}"""


def receive(base_url: str, number: str, content: str) -> None:
    answer = requests.post(
        base_url + "/_emulator/received-texts",
        json={"service_id": demo.SERVICE_ID, "user_number": number, "content": content},
        timeout=10,
    )
    assert answer.status_code == 201, answer.text


def test_focus_can_be_seen_on_a_white_page(page: Page, base_url: str) -> None:
    # A yellow outline alone is all but invisible on white (1.1:1): as on GOV.UK, a focused
    # link or button turns yellow with black text and a black edge.
    receive(base_url, "07700900123", "Hello")
    page.goto(base_url + "/received-texts")
    page.locator("a.received__number").focus()
    link = page.evaluate(FOCUS_STYLE)
    assert link["tag"] == "A"
    assert link["background"] == YELLOW
    assert link["color"] == BLACK
    assert BLACK in link["shadow"]
    page.locator("form.filters--compact button").focus()
    button = page.evaluate(FOCUS_STYLE)
    assert button["tag"] == "BUTTON"
    assert button["background"] == YELLOW
    assert button["color"] == BLACK
    assert BLACK in button["shadow"]
    page.locator("#received-service").focus()
    field = page.evaluate(FOCUS_STYLE)
    assert BLACK in field["shadow"]  # a thicker black border inside the yellow outline


def test_received_texts_on_a_phone_keep_each_number_on_one_line(
    browser: Browser, base_url: str
) -> None:
    # A long service name next to the number must not squeeze it into a column of digits.
    service_url = f"{base_url}/_emulator/services/{demo.SERVICE_ID}"
    name = requests.get(service_url, timeout=10).json()["name"]
    renamed = requests.post(
        service_url, json={"name": "Department for Long Service Names and Numbers"}, timeout=10
    )
    assert renamed.ok, renamed.text
    receive(base_url, "+33 6 12 34 56 78", "Bonjour")
    context = browser.new_context(viewport={"width": 375, "height": 800})
    try:
        page = context.new_page()
        page.goto(base_url + "/received-texts")
        number = page.locator("a.received__number")
        assert number.inner_text() == "+33 6 12 34 56 78"
        lines = number.evaluate(
            "element => element.getBoundingClientRect().height"
            " / parseFloat(getComputedStyle(element).lineHeight)"
        )
        assert lines < 1.5
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375
    finally:
        context.close()
        assert requests.post(service_url, json={"name": name}, timeout=10).ok
