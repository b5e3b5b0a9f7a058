"""Sends that arrive together are admitted in one transaction, in arrival order, with exact
limits, and a 201 is only given once its row is committed."""

from __future__ import annotations

import asyncio
import math
import time
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from datetime import datetime, timezone
from pathlib import Path

import jwt
import pytest
import requests

from notify_emulator.clock import SystemClock
from notify_emulator.seed import load_seed_file
from notify_emulator.server import BackgroundServer
from notify_emulator.store import Store, apply_seed
from notify_emulator.store.admissions import (
    DailyCheck,
    DailyLimitHit,
    NotificationWrite,
    SendAdmission,
    Verdict,
)
from notify_emulator.web.group_commit import SendGroups

from ..emulators import emulator_settings, fresh_store, serve_emulator

SERVICE_ID = "33333333-3333-4333-8333-333333333333"
SECRET = "33333333-aaaa-4aaa-8aaa-000000000001"
TEMPLATE_ID = "33333333-bbbb-4bbb-8bbb-000000000001"
DAY = "2026-12-02"


def _seed(rate_limit: int, sms_limit: int) -> str:
    return f"""\
[[services]]
id = "{SERVICE_ID}"
name = "Group commit"
trial_mode = false
rate_limit = {rate_limit}
sms_message_limit = {sms_limit}

  [[services.api_keys]]
  name = "live"
  type = "normal"
  secret = "{SECRET}"

  [[services.templates]]
  id = "{TEMPLATE_ID}"
  name = "Text"
  type = "sms"
  body = "Hello"
"""


def _send_many(
    base_url: str, count: int, bodies: Sequence[dict[str, str]] | None = None
) -> list[requests.Response]:
    token = jwt.encode({"iss": SERVICE_ID, "iat": int(datetime.now().timestamp())}, SECRET)
    headers = {"Authorization": f"Bearer {token}"}
    bodies = bodies or [{"phone_number": "07700900123", "template_id": TEMPLATE_ID}] * count

    def send(body: dict[str, str]) -> requests.Response:
        return requests.post(f"{base_url}/v2/notifications/sms", json=body, headers=headers)

    with ThreadPoolExecutor(max_workers=25) as pool:
        return list(pool.map(send, bodies))


def _serve(
    tmp_path: Path, *, rate_limit: int, sms_limit: int
) -> AbstractContextManager[BackgroundServer]:
    seed = tmp_path / "seed.toml"
    seed.write_text(_seed(rate_limit, sms_limit))
    settings = emulator_settings(
        f"sqlite:///{tmp_path / 'emulator.sqlite3'}",
        clock=SystemClock(),
        config_path=seed,
        seed_demo=False,
    )
    return serve_emulator(settings)


def _stored_ids(server_url: str) -> set[str]:
    token = jwt.encode({"iss": SERVICE_ID, "iat": int(datetime.now().timestamp())}, SECRET)
    answer = requests.get(
        f"{server_url}/v2/notifications", headers={"Authorization": f"Bearer {token}"}
    )
    return {item["id"] for item in answer.json()["notifications"]}


def test_concurrent_sends_meet_the_daily_limit_exactly(tmp_path: Path) -> None:
    with _serve(tmp_path, rate_limit=100_000, sms_limit=30) as server:
        answers = _send_many(server.base_url, 60)
        statuses = sorted(answer.status_code for answer in answers)
        assert statuses == [201] * 30 + [429] * 30
        refused = [answer.json() for answer in answers if answer.status_code == 429]
        assert {error["errors"][0]["message"] for error in refused} == {
            "Exceeded send limits (sms: 30) for today"
        }
        # Every 201 names a stored notification, and nothing refused was stored.
        accepted = {answer.json()["id"] for answer in answers if answer.status_code == 201}
        assert _stored_ids(server.base_url) == accepted


def test_concurrent_sends_draw_exactly_on_the_rate_limit_bucket(tmp_path: Path) -> None:
    # rate_limit 60: a bucket of 21 tokens, one back each second.
    with _serve(tmp_path, rate_limit=60, sms_limit=1_000) as server:
        started = time.monotonic()
        answers = _send_many(server.base_url, 40)
        took = time.monotonic() - started
        accepted = sum(answer.status_code == 201 for answer in answers)
        # 20 from the full bucket, and at most one more for each second the burst took.
        assert 20 <= accepted <= 20 + math.ceil(took)
        refused = [answer.json()["errors"][0] for answer in answers if answer.status_code == 429]
        assert len(refused) == 40 - accepted
        assert {error["error"] for error in refused} == {"RateLimitError"}


def test_a_bad_request_still_takes_its_token_and_is_refused_by_the_limit_first(
    tmp_path: Path,
) -> None:
    with _serve(tmp_path, rate_limit=100_000, sms_limit=2) as server:
        good = {"phone_number": "07700900123", "template_id": TEMPLATE_ID}
        bad = {"phone_number": "not a number", "template_id": TEMPLATE_ID}
        first = _send_many(server.base_url, 2, [good, good])
        assert [answer.status_code for answer in first] == [201, 201]
        # At the limit, the daily limit answers before the body's own error (Notify's order).
        (over,) = _send_many(server.base_url, 1, [bad])
        assert over.status_code == 429
        assert over.json()["errors"][0]["error"] == "TooManyRequestsError"


def _admission(store_id: str | None = None, *, limit: int = 1_000) -> SendAdmission:
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    values = {
        "id": store_id or str(uuid.uuid4()),
        "service_id": SERVICE_ID,
        "api_key_id": None,
        "key_type": "normal",
        "template_id": TEMPLATE_ID,
        "template_version": 1,
        "reference": None,
        "created_at": now,
        "notification_type": "sms",
        "status": "created",
        "planned_steps": [],
        "recipient": "07700900123",
        "normalised_recipient": "447700900123",
        "personalisation": {},
    }
    return SendAdmission(
        service_id=SERVICE_ID,
        key_type="normal",
        rate_limit=100_000,
        day=now.strftime("%Y-%m-%d"),
        daily_checks=[DailyCheck("sms", limit)],
        write=NotificationWrite(values, count_channels=["sms"]),
    )


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with fresh_store(f"sqlite:///{tmp_path / 'store.sqlite3'}") as opened:
        seed = tmp_path / "seed.toml"
        seed.write_text(_seed(100_000, 1_000))
        apply_seed(opened, load_seed_file(seed))
        yield opened


def test_the_sends_of_one_turn_of_the_loop_share_one_transaction(store: Store) -> None:
    groups: list[int] = []
    admit_sends = store.admit_sends

    def counting(admissions: Sequence[SendAdmission]) -> list[Verdict | Exception]:
        groups.append(len(admissions))
        return admit_sends(admissions)

    store.admit_sends = counting  # type: ignore[method-assign]
    sends = SendGroups(store)

    async def main() -> list[Verdict]:
        together = await asyncio.gather(*(sends.admit(_admission()) for _ in range(7)))
        alone = await sends.admit(_admission())
        return [*together, alone]

    assert asyncio.run(main()) == ["admitted"] * 8
    assert groups == [7, 1]
    assert store.daily_count(SERVICE_ID, "sms", _admission().day) == 8


def test_a_group_is_decided_in_arrival_order(store: Store) -> None:
    admissions = [_admission(limit=3) for _ in range(5)]
    verdicts = store.admit_sends(admissions)
    hit = DailyLimitHit("sms", 3)
    assert verdicts == ["admitted", "admitted", "admitted", hit, hit]
    stored = {admission.write.values["id"] for admission in admissions[:3]}  # type: ignore[union-attr]
    assert {row.id for row in store.all_notifications(SERVICE_ID)} == stored


def test_one_failing_send_does_not_fail_the_others_of_its_group(store: Store) -> None:
    taken = str(uuid.uuid4())
    assert store.admit_sends([_admission(taken)]) == ["admitted"]
    results = store.admit_sends([_admission(), _admission(taken), _admission()])
    assert results[0] == "admitted"
    assert isinstance(results[1], Exception)  # the same id twice: refused by the database
    assert results[2] == "admitted"
    assert store.daily_count(SERVICE_ID, "sms", _admission().day) == 3
