"""``notify-emulator faults …`` and ``notify-emulator clock …``: commands for a running emulator.

They talk to its ``/_emulator/faults`` and ``/_emulator/clock`` routes (shared/spec/emulator.md,
"Faults" and "Time") at ``--url`` (default ``$NOTIFY_EMULATOR_URL``, else
``http://127.0.0.1:6011``), sending the admin token from ``--admin-token`` or
``$NOTIFY_EMULATOR_ADMIN_TOKEN`` as ``X-Emulator-Token`` when one is set. The token is never
printed.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

import click
import requests

from notify_emulator.faults.rules import DROP_MOMENTS, ERROR_NAMES, SERVER_ERROR_STATUSES

__all__ = ["clock", "faults", "parse_duration"]

ENV_URL = "NOTIFY_EMULATOR_URL"
ENV_ADMIN_TOKEN = "NOTIFY_EMULATOR_ADMIN_TOKEN"
DEFAULT_URL = "http://127.0.0.1:6011"
TOKEN_HEADER = "X-Emulator-Token"
TIMEOUT_SECONDS = 10.0

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800}
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([smhdw]?)")

F = TypeVar("F", bound=Callable[..., Any])


def parse_duration(text: str) -> float:
    """Seconds in a duration such as ``90s``, ``2h``, ``1d``, ``1h30m`` or ``45`` (seconds)."""
    cleaned = text.strip().lower()
    position = 0
    total = 0.0
    while position < len(cleaned):
        part = _DURATION_PART.match(cleaned, position)
        # A number without a unit is seconds, but only on its own ("45", not "1h 30").
        bare = part is not None and not part.group(2)
        if part is None or (bare and (position or part.end() != len(cleaned))):
            raise ValueError(f"not a duration: {text!r} (use e.g. 90s, 2h, 1d or 1h30m)")
        total += float(part.group(1)) * _UNITS[part.group(2) or "s"]
        position = part.end()
        while position < len(cleaned) and cleaned[position] == " ":
            position += 1
    if not cleaned:
        raise ValueError("the duration is empty (use e.g. 90s, 2h, 1d or 1h30m)")
    return total


class _Emulator:
    """A running emulator's ``/_emulator/`` routes."""

    def __init__(self, url: str, admin_token: str | None) -> None:
        self.url = url.rstrip("/")
        self._headers = {TOKEN_HEADER: admin_token} if admin_token else {}

    def __repr__(self) -> str:
        return f"<emulator {self.url}>"  # never the token

    def call(self, method: str, path: str, body: object = None) -> Any:
        try:
            answer = requests.request(
                method,
                self.url + path,
                json=body,
                headers=self._headers,
                timeout=TIMEOUT_SECONDS,
            )
        except requests.RequestException as error:
            _fail(
                f"cannot reach the emulator at {self.url} ({type(error).__name__}); is it "
                "running? (notify-emulator serve, or give --url)"
            )
        if answer.status_code >= 400:
            _fail(f"the emulator at {self.url} answered {answer.status_code}: {_reason(answer)}")
        try:
            return answer.json()
        except ValueError:
            _fail(f"the emulator at {self.url} did not answer with JSON: is that its address?")


def _reason(answer: requests.Response) -> str:
    try:
        body = answer.json()
    except ValueError:
        return answer.text[:200] or answer.reason
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        reason = str(body["error"])
        if answer.status_code in (401, 403):
            reason += f" (give the admin token with --admin-token or ${ENV_ADMIN_TOKEN})"
        return reason
    return json.dumps(body)[:200]


def _fail(message: str) -> NoReturn:
    click.echo(f"notify-emulator: {message}", err=True)
    sys.exit(1)


def _connection_options(command: F) -> F:
    command = click.option(
        "--admin-token",
        envvar=ENV_ADMIN_TOKEN,
        default=None,
        show_envvar=True,
        help="The emulator's admin token, when it needs one (sent as X-Emulator-Token).",
    )(command)
    return click.option(
        "--url",
        envvar=ENV_URL,
        default=DEFAULT_URL,
        show_default=True,
        show_envvar=True,
        help="The running emulator's base URL.",
    )(command)


# --- faults --------------------------------------------------------------------------------


@click.group(help="Rehearse Notify failing: add, list and clear faults of a running emulator.")
def faults() -> None:
    """``notify-emulator faults``."""


@faults.command("add", help="Add a fault; prints its id. Give exactly one action.")
@_connection_options
@click.option("--method", help="Only requests with this method (e.g. POST).")
@click.option("--path", help="Only this path, or a glob such as '/v2/notifications/*'.")
@click.option("--service-id", help="Only requests signed with a key of this service.")
@click.option(
    "--key-type",
    type=click.Choice(["normal", "live", "team", "test"]),
    help="Only requests signed with this type of key.",
)
@click.option("--recipient", help="Only sends to this phone number or email address.")
@click.option(
    "--status",
    type=click.Choice([str(status) for status in SERVER_ERROR_STATUSES]),
    help="Action: answer this 5xx, in Notify's shape, without processing the request.",
)
@click.option(
    "--error",
    type=click.Choice(ERROR_NAMES),
    help="Action: answer Notify's 429 (per-minute RateLimitError, daily TooManyRequestsError).",
)
@click.option(
    "--delay-ms",
    type=click.IntRange(min=0),
    help="Action: process the request, and answer this many milliseconds late.",
)
@click.option(
    "--drop",
    type=click.Choice(DROP_MOMENTS),
    help="Action: close the connection without an answer, before or after processing it.",
)
@click.option("--times", type=click.IntRange(min=1), help="Hit this many requests (default 1).")
@click.option("--forever", is_flag=True, help="Hit every matching request until deleted.")
@click.option(
    "--rate",
    type=click.FloatRange(0, 1),
    help="Hit each matching request with this chance (0 to 1); lasts until deleted unless "
    "--times is given.",
)
def add_fault(
    url: str,
    admin_token: str | None,
    method: str | None,
    path: str | None,
    service_id: str | None,
    key_type: str | None,
    recipient: str | None,
    status: str | None,
    error: str | None,
    delay_ms: int | None,
    drop: str | None,
    times: int | None,
    forever: bool,
    rate: float | None,
) -> None:
    """Add one fault."""
    actions: dict[str, object] = {
        name: value
        for name, value in (
            ("status", int(status) if status else None),
            ("error", error),
            ("delay_ms", delay_ms),
            ("drop", drop),
        )
        if value is not None
    }
    if len(actions) != 1:
        raise click.UsageError("give exactly one action: --status, --error, --delay-ms or --drop")
    if forever and times is not None:
        raise click.UsageError("give --times or --forever, not both")
    match = {
        name: value
        for name, value in (
            ("method", method),
            ("path", path),
            ("service_id", service_id),
            ("key_type", key_type),
            ("recipient", recipient),
        )
        if value is not None
    }
    fault: dict[str, object] = {"match": match, "action": actions}
    if forever:
        fault["times"] = None
    elif times is not None:
        fault["times"] = times
    if rate is not None:
        fault["rate"] = rate
    added = _Emulator(url, admin_token).call("POST", "/_emulator/faults", fault)
    click.echo(f"Added fault {added['id']}: {_describe(added)}")


@faults.command("list", help="List the faults in force, oldest first.")
@_connection_options
@click.option("--json", "as_json", is_flag=True, help="Print the emulator's JSON answer.")
def list_faults(url: str, admin_token: str | None, as_json: bool) -> None:
    """List the faults."""
    answer = _Emulator(url, admin_token).call("GET", "/_emulator/faults")
    if as_json:
        click.echo(json.dumps(answer, indent=2))
        return
    items = answer.get("faults", [])
    if not items:
        click.echo("No faults.")
    for item in items:
        click.echo(f"{item['id']}  {_describe(item)}")


@faults.command("clear", help="Delete the faults with these ids, or every fault.")
@_connection_options
@click.argument("fault_ids", nargs=-1, metavar="[ID]...")
def clear_faults(url: str, admin_token: str | None, fault_ids: tuple[str, ...]) -> None:
    """Delete faults."""
    emulator = _Emulator(url, admin_token)
    if not fault_ids:
        deleted = emulator.call("DELETE", "/_emulator/faults")["deleted"]
        click.echo(f"Deleted {deleted} fault{'' if deleted == 1 else 's'}.")
        return
    for fault_id in fault_ids:
        emulator.call("DELETE", f"/_emulator/faults/{fault_id}")
        click.echo(f"Deleted fault {fault_id}.")


def _describe(fault: dict[str, Any]) -> str:
    match = fault.get("match") or {}
    where = (
        " ".join(str(match[name]) for name in ("method", "path") if name in match)
        or "every request"
    )
    extra = ", ".join(
        f"{name} {match[name]}" for name in ("service_id", "key_type", "recipient") if name in match
    )
    action = ", ".join(f"{name} {value}" for name, value in (fault.get("action") or {}).items())
    remaining = fault.get("remaining")
    if fault.get("rate") is not None:
        chance = f"each with chance {fault['rate']:g}"
        how_often = chance if remaining is None else f"{chance}, {remaining} more"
    else:
        how_often = "until deleted" if remaining is None else f"{remaining} more"
    return f"{where}{f' ({extra})' if extra else ''} -> {action} ({how_often})"


# --- clock ---------------------------------------------------------------------------------


@click.group(help="The emulator's own clock: show it, or move it forward.")
def clock() -> None:
    """``notify-emulator clock``."""


@clock.command("show", help="Print the emulator's time and how far ahead of real time it is.")
@_connection_options
def show_clock(url: str, admin_token: str | None) -> None:
    """Show the clock."""
    click.echo(_describe_clock(_Emulator(url, admin_token).call("GET", "/_emulator/clock")))


@clock.command(
    "advance",
    help="Move the emulator's clock forward by DURATION (90s, 2h, 1d, 1h30m). Statuses, daily "
    "limits, retention and the letters' print run follow; JWTs keep the real time.",
)
@_connection_options
@click.argument("duration")
def advance_clock(url: str, admin_token: str | None, duration: str) -> None:
    """Move the clock forward."""
    try:
        seconds = parse_duration(duration)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="DURATION") from None
    answer = _Emulator(url, admin_token).call(
        "POST", "/_emulator/clock", {"advance_seconds": seconds}
    )
    click.echo(_describe_clock(answer))


def _describe_clock(answer: dict[str, Any]) -> str:
    offset = float(answer.get("offset_seconds") or 0)
    return f"{answer['now']} (real time + {_seconds_text(offset)})"


def _seconds_text(seconds: float) -> str:
    whole = int(seconds)
    days, rest = divmod(whole, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [
        f"{value}{unit}" for value, unit in ((days, "d"), (hours, "h"), (minutes, "m")) if value
    ]
    if secs or not parts:
        parts.append(f"{secs}s")
    return "".join(parts)
