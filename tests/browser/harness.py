"""A real ``notify-emulator serve`` process and Debian's Chromium, for the browser tests and the
README's screenshots.

Chromium comes from the operating system's packages (``apt-get install chromium``), never from
``playwright install``: Playwright only drives it.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import requests

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Every address but the emulator's own (pages route it to an abort).
NOT_LOOPBACK = re.compile(r"^(?!https?://127\.0\.0\.1[:/])[a-z]+://")
# Two workers: the pages' live updates must reach a page whatever process served it.
WORKERS = 2
DELIVERY_DELAYS = "sending=0.5,final=1"
STARTUP_SECONDS = 30


def chromium_problem() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        return f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install playwright)"
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Served:
    """``notify-emulator serve`` on a free loopback port, with its own SQLite file."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.process: subprocess.Popen[bytes] | None = None
        self.base_url = ""

    def start(self, port: int | None = None) -> str:
        """Start serving (on ``port``, else a free one); the base URL."""
        port = port or free_port()
        database = self.folder / "browser.sqlite3"
        log = (self.folder / "serve.log").open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "notify_emulator",
                "serve",
                "--port",
                str(port),
                "--database",
                f"sqlite:///{database}",
                "--workers",
                str(WORKERS),
                "--delivery-delays",
                DELIVERY_DELAYS,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        log.close()
        self.base_url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"the emulator exited: {(self.folder / 'serve.log').read_text()}"
                )
            try:
                if requests.get(self.base_url + "/_emulator/health", timeout=1).ok:
                    return self.base_url
            except requests.RequestException:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("the emulator did not become healthy")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


def launch(playwright: Playwright) -> Browser:
    """Debian's Chromium, headless."""
    executable = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    return playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
