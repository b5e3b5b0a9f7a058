"""``make demo``: a local emulator and a walk through the client's documented calls.

Run as ``python -m notify_emulator.demo [--output-dir DIR]``. It starts the emulator on a free
loopback port with a temporary SQLite database and its demo service, then, with the client, sends
a text message, an email with a file attached and a letter, reads each status until it is final
(moving the emulator's clock past Notify's evening print run, which the letter waits for),
lists every notification, reads templates, a preview and received texts, and saves the letter's
PDF. It prints each call and the key fields of each answer, stops the emulator and exits 0; if a
step fails it prints Notify's error and exits 1.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TextIO, TypeVar

import requests

from notifications_python_client import prepare_upload
from notifications_python_client.errors import HTTPError, PDFNotReadyError
from notifications_python_client.notifications import NotificationsAPIClient
from notify_emulator.demo import service as demo_service
from notify_emulator.rules.lifecycle import FINAL_STATUSES
from notify_emulator.rules.timings import print_run
from notify_emulator.server import EmulatorServer, ServerStartError, sqlite_file_url
from notify_emulator.settings import Settings
from notify_emulator.store import DatabaseError

DEFAULT_OUTPUT_DIR = Path("demo-output")
LETTER_PDF_NAME = "letter.pdf"
# The emulator's default lifecycle ends about a second after sending; allow for a slow machine.
STATUS_TIMEOUT_SECONDS = 15.0
PDF_TIMEOUT_SECONDS = 15.0
POLL_INTERVAL_SECONDS = 0.1
# Statuses after which a notification does not change. Letters are shown to API callers as
# `received` once delivered (notify-api.md §7.2).
LETTER_RECEIVED = "received"
LETTER_ACCEPTED = "accepted"
# How far past the print run the demo moves the emulator's clock: the letter is dispatched
# within about a second of being printed.
PAST_THE_PRINT_RUN = timedelta(minutes=1)
FINAL_API_STATUSES = FINAL_STATUSES | {LETTER_RECEIVED}
DELIVERED_STATUSES = frozenset({"delivered", LETTER_RECEIVED})

# OFCOM drama numbers and example.com addresses: nobody can receive these.
RECIPIENT_PHONE = "07700 900 456"
RECIPIENT_EMAIL = "amala.bird@example.com"
RECIPIENT_ADDRESS = {
    "address_line_1": "Amala Bird",
    "address_line_2": "123 High Street",
    "address_line_3": "Richmond",
    "postcode": "SW14 6BH",
}
TEXTER_NUMBER = "07700 900 111"
PERSONALISATION = {"name": "Amala"}

T = TypeVar("T")


class DemoFailure(Exception):
    """A step of the walkthrough did not give the documented result."""


class Walkthrough:
    """The demo's steps, printed to ``out`` as they run."""

    def __init__(self, client: NotificationsAPIClient, base_url: str, out: TextIO) -> None:
        self.client = client
        self.base_url = base_url
        self.out = out
        self.step_number = 0

    def say(self, text: str = "", indent: int = 3) -> None:
        print(" " * indent + text if text else "", file=self.out, flush=True)

    def step(self, title: str) -> None:
        self.step_number += 1
        print(f"\n{self.step_number}. {title}", file=self.out, flush=True)

    def call(self, description: str, action: Callable[[], T]) -> T:
        """Print a client call, then make it."""
        self.say(f"notifications_client.{description}")
        return action()

    def run(self, output_dir: Path) -> None:
        sms_id = self.send_text_message()
        email_id = self.send_email()
        letter_id = self.send_letter()
        self.wait_for_final_statuses(
            {"text message": sms_id, "email": email_id, "letter": letter_id}
        )
        self.list_notifications()
        self.read_templates()
        self.read_received_texts()
        self.save_letter_pdf(letter_id, output_dir / LETTER_PDF_NAME)

    def send_text_message(self) -> str:
        self.step("Send a text message")
        answer = self.call(
            f"send_sms_notification(phone_number={RECIPIENT_PHONE!r}, "
            f"template_id={demo_service.SMS_TEMPLATE_ID!r}, personalisation={PERSONALISATION!r}, "
            "reference='demo-text')",
            lambda: self.client.send_sms_notification(
                phone_number=RECIPIENT_PHONE,
                template_id=demo_service.SMS_TEMPLATE_ID,
                personalisation=PERSONALISATION,
                reference="demo-text",
            ),
        )
        self.say(f"-> id {answer['id']}")
        self.say(
            f"   body {answer['content']['body']!r}, from {answer['content']['from_number']!r}"
        )
        return answer["id"]

    def send_email(self) -> str:
        self.step("Send an email with a file attached")
        report = b"date,visitors\n2026-11-26,42\n"
        self.say(f"prepare_upload(<a {len(report)}-byte CSV file>, filename='report.csv')")
        upload = prepare_upload(io.BytesIO(report), filename="report.csv")
        personalisation: dict[str, Any] = {**PERSONALISATION, "report": upload}
        answer = self.call(
            f"send_email_notification(email_address={RECIPIENT_EMAIL!r}, "
            f"template_id={demo_service.EMAIL_TEMPLATE_ID!r}, "
            "personalisation={'name': 'Amala', 'report': <the prepared file>}, "
            "reference='demo-email')",
            lambda: self.client.send_email_notification(
                email_address=RECIPIENT_EMAIL,
                template_id=demo_service.EMAIL_TEMPLATE_ID,
                personalisation=personalisation,
                reference="demo-email",
            ),
        )
        content = answer["content"]
        self.say(f"-> id {answer['id']}")
        self.say(f"   subject {content['subject']!r}, from {content['from_email']!r}")
        self.show_download_link(answer["id"], "report", report)
        return answer["id"]

    def show_download_link(self, notification_id: str, key: str, sent: bytes) -> None:
        """Print the link the file got and download it from there.

        The demo email has no ((report)) placeholder, so the link is in no body: it is read
        from what the emulator stored (its own route), as a recipient would follow it."""
        answer = requests.get(
            f"{self.base_url}/_emulator/notifications",
            params={"service_id": demo_service.SERVICE_ID},
            timeout=10,
        )
        if answer.status_code >= 400:
            raise DemoFailure(f"the emulator did not list its notifications: {answer.status_code}")
        stored = [item for item in answer.json()["notifications"] if item["id"] == notification_id]
        link = stored[0]["personalisation"].get(key) if stored else None
        if not isinstance(link, str):
            raise DemoFailure("the email's file has no download link")
        self.say(f"   file link {link}")
        self.say("   (a ((report)) placeholder in the template would put it in the email)")
        self.say("requests.get(<the file link>)  (as the recipient downloads it)")
        download = requests.get(link, timeout=10)
        if download.status_code != 200 or download.content != sent:
            raise DemoFailure(f"the file did not download from {link}: {download.status_code}")
        disposition = download.headers.get("Content-Disposition", "")
        self.say(f"-> {len(download.content)} bytes, the file sent ({disposition})")

    def send_letter(self) -> str:
        self.step("Send a letter")
        personalisation = {**RECIPIENT_ADDRESS, **PERSONALISATION}
        answer = self.call(
            f"send_letter_notification(template_id={demo_service.LETTER_TEMPLATE_ID!r}, "
            f"personalisation={personalisation!r}, reference='demo-letter')",
            lambda: self.client.send_letter_notification(
                template_id=demo_service.LETTER_TEMPLATE_ID,
                personalisation=personalisation,
                reference="demo-letter",
            ),
        )
        self.say(f"-> id {answer['id']}")
        self.say(f"   subject {answer['content']['subject']!r}")
        return answer["id"]

    def wait_for_final_statuses(self, notification_ids: dict[str, str]) -> None:
        self.step("Read each status by id until it is final")
        self.say(
            f"notifications_client.get_notification_by_id(id), every {POLL_INTERVAL_SECONDS:g} s"
        )
        seen: dict[str, list[str]] = {name: [] for name in notification_ids}
        pending = dict(notification_ids)
        deadline = time.monotonic() + STATUS_TIMEOUT_SECONDS
        clock_moved = False
        while pending:
            for name, notification_id in list(pending.items()):
                status = self.client.get_notification_by_id(notification_id)["status"]
                if not seen[name] or seen[name][-1] != status:
                    seen[name].append(status)
                if status in FINAL_API_STATUSES:
                    del pending[name]
            if (
                not clock_moved
                and list(pending) == ["letter"]
                and seen["letter"][-1] == (LETTER_ACCEPTED)
            ):
                # Everything else is final: only the print run is left to wait for.
                self.move_clock_past_print_run(pending["letter"])
                clock_moved = True
                continue
            if pending and time.monotonic() > deadline:
                names = ", ".join(f"{name} ({seen[name][-1]})" for name in pending)
                raise DemoFailure(f"no final status after {STATUS_TIMEOUT_SECONDS:g} s: {names}")
            if pending:
                time.sleep(POLL_INTERVAL_SECONDS)
        for name, statuses in seen.items():
            final = statuses[-1]
            note = " (delivered)" if final == LETTER_RECEIVED else ""
            self.say(f"{name:<13} {' -> '.join(statuses)}{note}")
            if final not in DELIVERED_STATUSES:
                raise DemoFailure(f"the {name} was not delivered: its final status is {final!r}")

    def move_clock_past_print_run(self, letter_id: str) -> None:
        """Letters wait in `accepted` for Notify's print run at 17:50 UK time: move the
        emulator's clock (its own route; JWTs keep the real time) to just after it."""
        created_at = self.client.get_notification_by_id(letter_id)["created_at"]
        run = print_run(datetime.fromisoformat(created_at.replace("Z", "+00:00")))
        target = (run + PAST_THE_PRINT_RUN).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        self.say("The letter waits for Notify's print run at 17:50 UK time; move the emulator's")
        self.say("clock past it, with the emulator's own route:")
        self.say(f'POST {self.base_url}/_emulator/clock {{"set": "{target}"}}')
        answer = requests.post(f"{self.base_url}/_emulator/clock", json={"set": target}, timeout=10)
        if answer.status_code >= 400:
            raise DemoFailure(f"the emulator refused to move its clock: {answer.text}")
        clock = answer.json()
        self.say(
            f"-> the emulator's time is now {clock['now']} "
            f"({_duration(clock['offset_seconds'])} ahead of real time)"
        )

    def list_notifications(self) -> None:
        self.step("List all notifications")
        notifications = self.call(
            "get_all_notifications_iterator()",
            lambda: list(self.client.get_all_notifications_iterator()),
        )
        self.say(f"-> {len(notifications)} notifications, newest first:")
        for item in notifications:
            self.say(f"   {item['type']:<6} {item['status']:<10} {item['reference']}")

    def read_templates(self) -> None:
        self.step("Read templates")
        template_id = demo_service.SMS_TEMPLATE_ID
        template = self.call(
            f"get_template({template_id!r})", lambda: self.client.get_template(template_id)
        )
        self.say(
            f"-> {template['type']} template version {template['version']}: {template['body']!r}"
        )
        version = self.call(
            f"get_template_version({template_id!r}, 1)",
            lambda: self.client.get_template_version(template_id, 1),
        )
        self.say(f"-> version {version['version']}, created by {version['created_by']}")
        templates = self.call("get_all_templates()", self.client.get_all_templates)["templates"]
        self.say(f"-> {len(templates)} templates:")
        for item in templates:
            self.say(f"   {item['type']:<6} {item['id']}  {item['name']}")
        preview = self.call(
            f"post_template_preview({template_id!r}, personalisation={PERSONALISATION!r})",
            lambda: self.client.post_template_preview(template_id, personalisation=PERSONALISATION),
        )
        self.say(f"-> {preview['body']!r}")

    def read_received_texts(self) -> None:
        self.step("Read received text messages")
        content = "Can I change my appointment?"
        self.say(f"POST {self.base_url}/_emulator/received-texts (the emulator's own route, to")
        self.say(f"receive a text from {TEXTER_NUMBER}: {content!r})", indent=6)
        answer = requests.post(
            f"{self.base_url}/_emulator/received-texts",
            json={
                "service_id": demo_service.SERVICE_ID,
                "user_number": TEXTER_NUMBER,
                "content": content,
            },
            timeout=10,
        )
        if answer.status_code >= 400:
            raise DemoFailure(f"the emulator refused the text: {answer.status_code} {answer.text}")
        texts = self.call(
            "get_received_texts_iterator()", lambda: list(self.client.get_received_texts_iterator())
        )
        self.say(f"-> {len(texts)} received text message(s):")
        for text in texts:
            self.say(
                f"   from {text['user_number']} to {text['notify_number']}: {text['content']!r}"
            )
        if not any(text["content"] == content for text in texts):
            raise DemoFailure("the text sent to the service is not among its received texts")

    def save_letter_pdf(self, letter_id: str, path: Path) -> None:
        self.step("Save the letter's PDF")
        self.say(f"notifications_client.get_pdf_for_letter({letter_id!r})")
        deadline = time.monotonic() + PDF_TIMEOUT_SECONDS
        while True:
            try:
                pdf = self.client.get_pdf_for_letter(letter_id).read()
                break
            except PDFNotReadyError:
                # Notify makes letter PDFs in the background; clients poll on this error.
                if time.monotonic() > deadline:
                    raise
                time.sleep(POLL_INTERVAL_SECONDS)
        if not pdf.startswith(b"%PDF-"):
            raise DemoFailure("the letter's PDF is not a PDF file")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(pdf)
        except OSError as error:
            raise DemoFailure(f"cannot save the PDF as {path}: {error.strerror}") from error
        self.say(f"-> {len(pdf)} bytes saved to {path}")


def _duration(seconds: float) -> str:
    """``7 h 12 min`` for a number of seconds."""
    minutes = int(seconds // 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


def describe_http_error(error: HTTPError) -> str:
    """Notify's error text: the status code and each error's name and message."""
    entries = getattr(error, "errors", None) or []
    details = [
        f"{entry.get('error')}: {entry.get('message')}"
        for entry in entries
        if isinstance(entry, dict)
    ]
    return f"HTTP {error.status_code}: " + ("; ".join(details) if details else str(error.message))


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run the walkthrough; return the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m notify_emulator.demo",
        description="Start a local GOV.UK Notify emulator and walk through the client's calls.",
    )
    parser.add_argument(
        "--output-dir",
        type=Path,
        default=DEFAULT_OUTPUT_DIR,
        help=f"where to save the letter's PDF (default: {DEFAULT_OUTPUT_DIR})",
    )
    options = parser.parse_args(argv)
    out = out or sys.stdout
    print("GOV.UK Notify emulator: demo walkthrough", file=out)
    with tempfile.TemporaryDirectory(prefix="notify-emulator-demo-") as folder:
        database = Path(folder) / "demo.sqlite3"
        settings = Settings(database_url=sqlite_file_url(database), log_requests=False)
        try:
            server = EmulatorServer(settings)
            base_url = server.start()
        except (ServerStartError, DatabaseError, ValueError) as error:
            # ValueError covers a bad seed (ConfigError) and bad settings.
            print(f"\nThe emulator did not start: {error}", file=out)
            return 1
        try:
            print(f"Emulator running at {base_url} (database {database})", file=out)
            print(
                f"Demo service {demo_service.SERVICE_NAME!r} ({demo_service.SERVICE_ID}), "
                "using its live API key",
                file=out,
            )
            with NotificationsAPIClient(demo_service.LIVE_API_KEY, base_url=base_url) as client:
                status = run_walkthrough(client, base_url, options.output_dir, out)
        finally:
            server.stop()
    if status == 0:
        print("\nStopped the emulator. Every step passed.", file=out)
    else:
        print("\nStopped the emulator.", file=out)
    return status


def run_walkthrough(
    client: NotificationsAPIClient, base_url: str, output_dir: Path, out: TextIO
) -> int:
    """Walk through the calls with ``client`` against the emulator at ``base_url``; return the
    exit status (1, after printing why, if a step failed)."""
    print("\nnotifications_client = NotificationsAPIClient(api_key, base_url=...)", file=out)
    walkthrough = Walkthrough(client, base_url, out)
    try:
        walkthrough.run(output_dir)
    except HTTPError as error:
        print(f"\nStep {walkthrough.step_number} failed: {describe_http_error(error)}", file=out)
        return 1
    except DemoFailure as error:
        print(f"\nStep {walkthrough.step_number} failed: {error}", file=out)
        return 1
    return 0
