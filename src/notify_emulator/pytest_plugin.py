"""pytest fixtures for testing a GOV.UK Notify integration against a local emulator.

Request the ``notify_emulator`` fixture in a test::

    def test_sends_a_reminder(notify_emulator):
        send_reminder(notify_emulator.client, name="Amala")  # your code under test
        (message,) = notify_emulator.sent()
        assert message["body"] == "Hello Amala, this is a demo text."

One emulator serves the whole session (on a free loopback port, with a SQLite database in
the test process's memory); each test starts with no notifications and no received texts. The
emulator is seeded with its demo service, or with the seed file named by the
``notify_emulator_config`` ini option (a path relative to the rootdir).

A test can set up more with ``create_service``, ``create_api_key``, ``create_template`` and
``update_template`` (the emulator's set-up routes). What a test sets up lasts until the end of
that test: the next test starts with the seeded configuration again, whatever changed it. Each
test starts with no faults, so a seed file's ``[[faults]]`` are in force in none.

The plugin is registered through the ``pytest11`` entry point, so every pytest run in an
environment where this package is installed loads it. It therefore imports nothing heavy and
starts nothing until a test asks for the fixture.

Once the emulator has started, the fixture freezes the garbage collector's view of what the
session holds (``gc.freeze()``), so collections during the tests leave it out; the session's
end unfreezes it.

The emulator runs in the test process, so the fixture resets it and reads what was sent from
its store directly, with the functions its ``/_emulator/reset`` and ``GET /v2/notifications/{id}``
routes use, and needs no Notify client of its own. Its ``client`` attribute is made, on first
use, from whichever ``notifications_python_client`` is installed: this repository's drop-in or
the official client 13.x.
"""

from __future__ import annotations

import gc
import json
import reprlib
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    import requests

    from notifications_python_client.notifications import NotificationsAPIClient
    from notify_emulator.callbacks.receiver import CallbackAnswer, CallbackReceiver
    from notify_emulator.seed import SeedConfig
    from notify_emulator.server import EmulatorServer
    from notify_emulator.store import NotificationRecord, Store
    from notify_emulator.web.context import Emulator

__all__ = ["CONFIG_INI_OPTION", "NotifyEmulator", "NotifyEmulatorError", "notify_emulator"]

#: The ini option naming a seed file (relative to the rootdir) to load instead of the demo service.
CONFIG_INI_OPTION = "notify_emulator_config"
#: Ini options for the callbacks' timing in tests (seconds): first attempt, and between attempts.
CALLBACK_DELAY_INI_OPTION = "notify_emulator_callback_delay"
CALLBACK_RETRY_DELAY_INI_OPTION = "notify_emulator_callback_retry_delay"
# Fast by default, so a test sees a callback (and its retries) at once; Notify waits 300 s.
DEFAULT_TEST_CALLBACK_DELAY = 0.0
DEFAULT_TEST_CALLBACK_RETRY_DELAY = 0.1
# The bearer token callback_receiver() registers unless told otherwise.
DEFAULT_RECEIVER_TOKEN = "notify-emulator-test-token"
CALLBACK_TYPES = ("delivery_status", "inbound_sms", "returned_letter")
# How often wait_for_callbacks() looks.
CALLBACK_POLL_SECONDS = 0.02
# How far past a letter's print run return_letter() moves the clock of a letter not yet printed.
PRINT_RUN_MARGIN = timedelta(seconds=1)
# The sender of a text injected by receive_text() when the test does not say: an OFCOM
# drama number, which no real phone has.
DEFAULT_SENDER_NUMBER = "07700900001"
# Timeout for the fixture's own calls to the emulator's /_emulator/ routes.
ADMIN_TIMEOUT_SECONDS = 10.0
# The session's database: SQLite in memory, one per test process.
IN_MEMORY_DATABASE_URL = "sqlite:///:memory:"
# sent() reads the stored notifications this many at a time.
SENT_PAGE_SIZE = 1000
LIVE_KEY_TYPE = "normal"


class _Unset:
    """The default of ``times``, which ``None`` cannot be: ``None`` means "until deleted"."""

    def __repr__(self) -> str:
        return "<one time>"


_ONCE: Any = _Unset()


class NotifyEmulatorError(RuntimeError):
    """An emulator-only route refused a request, or the seed gives the fixture nothing to use."""


def _names(names: Iterable[str]) -> str:
    return ", ".join(repr(name) for name in names) or "none"


class _Templates(dict[str, str]):
    """Template ids by name; a name that is not there raises a ``KeyError`` naming those that
    are."""

    def __missing__(self, name: str) -> str:
        raise KeyError(f"no template named {name!r}: the templates are {_names(self)}")


class _ApiKeys(Mapping[str, str]):
    """Key strings by name. Its repr names the keys only, and a failing comparison with it is
    explained by :func:`pytest_assertrepr_compare` by name only: so a failing assertion about
    it never prints a secret (pytest would show the values of two mappings that differ)."""

    def __init__(self, keys: Mapping[str, str]) -> None:
        self._keys = dict(keys)

    def __getitem__(self, name: str) -> str:
        try:
            return self._keys[name]
        except KeyError:
            raise KeyError(
                f"no API key named {name!r}: the keys are {_names(self._keys)}"
            ) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __repr__(self) -> str:
        return f"<API keys {_names(self._keys)}, secrets not shown>"

    def _add(self, name: str, key: str) -> None:
        self._keys[name] = key


# The configurations of the pytest runs in progress in this process, the innermost last (a
# pytest run can start another in the same process, as pytester's in-process runs do).
_configs: list[pytest.Config] = []


def pytest_configure(config: pytest.Config) -> None:
    """Remember the run's configuration, for the session's emulator to read its options."""
    _configs.append(config)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Forget the run's configuration."""
    if config in _configs:
        _configs.remove(config)


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register the ``notify_emulator_config`` ini option."""
    parser.addini(
        CONFIG_INI_OPTION,
        help="TOML seed file for the notify_emulator fixture, relative to the rootdir "
        "(default: the emulator's demo service)",
        default="",
    )
    parser.addini(
        CALLBACK_DELAY_INI_OPTION,
        help="seconds before the emulator first attempts a callback (default "
        f"{DEFAULT_TEST_CALLBACK_DELAY:g})",
        default=str(DEFAULT_TEST_CALLBACK_DELAY),
    )
    parser.addini(
        CALLBACK_RETRY_DELAY_INI_OPTION,
        help="seconds between attempts at a failing callback (default "
        f"{DEFAULT_TEST_CALLBACK_RETRY_DELAY:g}; Notify's is 300)",
        default=str(DEFAULT_TEST_CALLBACK_RETRY_DELAY),
    )


@pytest.hookimpl(tryfirst=True)
def pytest_assertrepr_compare(op: str, left: object, right: object) -> list[str] | None:
    """Explain a failing comparison with the fixture's ``api_keys`` by key name only."""
    if not isinstance(left, _ApiKeys) and not isinstance(right, _ApiKeys):
        return None
    lines = [f"{_described(left)} {op} {_described(right)}"]
    if op == "==" and isinstance(left, Mapping) and isinstance(right, Mapping):
        missing = [name for name in right if name not in left]
        extra = [name for name in left if name not in right]
        differing = [name for name in left if name in right and left[name] != right[name]]
        if extra:
            lines.append(f"Left has more keys: {_names(extra)}")
        if missing:
            lines.append(f"Right has more keys: {_names(missing)}")
        if differing:
            lines.append(f"The key strings differ for: {_names(differing)} (not shown)")
    return lines


def _described(value: object) -> str:
    if isinstance(value, _ApiKeys):
        return repr(value)
    if isinstance(value, Mapping):
        # A mapping compared with the keys holds key strings too, most likely.
        return f"<mapping of {_names([str(name) for name in value])}, values not shown>"
    return reprlib.repr(value)


@dataclass(frozen=True)
class _SeededService:
    """What the fixture needs to know about the first seeded service."""

    service_id: str
    # The secrets are left out of its repr (pytest shows it in a failing start's locals).
    api_key: str = field(repr=False)
    api_keys: Mapping[str, str] = field(repr=False)
    templates: Mapping[str, str]
    callbacks: Mapping[str, tuple[str, str]] = field(default_factory=dict, repr=False)
    """The seed's callbacks: type -> (url, bearer token), restored after callback_receiver()."""


class NotifyEmulator:
    """A running emulator, reset for the current test.

    Attributes: ``base_url`` (``http://127.0.0.1:<port>``), ``service_id`` and ``api_key`` (the
    first live key of the first seeded service), ``api_keys`` (that service's keys by name),
    ``client`` (a :class:`NotificationsAPIClient` using ``api_key``, made when first used) and
    ``templates`` (that service's template ids by name).
    """

    def __init__(self, emulator_session: _EmulatorSession) -> None:
        service = emulator_session.service
        self.base_url = emulator_session.server.base_url
        self.service_id = service.service_id
        self.api_key = service.api_key
        self.api_keys: Mapping[str, str] = _ApiKeys(service.api_keys)
        self.templates: dict[str, str] = _Templates(service.templates)
        self._emulator_session = emulator_session
        self._seeded_callbacks = dict(service.callbacks)

    def __repr__(self) -> str:
        # Never show the keys.
        return f"<NotifyEmulator {self.base_url} service {self.service_id}>"

    @property
    def _session(self) -> requests.Session:
        """The session the helpers call the /_emulator/ routes with (made on first use)."""
        return self._emulator_session.http()

    @property
    def client(self) -> NotificationsAPIClient:
        """A Notify client using ``api_key``, shared by the session's tests."""
        return self._emulator_session.client()

    def sent(self, *, service_id: str | None = None) -> list[dict[str, Any]]:
        """The notifications sent during this test, by every service or by ``service_id``'s,
        oldest first.

        Each is the dict that ``GET /v2/notifications/{id}`` returns to its service, so
        ``sent()[0]["body"]`` is the rendered body and ``sent()[0]["status"]`` its current
        status. Messages to Notify's smoke-test recipients are never stored, so they are not
        listed.
        """
        return self._emulator_session.sent(service_id)

    def receive_text(
        self,
        content: str,
        *,
        user_number: str = DEFAULT_SENDER_NUMBER,
        service_id: str | None = None,
    ) -> dict[str, Any]:
        """Make the service (default: the first) receive a text message; return what the
        emulator recorded."""
        body = {
            "service_id": service_id or self.service_id,
            "user_number": user_number,
            "content": content,
        }
        answer = self._admin("POST", "/_emulator/received-texts", json=body)
        if not isinstance(answer, dict):
            raise NotifyEmulatorError(
                f"unexpected answer from /_emulator/received-texts: {answer!r}"
            )
        return answer

    def set_status(self, notification_id: str, status: str) -> None:
        """Force a notification into ``status`` (a Notify status name, e.g.
        ``"permanent-failure"``); it stays there."""
        self._admin(
            "POST", f"/_emulator/notifications/{notification_id}/status", json={"status": status}
        )

    def return_letter(self, notification_id: str) -> dict[str, Any]:
        """Have a letter come back from the printer: it becomes ``returned-letter``
        (``received`` in v2), is listed by the returned-letters routes, and the service's
        returned-letter callback fires. Returns the letter as ``GET /v2/notifications/{id}``
        shows it.

        Only a printed letter can come back: one still waiting for its print run (17:50 London
        time) is printed first, by moving the emulator's clock just past that run.
        """
        self._pass_print_run(notification_id)
        answer = self._admin("POST", f"/_emulator/notifications/{notification_id}/return")
        return dict(answer)

    def _pass_print_run(self, notification_id: str) -> None:
        from notify_emulator.rules.timings import print_run

        store = self._emulator_session.store
        record = store.get_notification(notification_id)
        if record is None or record.notification_type != "letter" or record.key_type == "test":
            return  # the route says why it cannot be returned
        if record.status not in ("pending-virus-check", "created"):
            return
        wait = print_run(record.created_at) + PRINT_RUN_MARGIN - store.now()
        if wait > timedelta(0):
            self.advance(seconds=wait.total_seconds())

    # --- callbacks ---

    def callbacks(
        self,
        *,
        type: str | None = None,
        notification_id: str | None = None,
        service_id: str | None = None,
    ) -> list[dict[str, Any]]:
        """The callbacks queued for the service (default: the first) during this test, oldest
        first, as ``GET /_emulator/callbacks`` lists them: ``id``, ``type``, ``url``, ``body``
        (the exact JSON text), ``attempts``, ``state`` and ``next_attempt_at``."""
        params = {"service_id": service_id or self.service_id}
        if type is not None:
            params["type"] = type
        if notification_id is not None:
            params["notification_id"] = notification_id
        answer = self._admin("GET", "/_emulator/callbacks", params=params)
        if not isinstance(answer, dict) or not isinstance(answer.get("callbacks"), list):
            raise NotifyEmulatorError(f"unexpected answer from /_emulator/callbacks: {answer!r}")
        return list(reversed(answer["callbacks"]))

    def wait_for_callbacks(
        self,
        count: int = 1,
        *,
        timeout: float = 10.0,
        settled: bool = False,
        type: str | None = None,
        notification_id: str | None = None,
        service_id: str | None = None,
    ) -> list[dict[str, Any]]:
        """Wait until at least ``count`` matching callbacks have been attempted (with
        ``settled``: are delivered or failed); return every matching one, oldest first.

        Raises :class:`NotifyEmulatorError` after ``timeout`` seconds, saying what there was.
        """
        deadline = time.monotonic() + timeout
        while True:
            found = self.callbacks(
                type=type, notification_id=notification_id, service_id=service_id
            )
            done = [
                item
                for item in found
                if (item["state"] != "pending" if settled else bool(item["attempts"]))
            ]
            if len(done) >= count:
                return found
            if time.monotonic() >= deadline:
                states = ", ".join(
                    f"{item['type']} {item['state']} ({len(item['attempts'])} attempts)"
                    for item in found
                )
                raise NotifyEmulatorError(
                    f"{len(done)} of {count} callback(s) within {timeout:g} s"
                    + (f": {states}" if states else ": none queued")
                )
            time.sleep(CALLBACK_POLL_SECONDS)

    def retry_callback(self, callback_id: str) -> dict[str, Any]:
        """Attempt a callback again now (one more attempt for a delivered or failed one)."""
        return dict(self._admin("POST", f"/_emulator/callbacks/{callback_id}/retry"))

    def set_callback(
        self,
        type: str,
        url: str,
        bearer_token: str | None = None,
        *,
        service_id: str | None = None,
    ) -> list[str]:
        """Set one of the service's callbacks (``url=""`` removes it); returns the warnings
        (where real Notify would refuse the URL). Like every set-up step it lasts until the
        end of the test: the next one starts with the seeded callbacks."""
        body: dict[str, Any] = {"type": type, "url": url}
        if bearer_token is not None:
            body["bearer_token"] = bearer_token
        answer = self._admin(
            "POST", f"/_emulator/services/{service_id or self.service_id}/callbacks", json=body
        )
        return list(answer.get("warnings", []))

    @contextmanager
    def callback_receiver(
        self,
        *answers: int | CallbackAnswer,
        types: str | Sequence[str] = CALLBACK_TYPES,
        bearer_token: str = DEFAULT_RECEIVER_TOKEN,
        path: str = "/callbacks",
    ) -> Iterator[CallbackReceiver]:
        """A local endpoint that records what it receives, set as the first service's
        callbacks of ``types`` until the block ends (then the seed's are put back).

        ``types`` may also be one type, as a string. ``answers`` script its first answers
        (status codes, or ``CallbackAnswer`` for a late one); then it answers 200.
        ``receiver.requests`` holds what arrived (``method``, ``path``, ``headers``, ``body``,
        ``json``); ``receiver.wait_for(n)`` waits for it.
        """
        from notify_emulator.callbacks.receiver import CallbackReceiver

        if isinstance(types, str):
            types = (types,)  # one type, not its letters
        for kind in types:
            if kind not in CALLBACK_TYPES:
                raise ValueError(f"unknown callback type {kind!r}: use {', '.join(CALLBACK_TYPES)}")
        with CallbackReceiver(path=path) as receiver:
            receiver.respond_with(*answers)
            try:
                for kind in types:
                    self.set_callback(kind, receiver.url, bearer_token)
                yield receiver
            finally:
                for kind in types:
                    url, token = self._seeded_callbacks.get(kind, ("", ""))
                    self.set_callback(kind, url, token or None)

    def reset(self) -> None:
        """Forget every notification and received text, delete every fault and put the clock
        back on real time, as ``POST /_emulator/reset`` does (the fixture does this, and puts
        the seeded configuration back, before each test)."""
        self._emulator_session.reset(configuration=False)

    # --- faults (shared/spec/emulator.md "Faults") ----------------------------------------

    def add_fault(
        self,
        *,
        action: Mapping[str, Any],
        match: Mapping[str, Any] | None = None,
        times: int | None = _ONCE,
        rate: float | None = None,
    ) -> str:
        """Make matching requests fail as ``action`` says; returns the fault's id.

        ``action`` is one of ``{"status": 503}`` (500, 502, 503 or 504), ``{"error":
        "RateLimitError"}`` or ``{"error": "TooManyRequestsError"}``, ``{"delay_ms": 2000}``,
        ``{"drop": "before"}`` or ``{"drop": "after"}``. ``match`` may hold ``method``,
        ``path`` (exact, or a glob such as ``/v2/notifications/*``), ``service_id``,
        ``key_type`` and ``recipient``. ``times`` (default 1; ``None``: until deleted) or
        ``rate`` (the chance, from 0 to 1, that each matching request is hit).
        """
        fault: dict[str, Any] = {
            "match": _mapping("match", match or {}, "{'path': '/v2/notifications/sms'}"),
            "action": _mapping("action", action, "{'status': 503}"),
        }
        if times is not _ONCE:
            fault["times"] = times
        if rate is not None:
            fault["rate"] = rate
        answer = self._admin("POST", "/_emulator/faults", json=fault)
        return str(answer["id"])

    def fail_next(
        self,
        path: str | None = None,
        *,
        status: int = 503,
        times: int | None = 1,
        method: str | None = None,
    ) -> str:
        """The next ``times`` requests (to ``path``, by ``method``, when given) get a ``status``
        error from Notify and are not processed; returns the fault's id."""
        return self.add_fault(match=_route(path, method), action={"status": status}, times=times)

    def lose_answer_next(
        self, path: str | None = None, *, times: int | None = 1, method: str | None = None
    ) -> str:
        """The next ``times`` requests (to ``path``, by ``method``, when given) are processed,
        and a notification they send is stored, but the connection closes before the answer:
        the client cannot know the outcome. Returns the fault's id."""
        return self.add_fault(match=_route(path, method), action={"drop": "after"}, times=times)

    def faults(self) -> list[dict[str, Any]]:
        """The faults in force, each with its ``id`` and ``remaining`` count."""
        answer = self._admin("GET", "/_emulator/faults")
        return list(answer["faults"])

    def clear_faults(self) -> None:
        """Delete every fault."""
        self._admin("DELETE", "/_emulator/faults")

    # --- time (shared/spec/emulator.md "Time") --------------------------------------------

    def now(self) -> datetime:
        """The emulator's time (aware, UTC)."""
        return _clock_time(self._admin("GET", "/_emulator/clock"))

    def advance(
        self, *, days: float = 0, hours: float = 0, minutes: float = 0, seconds: float = 0
    ) -> datetime:
        """Move the emulator's clock forward; returns its new time.

        Statuses move on, daily limits start again after midnight, notifications leave v2
        reads after their retention and letters reach the 17:50 print run as the time passes;
        JWTs are still checked against the real clock, so the client keeps working.
        """
        step = timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
        if step < timedelta(0):
            raise ValueError("the emulator's clock only moves forward")
        answer = self._admin(
            "POST", "/_emulator/clock", json={"advance_seconds": step.total_seconds()}
        )
        return _clock_time(answer)

    # --- set-up steps (dropped again before the next test) ---------------------------------

    def create_service(self, name: str, **fields: Any) -> str:
        """Create a service (``fields`` are a seed file's service fields, e.g.
        ``trial_mode=True``, ``guest_list=[...]``); return its id."""
        answer = self._admin("POST", "/_emulator/services", json={"name": name, **fields})
        return str(answer["id"])

    def create_api_key(
        self, name: str | None = None, key_type: str = "team", service_id: str | None = None
    ) -> str:
        """Create an API key (``normal``, ``team`` or ``test``) for the service (default: the
        first); return the whole key string to give a client. A key of the first service is
        also added to :attr:`api_keys` by name."""
        service = service_id or self.service_id
        key_name = name or f"key {uuid.uuid4().hex[:8]}"
        body = {"name": key_name, "type": key_type}
        answer = self._admin("POST", f"/_emulator/services/{service}/api-keys", json=body)
        key = str(answer["key"])
        if service == self.service_id and isinstance(self.api_keys, _ApiKeys):
            self.api_keys._add(key_name, key)
        return key

    def create_template(
        self,
        type: str,
        name: str,
        body: str,
        subject: str | None = None,
        service_id: str | None = None,
        **fields: Any,
    ) -> str:
        """Create a template (``sms``, ``email`` or ``letter``; ``fields`` may add ``postage``,
        ``letter_contact_block`` or ``unsubscribe_link``); return its id. A template of the
        first service is also added to :attr:`templates` by name."""
        service = service_id or self.service_id
        content: dict[str, Any] = {"type": type, "name": name, "body": body, **fields}
        if subject is not None:
            content["subject"] = subject
        answer = self._admin("POST", f"/_emulator/services/{service}/templates", json=content)
        template_id = str(answer["id"])
        if service == self.service_id:
            self.templates[name] = template_id
        return template_id

    def update_template(self, template_id: str, **changes: Any) -> int:
        """Save changes to a template (``name``, ``body``, ``subject``, ``postage``,
        ``letter_contact_block``, or ``archived=True``) as a new version; return its number.
        A template of :attr:`templates` that is renamed is listed there by its new name."""
        answer = self._admin("POST", f"/_emulator/templates/{template_id}", json=changes)
        new_name = changes.get("name")
        if isinstance(new_name, str) and template_id in self.templates.values():
            for name in [name for name, known in self.templates.items() if known == template_id]:
                del self.templates[name]
            self.templates[new_name] = template_id
        return int(answer["version"])

    def _admin(self, method: str, path: str, **options: Any) -> Any:
        answer = self._session.request(
            method, self.base_url + path, timeout=ADMIN_TIMEOUT_SECONDS, **options
        )
        if answer.status_code >= 400:
            raise NotifyEmulatorError(
                f"{method} {path} answered {answer.status_code}: {_admin_error(answer)}"
            )
        if not answer.content:
            return None
        return answer.json()


def _mapping(name: str, value: object, example: str) -> dict[str, Any]:
    """``value`` as a dict, or a ``TypeError`` saying what it should be (not ``dict()``'s)."""
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a mapping such as {example}, not {value!r}")
    return dict(value)


def _route(path: str | None, method: str | None) -> dict[str, str]:
    match: dict[str, str] = {}
    if path is not None:
        match["path"] = path
    if method is not None:
        match["method"] = method
    return match


def _clock_time(answer: Any) -> datetime:
    if not isinstance(answer, dict) or not isinstance(answer.get("now"), str):
        raise NotifyEmulatorError(f"unexpected answer from /_emulator/clock: {answer!r}")
    return datetime.fromisoformat(answer["now"].replace("Z", "+00:00"))


def _admin_error(answer: requests.Response) -> str:
    """What a refusal says: the error, and the field at fault when it names one."""
    try:
        body = answer.json()
    except ValueError:
        return answer.text[:500]
    if isinstance(body, dict) and "error" in body:
        field = body.get("field")
        return f"{body['error']} ({field})" if field else str(body["error"])
    return answer.text[:500]


class _EmulatorSession:
    """The session-wide emulator behind the fixture.

    The fixture runs in the emulator's own process, so it resets and reads the emulator's
    store directly rather than through its HTTP routes: the same functions as those routes,
    without a round trip (and without meeting the faults a test has set on them).
    """

    def __init__(self, server: EmulatorServer, service: _SeededService) -> None:
        from notify_emulator.store.export import configuration
        from notify_emulator.store.setup import configuration_rows

        self.server = server
        self.service = service
        self._http: requests.Session | None = None
        self._client: NotificationsAPIClient | None = None
        self.emulator: Emulator = server.app.state.emulator
        self.store: Store = self.emulator.store
        self.root = (self.emulator.settings.base_url or server.base_url).rstrip("/")
        # The reset before each test deletes every fault, so a seed file's [[faults]] are
        # deleted now, before the first test: left in place, they would hold in the first
        # tests only, used up by whichever ran first.
        self.store.faults.clear()
        # The configuration as seeded (generated secrets included), as an export, which is put
        # back whenever a test has changed it; and its rows, as they are when it is in place.
        self.seeded = configuration(self.store)
        self._baseline: SeedConfig | None = None
        self._seeded_rows = configuration_rows(self.store)
        # The configuration generation at which there were no faults, the clock was on real
        # time and the configuration was as seeded; any change to one of those moves it on.
        self.generation = self._generation()

    def _generation(self) -> int | None:
        return self.store.config.current().generation

    def reset(self, *, configuration: bool) -> None:
        """What ``POST /_emulator/reset`` does, and with ``configuration`` put the seeded
        configuration back if a test changed it; one transaction.

        While the generation stands, no fault was added and the clock was not moved, so only
        what was sent and received is deleted. When it has moved, the faults and the clock
        are reset, and the configuration tables are compared, row by row, with what they held
        when the seeded configuration was last put in place; the configuration is rebuilt
        only if they differ (a test that only rehearsed a fault or moved the clock changed
        none).
        """
        from notify_emulator.admin.routes import reset_state
        from notify_emulator.store.setup import configuration_generation

        with self.store.db.begin():
            generation = self._generation()
            changed = generation is None or generation != self.generation
            reset_state(self.emulator, faults_and_clock=changed)
            if changed and configuration:
                self._restore_configuration()
                # Read as this transaction leaves it (not through the configuration cache,
                # which must only ever label what has been committed).
                self.generation = configuration_generation(self.store)

    def _restore_configuration(self) -> None:
        from notify_emulator.seed import parse_seed
        from notify_emulator.store.setup import configuration_rows, replace_configuration

        if configuration_rows(self.store) == self._seeded_rows:
            return
        if self._baseline is None:
            self._baseline = parse_seed(self.seeded, source="the seeded configuration")
        replace_configuration(self.store, self._baseline)
        # Rebuilt rows have new timestamps: these are what "as seeded" looks like from now on.
        self._seeded_rows = configuration_rows(self.store)

    def sent(self, service_id: str | None) -> list[dict[str, Any]]:
        """Every stored notification (or ``service_id``'s), oldest first, each as
        ``GET /v2/notifications/{id}`` answers its service: the route's own serialiser, and
        its JSON encoding."""
        from notify_emulator.present.serialise import notification_json
        from notify_emulator.web.responses import encode_json

        store = self.store
        if service_id is not None and store.get_service(service_id) is None:
            # Not an empty list, which an assertion that nothing was sent would pass with.
            raise NotifyEmulatorError(f"sent(): no service with id {service_id!r}")
        with store.config.one_check():
            records = self._stored(service_id)
            now = store.now()  # naive UTC, as stored
            messages: list[dict[str, Any]] = []
            for record in reversed(records):
                self._check_readable(record, now)
                answer = notification_json(record, store.notification_template(record), self.root)
                messages.append(json.loads(encode_json(answer)))
        return messages

    def _stored(self, service_id: str | None) -> list[NotificationRecord]:
        # Newest first, a page at a time (with due statuses applied, as a read applies them).
        records: list[NotificationRecord] = []
        older_than: str | None = None
        while True:
            page = self.store.notifications_page(service_id, older_than, SENT_PAGE_SIZE)
            records.extend(page)
            if len(page) < SENT_PAGE_SIZE:
                return records
            older_than = page[-1].id

    def _check_readable(self, record: NotificationRecord, now: datetime) -> None:
        # A service reads its notifications for its data retention period only (a test may
        # have moved the clock past it): GET /v2/notifications/{id} would answer 404.
        service = self.store.get_service(record.service_id)
        if service is None:
            raise NotifyEmulatorError(
                f"notification {record.id} belongs to service {record.service_id}, which no "
                "longer exists, so it cannot be read"
            )
        days = service.data_retention_days
        if record.created_at < now - timedelta(days=days):
            raise NotifyEmulatorError(
                f"notification {record.id} is past its service's data retention ({days} "
                f"days), so GET /v2/notifications/{record.id} answers 404"
            )

    def http(self) -> requests.Session:
        """The session for the /_emulator/ routes, made (and requests imported) on first use:
        a test that only sends and reads what it sent never needs it."""
        if self._http is None:
            import requests

            self._http = requests.Session()
        return self._http

    def client(self) -> NotificationsAPIClient:
        if self._client is None:
            try:
                from notifications_python_client.notifications import NotificationsAPIClient
            except ImportError as error:
                raise NotifyEmulatorError(
                    "notify_emulator.client needs a Notify client (notifications_python_client "
                    "is not installed): install this repository's client or the official one"
                ) from error
            self._client = NotificationsAPIClient(
                self.service.api_key, base_url=self.server.base_url
            )
        return self._client

    def close(self) -> None:
        # Close the connections before the server goes, or their sockets are left for the
        # garbage collector to find (a ResourceWarning in whichever test runs then).
        if self._client is not None:
            _close_client(self._client)
        if self._http is not None:
            self._http.close()
        self.server.stop()


def _close_client(client: object) -> None:
    """Close a client's connections: ours has ``close()``; the official client 13.x has none,
    only its ``request_session``."""
    import requests

    close = getattr(client, "close", None)
    if callable(close):
        close()
        return
    session = getattr(client, "request_session", None)
    if isinstance(session, requests.Session):
        session.close()


def _seed_path(config: pytest.Config) -> Path | None:
    value = config.getini(CONFIG_INI_OPTION)
    if not isinstance(value, str):
        raise TypeError(f"{CONFIG_INI_OPTION} must be a path, not {value!r}")
    if not value.strip():
        return None
    path = config.rootpath / value.strip()
    if not path.is_file():
        raise ValueError(f"{CONFIG_INI_OPTION} = {value!r}: no such file {path}")
    return path


def _seconds_option(config: pytest.Config, name: str) -> float:
    value = config.getini(name)
    try:
        seconds = float(str(value).strip())
    except ValueError:
        raise ValueError(f"{name} = {value!r}: not a number of seconds") from None
    if seconds < 0:
        raise ValueError(f"{name} = {value!r}: must not be negative")
    return seconds


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The garbage collector off (if it was on) while the block runs.

    Starting the emulator imports its modules and makes many objects that live as long as it
    does; each collection meanwhile would walk everything the test session holds, for nothing.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _start(config: pytest.Config) -> _EmulatorSession:
    # Imported here, not at the top: only the fixture needs the emulator's dependencies.
    try:
        from notify_emulator.demo import service as demo_service
        from notify_emulator.seed import ConfigError, load_seed_file
        from notify_emulator.server import EmulatorServer
        from notify_emulator.settings import Settings
    except ImportError as error:
        raise NotifyEmulatorError(
            f"the notify_emulator fixture needs the emulator's dependencies ({error.name} is "
            "missing): reinstall the notify-emulator distribution with its dependencies"
        ) from error

    seed_path = _seed_path(config)
    refusal: str | None = None
    try:
        seed = load_seed_file(seed_path) if seed_path else demo_service.demo_seed()
    except ConfigError as error:
        refusal = str(error)
    if refusal is not None:
        # Its one line, without the traceback (so outside the except block): pytest would
        # show the arguments of each frame, the seed's entries among them, secrets and all
        # (which the message never quotes).
        pytest.fail(refusal, pytrace=False)
    if not seed.services:
        raise NotifyEmulatorError(f"{seed_path}: the seed file declares no services")
    settings = Settings(
        # In memory: the session's emulator lives and dies with the test process, so nothing
        # is gained by writing its rows to a file, and every reset, send and read would pay
        # for the file's page writes and its readers' re-reads of pages another wrote.
        database_url=IN_MEMORY_DATABASE_URL,
        config_path=seed_path,
        seed_demo=seed_path is None,
        log_requests=False,
        callback_delay=_seconds_option(config, CALLBACK_DELAY_INI_OPTION),
        callback_retry_delay=_seconds_option(config, CALLBACK_RETRY_DELAY_INI_OPTION),
    )
    server = EmulatorServer(settings)
    server.start()
    try:
        service = _describe_first_service(seed, server.app.state.emulator.store)
    except BaseException:
        server.stop()
        raise
    return _EmulatorSession(server, service)


def _describe_first_service(seed: SeedConfig, store: Store) -> _SeededService:
    """Keys and templates of the seed's first service; secrets the seed left out were
    generated when it was loaded, so they are read back from the database."""
    first = seed.services[0]
    stored_secrets = {key.name: key.secret for key in store.usable_api_keys(first.id)}
    api_keys: dict[str, str] = {}
    live_key: str | None = None
    for key in first.api_keys:
        if key.revoked:
            continue
        secret = key.secret or stored_secrets.get(key.name)
        if secret is None:
            continue
        key_string = f"{key.name}-{first.id}-{secret}"
        api_keys[key.name] = key_string
        if live_key is None and key.key_type == LIVE_KEY_TYPE:
            live_key = key_string
    if live_key is None:
        raise NotifyEmulatorError(
            f'service {first.name!r} has no live (type = "normal") API key that is not revoked'
        )
    templates = {template.versions[-1].name: template.id for template in first.templates}
    callbacks = {
        callback.callback_type: (callback.url, callback.bearer_token)
        for callback in first.callbacks
        if callback.url
    }
    return _SeededService(
        service_id=first.id,
        api_key=live_key,
        api_keys=api_keys,
        templates=templates,
        callbacks=callbacks,
    )


@pytest.fixture(scope="session")
def _notify_emulator_session() -> Iterator[_EmulatorSession]:
    """The emulator shared by the session's tests, started the first time a test needs it.

    It asks for no fixture: pytest makes a new definition of the ``request`` fixture each time
    a test reaches a fixture that depends on it (``pytestconfig`` does), even one set up
    already, so the configuration comes from :func:`pytest_configure` instead.
    """
    if not _configs:
        raise NotifyEmulatorError(
            "the notify_emulator fixture needs its plugin registered "
            "(notify_emulator.pytest_plugin), not only its fixtures imported"
        )
    with _collector_paused():
        session = _start(_configs[-1])
        # What the emulator built lives until the session ends; so does most of what the
        # session held already. Frozen, none of it is walked again by each full collection
        # the tests' allocations bring on (they cost a large suite most of a millisecond a
        # test). Unfrozen when the session ends.
        gc.freeze()
    yield session
    session.close()
    gc.unfreeze()


@pytest.fixture
def notify_emulator(_notify_emulator_session: _EmulatorSession) -> NotifyEmulator:
    """A local GOV.UK Notify for this test: fresh state, a client, keys and template ids."""
    _notify_emulator_session.reset(configuration=True)
    return NotifyEmulator(_notify_emulator_session)
