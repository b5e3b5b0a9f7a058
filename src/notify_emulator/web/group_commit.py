"""Group commit on the event loop: the sends handled in one turn of the loop share a transaction.

A send handler runs on the event loop (web/handlers.py) and ends with a
:class:`~notify_emulator.store.admissions.SendAdmission`: the token to take, the daily limits to
check and the row to store. :meth:`SendGroups.admit` queues it and schedules one flush for the
loop's next turn; the flush admits every queued send in arrival order in one transaction
(``Store.admit_sends``) and hands each its verdict, so each request answers after the commit
that made it durable. Under load a turn handles many requests, so their commits are shared;
alone, a send waits for no one (the flush runs as soon as the loop has nothing else ready).
"""

from __future__ import annotations

import asyncio
import logging

from notify_emulator.store import Store
from notify_emulator.store.admissions import SendAdmission, Verdict

__all__ = ["SendGroups"]

logger = logging.getLogger("notify_emulator")

_Waiting = tuple[SendAdmission, "asyncio.Future[Verdict]"]


class SendGroups:
    """Admits sends in groups, one group per turn of each event loop that sends."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._waiting: dict[asyncio.AbstractEventLoop, list[_Waiting]] = {}

    async def admit(self, admission: SendAdmission) -> Verdict:
        """The send's verdict, once the transaction holding it (and its row) has committed."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Verdict] = loop.create_future()
        group = self._waiting.setdefault(loop, [])
        group.append((admission, future))
        if len(group) == 1:
            loop.call_soon(self._flush, loop)
        return await future

    def _flush(self, loop: asyncio.AbstractEventLoop) -> None:
        group = self._waiting.pop(loop, [])
        if not group:
            return
        try:
            results = self._store.admit_sends([admission for admission, _ in group])
        except Exception as error:
            results = [error] * len(group)
        for (_, future), result in zip(group, results, strict=True):
            if future.done():  # its request was cancelled (the client went away): still stored
                continue
            if isinstance(result, Exception):
                future.set_exception(result)
            else:
                future.set_result(result)

    def __repr__(self) -> str:
        return f"SendGroups(waiting={sum(len(group) for group in self._waiting.values())})"
