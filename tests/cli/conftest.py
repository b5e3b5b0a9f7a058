"""Run ``notify`` through click's runner against the emulator on loopback."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from click.testing import CliRunner, Result

from notifications_python_client.cli import notify
from notify_emulator.pytest_plugin import NotifyEmulator

# Wide enough that rich never folds an id or an error message in the tests' output.
TERMINAL_COLUMNS = "250"


@dataclass(frozen=True)
class CliOutcome:
    """What one ``notify`` run printed, and how it ended."""

    result: Result

    @property
    def exit_code(self) -> int:
        return self.result.exit_code

    @property
    def stdout(self) -> str:
        return self.result.stdout

    @property
    def stderr(self) -> str:
        return self.result.stderr

    @property
    def output(self) -> str:
        """Everything printed, standard output and error together."""
        return self.result.output

    def json(self) -> Any:
        return json.loads(self.result.stdout)


NotifyCli = Callable[..., CliOutcome]


@pytest.fixture
def notify_cli(notify_emulator: NotifyEmulator) -> NotifyCli:
    """``notify_cli("status", id)`` runs ``notify`` configured for the emulator's live key."""

    def run(
        *args: str, api_key: str | None = None, env: dict[str, str | None] | None = None
    ) -> CliOutcome:
        # A None value leaves the variable unset.
        environment: dict[str, str | None] = {
            "NOTIFY_API_KEY": api_key if api_key is not None else notify_emulator.api_key,
            "NOTIFY_BASE_URL": notify_emulator.base_url,
            "COLUMNS": TERMINAL_COLUMNS,
        }
        environment.update(env or {})
        result = CliRunner().invoke(notify, list(args), env=environment, catch_exceptions=False)
        return CliOutcome(result)

    return run


def emulator_notifications(emulator: NotifyEmulator) -> list[dict[str, Any]]:
    """Every notification the emulator stored for the service (``GET /_emulator/notifications``)."""
    answer = requests.get(
        f"{emulator.base_url}/_emulator/notifications",
        params={"service_id": emulator.service_id},
        timeout=10,
    )
    answer.raise_for_status()
    body = answer.json()
    items = body["notifications"] if isinstance(body, dict) else body
    assert isinstance(items, list)
    return items


def load_seed(emulator: NotifyEmulator, seed: str) -> None:
    """Add the services of a TOML seed file to the running emulator (``POST /_emulator/config``).

    They stay for the rest of the test session, so each test's seed uses ids of its own.
    """
    answer = requests.post(
        f"{emulator.base_url}/_emulator/config",
        data=seed,
        headers={"Content-Type": "application/toml"},
        timeout=10,
    )
    answer.raise_for_status()
