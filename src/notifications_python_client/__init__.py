"""A client for the GOV.UK Notify API: a typed, thread-safe drop-in for the official client 13.x.

The async client is ``notifications_python_client.aio.AsyncNotificationsAPIClient`` (extra
``async``); bulk sending is in ``notifications_python_client.bulk``.
"""

# Defined before the imports below, which read it for the User-agent header.
__version__ = "13.1.0"

from notifications_python_client._core import RetryPolicy
from notifications_python_client.errors import (
    REQUEST_ERROR_MESSAGE,
    REQUEST_ERROR_STATUS_CODE,
)
from notifications_python_client.notifications import NotificationsAPIClient
from notifications_python_client.utils import prepare_upload

__all__ = [
    "REQUEST_ERROR_MESSAGE",
    "REQUEST_ERROR_STATUS_CODE",
    "NotificationsAPIClient",
    "RetryPolicy",
    "__version__",
    "prepare_upload",
]
