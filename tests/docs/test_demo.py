"""``make demo``: the walkthrough of the client's documented calls against a local emulator."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

from notifications_python_client.notifications import NotificationsAPIClient
from notify_emulator.demo import service as demo_service
from notify_emulator.demo import walkthrough as demo
from notify_emulator.pytest_plugin import NotifyEmulator


def test_the_demo_walks_through_every_step_and_saves_the_letter(tmp_path: Path) -> None:
    out = io.StringIO()
    status = demo.main(["--output-dir", str(tmp_path / "demo-output")], out=out)
    text = out.getvalue()
    assert status == 0, text
    for call in (
        "send_sms_notification(",
        "send_email_notification(",
        "prepare_upload(",
        "send_letter_notification(",
        "get_notification_by_id(",
        "get_all_notifications_iterator()",
        "get_template(",
        "get_template_version(",
        "get_all_templates()",
        "post_template_preview(",
        "/_emulator/received-texts",
        "get_received_texts_iterator()",
        "get_pdf_for_letter(",
    ):
        assert call in text
    # Each final status, on the line of its message.
    assert re.search(r"^ +text message +(.* -> )?delivered$", text, re.MULTILINE)
    assert re.search(r"^ +email +(.* -> )?delivered$", text, re.MULTILINE)
    assert re.search(r"^ +letter +(.* -> )?received \(delivered\)$", text, re.MULTILINE)
    assert "'Can I change my appointment?'" in text
    # The attached file's link is printed, and the walkthrough downloaded the file from it.
    assert re.search(
        r"^ +file link http://127\.0\.0\.1:\d+/_emulator/documents/[0-9a-f-]{36}$",
        text,
        re.MULTILINE,
    )
    assert '-> 28 bytes, the file sent (attachment; filename="report.csv")' in text
    assert "Every step passed." in text
    assert (tmp_path / "demo-output" / "letter.pdf").read_bytes().startswith(b"%PDF-")
    # The key's secret is never printed.
    assert demo_service.LIVE_KEY_SECRET not in text


def test_a_failing_step_prints_notifys_error_and_exits_non_zero(
    notify_emulator: NotifyEmulator, tmp_path: Path
) -> None:
    # A team key may only send to the team: the first step fails as Notify would.
    client = NotificationsAPIClient(demo_service.TEAM_API_KEY, base_url=notify_emulator.base_url)
    out = io.StringIO()
    status = demo.run_walkthrough(client, notify_emulator.base_url, tmp_path, out)
    assert status == 1
    assert (
        "Step 1 failed: HTTP 400: BadRequestError: "
        "Can’t send to this recipient using a team-only API key"
    ) in out.getvalue()
    client.close()


def test_a_pdf_that_cannot_be_saved_fails_the_last_step(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the output folder should be")
    out = io.StringIO()
    status = demo.main(["--output-dir", str(blocker)], out=out)
    assert status == 1
    assert f"Step 8 failed: cannot save the PDF as {blocker / 'letter.pdf'}: " in out.getvalue()
    assert "Every step passed." not in out.getvalue()


def test_a_file_that_does_not_download_fails_the_email_step(
    notify_emulator: NotifyEmulator, tmp_path: Path
) -> None:
    # The walkthrough compares what it downloads with what it sent: another file fails it.
    client = NotificationsAPIClient(demo_service.LIVE_API_KEY, base_url=notify_emulator.base_url)
    walkthrough = demo.Walkthrough(client, notify_emulator.base_url, io.StringIO())
    sent = walkthrough.send_email()
    with pytest.raises(demo.DemoFailure, match="the file did not download from http://"):
        walkthrough.show_download_link(sent, "report", b"not the file that was sent")
    client.close()


def test_without_this_repositorys_client_the_demo_says_what_to_install() -> None:
    # As in a virtualenv holding the emulator alone, or beside the official client.
    code = (
        "import runpy, sys; sys.modules['notifications_python_client'] = None; "
        "runpy.run_module('notify_emulator.demo', run_name='__main__')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 1
    assert result.stderr.startswith(
        "python -m notify_emulator.demo walks through this repository's client, which is not "
        "installed here ("
    )
    assert result.stderr.rstrip().endswith("from the repository's root with pip install .")
