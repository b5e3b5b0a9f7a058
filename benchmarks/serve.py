"""Serve the emulator, or the bare Starlette endpoint, with one and the same uvicorn setup.

    python -m benchmarks.serve bare --port PORT [--cpu N]
    python -m benchmarks.serve emulator --port PORT --database URL --config SEED.toml [--cpu N]

Both run uvicorn in the main thread of their own process with identical settings (the ones
``notify_emulator.server`` uses, no access log), so that the only difference between the two is
the application. The emulator's own per-request log line is off, as the bare app has none.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import uvicorn
from starlette.types import ASGIApp


def _emulator_app(database_url: str, config: Path | None) -> ASGIApp:
    from notify_emulator.app import create_app
    from notify_emulator.settings import Settings

    settings = Settings(
        database_url=database_url,
        config_path=config,
        seed_demo=config is None,
        log_requests=False,
    )
    return create_app(settings)


def serve(app: ASGIApp, port: int) -> None:
    """Run ``app`` on loopback ``port`` until the process is told to stop."""
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_config=None,
        log_level="warning",
        access_log=False,
        ws="none",
        lifespan="auto",
    )
    uvicorn.Server(config).run()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("app", choices=("bare", "emulator"))
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--database", default="sqlite:///:memory:")
    parser.add_argument("--config", type=Path, default=None, help="the emulator's seed file")
    parser.add_argument("--cpu", type=int, default=None, help="pin the process to this core")
    args = parser.parse_args()
    if args.cpu is not None:
        os.sched_setaffinity(0, {args.cpu})
    if args.app == "bare":
        from benchmarks.bare_app import create_bare_app

        app: ASGIApp = create_bare_app()
    else:
        app = _emulator_app(args.database, args.config)
    serve(app, args.port)


if __name__ == "__main__":
    main()
