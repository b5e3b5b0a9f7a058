"""The web inbox: every message as its recipient would see it, live (shared/spec/emulator.md,
"Web pages (the inbox)").

Server-rendered with Jinja2 (templates/), styled and made live by static files (static/), no
build step. :data:`ROUTES` lists the pages, run in a worker thread through
:func:`~notify_emulator.pages.web.page_endpoint`; :data:`STREAMS` the server-sent events
endpoint, which is asynchronous; ``static/`` is served under :data:`STATIC_PREFIX`.

A page's module (with Jinja2, and PDFium for letters) is imported when one of its pages is
first asked for, not with the emulator: most runs (a test suite's) never show a page.
"""

from __future__ import annotations

from notify_emulator.pages import events
from notify_emulator.pages.web import (
    STATIC_PREFIX,
    Endpoint,
    PageHandler,
    imported_on_first_use,
    page_endpoint,
)

__all__ = ["ROUTES", "STATIC_PREFIX", "STREAMS", "page_endpoint"]

# (path, method, module of pages/, its handler), in matching order.
_PAGES = [
    ("/", "GET", "inbox", "inbox"),
    ("/notifications/{notification_id}", "GET", "notification", "notification_page"),
    ("/notifications/{notification_id}/email.html", "GET", "notification", "email_html"),
    ("/notifications/{notification_id}/letter.pdf", "GET", "notification", "letter_pdf"),
    (
        "/notifications/{notification_id}/pages/{page}.png",
        "GET",
        "notification",
        "letter_page_image",
    ),
    ("/received-texts", "GET", "received", "received_texts"),
    ("/conversations/{phone}", "GET", "received", "conversation_page"),
    ("/services", "GET", "setup", "services_page"),
    ("/services/{service_id}", "GET", "setup", "service_page"),
    ("/services/{service_id}/api-keys", "GET", "setup", "api_keys_page"),
    (
        "/services/{service_id}/unsubscribe-requests",
        "GET",
        "unsubscribes",
        "unsubscribe_requests_page",
    ),
    ("/services/{service_id}/templates", "GET", "setup", "templates_page"),
    ("/services/{service_id}/templates/new", "GET", "setup", "new_template_page"),
    ("/services/{service_id}/templates/preview/email.html", "GET", "setup", "email_preview"),
    ("/services/{service_id}/templates/preview/letter.pdf", "GET", "setup", "letter_preview_pdf"),
    (
        "/services/{service_id}/templates/preview/pages/{page}.png",
        "GET",
        "setup",
        "letter_preview_page",
    ),
    ("/services/{service_id}/templates/{template_id}", "GET", "setup", "template_page"),
]

ROUTES: list[tuple[str, str, PageHandler]] = [
    (path, method, imported_on_first_use(module, name)) for path, method, module, name in _PAGES
]
"""(path, method, page handler), in matching order."""

STREAMS: list[tuple[str, Endpoint]] = [("/_emulator/events", events.events)]
"""(path, asynchronous endpoint): GET routes that stream."""
