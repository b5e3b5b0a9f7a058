"""Serve the emulator, or the bare Starlette endpoint, with one and the same uvicorn setup.

    python -m benchmarks.serve bare --port PORT [--cpu N]
    python -m benchmarks.serve emulator --port PORT --database URL --config SEED.toml [--cpu N]
        [--workers N]

Both run uvicorn in the main thread of their own process with identical settings (the ones
``notify_emulator.server`` uses: the emulator's HTTP protocol, which sends each answer in one
write, no access log, the process settled for serving as
``notify-emulator serve`` settles its own), so that the only difference between the two is
the application. The emulator's own per-request log line is off, as the bare app has none.
With ``--workers N`` the emulator is seeded once and then served by N forked processes sharing
one listening socket (as ``notify-emulator serve --workers N`` shares its database).
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import sys
from pathlib import Path

import uvicorn
from starlette.types import ASGIApp


def _emulator_app(database_url: str, config: Path | None, *, seed: bool = True) -> ASGIApp:
    from notify_emulator.app import create_app
    from notify_emulator.settings import Settings

    settings = Settings(
        database_url=database_url,
        config_path=config,
        seed_demo=config is None,
        log_requests=False,
    )
    return create_app(settings, seed=seed)


def serve_workers(database_url: str, config: Path | None, port: int, workers: int) -> None:
    """Seed once, then serve the emulator from ``workers`` forked processes on one socket."""
    seeding = _emulator_app(database_url, config)
    seeding.state.emulator.store.close()  # type: ignore[attr-defined]
    # IPPROTO_TCP, so that asyncio sets TCP_NODELAY on the connections it accepts.
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(2048)
    children = []
    for _ in range(workers):
        child = os.fork()
        if child == 0:
            app = _emulator_app(database_url, config, seed=False)
            from notify_emulator.cli import settle_for_serving

            settle_for_serving()
            uvicorn.Server(_config(app, port)).run(sockets=[listener])
            os._exit(0)
        children.append(child)

    def stop(_signal: int, _frame: object) -> None:
        for child in children:
            os.kill(child, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for child in children:
        os.waitpid(child, 0)
    sys.exit(0)


def _config(app: ASGIApp, port: int) -> uvicorn.Config:
    from notify_emulator.faults.connection import HTTP_PROTOCOL

    return uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        http=HTTP_PROTOCOL,
        log_config=None,
        log_level="warning",
        access_log=False,
        ws="none",
        lifespan="auto",
    )


def serve(app: ASGIApp, port: int) -> None:
    """Run ``app`` on loopback ``port`` until the process is told to stop, the process
    settled as ``notify-emulator serve`` settles its own."""
    from notify_emulator.cli import settle_for_serving

    settle_for_serving()
    uvicorn.Server(_config(app, port)).run()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("app", choices=("bare", "emulator"))
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--database", default="sqlite:///:memory:")
    parser.add_argument("--config", type=Path, default=None, help="the emulator's seed file")
    parser.add_argument("--cpu", type=int, default=None, help="pin the process to this core")
    parser.add_argument("--workers", type=int, default=1, help="emulator processes")
    args = parser.parse_args()
    if args.cpu is not None:
        os.sched_setaffinity(0, {args.cpu})
    if args.app == "emulator" and args.workers > 1:
        serve_workers(args.database, args.config, args.port, args.workers)
        return
    if args.app == "bare":
        from benchmarks.bare_app import create_bare_app

        app: ASGIApp = create_bare_app()
    else:
        app = _emulator_app(args.database, args.config)
    serve(app, args.port)


if __name__ == "__main__":
    main()
