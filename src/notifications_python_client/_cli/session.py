"""What every ``notify`` command shares: configuration, the client, output and errors."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import click
from rich.console import Console
from rich.text import Text

from notifications_python_client._constants import DEFAULT_TIMEOUT, LOGGER_NAME
from notifications_python_client.errors import APIError, NetworkError
from notifications_python_client.notifications import NotificationsAPIClient

from .render import print_json

#: Exit status when Notify (or the network) refused a request; click uses 2 for usage errors.
EXIT_API_ERROR = 1
#: Exit status of a bulk run stopped by Ctrl-C (the shell's convention for SIGINT).
EXIT_INTERRUPTED = 130

API_KEY_ENV = "NOTIFY_API_KEY"
BASE_URL_ENV = "NOTIFY_BASE_URL"

_REDACTED = "[redacted]"


class _CurrentStderrHandler(logging.Handler):
    """Writes to whatever ``sys.stderr`` is at the time (test runners replace it)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
        except Exception:  # logging must never break the command
            self.handleError(record)


def configure_logging(ctx: click.Context, *, verbose: bool) -> None:
    """Show the client's request log on standard error with ``--verbose``, else nothing.

    Without a handler of its own, the client's warnings (say, a failed request) would reach
    Python's last-resort handler and repeat what the error message already says. Everything is
    put back when the command ends, so running ``notify`` in-process leaves logging as it was.
    """
    logger = logging.getLogger(LOGGER_NAME)
    handler = _CurrentStderrHandler(logging.DEBUG if verbose else logging.CRITICAL + 1)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    previous_level = logger.level
    logger.addHandler(handler)
    if verbose:
        logger.setLevel(logging.DEBUG)

    def restore() -> None:
        logger.removeHandler(handler)
        logger.setLevel(previous_level)

    ctx.call_on_close(restore)


@dataclass
class CliSession:
    """The options given to ``notify`` itself; ``ctx.obj`` of every command.

    The API key is held here only to build the client and to scrub it from anything printed.
    """

    api_key: str | None = field(repr=False)
    base_url: str
    timeout: float = DEFAULT_TIMEOUT
    json_output: bool = False
    #: Whether --base-url or NOTIFY_BASE_URL chose the service; if not, it is the live one.
    base_url_given: bool = True

    def client(self) -> NotificationsAPIClient:
        """A client for the configured service; a usage error if the key or URL is unusable."""
        if not self.api_key:
            raise click.UsageError(
                f"No API key: set {API_KEY_ENV} or pass --api-key (before the command name)"
            )
        if not self.base_url_given:
            # Someone who meant a local emulator and forgot the variable should see where
            # their messages are going; on standard error, so scripts' output stays the same.
            self.stderr().print(
                Text(
                    f"Using GOV.UK Notify at {self.base_url} (set {BASE_URL_ENV} to use another)",
                    style="dim",
                )
            )
        try:
            return NotificationsAPIClient(
                self.api_key, base_url=self.base_url, timeout=self.timeout
            )
        except (ValueError, TypeError) as error:
            explanation = getattr(error, "explanation", None)
            text = f"{error}: {explanation}" if explanation else str(error)
            raise click.UsageError(self.redact(text)) from None

    def redact(self, text: str) -> str:
        """``text`` with the API key, and its secret on its own, blanked out."""
        key = self.api_key
        if key:
            text = text.replace(key, _REDACTED)
            # The secret is the key's last 36 characters (notify-api.md §2.1).
            secret = key[-36:]
            if len(secret) == 36:
                text = text.replace(secret, _REDACTED)
        return text

    def stdout(self) -> Console:
        """A console on the current standard output (looked up now, so test runners see it)."""
        return Console(file=sys.stdout, highlight=False, soft_wrap=False)

    def stderr(self) -> Console:
        """A console on the current standard error, for progress and error messages."""
        return Console(file=sys.stderr, highlight=False)

    def fail(self, error: APIError) -> NoReturn:
        """Report Notify's error (as JSON with ``--json``) and exit with a non-zero status."""
        if self.json_output:
            body: dict[str, Any] = {"status_code": error.status_code}
            if error.errors:
                body["errors"] = error.errors
            else:
                body["message"] = str(error.message)
            # What the human output says, and for a request that got no answer the server it
            # went to: its 503 "Request failed" alone names neither.
            body["description"] = error.description
            if isinstance(error, NetworkError):
                body["origin"] = error.origin
            print_json(self.stdout(), json.loads(self.redact(json.dumps(body))))
        else:
            # Notify's text is printed as it is: brackets in it are not rich markup.
            line = Text.assemble(("Error:", "bold red"), " ", self.redact(error.description))
            self.stderr().print(line)
        sys.exit(EXIT_API_ERROR)

    @contextmanager
    def reporting_errors(self) -> Iterator[None]:
        """Turn a failed request inside the block into Notify's error text and an exit status."""
        try:
            yield
        except APIError as error:
            self.fail(error)


def read_json_option(value: str, option: str) -> Any:
    """Parse a JSON option value; ``@path`` reads the JSON from a file."""
    text = value
    if value.startswith("@"):
        try:
            text = Path(value[1:]).read_text(encoding="utf-8")
        except OSError as error:
            raise click.BadParameter(f"cannot read {value[1:]}: {error.strerror}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise click.BadParameter(f"not valid JSON ({error.msg})", param_hint=option) from None


def build_personalisation(pairs: tuple[str, ...], json_value: str | None) -> dict[str, Any] | None:
    """Merge ``--personalisation-json`` with ``-p key=value`` pairs (the pairs win)."""
    personalisation: dict[str, Any] = {}
    if json_value is not None:
        parsed = read_json_option(json_value, "--personalisation-json")
        if not isinstance(parsed, dict):
            raise click.BadParameter("must be a JSON object", param_hint="--personalisation-json")
        personalisation.update(parsed)
    for pair in pairs:
        name, separator, value = pair.partition("=")
        if not separator or not name:
            raise click.BadParameter(
                f"{pair!r} is not key=value", param_hint="-p/--personalisation"
            )
        personalisation[name] = value
    return personalisation or None
