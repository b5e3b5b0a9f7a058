"""The ``notify-emulator`` command (shared/spec/emulator.md "Command line").

A thin layer: it parses options, builds :class:`~notify_emulator.settings.Settings`, opens
and seeds the store through :func:`~notify_emulator.app.create_app`, and runs uvicorn. Every
failure to start (bad seed file, unusable database, port in use) exits non-zero with one line.
"""

from __future__ import annotations

import errno
import logging
import os
import secrets
import socket
import sys
from pathlib import Path
from typing import NoReturn

import click

from notify_emulator.demo import service as demo_service
from notify_emulator.rules.lifecycle import DeliveryDelays
from notify_emulator.seed import ConfigError
from notify_emulator.settings import DEFAULT_HOST, DEFAULT_PORT, Settings
from notify_emulator.store import DatabaseError

# How extra worker processes learn their settings (they are started by uvicorn by import).
ENV_DATABASE = "NOTIFY_EMULATOR_DATABASE_URL"
ENV_CONFIG = "NOTIFY_EMULATOR_CONFIG"
ENV_DELAYS = "NOTIFY_EMULATOR_DELIVERY_DELAYS"
ENV_HOST = "NOTIFY_EMULATOR_HOST"
ENV_ALLOWED_HOSTS = "NOTIFY_EMULATOR_ALLOWED_HOSTS"
# The admin token, from the user (like --admin-token) and handed on to extra workers.
ENV_ADMIN_TOKEN = "NOTIFY_EMULATOR_ADMIN_TOKEN"
# How long stopping waits for requests in progress before closing their connections.
GRACEFUL_SHUTDOWN_SECONDS = 10


def _parse_delays(text: str | None) -> DeliveryDelays:
    if text is None:
        return DeliveryDelays()
    try:
        return DeliveryDelays.parse(text)
    except (TypeError, ValueError) as error:
        raise click.BadParameter(str(error), param_hint="'--delivery-delays'") from error


@click.group(help="A local GOV.UK Notify: the v2 REST API on SQLite or PostgreSQL.")
@click.version_option(package_name="notifications-python-client", prog_name="notify-emulator")
def main() -> None:
    """The ``notify-emulator`` command group."""


@main.command(help="Serve the emulator (Ctrl+C to stop).")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="TOML seed file (default: seed the demo service).",
)
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="Interface to bind.")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=int, help="Port to bind.")
@click.option(
    "--database",
    "database_url",
    default=None,
    help="SQLAlchemy URL: sqlite:///FILE, sqlite:///:memory: or postgresql://… "
    "(default: a SQLite file in the user data directory).",
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="Worker processes (more than one needs a database file or PostgreSQL).",
)
@click.option(
    "--delivery-delays",
    "delays_text",
    default=None,
    metavar="DELAYS",
    help="How long statuses take to move on, in seconds: e.g. 'sending=0.5,final=3', or one "
    "number for the final status (default: final within about a second).",
)
@click.option(
    "--allowed-host",
    "allowed_hosts",
    multiple=True,
    metavar="NAME",
    help="Another Host the emulator-only routes and pages answer to, besides localhost, "
    "127.0.0.1 and [::1] (NAME, or NAME:PORT for one port only). Repeatable.",
)
@click.option(
    "--admin-token",
    envvar=ENV_ADMIN_TOKEN,
    default=None,
    metavar="TOKEN",
    help="The token the emulator-only routes and pages need when bound beyond loopback "
    f"(default: ${ENV_ADMIN_TOKEN}, else one generated and printed).",
)
def serve(
    config_path: Path | None,
    host: str,
    port: int,
    database_url: str | None,
    workers: int,
    delays_text: str | None,
    allowed_hosts: tuple[str, ...],
    admin_token: str | None,
) -> None:
    """Start the server."""
    import uvicorn

    from notify_emulator.app import create_app
    from notify_emulator.web.guard import is_loopback_host, valid_admin_token

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    delays = _parse_delays(delays_text)
    exposed = not is_loopback_host(host)
    if admin_token is not None and not valid_admin_token(admin_token):
        # Never echoed: it is a secret.
        _fail(
            "the admin token must be 8 to 200 characters without spaces, quotes, commas, "
            "semicolons or backslashes"
        )
    generated = exposed and admin_token is None
    if generated:
        admin_token = secrets.token_urlsafe(24)
    settings = Settings(
        database_url=database_url,
        host=host,
        port=port,
        config_path=config_path,
        delivery_delays=delays,
        admin_token=admin_token if exposed else None,
        allowed_hosts=allowed_hosts,
    )
    if workers > 1 and settings.resolved_database_url.endswith(":memory:"):
        _fail("--workers above 1 needs a shared database, not sqlite:///:memory:")
    try:
        app = create_app(settings)
    except ConfigError as error:
        _fail(str(error))
    except DatabaseError as error:
        _fail(str(error))
    listener = _bind(host, port)
    base_url = f"http://{host}:{listener.getsockname()[1]}"
    click.echo(f"Notify emulator listening on {base_url}")
    click.echo(f"Database: {_safe_url(settings.resolved_database_url)}")
    if exposed:
        local_url = f"http://localhost:{listener.getsockname()[1]}"
        click.echo(_exposed_warning(host, local_url, admin_token if generated else None), err=True)
    if config_path is None:
        click.echo(demo_service.describe(base_url, show_keys=not exposed))
    if workers == 1:
        config = uvicorn.Config(
            app,
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
        )
        uvicorn.Server(config).run(sockets=[listener])
        return
    # Extra workers import the app factory; the store was migrated and seeded above. uvicorn
    # binds again, to the port printed (so --port 0 serves where it said it would).
    port = listener.getsockname()[1]
    listener.close()
    os.environ[ENV_DATABASE] = settings.resolved_database_url
    os.environ[ENV_CONFIG] = str(config_path) if config_path else ""
    os.environ[ENV_DELAYS] = delays_text or ""
    os.environ[ENV_HOST] = host
    os.environ[ENV_ALLOWED_HOSTS] = "\n".join(allowed_hosts)
    if settings.admin_token is not None:
        os.environ[ENV_ADMIN_TOKEN] = settings.admin_token
    uvicorn.run(
        "notify_emulator.cli:worker_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )


def _exposed_warning(host: str, local_url: str, generated_token: str | None) -> str:
    lines = [
        f"WARNING: bound to {host}, so other machines can reach this emulator.",
        "  Its v2 API answers anyone holding a key, as Notify does. The emulator-only routes",
        "  and the web pages need the admin token: scripts send the header",
        "  X-Emulator-Token: TOKEN; a browser opens a page once with ?token=TOKEN.",
        "  They answer only to the Host names localhost, 127.0.0.1 and [::1] (with the port)",
        "  and those given with --allowed-host NAME.",
    ]
    if generated_token is not None:
        lines.append(f"  Admin token (generated for this run): {generated_token}")
        lines.append(f"  e.g. {local_url}/?token={generated_token}")
    else:
        lines.append(f"  Admin token: the one given by --admin-token or ${ENV_ADMIN_TOKEN}.")
    lines.append("  The demo service's API keys are not printed while bound beyond loopback.")
    return "\n".join(lines)


def worker_app() -> object:
    """The app of one worker process (``--workers`` above 1)."""
    from notify_emulator.app import create_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    config = os.environ.get(ENV_CONFIG) or None
    settings = Settings(
        database_url=os.environ[ENV_DATABASE],
        config_path=Path(config) if config else None,
        delivery_delays=_parse_delays(os.environ.get(ENV_DELAYS) or None),
        host=os.environ.get(ENV_HOST) or DEFAULT_HOST,
        allowed_hosts=tuple(
            name for name in os.environ.get(ENV_ALLOWED_HOSTS, "").split("\n") if name
        ),
        admin_token=os.environ.get(ENV_ADMIN_TOKEN) or None,
    )
    return create_app(settings, seed=False)


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio then turns Nagle off on each accepted connection, so a
    # reply written in two parts is not held back ~40 ms by the client's delayed ACK.
    listener = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
    except OSError as error:
        listener.close()
        if error.errno == errno.EADDRINUSE:
            _fail(f"port {port} on {host} is already in use")
        _fail(f"cannot listen on {host}:{port}: {error.strerror}")
    listener.listen(2048)
    return listener


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.password is None:
        return url  # nothing to hide, and rendering would percent-encode ":memory:"
    return parsed.render_as_string(hide_password=True)


def _fail(message: str) -> NoReturn:
    click.echo(f"notify-emulator: {message}", err=True)
    sys.exit(2)


if __name__ == "__main__":  # pragma: no cover
    main()
