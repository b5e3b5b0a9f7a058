"""Every method sends exactly the request Notify expects and returns its answer unchanged."""

from __future__ import annotations

import base64
import io
import time
from dataclasses import dataclass, field
from typing import Any

import pytest

from notifications_python_client import __version__, prepare_upload

from .fakenotify import (
    NOTIFICATION_ID,
    SERVICE_ID,
    TEMPLATE_ID,
    Caller,
    FakeNotify,
    Reply,
)

SENDER_ID = "2d3a1c5e-8f3b-4b6a-9c1d-7e2f3a4b5c6d"
REPLY_TO_ID = "9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
OLDER_ID = "11111111-2222-4333-8444-555555555555"
PDF = b"%PDF-1.4 a tiny letter"
ADDRESS = {"address_line_1": "A", "address_line_2": "B", "postcode": "SW1A 1AA"}

SMS_RESPONSE = {
    "id": NOTIFICATION_ID,
    "reference": "ref-1",
    "content": {"body": "Hello Amala", "from_number": "GOVUK"},
    "uri": f"https://api.example/v2/notifications/{NOTIFICATION_ID}",
    "template": {"id": TEMPLATE_ID, "version": 1, "uri": "https://api.example/t"},
    "scheduled_for": None,
}
TEMPLATE = {
    "id": TEMPLATE_ID,
    "type": "sms",
    "created_at": "2024-05-17T15:58:38.342838Z",
    "updated_at": None,
    "version": 2,
    "created_by": "someone@example.com",
    "body": "Hello ((name))",
    "subject": None,
}


@dataclass(frozen=True)
class Case:
    """One call and the request it must produce."""

    method: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    http_method: str
    path: str
    query: dict[str, list[str]] = field(default_factory=dict)
    body: Any = None
    reply: Any = field(default_factory=lambda: {"ok": True})
    status: int = 200


CASES = {
    "sms, required only": Case(
        "send_sms_notification",
        ("+447700900123", TEMPLATE_ID),
        {},
        "POST",
        "/v2/notifications/sms",
        body={"phone_number": "+447700900123", "template_id": TEMPLATE_ID},
        reply=SMS_RESPONSE,
        status=201,
    ),
    "sms, every argument": Case(
        "send_sms_notification",
        ("07700900123", TEMPLATE_ID, {"name": "Amala"}, "ref-1", SENDER_ID),
        {},
        "POST",
        "/v2/notifications/sms",
        body={
            "phone_number": "07700900123",
            "template_id": TEMPLATE_ID,
            "personalisation": {"name": "Amala"},
            "reference": "ref-1",
            "sms_sender_id": SENDER_ID,
        },
        reply=SMS_RESPONSE,
        status=201,
    ),
    "email, required only": Case(
        "send_email_notification",
        ("amala@example.com", TEMPLATE_ID),
        {},
        "POST",
        "/v2/notifications/email",
        body={"email_address": "amala@example.com", "template_id": TEMPLATE_ID},
        status=201,
    ),
    "email, every argument by keyword": Case(
        "send_email_notification",
        (),
        {
            "email_address": "amala@example.com",
            "template_id": TEMPLATE_ID,
            "personalisation": {"name": "Amala", "tags": {"x"}},
            "reference": "ref-2",
            "email_reply_to_id": REPLY_TO_ID,
            "one_click_unsubscribe_url": "https://example.com/unsubscribe?u=1",
            "sanitise_content_for": ["name"],
        },
        "POST",
        "/v2/notifications/email",
        body={
            "email_address": "amala@example.com",
            "template_id": TEMPLATE_ID,
            # A set is sent as a list, as the official client does.
            "personalisation": {"name": "Amala", "tags": ["x"]},
            "reference": "ref-2",
            "email_reply_to_id": REPLY_TO_ID,
            "one_click_unsubscribe_url": "https://example.com/unsubscribe?u=1",
            "sanitise_content_for": ["name"],
        },
        status=201,
    ),
    # Empty optional values are left out, as the official client leaves out anything falsy.
    "email, empty values are left out": Case(
        "send_email_notification",
        ("amala@example.com", TEMPLATE_ID, {}, ""),
        {"email_reply_to_id": "", "one_click_unsubscribe_url": "", "sanitise_content_for": []},
        "POST",
        "/v2/notifications/email",
        body={"email_address": "amala@example.com", "template_id": TEMPLATE_ID},
        status=201,
    ),
    "sms, empty values are left out": Case(
        "send_sms_notification",
        ("07700900123", TEMPLATE_ID),
        {"personalisation": {}, "reference": "", "sms_sender_id": ""},
        "POST",
        "/v2/notifications/sms",
        body={"phone_number": "07700900123", "template_id": TEMPLATE_ID},
        reply=SMS_RESPONSE,
        status=201,
    ),
    "letter, an empty reference is left out": Case(
        "send_letter_notification",
        (TEMPLATE_ID, ADDRESS, ""),
        {},
        "POST",
        "/v2/notifications/letter",
        body={"template_id": TEMPLATE_ID, "personalisation": ADDRESS},
        status=201,
    ),
    "letter, empty personalisation is still sent": Case(
        "send_letter_notification",
        (TEMPLATE_ID, {}),
        {},
        "POST",
        "/v2/notifications/letter",
        body={"template_id": TEMPLATE_ID, "personalisation": {}},
        status=201,
    ),
    "precompiled letter, an empty postage is left out": Case(
        "send_precompiled_letter_notification",
        ("", PDF),
        {"postage": ""},
        "POST",
        "/v2/notifications/letter",
        # The reference is required, so it is sent even when empty.
        body={"reference": "", "content": base64.b64encode(PDF).decode()},
        status=201,
    ),
    "all notifications, empty filters are left out": Case(
        "get_all_notifications",
        ("", "", "", "", False),
        {},
        "GET",
        "/v2/notifications",
        reply={"notifications": [], "links": {"current": "x"}},
    ),
    "all notifications, empty lists of statuses are left out": Case(
        "get_all_notifications",
        (),
        {"status": [], "template_type": ()},
        "GET",
        "/v2/notifications",
        reply={"notifications": [], "links": {"current": "x"}},
    ),
    "received texts, an empty older than is left out": Case(
        "get_received_texts", ("",), {}, "GET", "/v2/received-text-messages"
    ),
    "all templates, an empty type is left out": Case(
        "get_all_templates", ("",), {}, "GET", "/v2/templates", reply={"templates": []}
    ),
    "template preview, empty personalisation is still sent": Case(
        "post_template_preview",
        (TEMPLATE_ID, {}),
        {},
        "POST",
        f"/v2/template/{TEMPLATE_ID}/preview",
        body={"personalisation": {}},
    ),
    "letter": Case(
        "send_letter_notification",
        (TEMPLATE_ID, ADDRESS),
        {"reference": "ref-3"},
        "POST",
        "/v2/notifications/letter",
        body={
            "template_id": TEMPLATE_ID,
            "personalisation": {
                "address_line_1": "A",
                "address_line_2": "B",
                "postcode": "SW1A 1AA",
            },
            "reference": "ref-3",
        },
        status=201,
    ),
    "precompiled letter, from a file": Case(
        "send_precompiled_letter_notification",
        ("ref-4", io.BytesIO(PDF)),
        {},
        "POST",
        "/v2/notifications/letter",
        body={"reference": "ref-4", "content": base64.b64encode(PDF).decode()},
        reply={"id": NOTIFICATION_ID, "reference": "ref-4", "postage": "second"},
        status=201,
    ),
    "precompiled letter, first class": Case(
        "send_precompiled_letter_notification",
        ("ref-5", PDF),
        {"postage": "first"},
        "POST",
        "/v2/notifications/letter",
        body={"reference": "ref-5", "content": base64.b64encode(PDF).decode(), "postage": "first"},
        status=201,
    ),
    "notification by id": Case(
        "get_notification_by_id",
        (NOTIFICATION_ID,),
        {},
        "GET",
        f"/v2/notifications/{NOTIFICATION_ID}",
        reply={"id": NOTIFICATION_ID, "status": "delivered"},
    ),
    "all notifications, no filter": Case(
        "get_all_notifications",
        (),
        {},
        "GET",
        "/v2/notifications",
        reply={"notifications": [], "links": {"current": "x"}},
    ),
    "all notifications, status first as in the official client": Case(
        "get_all_notifications",
        ("delivered", "sms", "ref-6", OLDER_ID, True),
        {},
        "GET",
        "/v2/notifications",
        query={
            "status": ["delivered"],
            "template_type": ["sms"],
            "reference": ["ref-6"],
            "older_than": [OLDER_ID],
            "include_jobs": ["True"],
        },
    ),
    "all notifications, several statuses": Case(
        "get_all_notifications",
        (),
        {"status": ["sending", "failed"], "include_jobs": False},
        "GET",
        "/v2/notifications",
        query={"status": ["sending", "failed"]},
    ),
    "received texts": Case("get_received_texts", (), {}, "GET", "/v2/received-text-messages"),
    "received texts, older than": Case(
        "get_received_texts",
        (OLDER_ID,),
        {},
        "GET",
        "/v2/received-text-messages",
        query={"older_than": [OLDER_ID]},
    ),
    "template": Case(
        "get_template", (TEMPLATE_ID,), {}, "GET", f"/v2/template/{TEMPLATE_ID}", reply=TEMPLATE
    ),
    "template version": Case(
        "get_template_version",
        (TEMPLATE_ID, 2),
        {},
        "GET",
        f"/v2/template/{TEMPLATE_ID}/version/2",
        reply=TEMPLATE,
    ),
    "all template versions": Case(
        "get_all_template_versions",
        (TEMPLATE_ID,),
        {},
        "GET",
        f"/service/{SERVICE_ID}/template/{TEMPLATE_ID}/versions",
        reply={"data": [TEMPLATE]},
    ),
    "all templates": Case(
        "get_all_templates", (), {}, "GET", "/v2/templates", reply={"templates": [TEMPLATE]}
    ),
    "all templates of a type": Case(
        "get_all_templates",
        (),
        {"template_type": "email"},
        "GET",
        "/v2/templates",
        query={"type": ["email"]},
        reply={"templates": []},
    ),
    "template preview": Case(
        "post_template_preview",
        (TEMPLATE_ID,),
        {"personalisation": {"name": "chris"}},
        "POST",
        f"/v2/template/{TEMPLATE_ID}/preview",
        body={"personalisation": {"name": "chris"}},
        reply={"id": TEMPLATE_ID, "type": "sms", "version": 2, "body": "Hello chris"},
    ),
    "template preview without personalisation": Case(
        "post_template_preview",
        (TEMPLATE_ID, None),
        {},
        "POST",
        f"/v2/template/{TEMPLATE_ID}/preview",
        body={},
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
async def test_sends_the_exact_request_and_returns_the_answer(
    call: Caller, notify: FakeNotify, case: Case
) -> None:
    notify.queue(Reply(case.status, case.reply))
    for argument in case.args:
        if isinstance(argument, io.BytesIO):
            argument.seek(0)  # the same case object runs against each client

    result = await call(case.method, *case.args, **case.kwargs)

    assert result == case.reply
    assert len(notify.requests) == 1
    sent = notify.last
    assert (sent.method, sent.path, sent.query) == (case.http_method, case.path, case.query)
    if case.body is None:
        assert sent.body == b""
    else:
        assert sent.json() == case.body
    assert sent.headers["content-type"] == "application/json"
    assert sent.headers["user-agent"] == f"NOTIFY-API-PYTHON-CLIENT/{__version__}"
    assert sent.claims()["iss"] == SERVICE_ID


async def test_headers_and_token(call: Caller, notify: FakeNotify) -> None:
    notify.queue(Reply(200, {"templates": []}))

    await call("get_all_templates")

    sent = notify.last
    assert sent.headers["content-type"] == "application/json"
    assert sent.headers["user-agent"] == f"NOTIFY-API-PYTHON-CLIENT/{__version__}"
    claims = sent.claims()
    assert set(claims) == {"iss", "iat"}
    assert claims["iss"] == SERVICE_ID
    # Notify rejects a token whose iat is more than 30 seconds from its clock.
    assert abs(claims["iat"] - time.time()) <= 30


async def test_pdf_for_letter_is_returned_as_bytes(call: Caller, notify: FakeNotify) -> None:
    notify.queue(Reply(200, body=PDF, content_type="application/pdf"))

    pdf = await call("get_pdf_for_letter", NOTIFICATION_ID)

    assert isinstance(pdf, io.BytesIO)
    assert pdf.read() == PDF
    assert notify.last.path == f"/v2/notifications/{NOTIFICATION_ID}/pdf"


async def test_prepare_upload_is_sent_with_explicit_nulls(call: Caller, notify: FakeNotify) -> None:
    upload = prepare_upload(io.BytesIO(b"a,b\n1,2\n"), filename="report.csv")
    notify.queue(Reply(201, {"id": NOTIFICATION_ID}))

    await call("send_email_notification", "a@example.com", TEMPLATE_ID, {"link": upload})

    assert notify.last.json()["personalisation"]["link"] == {
        "file": base64.b64encode(b"a,b\n1,2\n").decode(),
        "filename": "report.csv",
        "confirm_email_before_download": None,
        "retention_period": None,
    }


async def test_no_content_answer_returns_none(call: Caller, notify: FakeNotify) -> None:
    notify.queue(Reply(204))

    assert await call("get_template", TEMPLATE_ID) is None


def test_generic_requests_of_the_base_client(sync_client: Any, notify: FakeNotify) -> None:
    notify.queue(Reply(200, {"a": 1}), Reply(200, {"b": 2}), Reply(200, {}), Reply(200, {}))

    assert sync_client.get("/v2/anything", params={"x": "1", "skip": None}) == {"a": 1}
    assert sync_client.post("/v2/other", data={"y": 2}) == {"b": 2}
    sync_client.put("/v2/put", data={"z": 3})
    sync_client.delete("/v2/delete")

    sent = [(r.method, r.path, r.query, r.body) for r in notify.requests]
    assert sent == [
        ("GET", "/v2/anything", {"x": ["1"]}, b""),
        ("POST", "/v2/other", {}, b'{"y": 2}'),
        ("PUT", "/v2/put", {}, b'{"z": 3}'),
        ("DELETE", "/v2/delete", {}, b""),
    ]
    assert sync_client.generate_headers("TOKEN")["Authorization"] == "Bearer TOKEN"


def test_base_url_with_a_trailing_slash(notify: FakeNotify) -> None:
    from notifications_python_client import NotificationsAPIClient

    from .fakenotify import API_KEY

    notify.queue(Reply(200, TEMPLATE))
    with NotificationsAPIClient(API_KEY, base_url=notify.url + "/") as client:
        client.get_template(TEMPLATE_ID)
    assert notify.last.path == f"/v2/template/{TEMPLATE_ID}"
