"""Callbacks go out concurrently: a slow receiver delays neither the callbacks of other
receivers nor its own retries' schedule, and an attempt in flight outlives a restart of the
worker (real emulator, real receivers on loopback)."""

from __future__ import annotations

import time
from pathlib import Path

from notify_emulator.app import create_app
from notify_emulator.callbacks import CallbackAnswer, CallbackReceiver
from notify_emulator.demo import service as demo
from notify_emulator.server import BackgroundServer

from .callback_harness import Served, fast_settings, serving

SLOW_ANSWER_SECONDS = 1.5
TIMEOUT_SECONDS = 3.0


def send_texts(served: Served, count: int) -> None:
    client = served.client()
    for index in range(count):
        client.send_sms_notification("07700900123", demo.SMS_TEMPLATE_ID, {"name": str(index)})


def receive_text(served: Served) -> None:
    answer = served.admin(
        "POST",
        "/_emulator/received-texts",
        json={"service_id": demo.SERVICE_ID, "user_number": "07700900111", "content": "Hi"},
    )
    assert answer.status_code == 201, answer.text


def test_a_slow_receiver_does_not_hold_up_another(tmp_path: Path) -> None:
    settings = fast_settings(
        f"sqlite:///{tmp_path / 'slow.sqlite3'}", callback_timeout=TIMEOUT_SECONDS
    )
    slow_answer = CallbackAnswer(200, delay=SLOW_ANSWER_SECONDS)
    with (
        serving(settings) as served,
        CallbackReceiver(default=slow_answer) as slow,
        CallbackReceiver() as fast,
    ):
        # One service: its delivery receipts go to the slow receiver, its texts to the fast.
        served.set_callbacks(slow.url, types=("delivery_status",))
        served.set_callbacks(fast.url, types=("inbound_sms",))
        send_texts(served, 3)
        slow.wait_for(1)
        started = time.monotonic()
        receive_text(served)
        fast.wait_for(1)
        assert time.monotonic() - started < 0.5  # not after the slow receiver's answers
        # The slow receiver's own callbacks do not wait for each other's answers either.
        slow.wait_for(3, timeout=SLOW_ANSWER_SECONDS + 1.0)
        assert time.monotonic() - started < SLOW_ANSWER_SECONDS + 0.5
        callbacks = served.wait_settled(4)
    assert [c["state"] for c in callbacks] == ["delivered"] * 4
    assert all(len(c["attempts"]) == 1 for c in callbacks)
    assert len(slow.requests) == 3


def test_retries_keep_their_spacing_after_a_slow_answer(tmp_path: Path) -> None:
    retry_delay = 1.5
    settings = fast_settings(
        f"sqlite:///{tmp_path / 'spacing.sqlite3'}",
        callback_timeout=TIMEOUT_SECONDS,
        callback_retry_delay=retry_delay,
    )
    with serving(settings) as served, CallbackReceiver() as receiver:
        # The first attempt is answered late, and with a 500: retried.
        receiver.respond_with(CallbackAnswer(500, delay=1.0))
        served.set_callbacks(receiver.url, types=("delivery_status",))
        send_texts(served, 1)
        receiver.wait_for(1)
        first = time.monotonic()
        receiver.wait_for(2, timeout=retry_delay + 3)
        spacing = time.monotonic() - first
        (callback,) = served.wait_settled(1)
    # Measured from when the first attempt was due, not from when its answer came.
    assert retry_delay - 0.1 <= spacing < retry_delay + 0.4, spacing
    assert [a["status_code"] for a in callback["attempts"]] == [500, 200]


def test_an_attempt_in_flight_through_a_restart_is_kept_and_its_thread_ends(
    tmp_path: Path,
) -> None:
    settings = fast_settings(f"sqlite:///{tmp_path / 'restart.sqlite3'}", callback_timeout=2.0)
    app = create_app(settings)
    worker = app.state.emulator.callback_worker
    with (
        BackgroundServer(app) as server,
        CallbackReceiver(default=CallbackAnswer(200, delay=0.8)) as receiver,
    ):
        served = Served(base_url=server.base_url)
        served.set_callbacks(receiver.url, types=("delivery_status",))
        send_texts(served, 1)
        receiver.wait_for(1)
        in_flight = list(worker._delivery_threads)
        worker.stop(timeout=0.1)  # the attempt is still waiting for its answer
        worker.start()
        (callback,) = served.wait_settled(1)
        for thread in in_flight:
            thread.join(2.0)
            assert not thread.is_alive(), "a delivery thread outlived its worker's stop()"
    assert callback["state"] == "delivered"
    assert len(callback["attempts"]) == 1
    assert len(receiver.requests) == 1
