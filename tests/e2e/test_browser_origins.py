"""In a real headless browser: a page on another origin can neither change nor read the
emulator's own surface, while Notify's v2 routes keep their CORS answers and the emulator's
own page opens normally. Skipped where Chromium is not installed.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from notifications_python_client.notifications import NotificationsAPIClient
from notify_emulator.app import create_app
from notify_emulator.demo import service as demo
from notify_emulator.server import BackgroundServer
from notify_emulator.settings import Settings

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed"),
]

# What the other origin's page tries, each result written into the page for --dump-dom.
ATTACK_PAGE = """<!DOCTYPE html><html><body>
<p id="reset">pending</p><p id="read">pending</p><p id="v2">pending</p>
<script>
const emulator = "{emulator}";
function show(id, text) {{ document.getElementById(id).textContent = text; }}
// A "simple" cross-site request: no preflight, so it reaches the server.
fetch(emulator + "/_emulator/reset", {{method: "POST", mode: "no-cors", body: "{{}}"}})
  .then(() => show("reset", "sent"), (error) => show("reset", "error " + error));
fetch(emulator + "/_emulator/notifications")
  .then((answer) => answer.text().then((text) => show("read", "read " + text.length)),
        () => show("read", "blocked"));
fetch(emulator + "/v2/templates")
  .then((answer) => show("v2", "status " + answer.status), () => show("v2", "blocked"));
</script></body></html>"""


def dump_dom(url: str, profile: Path) -> str:
    assert CHROMIUM is not None
    result = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--virtual-time-budget=5000",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return result.stdout


@pytest.fixture
def emulator_url() -> Iterator[str]:
    app = create_app(Settings(database_url="sqlite:///:memory:", log_requests=False))
    with BackgroundServer(app) as server:
        yield server.base_url


@pytest.fixture
def other_origin(emulator_url: str) -> Iterator[str]:
    page = ATTACK_PAGE.format(emulator=emulator_url).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


def _stored(emulator_url: str) -> int:
    listing = requests.get(emulator_url + "/_emulator/notifications", timeout=10).json()
    return len(listing["notifications"])


def test_a_page_on_another_origin_can_neither_change_nor_read_the_emulator(
    emulator_url: str, other_origin: str, tmp_path: Path
) -> None:
    client = NotificationsAPIClient(demo.LIVE_API_KEY, base_url=emulator_url, max_retries=0)
    client.send_sms_notification("07700900123", demo.SMS_TEMPLATE_ID, {"name": "Ada"})
    client.close()
    dom = dump_dom(other_origin, tmp_path / "profile")
    assert '<p id="reset">sent</p>' in dom  # the browser sent it...
    assert _stored(emulator_url) == 1  # ...and the emulator refused it
    assert '<p id="read">blocked</p>' in dom  # no CORS headers: the answer stays unread
    assert '<p id="v2">status 401</p>' in dom  # Notify's routes answer other origins
