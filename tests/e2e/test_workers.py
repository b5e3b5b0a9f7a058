"""Several workers on one database behave as one Notify: ``notify-emulator serve --workers 2``
on a SQLite file, and on PostgreSQL when NOTIFY_EMULATOR_TEST_POSTGRES_URL is set (the
database it names is emptied).

A bounded load on loopback: every send the server acknowledged is stored, exactly once, and
counted; the per-minute bucket is shared by the workers, so together they accept no more than
one bucket allows.
"""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from notify_emulator.rules.limits import bucket_capacity, refill_per_second
from notify_emulator.store import tables
from notify_emulator.store.engine import create_database_engine

from .test_serve import STARTUP_LINES

pytestmark = pytest.mark.e2e

POSTGRES_URL = os.environ.get("NOTIFY_EMULATOR_TEST_POSTGRES_URL", "")
SENDS = 300
THREADS = 8
BUSY_SERVICE = "aaaaaaaa-0000-4000-8000-000000000001"
BUSY_SECRET = "aaaaaaaa-0000-4000-8000-0000000000a1"
BUSY_TEMPLATE = "aaaaaaaa-0000-4000-8000-0000000000b1"
LIMITED_SERVICE = "aaaaaaaa-0000-4000-8000-000000000002"
LIMITED_SECRET = "aaaaaaaa-0000-4000-8000-0000000000a2"
LIMITED_TEMPLATE = "aaaaaaaa-0000-4000-8000-0000000000b2"
LIMITED_RATE = 30  # a bucket of 11 tokens, refilled at half a token a second
TRIES_AT_THE_LIMIT = 40
SERVE = [sys.executable, "-m", "notify_emulator", "serve", "--workers", "2", "--port", "0"]
SEED = f"""
[[services]]
id = "{BUSY_SERVICE}"
name = "Busy"
rate_limit = 3000
  [[services.api_keys]]
  name = "live"
  secret = "{BUSY_SECRET}"
  [[services.templates]]
  id = "{BUSY_TEMPLATE}"
  name = "t"
  type = "sms"
  body = "Hello"

[[services]]
id = "{LIMITED_SERVICE}"
name = "Limited"
rate_limit = {LIMITED_RATE}
  [[services.api_keys]]
  name = "live"
  secret = "{LIMITED_SECRET}"
  [[services.templates]]
  id = "{LIMITED_TEMPLATE}"
  name = "t"
  type = "sms"
  body = "Hello"
"""


def _database(kind: str, tmp_path: Path) -> str:
    if kind == "postgres":
        engine = create_database_engine(POSTGRES_URL)
        tables.metadata.drop_all(engine)
        engine.dispose()
        return POSTGRES_URL
    return f"sqlite:///{tmp_path / 'workers.sqlite3'}"


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param(
            "postgres",
            marks=[
                pytest.mark.postgres,
                pytest.mark.skipif(not POSTGRES_URL, reason="NOTIFY_EMULATOR_TEST_POSTGRES_URL"),
            ],
        ),
    ]
)
def two_workers(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    database = _database(request.param, tmp_path)
    seed = tmp_path / "seed.toml"
    seed.write_text(SEED, encoding="utf-8")
    process = subprocess.Popen(
        [*SERVE, "--database", database, "--config", str(seed)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        base_url = _started(process)
        _wait_for_both_workers(base_url)
        yield base_url, database
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        finally:
            if process.stdout is not None:
                process.stdout.close()


def _started(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    for _ in range(STARTUP_LINES):
        line = process.stdout.readline()
        if line.startswith("Notify emulator listening on "):
            return line.removeprefix("Notify emulator listening on ").strip()
        if not line:
            break
    process.kill()
    raise AssertionError("the server did not start")


def _wait_for_both_workers(base_url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(base_url + "/_emulator/health", timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    raise AssertionError("the workers did not answer")


def _send(base_url: str, service_id: str, secret: str, template_id: str) -> int:
    import jwt

    token = jwt.encode({"iss": service_id, "iat": int(time.time())}, secret, algorithm="HS256")
    answer = requests.post(
        base_url + "/v2/notifications/sms",
        json={"phone_number": "07700900123", "template_id": template_id},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    return answer.status_code


def _stored(database: str, service_id: str) -> tuple[int, int]:
    engine = create_database_engine(database)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                select(func.count())
                .select_from(tables.notifications)
                .where(tables.notifications.c.service_id == service_id)
            ).scalar()
            counted = connection.execute(
                select(func.coalesce(func.sum(tables.daily_counts.c.count), 0)).where(
                    tables.daily_counts.c.service_id == service_id
                )
            ).scalar()
    finally:
        engine.dispose()
    return int(rows or 0), int(counted or 0)


def test_every_acknowledged_send_is_stored_once_and_counted(two_workers: tuple[str, str]) -> None:
    base_url, database = two_workers
    with ThreadPoolExecutor(THREADS) as pool:
        statuses = list(
            pool.map(
                lambda _: _send(base_url, BUSY_SERVICE, BUSY_SECRET, BUSY_TEMPLATE), range(SENDS)
            )
        )
    acknowledged = statuses.count(201)
    assert set(statuses) == {201}, {status: statuses.count(status) for status in set(statuses)}
    assert _stored(database, BUSY_SERVICE) == (acknowledged, acknowledged)


def test_the_workers_share_one_rate_limit_bucket(two_workers: tuple[str, str]) -> None:
    base_url, database = two_workers
    started = time.monotonic()
    with ThreadPoolExecutor(THREADS) as pool:
        statuses = list(
            pool.map(
                lambda _: _send(base_url, LIMITED_SERVICE, LIMITED_SECRET, LIMITED_TEMPLATE),
                range(TRIES_AT_THE_LIMIT),
            )
        )
    elapsed = time.monotonic() - started
    accepted = statuses.count(201)
    assert set(statuses) <= {201, 429}
    # A full bucket lets capacity - 1 through, and one more for each token earned meanwhile;
    # a bucket per worker would let twice as many through.
    first_burst = bucket_capacity(LIMITED_RATE) - 1
    most = first_burst + math.floor(refill_per_second(LIMITED_RATE) * elapsed)
    assert first_burst <= accepted <= most, (accepted, elapsed)
    assert _stored(database, LIMITED_SERVICE) == (accepted, accepted)
