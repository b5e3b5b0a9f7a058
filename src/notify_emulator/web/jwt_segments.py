"""Reading a JWT's parts as leniently as the PyJWT release Notify pins (2.13).

That release decodes each base64url segment after padding it and *dropping* characters outside
the alphabet, so a token with a stray character or a truncated signature still yields its
header and claims; its signature then simply fails to match any key (notify-api.md §2.3
ends such a token with ``API key not found``). Newer PyJWT releases reject those segments
outright, which would turn the answer into the general "make sure your API token matches"
error. :func:`parse_leniently` gives the parts the way Notify sees them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

__all__ = ["LenientToken", "UndecodableToken", "parse_leniently"]


class UndecodableToken(ValueError):
    """Even Notify could not read this token's segments."""


@dataclass(frozen=True)
class LenientToken:
    """A token's parts as Notify decodes them."""

    header: dict[str, Any]
    claims: dict[str, Any]
    signing_input: bytes
    signature: bytes

    def signed_with(self, secret: str) -> bool:
        """True when the signature is HMAC-SHA256 of the signing input under ``secret``."""
        expected = hmac.new(secret.encode("utf-8"), self.signing_input, hashlib.sha256).digest()
        return hmac.compare_digest(expected, self.signature)

    def canonical(self) -> str:
        """The same token with a cleanly encoded signature (for PyJWT's claim checks)."""
        encoded = base64.urlsafe_b64encode(self.signature).rstrip(b"=")
        return (self.signing_input + b"." + encoded).decode("utf-8", "replace")


def parse_leniently(token: str) -> LenientToken:
    """The header, claims and signature of ``token``; raises :class:`UndecodableToken`."""
    raw = token.encode("utf-8")
    try:
        signing_input, signature_segment = raw.rsplit(b".", 1)
        header_segment, claims_segment = signing_input.split(b".", 1)
    except ValueError:
        raise UndecodableToken("not enough segments") from None
    header = _json_object(_segment(header_segment))
    claims = _json_object(_segment(claims_segment))
    return LenientToken(header, claims, signing_input, _segment(signature_segment))


def _segment(segment: bytes) -> bytes:
    padded = segment + b"=" * (-len(segment) % 4)
    try:
        # Not validating: characters outside the alphabet are skipped, as in PyJWT 2.13.
        return base64.urlsafe_b64decode(padded)
    except (binascii.Error, ValueError):
        raise UndecodableToken("bad base64 segment") from None


def _json_object(data: bytes) -> dict[str, Any]:
    try:
        value = json.loads(data)
    except ValueError:
        raise UndecodableToken("segment is not JSON") from None
    if not isinstance(value, dict):
        raise UndecodableToken("segment is not a JSON object")
    return value
