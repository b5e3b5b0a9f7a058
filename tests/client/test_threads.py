"""One client shared by many threads."""

from __future__ import annotations

import re
import uuid
from concurrent.futures import ThreadPoolExecutor

from notifications_python_client import NotificationsAPIClient

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
