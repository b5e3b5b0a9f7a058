"""The delivery worker: one per emulator process, started and stopped with the app.

Every tick it applies due status steps (so receipts are queued without anyone reading) and
claims due callbacks from the outbox; delivery threads post them, several at once, so that a
slow or silent receiver holds up only its own callbacks. Attempts to one URL start one at a
time while it answers promptly (so a receiver that keeps up gets them in order, oldest first);
while one goes unanswered, up to :data:`PER_RECEIVER` may be in flight to it, started at least
:data:`STAGGER_SECONDS` apart. Claims are leases in the database, so any number of processes
can share one outbox without making an attempt twice, and an attempt whose process died is
taken up again when its lease runs out (Notify's at-least-once delivery).

Due times are on the emulator's clock (a moved clock brings retries forward), and a retry is
due the retry delay after the attempt before it was due; leases, ticks and timeouts are real
time.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from notify_emulator.callbacks.delivery import post_callback, safe_url
from notify_emulator.clock import format_timestamp
from notify_emulator.rules.callbacks import (
    DEFAULT_RETRY_DELAY_SECONDS,
    REQUEST_TIMEOUT_SECONDS,
    decide_after_attempt,
)
from notify_emulator.store import Store
from notify_emulator.store.outbox import FAILED, ClaimedCallback, claim_due, record_attempt

if TYPE_CHECKING:
    import requests

logger = logging.getLogger("notify_emulator.callbacks")

# How often the worker looks for due statuses and callbacks (it is also woken early).
TICK_SECONDS = 0.1
# Attempts in flight at once from one process (each on its own thread, started as needed).
DELIVERY_THREADS = 16
# Attempts in flight at once to one URL, and how long the newest must have gone unanswered
# before another to the same URL starts.
PER_RECEIVER = 4
STAGGER_SECONDS = 0.25
# An attempt made at most this late (the emulator's clock) has its retry spaced from when it
# was due; a later one (the emulator was stopped, the clock was moved) from when it was made.
LATE_TOLERANCE = timedelta(seconds=0.5)
# How long past the request timeout a claim is held if its process dies mid-attempt.
LEASE_MARGIN_SECONDS = 10.0
# Due rows read per claim (of each URL that may take another attempt, only the oldest is
# claimed).
CLAIM_WINDOW = 50
# How long stop() waits for the loop and in-flight attempts.
STOP_TIMEOUT_SECONDS = 2.0

_STOP = object()


def _real_now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class CallbackWorker:
    """Advances statuses and delivers the outbox in background threads."""

    def __init__(
        self,
        store: Store,
        *,
        retry_delay: float = DEFAULT_RETRY_DELAY_SECONDS,
        timeout: float = REQUEST_TIMEOUT_SECONDS,
        tick: float = TICK_SECONDS,
        threads: int = DELIVERY_THREADS,
        per_receiver: int = PER_RECEIVER,
    ) -> None:
        if retry_delay < 0:
            raise ValueError(f"retry_delay must not be negative, not {retry_delay!r}")
        if timeout <= 0:
            raise ValueError(f"timeout must be positive, not {timeout!r}")
        if threads < 1:
            raise ValueError(f"threads must be at least 1, not {threads!r}")
        if per_receiver < 1:
            raise ValueError(f"per_receiver must be at least 1, not {per_receiver!r}")
        self._store = store
        self._retry_delay = timedelta(seconds=retry_delay)
        self._timeout = timeout
        self._tick = tick
        self._lease = timedelta(seconds=timeout + LEASE_MARGIN_SECONDS)
        self._threads = threads
        self._per_receiver = per_receiver
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._jobs: queue.Queue[object] = queue.Queue()
        # Attempts in flight from this process: URL -> callback id -> when it started
        # (monotonic).
        self._in_flight: dict[str, dict[str, float]] = {}
        self._busy_lock = threading.Lock()
        self._running: list[threading.Thread] = []
        self._delivery_threads: list[threading.Thread] = []
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._sessions_lock = threading.Lock()
        self._last_error: str | None = None
        self._next_look: float | None = None  # monotonic time a retry falls due, if sooner

    # --- lifetime ------------------------------------------------------------------------

    def start(self) -> None:
        """Start the loop (a daemon thread: it never holds a process up); delivery threads
        are started as attempts need them."""
        if self._running:
            raise RuntimeError("the callback worker is already running")
        self._stopping.clear()
        loop = threading.Thread(target=self._loop, name="notify-emulator-callbacks", daemon=True)
        self._running = [loop]
        loop.start()

    def stop(self, timeout: float = STOP_TIMEOUT_SECONDS) -> None:
        """Stop looking for work; attempts in flight may finish (their results are kept if
        the store is still open) or are taken up again by the next start (their leases run
        out)."""
        self._stopping.set()
        self._wake.set()
        deadline = time.monotonic() + timeout
        if self._running:
            self._running[0].join(max(0.0, deadline - time.monotonic()))  # the loop: no claims
        with self._busy_lock:
            delivery = list(self._delivery_threads)
            self._delivery_threads = []
        for _ in delivery:
            self._jobs.put(_STOP)
        for thread in delivery:
            thread.join(max(0.0, deadline - time.monotonic()))
        self._running = []
        with self._busy_lock:
            self._in_flight.clear()
        # Claimed attempts no thread took up are left to their leases.
        self._jobs = queue.Queue()
        with self._sessions_lock:
            for session in self._sessions:
                session.close()
            self._sessions.clear()

    def wake(self) -> None:
        """Look for work now rather than at the next tick."""
        self._wake.set()

    # --- the loop ------------------------------------------------------------------------

    def _loop(self) -> None:
        while not self._stopping.is_set():
            self.run_once()
            self._wake.wait(self._wait())
            self._wake.clear()

    def _wait(self) -> float:
        # Sleep a tick, or less when a retry falls due sooner (short retry delays in tests).
        with self._busy_lock:
            soon, self._next_look = self._next_look, None
        if soon is None:
            return self._tick
        return max(0.0, min(self._tick, soon - time.monotonic()))

    def _look_again_in(self, seconds: float) -> None:
        due = time.monotonic() + seconds
        with self._busy_lock:
            if self._next_look is None or due < self._next_look:
                self._next_look = due

    def run_once(self) -> int:
        """Apply due statuses and hand out due callbacks once; returns how many were claimed.

        Errors (a database briefly busy or gone) are logged once and retried next tick.
        A tick with nothing due (most ticks) makes one read and no write. The tick checks the
        configuration generation once (as a request does), so its reads share one offset of
        the emulator's clock.
        """
        store = self._store
        try:
            with store.config.one_check():
                if not store.work_due():
                    claimed = []
                else:
                    store.advance_due_statuses()
                    claimed = self._claim()
        except Exception as error:  # the loop must outlive any one failure
            self._log_failure(error)
            return 0
        self._last_error = None
        for callback in claimed:
            self._jobs.put(callback)
        return len(claimed)

    def _claim(self) -> list[ClaimedCallback]:
        started = time.monotonic()
        blocked: list[str] = []
        with self._busy_lock:
            free = self._threads - self._in_flight_count()
            for url, starts in self._in_flight.items():
                if len(starts) >= self._per_receiver:
                    blocked.append(url)
                elif starts:
                    waited = started - max(starts.values())
                    if waited < STAGGER_SECONDS:
                        blocked.append(url)
                        # Look again when another attempt to it may start.
                        due = started + STAGGER_SECONDS - waited
                        if self._next_look is None or due < self._next_look:
                            self._next_look = due
        if free <= 0:
            return []
        claimed = claim_due(
            self._store.db,
            now=self._store.now(),
            real_now=_real_now(),
            lease=self._lease,
            limit=CLAIM_WINDOW,
            skip_urls=blocked,
            one_per_url=True,
            at_most=free,
        )
        with self._busy_lock:
            for callback in claimed:
                self._in_flight.setdefault(callback.receiver, {})[callback.id] = started
            self._start_threads()
        return claimed

    def _start_threads(self) -> None:
        # One delivery thread per attempt in flight (held: _busy_lock); threads stay for
        # later attempts until stop().
        needed = self._in_flight_count()
        while len(self._delivery_threads) < needed and not self._stopping.is_set():
            thread = threading.Thread(
                target=self._deliver_jobs,
                args=(self._jobs,),  # its own queue: a thread outliving stop() ends with it
                name=f"notify-emulator-callbacks-{len(self._delivery_threads) + 1}",
                daemon=True,
            )
            self._delivery_threads.append(thread)
            thread.start()

    def _in_flight_count(self) -> int:
        return sum(len(starts) for starts in self._in_flight.values())

    def _finished(self, callback: ClaimedCallback) -> None:
        with self._busy_lock:
            starts = self._in_flight.get(callback.receiver)
            if starts is not None:
                starts.pop(callback.id, None)
                if not starts:
                    del self._in_flight[callback.receiver]

    def _log_failure(self, error: Exception) -> None:
        text = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
        if text != self._last_error:
            logger.warning("callback worker: %s (will keep trying)", text)
            self._last_error = text

    # --- delivery threads ----------------------------------------------------------------

    def _deliver_jobs(self, jobs: queue.Queue[object]) -> None:
        while True:
            job = jobs.get()
            if job is _STOP or not isinstance(job, ClaimedCallback):
                return
            try:
                self.deliver(job)
            except Exception:
                logger.exception("callback %s: delivery failed unexpectedly", job.id)
            finally:
                self._finished(job)
                self._wake.set()

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            import requests  # with the first attempt, as delivery.py imports it

            # One keep-alive session per thread, as Notify keeps one per worker thread.
            session = requests.Session()
            self._local.session = session
            with self._sessions_lock:
                self._sessions.append(session)
        return session

    def next_attempt_at(self, due_at: datetime, attempted_at: datetime) -> datetime:
        """When the retry of an attempt due at ``due_at`` and made at ``attempted_at`` is due:
        the retry delay after ``due_at``, however long the answer took (a retry whose time has
        come by then is made at once); after ``attempted_at`` if the attempt was made late."""
        base = due_at if attempted_at - due_at <= LATE_TOLERANCE else attempted_at
        return base + self._retry_delay

    def deliver(self, callback: ClaimedCallback) -> None:
        """Make a claimed attempt and record what happened."""
        store = self._store
        attempted_at = store.now()
        if callback.setting_missing:
            # Notify's inbound-SMS task does nothing when the setting has gone (§1).
            record_attempt(
                store.db,
                callback,
                {
                    "at": format_timestamp(attempted_at),
                    "error": "not sent: the service no longer has a received text messages "
                    "callback",
                    "duration_ms": 0,
                },
                state=FAILED,
                next_attempt_at=None,
            )
            return
        result = post_callback(
            self._session(),
            callback.url,
            callback.bearer_token,
            callback.body,
            timeout=self._timeout,
        )
        attempts_made = len(callback.attempts) + 1
        outcome = decide_after_attempt(
            result.status_code,
            attempts_made=attempts_made,
            attempt_limit=callback.attempt_limit,
            retry_delay=self._retry_delay.total_seconds(),
        )
        next_at = (
            self.next_attempt_at(callback.due_at, attempted_at)
            if outcome.state == "pending"
            else None
        )
        if next_at is not None:
            self._look_again_in(max(0.0, (next_at - store.now()).total_seconds()))
        attempt: dict[str, object] = {"at": format_timestamp(attempted_at)}
        if result.status_code is not None:
            attempt["status_code"] = result.status_code
        else:
            attempt["error"] = result.error
        attempt["duration_ms"] = result.duration_ms
        if result.status_code is not None:
            # Escaped and cut short, never with the token (delivery.response_excerpt).
            attempt["response_excerpt"] = result.response_excerpt or ""
        kept = record_attempt(
            store.db, callback, attempt, state=outcome.state, next_attempt_at=next_at
        )
        answer = (
            f"HTTP {result.status_code}" if result.status_code is not None else str(result.error)
        )
        if result.response_excerpt:
            answer += f" {result.response_excerpt!r}"
        follow = {
            "delivered": "delivered",
            "failed": "failed, no more attempts",
            "pending": f"next attempt at {format_timestamp(next_at)}",
        }[outcome.state]
        logger.info(
            "callback %s (%s) attempt %d of %d to %s: %s in %d ms; %s%s",
            callback.id,
            callback.callback_type,
            attempts_made,
            callback.attempt_limit,
            safe_url(callback.url),
            answer,
            result.duration_ms,
            follow,
            "" if kept else " (not recorded: the outbox was reset or the claim lapsed)",
        )
