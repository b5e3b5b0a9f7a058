"""The bulk clone of notifications, read back through a real emulator (no timings here)."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest

from benchmarks import bulk_db, fixtures, stack

emulator_server = pytest.importorskip("notify_emulator.server")
settings_module = pytest.importorskip("notify_emulator.settings")


def _send_one_text(base_url: str) -> str:
    token = stack.bearer_token()
    request = urllib.request.Request(
        base_url + stack.SMS_PATH,
        data=json.dumps(fixtures.SMS_REQUEST).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        notification_id: str = json.loads(response.read())["id"]
        return notification_id


def test_clones_are_listed_newest_first_behind_the_real_notification(tmp_path: Path) -> None:
    database = tmp_path / "history.sqlite3"
    settings = settings_module.Settings(
        database_url=stack.sqlite_url(database),
        config_path=stack.write_seed(tmp_path),
        seed_demo=False,
        log_requests=False,
    )
    with emulator_server.EmulatorServer(settings) as server:
        real_id = _send_one_text(server.base_url)
    bulk_db.clone_notifications(database, 299)

    with emulator_server.EmulatorServer(settings) as server:
        first = stack.get_json(server.base_url + stack.LIST_PATH)["notifications"]
        middle_id = bulk_db.notification_at_depth(database, 150)
        deep = stack.get_json(f"{server.base_url}{stack.LIST_PATH}?older_than={middle_id}")

    assert len(first) == 250
    assert first[0]["id"] == real_id
    assert len({item["id"] for item in first}) == 250
    created = [item["created_at"] for item in first]
    assert created == sorted(created, reverse=True)
    assert {item["status"] for item in first[1:]} == {"delivered"}
    assert first[1]["body"] == first[0]["body"]
    # 300 stored: the one at depth 150 has 149 older ones.
    assert len(deep["notifications"]) == 149
