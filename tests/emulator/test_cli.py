"""The notify-emulator command: every failure to start is one line and a non-zero exit."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from notify_emulator.cli import main


@pytest.fixture
def busy_port() -> Iterator[int]:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    yield listener.getsockname()[1]
    listener.close()


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_help_names_every_option() -> None:
    code, output = run("serve", "--help")
    assert code == 0
    for option in ("--config", "--host", "--port", "--database", "--workers", "--delivery-delays"):
        assert option in output
    for option in ("--callback-delay", "--callback-retry-delay"):
        assert option in output


def test_callback_delays_must_not_be_negative() -> None:
    code, output = run("serve", "--callback-retry-delay", "-1")
    assert code == 2
    assert "--callback-retry-delay" in output


def test_bad_config_names_file_entry_and_field(tmp_path: Path) -> None:
    seed = tmp_path / "seed.toml"
    seed.write_text("[[services]]\nname = 'A'\nrate_limit = 'lots'\n", encoding="utf-8")
    code, output = run("serve", "--config", str(seed), "--database", "sqlite:///:memory:")
    assert code != 0
    assert output == (
        f"notify-emulator: {seed}: services[0] ('A'): field 'rate_limit': "
        "must be an integer, not str\n"
    )


@pytest.mark.parametrize("times", [2**63, 10**30])
def test_a_huge_fault_times_in_a_seed_is_one_line(tmp_path: Path, times: int) -> None:
    seed = tmp_path / "seed.toml"
    seed.write_text(f"[[faults]]\ntimes = {times}\naction = {{ status = 500 }}\n", encoding="utf-8")
    code, output = run("serve", "--config", str(seed), "--database", "sqlite:///:memory:")
    assert code != 0
    assert output.startswith(f"notify-emulator: {seed}: faults[0]: times must be at most ")
    assert output.count("\n") == 1
    assert "Traceback" not in output


def test_missing_config_file(tmp_path: Path) -> None:
    code, output = run(
        "serve", "--config", str(tmp_path / "nope.toml"), "--database", "sqlite:///:memory:"
    )
    assert code != 0
    assert "nope.toml: cannot read the file" in output
    assert output.count("\n") == 1


def test_unusable_database() -> None:
    code, output = run("serve", "--database", "postgresql+nodriver://localhost/x")
    assert code != 0
    assert output.startswith("notify-emulator: ")
    assert output.count("\n") == 1


def test_port_in_use(busy_port: int) -> None:
    code, output = run("serve", "--port", str(busy_port), "--database", "sqlite:///:memory:")
    assert code != 0
    assert output == f"notify-emulator: port {busy_port} on 127.0.0.1 is already in use\n"


def test_workers_need_a_shared_database() -> None:
    code, output = run("serve", "--workers", "2", "--database", "sqlite:///:memory:")
    assert code != 0
    assert "needs a shared database" in output


def test_database_passwords_are_not_printed() -> None:
    code, output = run("serve", "--database", "postgresql://user:hunter2@127.0.0.1:1/x")
    assert code != 0
    assert "hunter2" not in output
    assert output.count("\n") == 1


def test_bad_delivery_delays_are_a_usage_error() -> None:
    code, output = run("serve", "--delivery-delays", "soon", "--database", "sqlite:///:memory:")
    assert code == 2
    assert "--delivery-delays" in output


def test_help_names_the_local_surface_options() -> None:
    code, output = run("serve", "--help")
    assert code == 0
    assert "--allowed-host" in output
    assert "--admin-token" in output
    assert "NOTIFY_EMULATOR_ADMIN_TOKEN" in output


@pytest.mark.parametrize("token", ["short", "has space in it", 'quote"d-token', "semi;colon-token"])
def test_an_unusable_admin_token_is_refused_without_echoing_it(token: str) -> None:
    code, output = run(
        "serve", "--host", "0.0.0.0", "--admin-token", token, "--database", "sqlite:///:memory:"
    )
    assert code != 0
    assert output.startswith("notify-emulator: the admin token must be")
    assert token not in output
    assert output.count("\n") == 1


def test_a_serving_process_leaves_what_it_built_out_of_garbage_collections() -> None:
    # In a process of its own: the settings are the whole process's.
    script = (
        "import gc\n"
        "from notify_emulator.cli import settle_for_serving, YOUNG_COLLECTION_THRESHOLD\n"
        "from notify_emulator.app import create_app\n"
        "from notify_emulator.settings import Settings\n"
        "app = create_app(Settings(database_url='sqlite:///:memory:'))\n"
        "assert gc.get_freeze_count() == 0\n"
        "settle_for_serving()\n"
        "assert gc.get_freeze_count() > 10_000, gc.get_freeze_count()\n"
        "assert gc.get_threshold()[0] == YOUNG_COLLECTION_THRESHOLD\n"
        "print('settled')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "settled"
