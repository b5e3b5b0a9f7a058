"""``GET /_emulator/events``: server-sent events for the pages' live updates.

Events come from the database, not from this process: every write that creates a notification
or received text, or changes a status, appends to the change log (``activity_events``) in its
own transaction, and each stream reads the log after the last entry it sent, every
:data:`POLL_SECONDS`. So a page served by one worker process hears of a message sent through
another. Statuses move on lazily (on reads), so each poll first applies the steps that are due.

Events (``event:`` name, JSON ``data:``):

- ``notification``: ``{"id", "status", "internal_status", "type"}`` when one is created or its
  status changes (``status`` as the v2 API shows it; ``internal_status`` as stored);
- ``received_text``: ``{"id", "service_id", "user_number"}``;
- ``callback``: ``{"id", "type", "notification_id", "received_text_id", "state"}`` when a
  callback is queued, attempted or made due again;
- ``reset``: ``{}`` when everything sent and received was cleared.

Each event's ``id:`` is its place in the log, so a browser that reconnects (``Last-Event-ID``)
carries on where it left off. A stream ends after :data:`STREAM_SECONDS` (the browser
reconnects at once), so that no response stays open for ever.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from notify_emulator.store.inbox import ActivityEvent, events_after, latest_event_seq
from notify_emulator.web.context import Emulator

__all__ = ["POLL_SECONDS", "STREAM_SECONDS", "events"]

logger = logging.getLogger("notify_emulator")

POLL_SECONDS = 0.25
# A comment line this often keeps the connection from looking idle.
KEEPALIVE_SECONDS = 15.0
# How long one response streams before the browser is asked to reconnect.
STREAM_SECONDS = 300.0
# How soon a browser reconnects after a stream ends (milliseconds).
RETRY_MS = 500
# Most events sent per poll; the rest follow on the next.
BATCH = 500


def _format(event: ActivityEvent) -> str:
    data = json.dumps(event.data, separators=(",", ":"), sort_keys=True)
    return f"id: {event.seq}\nevent: {event.kind}\ndata: {data}\n\n"


def _poll(emulator: Emulator, after: int) -> list[ActivityEvent]:
    emulator.store.advance_due_statuses()
    return events_after(emulator.store, after, limit=BATCH)


def _start(emulator: Emulator, last_event_id: str | None) -> int:
    latest = latest_event_seq(emulator.store)
    if last_event_id is not None and last_event_id.isdigit():
        # Carry on after what the browser last had, unless that is ahead of the log (the
        # database was replaced): then start from now.
        resumed = int(last_event_id)
        if resumed <= latest:
            return resumed
    return latest


async def events(request: Request) -> Response:
    """The event stream."""
    emulator: Emulator = request.app.state.emulator
    after = await run_in_threadpool(_start, emulator, request.headers.get("last-event-id"))

    async def stream() -> AsyncIterator[str]:
        position = after
        started = last_sent = time.monotonic()
        yield f"retry: {RETRY_MS}\n: connected\n\n"
        while time.monotonic() - started < STREAM_SECONDS:
            if await request.is_disconnected():
                return
            try:
                found = await run_in_threadpool(_poll, emulator, position)
            except Exception:
                # E.g. the database went away: end this stream; the browser reconnects.
                logger.exception("the events stream could not read the change log")
                return
            if found:
                position = found[-1].seq
                yield "".join(_format(event) for event in found)
                last_sent = time.monotonic()
            elif time.monotonic() - last_sent >= KEEPALIVE_SECONDS:
                yield ": keep-alive\n\n"
                last_sent = time.monotonic()
            await asyncio.sleep(POLL_SECONDS)

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"X-Accel-Buffering": "no"},
    )
