"""Every tunable of the client, in one place."""

from __future__ import annotations

#: Production API root (notify-api.md §1.1).
DEFAULT_BASE_URL = "https://api.notifications.service.gov.uk"

#: Seconds to wait for a connection and, separately, for each read (as the official client).
DEFAULT_TIMEOUT: float = 30

#: The logger the client's loggers are under: the sync client writes to ``.base`` (as the
#: official client does) and the async one to ``.aio``, so configuring this one covers both.
LOGGER_NAME = "notifications_python_client"

#: Prefix of the ``User-agent`` header; the package version follows the slash.
USER_AGENT_PREFIX = "NOTIFY-API-PYTHON-CLIENT/"

# --- API keys and tokens (notify-api.md §2) ---

#: Length of a canonical UUID, the size of both the service id and the secret in a key.
UUID_TEXT_LENGTH = 36

#: JWT algorithm and type Notify requires.
JWT_ALGORITHM = "HS256"
JWT_TYPE = "JWT"

#: Notify accepts a token whose ``iat`` is within 30 seconds of its own clock.
TOKEN_CLOCK_SKEW_SECONDS = 30

#: How long a minted token is reused. Far below the 30-second window, so a reused token still
#: has most of its life left when it reaches the server, even with some clock drift.
TOKEN_REUSE_SECONDS = 5

# --- Retries ---

#: How many times a failed request is retried when the policy allows it (0 disables retries).
DEFAULT_MAX_RETRIES = 3

#: The first retry waits up to this many seconds; each later one up to twice as long...
DEFAULT_INITIAL_BACKOFF_SECONDS = 0.5

#: ...but never longer than this.
DEFAULT_MAX_BACKOFF_SECONDS = 30.0

# --- Requests and responses ---

#: Notify's documents-by-email limit on an uploaded file (client ``utils.prepare_upload``).
DOCUMENT_UPLOAD_SIZE_LIMIT = 2 * 1024 * 1024

#: The status the official client reports when no HTTP response was received.
REQUEST_ERROR_STATUS_CODE = 503
REQUEST_ERROR_MESSAGE = "Request failed"

#: How many notifications or received texts Notify returns in one page (notify-api.md §5.7,
#: §5.11). Its ``links.next`` is there whenever a page is not empty, so only a full page says
#: that another may follow.
API_PAGE_SIZE = 250

# --- Bulk sending ---

#: Notify's default per-minute rate limit for a service (notify-api.md §6.1).
DEFAULT_BULK_RATE_PER_MINUTE = 3000

#: How many notifications a bulk send has in flight at once.
DEFAULT_BULK_CONCURRENCY = 20
