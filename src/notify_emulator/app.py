"""The application factory: :func:`create_app` returns the emulator as an ASGI app.

It opens the store, mounts the route tables of ``api/`` (under ``/v2``) and ``admin/`` (under
``/_emulator``) through the one handler contract of :mod:`notify_emulator.web.handlers`, and
the web inbox of ``pages/`` (HTML pages, its events stream and static files), and adds the
edge's middlewares. Everything a request does happens in those packages.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from notify_emulator import admin, api, pages
from notify_emulator.api import unsubscribe
from notify_emulator.callbacks.worker import CallbackWorker
from notify_emulator.clock import ShiftedClock, real_clock
from notify_emulator.demo.service import demo_seed
from notify_emulator.faults.middleware import FaultsMiddleware
from notify_emulator.seed import load_seed_file
from notify_emulator.settings import Settings
from notify_emulator.store import Store, apply_seed
from notify_emulator.web.context import Emulator
from notify_emulator.web.failsafe import FailsafeMiddleware
from notify_emulator.web.guard import GuardMiddleware, is_loopback_host
from notify_emulator.web.handlers import Handler, Surface, endpoint
from notify_emulator.web.middleware import HeadersMiddleware, SlashesMiddleware
from notify_emulator.web.responses import json_response
from notify_emulator.web.routing import http_exception

logger = logging.getLogger("notify_emulator")


def create_app(settings: Settings | None = None, *, seed: bool = True) -> Starlette:
    """The emulator as an ASGI app: opens (and migrates) the database and loads the seed.

    Raises :class:`~notify_emulator.store.DatabaseError` if the database is unusable,
    :class:`~notify_emulator.seed.ConfigError` for a bad seed file, and ``ValueError`` for
    settings bound beyond loopback without an admin token. ``seed=False`` skips
    seeding (for extra workers of a server whose first process has seeded already).
    """
    settings = settings if settings is not None else Settings()
    if not isinstance(settings, Settings):
        raise TypeError(f"settings must be a Settings, not {type(settings).__name__}")
    if not is_loopback_host(settings.host) and settings.admin_token is None:
        raise ValueError(
            f"bound to {settings.host}, beyond loopback, the emulator needs an admin_token"
        )
    store = Store.open(settings.resolved_database_url, settings.clock)
    # From here on the emulator runs on its own clock: the given one moved by the offset that
    # POST /_emulator/clock sets (kept in the database, so shared by every worker process).
    clock = ShiftedClock(real_clock(settings.clock), store.clock_offset.current)
    store.clock = clock
    settings = dataclasses.replace(settings, clock=clock)
    try:
        if seed:
            for warning in seed_store(store, settings):
                logger.warning("%s", warning)
    except Exception:
        store.close()
        raise
    store.callback_delay = timedelta(seconds=settings.callback_delay)
    worker = CallbackWorker(
        store, retry_delay=settings.callback_retry_delay, timeout=settings.callback_timeout
    )
    emulator = Emulator(settings=settings, store=store, callback_worker=worker)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        # Statuses move on and callbacks go out in the background while the app serves.
        worker.start()
        try:
            yield
        finally:
            await run_in_threadpool(worker.stop)
            store.close()

    app = Starlette(
        routes=_routes(),
        exception_handlers={HTTPException: http_exception},
        lifespan=lifespan,
    )
    app.router.redirect_slashes = False  # "/v2/notifications/" is a 404, as in Notify
    app.state.emulator = emulator
    # Outermost last: headers and logging see every answer, the failsafe any exception, the
    # faults the server's own receive (a drop closes the connection through it), the guard
    # every request before the slashes' redirects and the routes.
    app.add_middleware(SlashesMiddleware)
    # The unsubscribe route reads no body, so a mail client's form is no reason to refuse it.
    app.add_middleware(
        GuardMiddleware,
        settings=settings,
        any_body_paths=[path for path, _, _ in unsubscribe.ROUTES],
    )
    app.add_middleware(FaultsMiddleware)
    app.add_middleware(FailsafeMiddleware)
    app.add_middleware(HeadersMiddleware, log_requests=settings.log_requests)
    return app


def seed_store(store: Store, settings: Settings) -> list[str]:
    """Load the seed file, or the demo service when there is none; returns the seed's
    warnings (settings the emulator accepts but real Notify would refuse)."""
    if settings.config_path is not None:
        seed = load_seed_file(settings.config_path)
        apply_seed(store, seed, source=str(settings.config_path))
        return seed.warnings
    if settings.seed_demo:
        apply_seed(store, demo_seed())
    return []


def _mounted(
    prefix: str,
    table: list[tuple[str, str, Handler]],
    surface: Surface,
    on_event_loop: frozenset[Handler] = frozenset(),
) -> list[Route]:
    return [
        Route(
            prefix + path,
            endpoint(handler, surface, on_event_loop=handler in on_event_loop),
            methods=[method],
        )
        for path, method, handler in table
    ]


def _routes() -> list[BaseRoute]:
    return [
        *_mounted(api.PREFIX, api.ROUTES, "v2", api.ON_EVENT_LOOP),
        *_mounted("", unsubscribe.ROUTES, "v2"),
        *_mounted(admin.PREFIX, admin.ROUTES, "admin"),
        Route("/_status", _status, methods=["GET", "POST"]),
        *(Route(path, endpoint, methods=["GET"]) for path, endpoint in pages.STREAMS),
        *(
            Route(path, pages.page_endpoint(handler), methods=[method])
            for path, method, handler in pages.ROUTES
        ),
        Mount(
            pages.STATIC_PREFIX,
            StaticFiles(packages=[("notify_emulator.pages", "static")]),
            name="static",
        ),
    ]


async def _status(_request: Request) -> Response:
    return json_response({"status": "ok"})
