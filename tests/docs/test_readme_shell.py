"""Every README shell example that uses `notify` or `notify-emulator` runs as written.

Each such ```shell block is run by bash (stopping at the first failing command) in a fresh
folder, against a live emulator holding the demo service, with the demo service's live key and
the emulator's address in the environment and this test run's virtualenv first on ``PATH`` (as
after ``source .venv/bin/activate``, which the folder's ``.venv`` link makes work too). Two
things are adjusted, and only these: the README's address ``http://127.0.0.1:6011`` becomes the
test emulator's, and each ``notify-emulator serve`` is started on a free port (``--port 0``),
checked to answer, and stopped once it has printed its start-up lines, instead of running until
Ctrl+C. ``HOME`` and ``XDG_DATA_HOME`` point into the folder, so the default database is made
there. Blocks of other commands (``make``, ``pip``, ``pipx``) are checked elsewhere
(``tests/packaging``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from notify_emulator.demo import service as demo
from notify_emulator.pytest_plugin import NotifyEmulator

from .readme import readme_blocks

README_BASE_URL = "http://127.0.0.1:6011"
REPOSITORY = Path(__file__).resolve().parents[2]
COMMANDS = ("notify ", "notify-emulator ", "source .venv/bin/activate")
BLOCK_TIMEOUT = 180
# Runs one `notify-emulator serve ...`: started on a free port, stopped once it answers.
SERVE_CHECK = """
import signal, subprocess, sys, time, urllib.request

process = subprocess.Popen(
    [*sys.argv[1:], "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
)
lines = []
for line in process.stdout:
    lines.append(line)
    if line.startswith("Notify emulator listening on "):
        base_url = line.removeprefix("Notify emulator listening on ").strip()
        break
else:
    sys.exit("notify-emulator did not start:\\n" + "".join(lines))
for _ in range(100):
    try:
        with urllib.request.urlopen(base_url + "/_emulator/health", timeout=5) as answer:
            healthy = answer.status == 200
            break
    except OSError:
        time.sleep(0.1)
else:
    healthy = False
process.send_signal(signal.SIGINT)
# Read through the pipe's own buffer, which may already hold the lines after the first one
# (communicate() would read past it, from the pipe itself, and lose them).
rest = process.stdout.read()
process.wait(timeout=30)
print("".join(lines) + rest, end="")
sys.exit(0 if healthy else "notify-emulator did not answer at " + base_url)
"""
# Defined before each block runs: `serve` goes through the check above.
PRELUDE = """set -eo pipefail
notify-emulator() {
    if [ "${1:-}" = serve ]; then
        "$TEST_PYTHON" "$SERVE_CHECK" "$(type -P notify-emulator)" "$@"
    else
        command notify-emulator "$@"
    fi
}
"""


def runnable_blocks() -> list[str]:
    return [
        block
        for block in readme_blocks("shell")
        if any(line.lstrip().startswith(COMMANDS) for line in block.splitlines())
    ]


def test_the_readme_has_the_shell_examples_this_test_runs() -> None:
    blocks = runnable_blocks()
    assert len(blocks) == 7
    for block in blocks:
        # Placeholders would not run: every example uses real values.
        for placeholder in ("TEMPLATE_ID", "NOTIFICATION_ID", "=...", "[--"):
            assert placeholder not in block


def seed_file_example() -> str:
    (seed,) = [block for block in readme_blocks("toml") if block.startswith("[[services]]")]
    return seed


def run_block(block: str, folder: Path, base_url: str) -> subprocess.CompletedProcess[str]:
    (folder / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    # Examples that name the repository's docs/ (run, as the README says, from its folder).
    (folder / "docs").symlink_to(REPOSITORY / "docs", target_is_directory=True)
    (folder / "seed.toml").write_text(seed_file_example(), encoding="utf-8")
    check = folder / "serve_check.py"
    check.write_text(SERVE_CHECK, encoding="utf-8")
    script = PRELUDE + block.replace(README_BASE_URL, base_url)
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("NOTIFY_", "VIRTUAL_ENV", "PYTHON"))
    }
    environment.update(
        {
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), environment["PATH"]]),
            "HOME": str(folder),
            "XDG_DATA_HOME": str(folder / "data"),
            "NOTIFY_API_KEY": demo.LIVE_API_KEY,
            "NOTIFY_BASE_URL": base_url,
            "NOTIFY_EMULATOR_URL": base_url,
            "TEST_PYTHON": sys.executable,
            "SERVE_CHECK": str(check),
            "PYTHONUNBUFFERED": "1",
            "COLUMNS": "100",
        }
    )
    return subprocess.run(
        ["bash", "-c", script],
        cwd=folder,
        env=environment,
        capture_output=True,
        text=True,
        timeout=BLOCK_TIMEOUT,
        check=False,
    )


@pytest.mark.parametrize(
    "block", runnable_blocks(), ids=lambda block: block.splitlines()[0][:40].strip()
)
def test_a_readme_shell_example_runs_as_written(
    block: str, notify_emulator: NotifyEmulator, tmp_path: Path
) -> None:
    result = run_block(block, tmp_path, notify_emulator.base_url)
    assert result.returncode == 0, f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    # What each kind of command leaves behind.
    if "notify-emulator serve" in block:
        assert "Notify emulator listening on http://127.0.0.1:" in result.stdout
    if any(line.split("#")[0].strip() == "notify-emulator serve" for line in block.splitlines()):
        assert demo.LIVE_API_KEY in result.stdout  # the demo service's banner
    if "--config seed.toml" in block:
        assert "Service 'Passport Office' (c745a8d8-b48a-4b0d-96e5-dbea0165ebd1)" in result.stdout
    if "--config docs/official-suites/seed.toml" in block:
        service = "Service 'Client functional tests' (11111111-1111-4111-8111-111111111111)"
        assert service in result.stdout
    if "notify pdf" in block:
        assert (tmp_path / "letter.pdf").read_bytes().startswith(b"%PDF-")
    if "notify send" in block or "notify bulk" in block:
        assert notify_emulator.sent(), "the example sent nothing"
    if "notify bulk" in block:
        assert len(notify_emulator.sent()) == 2
