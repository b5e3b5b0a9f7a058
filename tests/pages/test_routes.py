"""The inbox's routes are the ones shared/spec/emulator.md fixes ("Web pages (the inbox)")."""

from __future__ import annotations

from notify_emulator import pages
from notify_emulator.app import create_app
from notify_emulator.settings import Settings

SPEC_ROUTES = {
    "/",
    "/notifications/{notification_id}",
    "/notifications/{notification_id}/pages/{page}.png",
    "/received-texts",
    "/conversations/{phone}",
    "/_emulator/events",
}


def test_the_spec_routes_are_served_by_get() -> None:
    served = {path for path, method, _ in pages.ROUTES if method == "GET"}
    served |= {path for path, _ in pages.STREAMS}
    assert served >= SPEC_ROUTES
    assert sorted(pages.__all__) == ["ROUTES", "STATIC_PREFIX", "STREAMS", "page_endpoint"]


def test_the_app_mounts_them_and_the_static_files() -> None:
    app = create_app(Settings(database_url="sqlite:///:memory:", log_requests=False))
    try:
        paths = {getattr(route, "path", None) for route in app.router.routes}
    finally:
        app.state.emulator.store.close()
    assert paths >= SPEC_ROUTES | {pages.STATIC_PREFIX}
