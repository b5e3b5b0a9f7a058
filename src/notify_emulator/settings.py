"""The emulator's settings: one dataclass, passed to :func:`notify_emulator.app.create_app`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from pathlib import Path

import platformdirs

from notify_emulator.clock import Clock, SystemClock
from notify_emulator.rules.callbacks import (
    DEFAULT_CALLBACK_DELAY_SECONDS,
    DEFAULT_RETRY_DELAY_SECONDS,
    REQUEST_TIMEOUT_SECONDS,
)
from notify_emulator.rules.constants import API_PAGE_SIZE
from notify_emulator.rules.lifecycle import DeliveryDelays

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 6011
# notify-api.md §5.7: API_PAGE_SIZE
DEFAULT_PAGE_SIZE = API_PAGE_SIZE
# The domain of `from_email` (notify-api.md §5.2); production's.
DEFAULT_EMAIL_DOMAIN = "notifications.service.gov.uk"


def default_database_url() -> str:
    """A SQLite file in the user's data directory (created on demand)."""
    folder = Path(platformdirs.user_data_dir("notify-emulator", appauthor=False))
    return f"sqlite:///{folder / 'emulator.sqlite3'}"


def shown_database_url(url: str) -> str:
    """``url`` as it may be printed or logged: any password replaced by ``***``
    (``postgresql://user:***@host/db``), in the address or as a ``password=`` query parameter
    (which libpq also reads)."""
    # Text first: a password may hold "@" or "/" as typed, so everything from "user:" to the
    # last "@" before the query goes.
    address, mark, query = url.partition("?")
    shown = _PASSWORD_IN_ADDRESS.sub(r"\1***@", address, count=1)
    if mark:
        shown += mark + _PASSWORD_IN_QUERY.sub(r"\1***", query)
    password = _password_as_read(url)
    if password and password in shown:
        # The driver reads the URL another way (a "?" in the password, say): hide it all.
        return _PASSWORD_IN_ADDRESS.sub(r"\1***@", url, count=1)
    return shown


def _password_as_read(url: str) -> str | None:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        password = make_url(url).password
    except (ArgumentError, ValueError):
        return None
    return None if password is None else str(password)


_PASSWORD_IN_ADDRESS = re.compile(r"^([^:/?#]*://[^:/?#@]*:).*@", re.DOTALL)
_PASSWORD_IN_QUERY = re.compile(r"((?:^|&)password=)[^&#]*", re.IGNORECASE)


@dataclass(frozen=True)
class Settings:
    """How one emulator runs.

    ``database_url`` is a SQLAlchemy URL (``sqlite:///path``, ``sqlite:///:memory:`` or
    ``postgresql://…``); ``None`` means :func:`default_database_url`. ``config_path`` is a TOML
    seed file; without one (and with ``seed_demo``) the demo service is seeded. ``base_url``
    overrides the root put in response URIs (default: each request's own root). ``clock`` lets
    tests control time. ``delivery_delays`` sets the simulated status lifecycle's timings.
    ``callback_delay`` is how long after its event a callback is first attempted,
    ``callback_retry_delay`` the wait between attempts (Notify's 300 s by default) and
    ``callback_timeout`` each attempt's timeout (Notify's 5 s), all in seconds.
    """

    database_url: str | None = None
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    config_path: Path | None = None
    seed_demo: bool = True
    clock: Clock = field(default_factory=SystemClock)
    page_size: int = DEFAULT_PAGE_SIZE
    base_url: str | None = None
    email_domain: str = DEFAULT_EMAIL_DOMAIN
    log_requests: bool = True
    delivery_delays: DeliveryDelays = field(default_factory=DeliveryDelays)
    callback_delay: float = DEFAULT_CALLBACK_DELAY_SECONDS
    callback_retry_delay: float = DEFAULT_RETRY_DELAY_SECONDS
    callback_timeout: float = REQUEST_TIMEOUT_SECONDS
    admin_token: str | None = field(default=None, repr=False)
    """Required on the emulator-only surface when bound beyond loopback (web/guard.py)."""
    allowed_hosts: tuple[str, ...] = ()
    """Host header values served besides the loopback names (``--allowed-host``)."""

    def __repr__(self) -> str:
        # The database URL's password is hidden; the admin token is left out.
        shown = []
        for item in fields(self):
            if not item.repr:
                continue
            value = getattr(self, item.name)
            if item.name == "database_url" and value is not None:
                value = shown_database_url(value)
            shown.append(f"{item.name}={value!r}")
        return f"{type(self).__name__}({', '.join(shown)})"

    def __post_init__(self) -> None:
        for name in ("callback_delay", "callback_retry_delay", "callback_timeout"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ValueError(f"{name} must be a number of seconds, not {value!r}")
        if self.callback_timeout == 0:
            raise ValueError("callback_timeout must be more than 0 seconds")
        if not isinstance(self.page_size, int) or self.page_size < 1:
            raise ValueError(f"page_size must be a positive integer, not {self.page_size!r}")
        if not isinstance(self.port, int) or not 0 <= self.port <= 65535:
            raise ValueError(f"port must be an integer from 0 to 65535, not {self.port!r}")
        if self.base_url is not None and not self.base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url must start with http:// or https://, not {self.base_url!r}")
        if self.admin_token is not None and not self.admin_token.strip():
            raise ValueError("admin_token must not be empty")

    @property
    def resolved_database_url(self) -> str:
        """The database URL actually used."""
        return self.database_url or default_database_url()
