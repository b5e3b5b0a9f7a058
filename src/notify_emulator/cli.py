"""The ``notify-emulator`` command (shared/spec/emulator.md "Command line").

A thin layer: it parses options, builds :class:`~notify_emulator.settings.Settings`, opens
and seeds the store through :func:`~notify_emulator.app.create_app`, and runs uvicorn. Every
failure to start (bad seed file, unusable database, port in use) exits non-zero with one line.
"""

from __future__ import annotations

import errno
import gc
import logging
import os
import secrets
import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from notify_emulator.control import clock as clock_commands
from notify_emulator.control import faults as fault_commands
from notify_emulator.demo import service as demo_service
from notify_emulator.rules.callbacks import (
    DEFAULT_CALLBACK_DELAY_SECONDS,
    DEFAULT_RETRY_DELAY_SECONDS,
)
from notify_emulator.rules.lifecycle import DeliveryDelays
from notify_emulator.seed import ConfigError
from notify_emulator.settings import DEFAULT_HOST, DEFAULT_PORT, Settings, shown_database_url
from notify_emulator.store import DatabaseError

if TYPE_CHECKING:
    from starlette.applications import Starlette

# How extra worker processes learn their settings (they are started by uvicorn by import).
ENV_DATABASE = "NOTIFY_EMULATOR_DATABASE_URL"
ENV_CONFIG = "NOTIFY_EMULATOR_CONFIG"
ENV_DELAYS = "NOTIFY_EMULATOR_DELIVERY_DELAYS"
ENV_CALLBACK_DELAY = "NOTIFY_EMULATOR_CALLBACK_DELAY"
ENV_CALLBACK_RETRY_DELAY = "NOTIFY_EMULATOR_CALLBACK_RETRY_DELAY"
ENV_HOST = "NOTIFY_EMULATOR_HOST"
ENV_ALLOWED_HOSTS = "NOTIFY_EMULATOR_ALLOWED_HOSTS"
# The admin token, from the user (like --admin-token) and handed on to extra workers.
ENV_ADMIN_TOKEN = "NOTIFY_EMULATOR_ADMIN_TOKEN"


def _parse_delays(text: str | None) -> DeliveryDelays:
    if text is None:
        return DeliveryDelays()
    try:
        return DeliveryDelays.parse(text)
    except (TypeError, ValueError) as error:
        raise click.BadParameter(str(error), param_hint="'--delivery-delays'") from error


# How long Ctrl+C waits for answers in progress before ending them: the inbox's event streams
# never finish by themselves.
SHUTDOWN_GRACE_SECONDS = 2


@click.group(help="A local GOV.UK Notify: the v2 REST API on SQLite or PostgreSQL.")
@click.version_option(package_name="notify-emulator", prog_name="notify-emulator")
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
    "--callback-delay",
    default=DEFAULT_CALLBACK_DELAY_SECONDS,
    show_default=True,
    type=click.FloatRange(min=0),
    metavar="SECONDS",
    help="How long after its event a callback is first attempted.",
)
@click.option(
    "--callback-retry-delay",
    default=DEFAULT_RETRY_DELAY_SECONDS,
    show_default=True,
    type=click.FloatRange(min=0),
    metavar="SECONDS",
    help="Wait between attempts at a failing callback (Notify's 300; six attempts at most).",
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
    callback_delay: float,
    callback_retry_delay: float,
    allowed_hosts: tuple[str, ...],
    admin_token: str | None,
) -> None:
    """Start the server."""
    import uvicorn

    from notify_emulator.app import create_app
    from notify_emulator.faults.connection import HTTP_PROTOCOL, KEEP_ALIVE_SECONDS
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
        callback_delay=callback_delay,
        callback_retry_delay=callback_retry_delay,
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
    click.echo(f"Database: {shown_database_url(settings.resolved_database_url)}")
    if exposed:
        local_url = f"http://localhost:{listener.getsockname()[1]}"
        warning = _exposed_warning(
            host, local_url, admin_token if generated else None, demo=config_path is None
        )
        click.echo(warning, err=True)
    if config_path is None:
        click.echo(demo_service.describe(base_url, show_keys=not exposed))
    else:
        click.echo(_describe_seeded(app, config_path, host))
    if workers == 1:
        settle_for_serving()
        config = uvicorn.Config(
            app,
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=SHUTDOWN_GRACE_SECONDS,
            # The emulator's protocol, which can hang up without an answer (the "drop" faults).
            http=HTTP_PROTOCOL,
            timeout_keep_alive=KEEP_ALIVE_SECONDS,
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
    os.environ[ENV_CALLBACK_DELAY] = repr(callback_delay)
    os.environ[ENV_CALLBACK_RETRY_DELAY] = repr(callback_retry_delay)
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
        timeout_graceful_shutdown=SHUTDOWN_GRACE_SECONDS,
        http=HTTP_PROTOCOL,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
    )


def _describe_seeded(app: Starlette, config_path: Path, host: str) -> str:
    """Each service of the seed file with its keys (on loopback only) and templates."""
    from notify_emulator.banner import describe_services, is_loopback
    from notify_emulator.seed import load_seed_file

    store = app.state.emulator.store
    service_ids = [service.id for service in load_seed_file(config_path).services]
    return describe_services(store, service_ids, show_keys=is_loopback(host))


# Commands for a running emulator (control.py): faults add|list|clear, clock show|advance.
main.add_command(fault_commands)
main.add_command(clock_commands)


def _exposed_warning(host: str, local_url: str, generated_token: str | None, *, demo: bool) -> str:
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
    if demo:
        # Not printing them would hide nothing: they are the same everywhere.
        lines += [
            "  The demo service's API keys are public (fixed, and printed in the README): anyone",
            "  who can reach this port can send with them. For keys of your own, start with",
            "  --config FILE.",
        ]
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
        callback_delay=float(os.environ.get(ENV_CALLBACK_DELAY) or DEFAULT_CALLBACK_DELAY_SECONDS),
        callback_retry_delay=float(
            os.environ.get(ENV_CALLBACK_RETRY_DELAY) or DEFAULT_RETRY_DELAY_SECONDS
        ),
        host=os.environ.get(ENV_HOST) or DEFAULT_HOST,
        allowed_hosts=tuple(
            name for name in os.environ.get(ENV_ALLOWED_HOSTS, "").split("\n") if name
        ),
        admin_token=os.environ.get(ENV_ADMIN_TOKEN) or None,
    )
    app = create_app(settings, seed=False)
    settle_for_serving()
    return app


# Young objects are collected after this many allocations (CPython's default is 700): a
# request allocates hundreds, so with the default the requests in flight are promoted to the
# oldest generation within a few collections, and collecting it stops every request for tens
# of milliseconds (50-65 ms measured under load) several times a second.
YOUNG_COLLECTION_THRESHOLD = 20_000
OLDER_COLLECTION_THRESHOLDS = (20, 20)


def settle_for_serving() -> None:
    """Ready a process that now only serves: what it built at start (modules, tables, the
    seeded configuration, caches) is left out of later garbage collections, and young objects
    are collected less often, so a full collection is rare and short."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, *OLDER_COLLECTION_THRESHOLDS)


OUTPUT_HELP = (
    "Where to write the seed file (default: seed.toml; '-' writes it to standard output). "
    "The file holds API key secrets: it is your own local file, written readable by you alone."
)


@main.command(
    "export",
    help="Write the emulator's configuration as a seed file: every service, API key (with its "
    "secret, so that loading the file gives the same keys), callback (with its bearer token), "
    "SMS sender, reply-to address and template with all its versions, and every fault. Loading "
    "the file into an empty database gives the same "
    "configuration. The file is your own local file: keep it as you keep other credentials.",
)
@click.option(
    "--database",
    "database_url",
    default=None,
    help="SQLAlchemy URL of the emulator's database (default: the one serve uses).",
)
@click.option("-o", "--output", "output", default="seed.toml", help=OUTPUT_HELP)
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
def export_command(database_url: str | None, output: str, force: bool) -> None:
    """Write the configuration as a seed file."""
    from notify_emulator.clock import SystemClock
    from notify_emulator.seed_writer import to_toml
    from notify_emulator.store import Store
    from notify_emulator.store.export import configuration

    url = database_url or Settings().resolved_database_url
    _require_existing_sqlite_file(url)
    try:
        store = Store.open(url, SystemClock())
    except DatabaseError as error:
        _fail(str(error))
    try:
        seed = configuration(store)
    finally:
        store.close()
    services = seed.get("services", [])
    _write_output(output, to_toml(seed), force=force)
    if output != "-":
        templates = sum(len(service.get("templates", [])) for service in services)
        keys = sum(len(service.get("api_keys", [])) for service in services)
        click.echo(
            f"Wrote {output}: {len(services)} service(s), {keys} API key(s), "
            f"{templates} template(s). It holds API key secrets: keep it to yourself."
        )


@main.command(
    "import",
    help="Read a real Notify service through the v2 API (its templates with every version, "
    "keeping their ids and the key's service id) and write a seed file for the emulator. The "
    "seed holds a new local key of each type (live, team, test) instead of yours, and the new "
    "keys are printed; your key is only used for the requests, never written or printed. "
    "What the v2 API cannot show (senders, reply-to addresses, branding, guest list...) is "
    "listed at the end for you to add.",
)
@click.option(
    "--api-key",
    "api_key",
    required=True,
    envvar="NOTIFY_API_KEY",
    show_envvar=True,
    help="A key of the service to read (a test key is enough).",
)
@click.option(
    "--base-url",
    default=None,
    help="The Notify API's root (default: GOV.UK Notify's).",
)
@click.option("--name", "service_name", default=None, help="The name to give the service.")
@click.option("-o", "--output", "output", default="seed.toml", help=OUTPUT_HELP)
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
def import_command(
    api_key: str, base_url: str | None, service_name: str | None, output: str, force: bool
) -> None:
    """Read a Notify service into a seed file."""
    try:
        from notifications_python_client.errors import APIError, ClientConfigError
        from notifications_python_client.notifications import NotificationsAPIClient
    except ImportError as error:
        # notify-emulator installs without a client (or beside the official one).
        _fail(
            "import reads the service with this repository's client, which is not installed "
            f"here ({error}): install it from the repository's root with pip install ."
        )
    from notify_emulator.notify_import import (
        DEFAULT_SERVICE_NAME,
        NOT_IMPORTED,
        import_service,
    )
    from notify_emulator.seed_writer import to_toml

    # With the seed on standard output, everything else goes to standard error.
    say = (lambda text: click.echo(text, err=True)) if output == "-" else click.echo
    if output != "-" and Path(output).exists() and not force:
        _fail(f"{output} exists already (give --force to replace it, or another -o)")
    try:
        client = (
            NotificationsAPIClient(api_key, base_url=base_url)
            if base_url
            else NotificationsAPIClient(api_key)
        )
    except ClientConfigError as error:
        # The client's messages never quote the key.
        _fail(f"--api-key: {error}")
    try:
        with client:
            imported = import_service(client, name=service_name or DEFAULT_SERVICE_NAME)
    except APIError as error:
        _fail(f"the Notify API did not answer as expected: {error.description}")
    except (KeyError, TypeError, ValueError) as error:
        _fail(f"the Notify API gave an answer this import cannot read ({error!r})")
    header = (
        "# A notify-emulator seed file made by `notify-emulator import` from a Notify service.\n"
        "# It holds NEW local API keys (not the service's real ones): keep it to yourself.\n"
    )
    _write_output(output, to_toml(imported.seed, header=header), force=force)
    service_id = imported.seed["services"][0]["id"]
    where = "standard output" if output == "-" else output
    say(
        f"Wrote {where}: service {service_id}, {imported.template_count} template(s), "
        f"{imported.version_count} version(s) in all."
    )
    say("New local API keys (they work only against the emulator):")
    for key_type, key in imported.local_keys.items():
        say(f"  {key_type:<6} {key}")
    say("The v2 API does not show these; add them to the seed file by hand if you need them:")
    for item in NOT_IMPORTED:
        say(f"  - {item}")


def _require_existing_sqlite_file(url: str) -> None:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return  # not a URL: opening the store says so, without echoing it
    if parsed.get_backend_name() != "sqlite":
        return
    database = parsed.database or ""
    if database in {"", ":memory:"} or database.startswith("file:"):
        return
    if not Path(database).exists():
        _fail(f"no database at {database} (give --database URL)")


def _write_output(output: str, text: str, *, force: bool) -> None:
    """Write a seed file readable by its owner alone, or to standard output for ``-``."""
    if output == "-":
        click.echo(text, nl=False)
        return
    path = Path(output)
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if force else os.O_EXCL)
    try:
        descriptor = os.open(path, flags, 0o600)
    except FileExistsError:
        _fail(f"{output} exists already (give --force to replace it, or another -o)")
    except OSError as error:
        _fail(f"cannot write {output}: {error.strerror}")
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)


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


def _fail(message: str) -> NoReturn:
    click.echo(f"notify-emulator: {message}", err=True)
    sys.exit(2)


if __name__ == "__main__":  # pragma: no cover
    main()
