"""Send text messages with one client for a fixed time and print the rate as JSON.

This file runs in two virtualenvs: ours, and ``benchmarks/.venv-official`` that holds only the
official ``notifications-python-client``. It therefore imports nothing but the standard library
and whichever ``notifications_python_client`` that interpreter has, and is run by path, never
as part of the ``benchmarks`` package.

    NOTIFY_API_KEY=KEY python client_runner.py --base-url URL --template-id ID
        [--mode sync|async] [--concurrency N] [--duration S] [--warmup S] [--cpu N] [--sends N]

The API key comes from the environment, so that it never shows in a process list.
The last line of its output is one JSON object: client module path and version, sends,
failures, measured seconds, sends per second, and the client process's CPU time per send.
With ``--sends N`` it sends exactly N messages, without a warm-up, for counting the
instructions a number of sends takes (``instructions.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from typing import Any

API_KEY_VARIABLE = "NOTIFY_API_KEY"
PHONE_NUMBER = "07700900123"
PERSONALISATION = {"name": "Ada Lovelace", "reference_code": "ABC-123"}


def _send_kwargs(template_id: str) -> dict[str, Any]:
    return {
        "phone_number": PHONE_NUMBER,
        "template_id": template_id,
        "personalisation": PERSONALISATION,
        "reference": "bench",
    }


def _api_key() -> str:
    key = os.environ.get(API_KEY_VARIABLE)
    if not key:
        raise ValueError(f"set {API_KEY_VARIABLE} to the API key to send with")
    return key


def run_sync(args: argparse.Namespace) -> dict[str, Any]:
    """Send one message at a time from one client; count completed sends in the window."""
    from notifications_python_client import NotificationsAPIClient

    client = NotificationsAPIClient(_api_key(), base_url=args.base_url)
    kwargs = _send_kwargs(args.template_id)
    if args.sends is not None:
        cpu_start, start = time.process_time(), time.perf_counter()
        for _ in range(args.sends):
            client.send_sms_notification(**kwargs)
        cpu, seconds = time.process_time() - cpu_start, time.perf_counter() - start
        return {"sends": args.sends, "failures": 0, "seconds": seconds, "cpu_seconds": cpu}
    warmup_end = time.perf_counter() + args.warmup
    while time.perf_counter() < warmup_end:
        client.send_sms_notification(**kwargs)
    sends = failures = 0
    cpu_start = time.process_time()
    start = time.perf_counter()
    deadline = start + args.duration
    now = start
    while now < deadline:
        try:
            client.send_sms_notification(**kwargs)
            sends += 1
        except Exception:
            failures += 1
        now = time.perf_counter()
    cpu = time.process_time() - cpu_start
    return {"sends": sends, "failures": failures, "seconds": now - start, "cpu_seconds": cpu}


async def _run_async(args: argparse.Namespace) -> dict[str, Any]:
    from notifications_python_client.aio import AsyncNotificationsAPIClient

    client = AsyncNotificationsAPIClient(_api_key(), base_url=args.base_url)
    kwargs = _send_kwargs(args.template_id)
    if args.sends is not None:
        try:
            return await _send_count(client, kwargs, args.sends, args.concurrency)
        finally:
            await _close(client)
    counts = {"sends": 0, "failures": 0}
    measuring = False

    async def worker(deadline: float) -> None:
        while time.perf_counter() < deadline:
            try:
                await client.send_sms_notification(**kwargs)
                ok = True
            except Exception:
                ok = False
            if measuring and time.perf_counter() <= deadline:
                counts["sends" if ok else "failures"] += 1

    try:
        warmup_end = time.perf_counter() + args.warmup
        await asyncio.gather(*(worker(warmup_end) for _ in range(args.concurrency)))
        measuring = True
        cpu_start = time.process_time()
        start = time.perf_counter()
        await asyncio.gather(*(worker(start + args.duration) for _ in range(args.concurrency)))
        seconds = time.perf_counter() - start
        cpu = time.process_time() - cpu_start
    finally:
        await _close(client)
    return {**counts, "seconds": seconds, "cpu_seconds": cpu}


async def _send_count(
    client: Any, kwargs: dict[str, Any], sends: int, concurrency: int
) -> dict[str, Any]:
    numbers = iter(range(sends))

    async def worker() -> None:
        for _ in numbers:
            await client.send_sms_notification(**kwargs)

    cpu_start, start = time.process_time(), time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    cpu, seconds = time.process_time() - cpu_start, time.perf_counter() - start
    return {"sends": sends, "failures": 0, "seconds": seconds, "cpu_seconds": cpu}


async def _close(client: object) -> None:
    # The async client owns a connection pool; release it with whichever close it offers.
    for name in ("aclose", "close"):
        close = getattr(client, name, None)
        if close is not None:
            result = close()
            if asyncio.iscoroutine(result):
                await result
            return


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--template-id", required=True)
    parser.add_argument("--mode", choices=("sync", "async"), default="sync")
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--duration", type=float, default=3.0)
    parser.add_argument("--warmup", type=float, default=0.5)
    parser.add_argument("--cpu", type=int, default=None, help="pin the process to this core")
    parser.add_argument("--sends", type=int, default=None, help="send exactly this many")
    args = parser.parse_args()
    if args.cpu is not None:
        os.sched_setaffinity(0, {args.cpu})
    if args.mode == "sync" and args.concurrency != 1:
        raise ValueError("the sync mode sends sequentially: --concurrency must be 1")

    import notifications_python_client

    result = run_sync(args) if args.mode == "sync" else asyncio.run(_run_async(args))
    result.update(
        module=notifications_python_client.__file__,
        version=notifications_python_client.__version__,
        python=sys.version.split()[0],
        rate=result["sends"] / result["seconds"] if result["seconds"] else 0.0,
        cpu_ms_per_send=1000 * result["cpu_seconds"] / max(1, result["sends"] + result["failures"]),
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
