"""One database, many readers and writers: paging that never skips or repeats rows created at
the same moment, the emulator's own listing a page at a time, and status steps and daily
counts applied exactly once when threads (or processes) race.

The concurrency tests run on a SQLite file with one store per thread (as separate worker
processes would have), and on PostgreSQL when NOTIFY_EMULATOR_TEST_POSTGRES_URL is set (the
database it names is emptied).
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import requests

from notify_emulator.clock import FrozenClock, utc_naive
from notify_emulator.demo import service as demo
from notify_emulator.demo.service import demo_seed
from notify_emulator.store import Store, apply_seed, tables
from notify_emulator.store.engine import create_database_engine

from .emulator_harness import TEST_PAGE_SIZE, Running

POSTGRES_URL = os.environ.get("NOTIFY_EMULATOR_TEST_POSTGRES_URL", "")
THREADS = 8


# --- paging with equal timestamps ----------------------------------------------------------------


def _send_at_one_moment(emulator: Running, count: int) -> list[str]:
    # The clock is frozen and not moved: every notification has the same created_at.
    client = emulator.client()
    return [
        client.send_sms_notification("07700900123", demo.SMS_TEMPLATE_ID, {"name": "A"})["id"]
        for _ in range(count)
    ]


def test_v2_paging_neither_skips_nor_repeats_equal_timestamps(emulator: Running) -> None:
    sent = _send_at_one_moment(emulator, TEST_PAGE_SIZE * 2 + 2)
    every = [n["id"] for n in emulator.client().get_all_notifications_iterator()]
    assert sorted(every) == sorted(sent)
    assert len(set(every)) == len(every)
    assert every == sorted(sent, reverse=True)  # created_at ties go by id, descending


def test_received_texts_paging_neither_skips_nor_repeats_equal_timestamps(
    emulator: Running,
) -> None:
    store = emulator.emulator.store
    moment = datetime.now(timezone.utc)
    ids = [str(uuid.uuid4()) for _ in range(TEST_PAGE_SIZE + 3)]
    for text_id in ids:
        store.insert_received_text(
            demo.SERVICE_ID,
            "447700900111",
            "hi",
            notify_number=None,
            created_at=moment,
            text_id=text_id,
        )
    every = [t["id"] for t in emulator.client().get_received_texts_iterator()]
    assert every == sorted(ids, reverse=True)


def _listing(emulator: Running, **params: object) -> requests.Response:
    return requests.get(emulator.base_url + "/_emulator/notifications", params=params, timeout=10)


def test_the_emulators_listing_comes_a_page_at_a_time(emulator: Running) -> None:
    sent = _send_at_one_moment(emulator, 7)
    emulator.clock.advance(0.001)
    newest = _send_at_one_moment(emulator, 1)
    # Without a limit, everything at once, as before.
    complete = _listing(emulator).json()
    assert set(complete) == {"notifications"}
    assert [n["id"] for n in complete["notifications"]] == newest + sorted(sent, reverse=True)
    seen: list[str] = []
    page = _listing(emulator, limit=3, service_id=demo.SERVICE_ID).json()
    while True:
        seen.extend(n["id"] for n in page["notifications"])
        if "links" not in page:
            break
        next_url = page["links"]["next"]
        assert next_url.startswith(emulator.base_url + "/_emulator/notifications?")
        assert f"service_id={demo.SERVICE_ID}" in next_url
        page = requests.get(next_url, timeout=10).json()
    assert seen == [n["id"] for n in complete["notifications"]]


@pytest.mark.parametrize("limit", ["0", "10001", "-1", "x", "1" * 50])
def test_a_bad_limit_is_refused(emulator: Running, limit: str) -> None:
    answer = _listing(emulator, limit=limit)
    assert answer.status_code == 400
    assert answer.json() == {"error": "limit must be a whole number from 1 to 10000"}


def test_an_unknown_or_bad_cursor(emulator: Running) -> None:
    _send_at_one_moment(emulator, 2)
    assert _listing(emulator, older_than=str(uuid.uuid4())).json() == {"notifications": []}
    answer = _listing(emulator, older_than="nope")
    assert answer.status_code == 400
    assert answer.json() == {"error": "older_than must be a notification id"}


# --- once only, under concurrency ----------------------------------------------------------------


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
def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], Store]]:
    """Opens stores on one database, each with its own connections and locks (as separate
    worker processes have), on a shared frozen clock."""
    if request.param == "postgres":
        engine = create_database_engine(POSTGRES_URL)
        tables.metadata.drop_all(engine)
        engine.dispose()
        url = POSTGRES_URL
    else:
        url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    clock = FrozenClock(datetime.now(timezone.utc))
    opened: list[Store] = []

    def opener() -> Store:
        store = Store.open(url, clock)
        opened.append(store)
        return store

    apply_seed(opener(), demo_seed())
    yield opener
    for store in opened:
        store.close()


def _in_threads(work: Callable[[Store, int], Any], opener: Callable[[], Store]) -> list[Any]:
    stores = [opener() for _ in range(THREADS)]
    start = threading.Barrier(THREADS)
    results: list[Any] = [None] * THREADS
    failures: list[BaseException] = []

    def run(index: int) -> None:
        start.wait()
        try:
            results[index] = work(stores[index], index)
        except BaseException as error:  # reported below
            failures.append(error)

    threads = [threading.Thread(target=run, args=(index,)) for index in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not failures, failures
    return results


def _notification(
    store: Store, created_at: datetime, steps: list[dict[str, str]]
) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "service_id": demo.SERVICE_ID,
        "api_key_id": None,
        "key_type": "normal",
        "notification_type": "sms",
        "template_id": demo.SMS_TEMPLATE_ID,
        "template_version": 1,
        "recipient": "07700900123",
        "normalised_recipient": "447700900123",
        "personalisation": {"name": "A"},
        "reference": None,
        "status": "created",
        "created_at": created_at,
        "planned_steps": steps,
    }


def test_each_status_step_is_applied_once(open_store: Callable[[], Store]) -> None:
    store = open_store()
    now = utc_naive(store.clock.now())
    due = (now - timedelta(seconds=1)).isoformat()
    for _ in range(40):
        store.insert_notification(
            _notification(store, now - timedelta(seconds=2), [{"status": "sending", "at": due}])
        )
    changed = _in_threads(lambda each, _: each.advance_due_statuses(), open_store)
    assert sum(changed) == 40  # every row moved on once, by exactly one of the threads
    assert {record.status for record in store.all_notifications()} == {"sending"}


def test_concurrent_first_sends_of_a_day_are_all_counted(open_store: Callable[[], Store]) -> None:
    store = open_store()
    tomorrow = utc_naive(store.clock.now()) + timedelta(days=1)

    def send(each: Store, index: int) -> None:
        for _ in range(5):
            each.insert_notification(_notification(each, tomorrow, []), count_channels=["sms"])

    _in_threads(send, open_store)
    day = tomorrow.strftime("%Y-%m-%d")
    assert store.daily_count(demo.SERVICE_ID, "sms", day) == THREADS * 5
    assert store.count_rows("notifications") == THREADS * 5


def test_the_rate_limit_bucket_is_shared_and_exact(open_store: Callable[[], Store]) -> None:
    from notify_emulator.store.rate_buckets import SharedRateLimiter

    store = open_store()
    clock = store.clock

    def take(each: Store, _index: int) -> int:
        limiter = SharedRateLimiter(each.db, lambda: clock.now().timestamp())
        return sum(limiter.consume(demo.SERVICE_ID, "normal", 60) for _ in range(10))

    # rate_limit 60: a bucket of 21, so 20 takes pass and the clock does not move.
    assert sum(_in_threads(take, open_store)) == 20
