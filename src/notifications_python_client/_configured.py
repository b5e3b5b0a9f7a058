"""The configuration both clients expose, read from and written to their shared core."""

from __future__ import annotations

from notifications_python_client._core import (
    ClientCore,
    RetryPolicy,
    Timeout,
    validate_base_url,
    validate_timeout,
)


class ConfiguredClient:
    """``base_url``, ``service_id``, ``api_key``, ``timeout`` and ``retry_policy``, and a safe repr.

    The sync and async clients differ only in how they send; what they are configured with
    lives in their :class:`ClientCore`, and these accessors read it once for both.
    """

    _core: ClientCore

    @property
    def base_url(self) -> str:
        return self._core.base_url

    @base_url.setter
    def base_url(self, value: str) -> None:
        self._core.base_url = validate_base_url(value)

    @property
    def service_id(self) -> str:
        return self._core.service_id

    @property
    def api_key(self) -> str:
        """The key's secret, as the official client exposes it. Never logged or shown in reprs."""
        return self._core.key.secret

    @property
    def timeout(self) -> Timeout:
        """Seconds, ``(connect, read)`` seconds, or ``None`` for no limit, as requests takes it."""
        return self._core.timeout

    @timeout.setter
    def timeout(self, value: Timeout) -> None:
        self._core.timeout = validate_timeout(value)

    @property
    def retry_policy(self) -> RetryPolicy:
        return self._core.retry_policy

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(base_url={self.base_url!r}, service_id={self.service_id!r}, "
            f"timeout={self.timeout!r}, max_retries={self.retry_policy.max_retries!r})"
        )
