"""Every method goes through ``get``, ``post`` and ``request``, called as the official client calls
them, so code that mocks or overrides those (as code written for it does) sees every call."""

from __future__ import annotations

import io
from typing import Any
from unittest import mock

import pytest

from notifications_python_client import NotificationsAPIClient, RetryPolicy
from notifications_python_client.bulk import SmsNotification

from .fakenotify import API_KEY, NOTIFICATION_ID, SERVICE_ID, TEMPLATE_ID, FakeNotify, Reply

OLDER_ID = "11111111-2222-4333-8444-555555555555"
PDF = b"%PDF-1.4 a tiny letter"

# (method, arguments, the public method it must call, how it must call it)
CALLS = {
    "sms": (
        "send_sms_notification",
        ("07700900123", TEMPLATE_ID, {"name": "Amala"}, "ref"),
        "post",
        mock.call(
            "/v2/notifications/sms",
            data={
                "phone_number": "07700900123",
                "template_id": TEMPLATE_ID,
                "personalisation": {"name": "Amala"},
                "reference": "ref",
            },
        ),
    ),
    "email": (
        "send_email_notification",
        ("a@example.com", TEMPLATE_ID),
        "post",
        mock.call(
            "/v2/notifications/email",
            data={"email_address": "a@example.com", "template_id": TEMPLATE_ID},
        ),
    ),
    "letter": (
        "send_letter_notification",
        (TEMPLATE_ID, {"address_line_1": "A"}),
        "post",
        mock.call(
            "/v2/notifications/letter",
            data={"template_id": TEMPLATE_ID, "personalisation": {"address_line_1": "A"}},
        ),
    ),
    "precompiled letter": (
        "send_precompiled_letter_notification",
        ("ref", io.BytesIO(PDF), "first"),
        "post",
        mock.call(
            "/v2/notifications/letter",
            data={
                "reference": "ref",
                "content": "JVBERi0xLjQgYSB0aW55IGxldHRlcg==",
                "postage": "first",
            },
        ),
    ),
    "notification": (
        "get_notification_by_id",
        (NOTIFICATION_ID,),
        "get",
        mock.call(f"/v2/notifications/{NOTIFICATION_ID}"),
    ),
    "notifications": (
        "get_all_notifications",
        (),
        "get",
        mock.call("/v2/notifications", params={}),
    ),
    "notifications, filtered": (
        "get_all_notifications",
        ("delivered", "sms", "ref", OLDER_ID, True),
        "get",
        mock.call(
            "/v2/notifications",
            params={
                "status": "delivered",
                "template_type": "sms",
                "reference": "ref",
                "older_than": OLDER_ID,
                "include_jobs": True,
            },
        ),
    ),
    "received texts": (
        "get_received_texts",
        (),
        "get",
        mock.call("/v2/received-text-messages"),
    ),
    "received texts, older than": (
        "get_received_texts",
        (OLDER_ID,),
        "get",
        mock.call(f"/v2/received-text-messages?older_than={OLDER_ID}"),
    ),
    "template": ("get_template", (TEMPLATE_ID,), "get", mock.call(f"/v2/template/{TEMPLATE_ID}")),
    "template version": (
        "get_template_version",
        (TEMPLATE_ID, 3),
        "get",
        mock.call(f"/v2/template/{TEMPLATE_ID}/version/3"),
    ),
    "template versions": (
        "get_all_template_versions",
        (TEMPLATE_ID,),
        "get",
        mock.call(f"service/{SERVICE_ID}/template/{TEMPLATE_ID}/versions"),
    ),
    "templates": ("get_all_templates", (), "get", mock.call("/v2/templates")),
    "templates of a type": (
        "get_all_templates",
        ("email",),
        "get",
        mock.call("/v2/templates?type=email"),
    ),
    "preview": (
        "post_template_preview",
        (TEMPLATE_ID, {"name": "chris"}),
        "post",
        mock.call(
            f"/v2/template/{TEMPLATE_ID}/preview", data={"personalisation": {"name": "chris"}}
        ),
    ),
}


def new_client(url: str = "http://notify.invalid") -> NotificationsAPIClient:
    return NotificationsAPIClient(API_KEY, base_url=url, max_retries=0)


@pytest.mark.parametrize(("method", "args", "public", "expected"), CALLS.values(), ids=CALLS.keys())
def test_each_method_calls_get_or_post_as_the_official_client(
    method: str, args: tuple[Any, ...], public: str, expected: Any
) -> None:
    for argument in args:
        if isinstance(argument, io.BytesIO):
            argument.seek(0)
    client = new_client()
    with mock.patch.object(client, public, return_value={"answer": 1}) as patched:
        assert getattr(client, method)(*args) == {"answer": 1}
    assert patched.call_args_list == [expected]


@pytest.mark.parametrize(("method", "args", "public", "expected"), CALLS.values(), ids=CALLS.keys())
def test_each_method_goes_through_request(
    method: str, args: tuple[Any, ...], public: str, expected: Any
) -> None:
    for argument in args:
        if isinstance(argument, io.BytesIO):
            argument.seek(0)
    client = new_client()
    with mock.patch.object(client, "request", return_value={"answer": 1}) as patched:
        getattr(client, method)(*args)
    (call,) = patched.call_args_list
    assert call.args[:2] == (public.upper(), expected.args[0])


def test_iterators_page_through_get() -> None:
    client = new_client()
    pages = [
        {
            "notifications": [{"id": "a"}],
            "links": {"next": f"https://x/v2/notifications?older_than={OLDER_ID}"},
        },
        {"notifications": [], "links": {}},
    ]
    with mock.patch.object(client, "get", side_effect=pages) as patched:
        assert list(client.get_all_notifications_iterator(status="failed")) == [{"id": "a"}]
    assert patched.call_args_list == [
        mock.call("/v2/notifications", params={"status": "failed"}),
        mock.call("/v2/notifications", params={"status": "failed", "older_than": OLDER_ID}),
    ]

    texts = [
        {
            "received_text_messages": [{"id": "t"}],
            "links": {"next": f"https://x/v2/received-text-messages?older_than={OLDER_ID}"},
        },
        {"received_text_messages": [], "links": {}},
    ]
    with mock.patch.object(client, "get", side_effect=texts) as patched:
        assert list(client.get_received_texts_iterator()) == [{"id": "t"}]
    assert patched.call_args_list == [
        mock.call("/v2/received-text-messages"),
        mock.call(f"/v2/received-text-messages?older_than={OLDER_ID}"),
    ]


def test_a_subclass_overriding_request_sees_every_call(notify: FakeNotify) -> None:
    seen: list[tuple[str, str]] = []

    class Recording(NotificationsAPIClient):
        def request(
            self, method: str, url: str, data: Any = None, params: dict[str, Any] | None = None
        ) -> Any:
            seen.append((method, url))
            return super().request(method, url, data=data, params=params)

    notify.queue(Reply(201, {"id": NOTIFICATION_ID}), Reply(200, {"id": NOTIFICATION_ID}))
    with Recording(API_KEY, base_url=notify.url, max_retries=0) as client:
        client.send_sms_notification("07700900123", TEMPLATE_ID)
        client.get_notification_by_id(NOTIFICATION_ID)

    assert seen == [
        ("POST", "/v2/notifications/sms"),
        ("GET", f"/v2/notifications/{NOTIFICATION_ID}"),
    ]
    assert len(notify.requests) == 2


def test_bulk_sends_go_through_post(notify: FakeNotify) -> None:
    client = new_client(notify.url)
    notifications = [SmsNotification("07700900123", TEMPLATE_ID) for _ in range(3)]
    with mock.patch.object(client, "post", return_value={"id": NOTIFICATION_ID}) as patched:
        results = client.send_bulk(notifications, concurrency=2)
    assert [result.response for result in results] == [{"id": NOTIFICATION_ID}] * 3
    assert patched.call_count == 3
    assert notify.requests == []


def test_the_pdf_goes_through_the_official_request_steps(notify: FakeNotify) -> None:
    steps: list[str] = []

    class Recording(NotificationsAPIClient):
        def _create_request_objects(self, url: Any, data: Any, params: Any) -> Any:
            steps.append(f"create {url}")
            return super()._create_request_objects(url, data, params)

        def _perform_request(self, method: str, url: str, kwargs: dict[str, Any]) -> Any:
            steps.append(f"perform {method}")
            assert set(kwargs) >= {"headers", "timeout"}
            return super()._perform_request(method, url, kwargs)

    notify.queue(Reply(200, body=PDF, content_type="application/pdf"))
    with Recording(API_KEY, base_url=notify.url, max_retries=0) as client:
        assert client.get_pdf_for_letter(NOTIFICATION_ID).read() == PDF
    assert steps == [f"create /v2/notifications/{NOTIFICATION_ID}/pdf", "perform GET"]


def test_overridden_headers_are_sent(notify: FakeNotify) -> None:
    class WithTracing(NotificationsAPIClient):
        def generate_headers(self, api_token: str) -> dict[str, str]:
            return {**super().generate_headers(api_token), "X-Trace": "abc"}

    notify.queue(Reply(200, {"templates": []}))
    with WithTracing(API_KEY, base_url=notify.url, max_retries=0) as client:
        client.get_all_templates()
    assert notify.last.headers["x-trace"] == "abc"


def test_retries_still_apply_through_request(notify: FakeNotify) -> None:
    notify.queue(Reply(503, {"errors": [{"error": "X", "message": "down"}]}), Reply(200, {"ok": 1}))
    fast = RetryPolicy(max_retries=2, initial_backoff=0.001, max_backoff=0.002)
    with NotificationsAPIClient(API_KEY, base_url=notify.url, retry_policy=fast) as client:
        assert client.get_template(TEMPLATE_ID) == {"ok": 1}
    assert len(notify.requests) == 2


async def test_the_async_client_goes_through_its_get_and_post_too() -> None:
    from notifications_python_client.aio import AsyncNotificationsAPIClient

    client = AsyncNotificationsAPIClient(API_KEY, base_url="http://notify.invalid", max_retries=0)
    with (
        mock.patch.object(client, "post", return_value={"id": NOTIFICATION_ID}) as post,
        mock.patch.object(client, "get", return_value={"templates": []}) as get,
    ):
        await client.send_sms_notification("07700900123", TEMPLATE_ID, reference="ref")
        await client.get_all_templates("sms")
    post.assert_awaited_once_with(
        "/v2/notifications/sms",
        data={"phone_number": "07700900123", "template_id": TEMPLATE_ID, "reference": "ref"},
    )
    get.assert_awaited_once_with("/v2/templates?type=sms")
    await client.close()
