"""One client shared by many threads."""

from __future__ import annotations

import re
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from notifications_python_client import NotificationsAPIClient, _core

from .fakenotify import API_KEY, SERVICE_ID, FakeNotify, Received, Reply

THREADS = 8
CALLS_PER_THREAD = 10


def echo_notification(received: Received) -> Reply:
    notification_id = received.path.rsplit("/", 1)[-1]
    return Reply(200, {"id": notification_id, "status": "delivered"})


def test_threads_share_one_client(notify: FakeNotify) -> None:
    notify.responder = echo_notification
    wanted = [str(uuid.uuid4()) for _ in range(THREADS * CALLS_PER_THREAD)]

    with (
        NotificationsAPIClient(API_KEY, base_url=notify.url, max_retries=0) as client,
        ThreadPoolExecutor(max_workers=THREADS) as pool,
    ):
        answers = list(pool.map(client.get_notification_by_id, wanted))

    # Each thread got the answer to its own request, none was lost or mixed up.
    assert [answer["id"] for answer in answers] == wanted
    assert sorted(r.path.rsplit("/", 1)[-1] for r in notify.requests) == sorted(wanted)
    for sent in notify.requests:
        assert sent.claims()["iss"] == SERVICE_ID


def test_tokens_are_reused_for_a_few_seconds(notify: FakeNotify) -> None:
    notify.responder = echo_notification
    with NotificationsAPIClient(API_KEY, base_url=notify.url, max_retries=0) as client:
        for _ in range(3):
            client.get_notification_by_id(str(uuid.uuid4()))
    tokens = {r.headers["authorization"] for r in notify.requests}
    # Three calls within moments of each other; at most a second boundary splits them.
    assert 1 <= len(tokens) <= 2
    assert all(re.fullmatch(r"Bearer [\w-]+\.[\w-]+\.[\w-]+", token) for token in tokens)


def _assign(
    start: threading.Barrier, client: NotificationsAPIClient, name: str, value: str
) -> None:
    start.wait()
    setattr(client, name, value)


def test_assigning_the_service_id_and_the_key_at_once_keeps_both(
    notify: FakeNotify, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each assignment builds the new key from the current one; two at once must not let the
    # second undo the first. Building a key is made slow, so that the other thread runs while
    # one is part-way through (as a thread switch at the wrong moment would have it).
    notify.responder = echo_notification
    real_api_key = _core.ApiKey

    def slowly_built_key(**fields: str) -> _core.ApiKey:
        time.sleep(0.002)
        return real_api_key(**fields)

    monkeypatch.setattr(_core, "ApiKey", slowly_built_key)
    for round_number in range(10):
        client = NotificationsAPIClient(API_KEY, base_url=notify.url, max_retries=0)
        service_id, secret = str(uuid.uuid4()), str(uuid.uuid4())
        start = threading.Barrier(2)
        threads = [
            threading.Thread(target=_assign, args=(start, client, "service_id", service_id)),
            threading.Thread(target=_assign, args=(start, client, "api_key", secret)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        with client:
            client.get_notification_by_id(str(uuid.uuid4()))
        # Signed with the new secret, issued by the new service.
        assert notify.last.claims(secret)["iss"] == service_id, round_number
