"""Errors raised when a Notify rule is broken.

Each carries the name of the error class Notify reports (``error``) and Notify's exact
message, so the API layer can put them straight into the v2 error envelope::

    RuleError                       BadRequestError (400) unless a subclass says otherwise
    ├── MissingPersonalisation      BadRequestError  "Missing personalisation: a, b"
    ├── MessageEmpty                BadRequestError  "Your message is empty."
    ├── MessageTooLong              BadRequestError  SMS 918 characters / email 2,000,000 bytes
    ├── InvalidPhoneNumber          InvalidPhoneError, or ValidationError at the schema stage
    ├── InvalidEmailAddress         InvalidEmailError
    └── InvalidAddress              ValidationError  the postal-address messages
"""

from __future__ import annotations

from collections.abc import Sequence


class RuleError(ValueError):
    """A template or recipient rule was broken."""

    error = "BadRequestError"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class MissingPersonalisation(RuleError):
    """Placeholders had no value (absent or null)."""

    def __init__(self, names: Sequence[str]) -> None:
        super().__init__("Missing personalisation: " + ", ".join(names))
        self.names = list(names)


class MessageEmpty(RuleError):
    """The rendered message has no content."""

    def __init__(self) -> None:
        super().__init__("Your message is empty.")


class MessageTooLong(RuleError):
    """The rendered message is over its channel's limit."""


class InvalidPhoneNumber(RuleError):
    """A phone number failed validation; ``code`` names the reason (e.g. ``TOO_SHORT``)."""

    error = "InvalidPhoneError"

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


class InvalidEmailAddress(RuleError):
    """An email address failed validation."""

    error = "InvalidEmailError"

    def __init__(self, message: str = "Not a valid email address") -> None:
        super().__init__(message)


class InvalidAddress(RuleError):
    """A postal address failed validation."""

    error = "ValidationError"
