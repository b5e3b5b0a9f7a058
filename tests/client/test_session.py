"""The sync client with a ``requests.Session`` of the caller's: used as it is, never closed."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from requests.adapters import HTTPAdapter

from notifications_python_client import NotificationsAPIClient

from .fakenotify import API_KEY, TEMPLATE_ID, FakeNotify, Reply


class RecordingAdapter(HTTPAdapter):
    """requests' own adapter, noting what it sends and whether it was closed."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[str] = []
        self.closed = False

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
        self.sent.append(f"{request.method} {request.path_url}")
        return super().send(request, *args, **kwargs)

    def close(self) -> None:
        self.closed = True
        super().close()


def session_with_adapter() -> tuple[requests.Session, RecordingAdapter]:
    session = requests.Session()
    adapter = RecordingAdapter()
    session.mount("http://", adapter)
    session.headers["X-Request-Source"] = "caller's session"
    return session, adapter


def test_requests_go_through_the_session_passed_in(notify: FakeNotify) -> None:
    session, adapter = session_with_adapter()
    notify.queue(Reply(200, {"id": TEMPLATE_ID}))

    with NotificationsAPIClient(API_KEY, base_url=notify.url, session=session) as client:
        assert client.get_template(TEMPLATE_ID) == {"id": TEMPLATE_ID}

    assert adapter.sent == [f"GET /v2/template/{TEMPLATE_ID}"]
    # The session's own settings apply, and the client's headers are still sent.
    assert notify.last.headers["x-request-source"] == "caller's session"
    assert notify.last.headers["authorization"].startswith("Bearer ")
    assert notify.last.claims()["iss"]


def test_a_session_passed_in_is_never_closed_and_keeps_working(notify: FakeNotify) -> None:
    session, adapter = session_with_adapter()
    notify.queue(Reply(200, {"templates": []}), Reply(200, {"templates": []}))

    with NotificationsAPIClient(API_KEY, base_url=notify.url, session=session) as client:
        client.get_all_templates()
    client.close()

    assert not adapter.closed
    # Still the caller's to use, e.g. by the next client.
    NotificationsAPIClient(API_KEY, base_url=notify.url, session=session).get_all_templates()
    assert len(adapter.sent) == 2
    session.close()
    assert adapter.closed


def test_the_clients_own_session_is_closed(notify: FakeNotify) -> None:
    client = NotificationsAPIClient(API_KEY, base_url=notify.url)
    adapter = RecordingAdapter()
    client.request_session.mount("http://", adapter)

    client.close()

    assert adapter.closed


def test_a_session_passed_in_keeps_its_own_environment_settings(notify: FakeNotify) -> None:
    session = requests.Session()

    client = NotificationsAPIClient(API_KEY, base_url=notify.url, session=session)

    # The client only tunes a session it made (see base.py); the caller's is left as it is.
    assert client.request_session is session
    assert session.trust_env is True


def test_the_session_must_be_a_requests_session() -> None:
    with pytest.raises(TypeError, match=r"session must be a requests\.Session, not dict"):
        NotificationsAPIClient(API_KEY, session={})  # type: ignore[arg-type]
