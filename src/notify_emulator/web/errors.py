"""The errors a route answers with, and their envelopes (notify-api.md §4 for v2).

::

    ApiError                 any v2 error: HTTP status + a list of {"error", "message"} entries
    ├── AuthError            401/403 "AuthError" (§2)
    ├── BadRequest           400 (or 403 for letters) "BadRequestError"
    ├── SchemaError          400 "ValidationError", one entry per schema message (§4.2)
    ├── NotFound             404 "NoResultFound" "No result found"
    ├── DataErrorNotFound    404 "DataError" "No result found"
    └── TooManyRequests      429 "RateLimitError" / "TooManyRequestsError" (§6)

    AdminError               an emulator-only route's refusal: {"error": message}, 4xx

Rule errors from :mod:`notify_emulator.rules.errors` are converted with :func:`from_rule_error`,
once, where :mod:`notify_emulator.web.handlers` turns a handler's exception into an answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from notify_emulator.rules.errors import RuleError

ErrorEntry = dict[str, object]


class ApiError(Exception):
    """An answer in the v2 error envelope: ``{"status_code": N, "errors": [...]}``."""

    def __init__(self, status_code: int, errors: Sequence[Mapping[str, object]]) -> None:
        super().__init__(status_code, [dict(entry) for entry in errors])
        self.status_code = status_code
        self.errors: list[ErrorEntry] = _without_duplicates(errors)

    def body(self) -> dict[str, object]:
        """The JSON body of the answer."""
        return {"status_code": self.status_code, "errors": self.errors}


def _without_duplicates(errors: Sequence[Mapping[str, object]]) -> list[ErrorEntry]:
    # Notify removes exact duplicates from schema errors (§4.2); keep the first of each, in order.
    seen: list[ErrorEntry] = []
    for entry in errors:
        as_dict = dict(entry)
        if as_dict not in seen:
            seen.append(as_dict)
    return seen


def single(status_code: int, error: str, message: str) -> ApiError:
    """An error with exactly one entry."""
    return ApiError(status_code, [{"error": error, "message": message}])


class AuthError(ApiError):
    """Authentication failed (§2.3)."""

    def __init__(self, message: str, status_code: int = 403) -> None:
        super().__init__(status_code, [{"error": "AuthError", "message": message}])


class BadRequest(ApiError):
    """A ``BadRequestError`` (400 unless told otherwise, e.g. 403 for letter restrictions)."""

    def __init__(self, message: str, status_code: int = 400) -> None:
        super().__init__(status_code, [{"error": "BadRequestError", "message": message}])


class SchemaError(ApiError):
    """Request validation failed; one ``ValidationError`` entry per message."""

    def __init__(self, messages: Sequence[str]) -> None:
        super().__init__(400, [{"error": "ValidationError", "message": m} for m in messages])


class NotFound(ApiError):
    """``404 NoResultFound "No result found"``."""

    def __init__(self) -> None:
        super().__init__(404, [{"error": "NoResultFound", "message": "No result found"}])


class DataErrorNotFound(ApiError):
    """``404 DataError "No result found"``: an id PostgreSQL could not read as a uuid."""

    def __init__(self) -> None:
        super().__init__(404, [{"error": "DataError", "message": "No result found"}])


class TooManyRequests(ApiError):
    """A 429: ``RateLimitError`` (per minute) or ``TooManyRequestsError`` (daily)."""

    def __init__(self, error: str, message: str) -> None:
        super().__init__(429, [{"error": error, "message": message}])


INVALID_JSON = "Invalid JSON supplied in POST data"


def from_rule_error(error: RuleError) -> ApiError:
    """The v2 answer for a broken Notify rule (its class name and exact message)."""
    return single(400, error.error, error.message)


class AdminError(Exception):
    """A bad admin request: answered with ``{"error": message}``, plus ``"field"`` naming the
    value at fault when there is one."""

    def __init__(self, message: str, status_code: int = 400, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.field = field

    def body(self) -> dict[str, object]:
        """The JSON body of the answer."""
        if self.field is None:
            return {"error": self.message}
        return {"error": self.message, "field": self.field}
