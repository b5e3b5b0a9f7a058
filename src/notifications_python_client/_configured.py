"""The configuration both clients expose, read from and written to their shared core."""

from __future__ import annotations

import copy
from typing import Any, ClassVar, TypeVar

from notifications_python_client._core import (
    ClientCore,
    RetryPolicy,
    Timeout,
    validate_base_url,
    validate_key_part,
    validate_timeout,
)

ClientT = TypeVar("ClientT", bound="ConfiguredClient")


class ConfiguredClient:
    """``base_url``, ``service_id``, ``api_key``, ``timeout`` and ``retry_policy``, and a safe repr.

    The sync and async clients differ only in how they send; what they are configured with
    lives in their :class:`ClientCore`, and these accessors read it once for both.

    In the official client the first four are plain attributes: ``vars(client)`` lists them,
    and code assigns them after construction (``client.base_url = ...`` in a test's setup,
    ``mock.patch.object(client, "api_key", ...)``). Here they are properties, so that an
    assignment reaches the core (later requests go to the new URL, tokens are signed with the
    new key and the reused one is dropped), and each value is also kept in the instance's
    ``__dict__`` under its own name, so ``vars()`` lists them as the official client's does.
    """

    _core: ClientCore

    # --- copying and pickling ---
    #
    # The official client is a plain object, which ``pickle``, ``copy.copy`` and
    # ``copy.deepcopy`` copy (code puts clients in task queues and deep-copies settings holding
    # one). A copy here has the same configuration and every other attribute of the instance (a
    # subclass's own among them), a core of its own (its own token cache and lock, so assigning
    # to the copy leaves the original alone) and its own connections: a session the client
    # made is never copied, the copy makes its own. A session passed in stays the caller's, so
    # ``copy.copy`` and ``copy.deepcopy`` hand the copy the same one; a pickle takes it along
    # if the transport can pickle it (``_session_to_pickle``).

    #: The transport's instance attributes: never copied, made anew by ``_start_transport``.
    _TRANSPORT_ATTRIBUTES: ClassVar[frozenset[str]] = frozenset()

    def _session_passed_in(self) -> Any:
        """The session given to the constructor, or ``None`` if the client makes its own."""
        raise NotImplementedError

    def _start_transport(self, session: Any) -> None:
        """Set up the transport's attributes for a copy, with the caller's ``session`` if any."""
        raise NotImplementedError

    def _session_to_pickle(self) -> Any:
        """The session passed in, as a pickle should take it along (``None``: none)."""
        return self._session_passed_in()

    def _copyable_state(self) -> dict[str, Any]:
        state = {
            name: value
            for name, value in self.__dict__.items()
            if name not in self._TRANSPORT_ATTRIBUTES
        }
        state["_core"] = copy.copy(self._core)
        return state

    def _restore(self, state: dict[str, Any], session: Any) -> None:
        self.__dict__.update(state)
        self._start_transport(session)

    def __copy__(self: ClientT) -> ClientT:
        duplicate = type(self).__new__(type(self))
        duplicate._restore(self._copyable_state(), self._session_passed_in())
        return duplicate

    def __deepcopy__(self: ClientT, memo: dict[int, Any]) -> ClientT:
        duplicate = type(self).__new__(type(self))
        memo[id(self)] = duplicate
        state = copy.deepcopy(self._copyable_state(), memo)
        duplicate._restore(state, self._session_passed_in())
        return duplicate

    def __getstate__(self) -> dict[str, Any]:
        state = self._copyable_state()
        state["_pickled_session"] = self._session_to_pickle()
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state = dict(state)
        session = state.pop("_pickled_session", None)
        self._restore(state, session)

    def _publish_configuration(self) -> None:
        """Copy the core's configuration into ``__dict__``, where ``vars()`` finds it."""
        core = self._core
        self.__dict__.update(
            base_url=core.base_url,
            service_id=core.service_id,
            api_key=core.key.secret,
            timeout=core.timeout,
        )

    @property
    def base_url(self) -> str:
        return self._core.base_url

    @base_url.setter
    def base_url(self, value: str) -> None:
        self._core.base_url = validate_base_url(value)
        self.__dict__["base_url"] = value

    @property
    def service_id(self) -> str:
        return self._core.service_id

    @service_id.setter
    def service_id(self, value: str) -> None:
        self._core.rekey(service_id=validate_key_part(value, "service_id", "Missing service ID"))
        self.__dict__["service_id"] = value

    @property
    def api_key(self) -> str:
        """The key's secret, as the official client exposes it. Never logged or shown in reprs.

        Assigning it signs later tokens with the new secret, as in the official client.
        """
        return self._core.key.secret

    @api_key.setter
    def api_key(self, value: str) -> None:
        self._core.rekey(secret=validate_key_part(value, "api_key", "Missing API key"))
        self.__dict__["api_key"] = value

    @property
    def timeout(self) -> Timeout:
        """Seconds, ``(connect, read)`` seconds, or ``None`` for no limit, as requests takes it."""
        return self._core.timeout

    @timeout.setter
    def timeout(self, value: Timeout) -> None:
        self._core.timeout = validate_timeout(value)
        self.__dict__["timeout"] = value

    @property
    def retry_policy(self) -> RetryPolicy:
        return self._core.retry_policy

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(base_url={self.base_url!r}, service_id={self.service_id!r}, "
            f"timeout={self.timeout!r}, max_retries={self.retry_policy.max_retries!r})"
        )
