"""The sync client reads proxy and CA settings from the environment once, when it is made."""

from __future__ import annotations

import pytest

from notifications_python_client import NotificationsAPIClient

from .fakenotify import API_KEY

PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


@pytest.fixture(autouse=True)
def no_proxy_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)


def test_without_a_proxy_the_environment_is_not_scanned_per_request() -> None:
    client = NotificationsAPIClient(API_KEY, base_url="http://127.0.0.1:1")
    assert client.request_session.trust_env is False
    assert client.request_session.verify is True


def test_a_ca_bundle_from_the_environment_is_still_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/corporate.pem")
    client = NotificationsAPIClient(API_KEY, base_url="http://127.0.0.1:1")
    assert client.request_session.verify == "/etc/ssl/certs/corporate.pem"


def test_with_a_proxy_requests_keeps_reading_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    client = NotificationsAPIClient(API_KEY, base_url="http://127.0.0.1:1")
    assert client.request_session.trust_env is True
