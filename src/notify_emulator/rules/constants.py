"""Notify's own names and defaults, defined once: key types, template types, postages, a new
service's limits and data retention, and the API's page size.

Each value is Notify's (notify-api.md section named beside it); the seed parser, the request
schemas, the limits and the store all read them from here.
"""

from __future__ import annotations

__all__ = [
    "API_PAGE_SIZE",
    "DEFAULT_DATA_RETENTION_DAYS",
    "DEFAULT_EMAIL_LIMIT",
    "DEFAULT_INTERNATIONAL_SMS_LIMIT",
    "DEFAULT_LETTER_LIMIT",
    "DEFAULT_RATE_LIMIT",
    "DEFAULT_SMS_LIMIT",
    "DEFAULT_SMS_SENDER",
    "KEY_TYPES",
    "MAX_DATA_RETENTION_DAYS",
    "TEMPLATE_POSTAGES",
    "TEMPLATE_TYPES",
]

# §2: an API key is live ("normal"), team-and-guest-list ("team") or test.
KEY_TYPES = ("normal", "team", "test")
# §5: the channels a template (and a notification) can be.
TEMPLATE_TYPES = ("sms", "email", "letter")
# §5.3, §5.4: the postages a UK letter can be sent with.
TEMPLATE_POSTAGES = ("first", "second", "economy")

# §6: the per-minute rate limit and daily limits of a live service.
DEFAULT_RATE_LIMIT = 3_000
DEFAULT_SMS_LIMIT = 250_000
DEFAULT_EMAIL_LIMIT = 250_000
DEFAULT_LETTER_LIMIT = 20_000
DEFAULT_INTERNATIONAL_SMS_LIMIT = 100

# §5.1: the sender of a text when the service has none of its own.
DEFAULT_SMS_SENDER = "GOVUK"

# §11: notifications stay in v2 reads for 7 days unless the service sets more (up to 90).
DEFAULT_DATA_RETENTION_DAYS = 7
MAX_DATA_RETENTION_DAYS = 90

# §5.7, §5.11: notifications and received texts per page.
API_PAGE_SIZE = 250
