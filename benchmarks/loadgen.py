"""An aiohttp load generator, run in its own process: a fixed time or a fixed count of requests.

    [NOTIFY_API_KEY=KEY] python -m benchmarks.loadgen --url URL [--method POST] [--body JSON]
        [--concurrency N] (--duration S [--warmup S] | --count N) [--expect 201] [--cpu N]

With an API key in the environment (never on the command line, where a process list would
show it) every request carries a Notify bearer token (notify-api.md §2.2). Tokens are
minted at most once a second, well inside the 30 s the server accepts, so that signing costs the
generator almost nothing. The last output line is one JSON object: requests, failures, statuses,
seconds, rate, p50/p99 latency in milliseconds, all requests sent (warm-up included), and
the share of its run the generator spent on the CPU.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import jwt

from benchmarks.results import percentile

TOKEN_LIFETIME_SECONDS = 1.0
API_KEY_VARIABLE = "NOTIFY_API_KEY"


class _Tokens:
    """Bearer tokens for one API key, re-minted once the current one is a second old."""

    def __init__(self, api_key: str) -> None:
        # The key string is "{name}-{service_id}-{secret}"; split by position (§2.1).
        self._service_id = api_key[-73:-37]
        self._secret = api_key[-36:]
        self._minted_at = 0.0
        self._header = ""

    def header(self) -> str:
        now = time.time()
        if now - self._minted_at >= TOKEN_LIFETIME_SECONDS:
            token = jwt.encode(
                {"iss": self._service_id, "iat": int(now)},
                self._secret,
                algorithm="HS256",
                headers={"typ": "JWT", "alg": "HS256"},
            )
            self._header = f"Bearer {token}"
            self._minted_at = now
        return self._header


@dataclass
class _Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    failures: int = 0
    sent: int = 0  # every completed request, warm-up included (for CPU per request)


async def _request(
    session: aiohttp.ClientSession,
    args: argparse.Namespace,
    body: bytes | None,
    tokens: _Tokens | None,
) -> tuple[str, float]:
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if tokens is not None:
        headers["Authorization"] = tokens.header()
    started = time.perf_counter()
    try:
        async with session.request(args.method, args.url, data=body, headers=headers) as response:
            await response.read()
            status = str(response.status)
    except aiohttp.ClientError as error:
        status = type(error).__name__
    return status, time.perf_counter() - started


async def _generate(args: argparse.Namespace) -> dict[str, Any]:
    body = args.body.encode() if args.body is not None else None
    api_key = os.environ.get(API_KEY_VARIABLE)
    tokens = _Tokens(api_key) if api_key else None
    tally = _Tally()
    remaining = args.count
    measure_from = 0.0
    deadline = float("inf")

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal remaining
        while True:
            if remaining is not None:
                if remaining <= 0:
                    return
                remaining -= 1
            elif time.perf_counter() >= deadline:
                return
            status, latency = await _request(session, args, body, tokens)
            tally.sent += 1
            finished = time.perf_counter()
            if finished < measure_from or finished > deadline:
                continue  # warm-up, or past the end of the window
            tally.statuses[status] += 1
            if status == str(args.expect):
                tally.latencies.append(latency)
            else:
                tally.failures += 1

    connector = aiohttp.TCPConnector(limit=args.concurrency, force_close=False)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        start = time.perf_counter()
        cpu_start = time.process_time()
        if args.count is None:
            measure_from = start + args.warmup
            deadline = measure_from + args.duration
        await asyncio.gather(*(worker(session) for _ in range(args.concurrency)))
        finished = time.perf_counter()
        # How busy the generator itself was: near 100 % means it, not the server, set the pace.
        busy = (time.process_time() - cpu_start) / max(finished - start, 1e-9)
        end = min(finished, deadline)
    seconds = end - max(start, measure_from)
    latencies = sorted(tally.latencies)
    completed = len(latencies) + tally.failures
    return {
        "requests": completed,
        "all_requests": tally.sent,
        "failures": tally.failures,
        "statuses": dict(tally.statuses),
        "seconds": seconds,
        "rate": completed / seconds if seconds > 0 else 0.0,
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "generator_busy": busy,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--method", default="POST")
    parser.add_argument("--body", default=None, help="JSON body to send with each request")
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--duration", type=float, default=None)
    parser.add_argument("--warmup", type=float, default=0.5)
    parser.add_argument("--count", type=int, default=None)
    parser.add_argument("--expect", type=int, default=201, help="the status that counts as success")
    parser.add_argument("--cpu", type=int, default=None, help="pin the process to this core")
    args = parser.parse_args()
    if (args.duration is None) == (args.count is None):
        raise ValueError("give exactly one of --duration and --count")
    if args.concurrency < 1:
        raise ValueError("--concurrency must be at least 1")
    if args.cpu is not None:
        os.sched_setaffinity(0, {args.cpu})
    print(json.dumps(asyncio.run(_generate(args))))


if __name__ == "__main__":
    main()
