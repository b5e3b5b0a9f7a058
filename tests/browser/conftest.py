"""The browser tests: real Chromium against a real ``notify-emulator serve`` process.

Without Chromium they skip on a developer's machine and fail in CI (``CI=true``), so that a CI
run can never pass without running them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Browser, Page, sync_playwright

from .harness import NOT_LOOPBACK as _NOT_LOOPBACK
from .harness import Served, chromium_problem, launch


def _require_chromium() -> None:
    problem = chromium_problem()
    if problem is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests cannot run in CI: {problem}", pytrace=False)
    pytest.skip(problem)


@pytest.fixture(scope="package")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a running emulator (one for all the browser tests)."""
    _require_chromium()
    server = Served(Path(tmp_path_factory.mktemp("browser")))
    server.start()
    try:
        yield server.base_url
    finally:
        server.stop()


@pytest.fixture(scope="package")
def browser(served: str) -> Iterator[Browser]:
    # Package scope: Playwright's own event loop ends with this package, before any other
    # tests' asyncio loops start.
    with sync_playwright() as playwright:
        launched = launch(playwright)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def base_url(served: str) -> str:
    """The emulator, emptied of messages."""
    assert requests.post(served + "/_emulator/reset", json={}, timeout=10).ok
    return served


@pytest.fixture
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    # Nothing leaves this machine: anything not for the emulator is refused.
    context.route(_NOT_LOOPBACK, lambda route: route.abort())
    opened = context.new_page()
    opened.set_default_timeout(10_000)
    try:
        yield opened
    finally:
        context.close()
