"""The emulator-only routes under /_emulator/ (shared/spec/emulator.md)."""

from __future__ import annotations

import io
import json
import uuid

import requests

from notifications_python_client.utils import prepare_upload
from notify_emulator.demo import service as demo
from notify_emulator.present.serialise import unsubscribe_token
from notify_emulator.store.tables import ACTIVITY_TABLES

from .emulator_harness import Running

# Bodies of state-changing requests say what they are (shared/spec/emulator.md).
TOML = {"Content-Type": "application/toml"}
JSON = {"Content-Type": "application/json"}


def admin(emulator: Running, method: str, path: str, **kwargs: object) -> requests.Response:
    return requests.request(method, emulator.base_url + path, timeout=10, **kwargs)  # type: ignore[arg-type]


def test_reset_empties_activity_and_keeps_config(emulator: Running) -> None:
    client = emulator.client()
    client.send_sms_notification("07700900123", demo.SMS_TEMPLATE_ID, {"name": "A"})
    assert admin(emulator, "POST", "/_emulator/reset").json() == {"status": "ok"}
    assert client.get_all_notifications()["notifications"] == []
    assert client.get_template(demo.SMS_TEMPLATE_ID)["id"] == demo.SMS_TEMPLATE_ID


def test_notifications_listing_with_rendered_content(emulator: Running) -> None:
    client = emulator.client()
    sms = client.send_sms_notification("07700900123", demo.SMS_TEMPLATE_ID, {"name": "A"})
    emulator.clock.advance(0.001)  # the clock is frozen: make the second one newer
    email = client.send_email_notification("a@example.com", demo.EMAIL_TEMPLATE_ID, {"name": "B"})
    listed = admin(emulator, "GET", "/_emulator/notifications").json()["notifications"]
    assert [n["id"] for n in listed] == [email["id"], sms["id"]]
    assert listed[0]["html"].startswith("<p")
    assert listed[1]["body"] == "Hello A, this is a demo text."
    assert listed[1]["personalisation"] == {"name": "A"}
    other = admin(
        emulator, "GET", "/_emulator/notifications", params={"service_id": "nobody"}
    ).json()
    assert other == {"notifications": []}


def test_load_config_as_toml_and_json(emulator: Running) -> None:
    service_id = "88888888-8888-4888-8888-888888888888"
    toml = f"""
[[services]]
id = "{service_id}"
name = "Loaded"
  [[services.api_keys]]
  name = "k"
  secret = "88888888-aaaa-4aaa-8aaa-000000000001"
"""
    response = admin(emulator, "POST", "/_emulator/config", data=toml, headers=TOML)
    assert response.json() == {
        "status": "ok",
        "services": [{"id": service_id, "name": "Loaded"}],
        "warnings": [],
    }
    data = {"services": [{"id": service_id, "name": "Renamed"}]}
    response = admin(emulator, "POST", "/_emulator/config", data=json.dumps(data), headers=JSON)
    assert response.status_code == 200
    assert emulator.emulator.store.get_service(service_id).name == "Renamed"  # type: ignore[union-attr]


def test_config_with_a_byte_order_mark_loads(emulator: Running) -> None:
    service_id = "3f1a0000-0000-4000-8000-0000000000b0"
    toml = f'[[services]]\nid = "{service_id}"\nname = "Saved by Notepad"\n'
    for body, headers in (
        (toml, TOML),
        (json.dumps({"services": [{"id": service_id, "name": "Saved by Notepad"}]}), JSON),
    ):
        response = admin(
            emulator,
            "POST",
            "/_emulator/config",
            data=b"\xef\xbb\xbf" + body.encode(),
            headers=headers,
        )
        assert response.status_code == 200, response.text
    assert emulator.emulator.store.get_service(service_id) is not None


def test_bad_config_is_refused_with_a_reason(emulator: Running) -> None:
    response = admin(
        emulator,
        "POST",
        "/_emulator/config",
        data='[[services]]\nname = "X"\n  [[services.api_keys]]\n  name = "k"\n  type = "admin"\n',
        headers=TOML,
    )
    assert response.status_code == 400
    assert response.json() == {
        "error": "request body: services[0] ('X').api_keys[0]: field 'type': "
        "must be one of normal, team, test, not 'admin'"
    }
    response = admin(emulator, "POST", "/_emulator/config", data="not = [toml", headers=TOML)
    assert response.status_code == 400


def test_config_taking_another_services_template_is_refused(emulator: Running) -> None:
    template = "00000000-0000-4000-8000-00000000abcd"
    first = f"""
[[services]]
id = "3f1a0000-0000-4000-8000-000000000001"
name = "First"
  [[services.templates]]
  id = "{template}"
  name = "T"
  type = "sms"
  body = "Hello"
"""
    assert admin(emulator, "POST", "/_emulator/config", data=first, headers=TOML).ok
    second = first.replace(
        "3f1a0000-0000-4000-8000-000000000001", "3f1a0000-0000-4000-8000-000000000002"
    )
    second = second.replace('"First"', '"Second"')
    response = admin(emulator, "POST", "/_emulator/config", data=second, headers=TOML)
    assert response.status_code == 400
    assert response.json() == {
        "error": f"request body: services[0] ('Second').templates[0]: field 'id': '{template}'"
        " belongs to another service (3f1a0000-0000-4000-8000-000000000001)"
    }
    store = emulator.emulator.store
    assert store.get_service("3f1a0000-0000-4000-8000-000000000002") is None
    assert store.get_template("3f1a0000-0000-4000-8000-000000000001", template) is not None


def test_inject_received_text(emulator: Running) -> None:
    response = admin(
        emulator,
        "POST",
        "/_emulator/received-texts",
        json={"service_id": demo.SERVICE_ID, "user_number": "07700 900111", "content": "STOP"},
    )
    assert response.status_code == 201
    texts = emulator.client().get_received_texts()["received_text_messages"]
    assert [(t["user_number"], t["content"]) for t in texts] == [("447700900111", "STOP")]


def test_inject_received_text_errors(emulator: Running) -> None:
    response = admin(emulator, "POST", "/_emulator/received-texts", json={"service_id": "x"})
    assert response.status_code == 400
    assert response.json() == {
        "error": "user_number is required and must be a non-empty string",
        "field": "user_number",
    }
    response = admin(
        emulator,
        "POST",
        "/_emulator/received-texts",
        json={"service_id": "nobody", "user_number": "1", "content": "x"},
    )
    assert response.status_code == 404
    response = admin(emulator, "POST", "/_emulator/received-texts", data=b"[", headers=JSON)
    assert response.status_code == 400


def test_a_service_that_cannot_receive_texts_is_refused(emulator: Running) -> None:
    store = emulator.emulator.store
    suffix = uuid.uuid4().hex[:8]  # service names are unique, and the server is shared
    no_number = admin(emulator, "POST", "/_emulator/services", json={"name": f"No number {suffix}"})
    with_permission_only = admin(
        emulator,
        "POST",
        "/_emulator/services",
        json={"name": f"Permission only {suffix}", "permissions": ["sms", "inbound_sms"]},
    )
    for created in (no_number, with_permission_only):
        assert created.status_code == 201, created.text
        service_id = created.json()["id"]
        text = {"service_id": service_id, "user_number": "07700900111", "content": "Hi"}
        response = admin(emulator, "POST", "/_emulator/received-texts", json=text)
        assert response.status_code == 400
        assert response.json() == {
            "error": f"service {service_id} has no inbound number, so it cannot receive "
            "text messages: give it one (inbound_number in the seed file, or "
            f"POST /_emulator/services/{service_id} with an inbound_number)",
            "field": "service_id",
        }
    assert store.count_rows("received_texts") == 0
    assert store.count_rows("callbacks") == 0


def test_a_received_text_comes_from_a_phone_number(emulator: Running) -> None:
    # In the admin app's words, shown by the inbox form's field.
    refused = {
        "GOVUK": "Mobile numbers can only include: 0 1 2 3 4 5 6 7 8 9 ( ) + -",
        "12": "Mobile number is too short",
        "07700 900 11a": "Mobile numbers can only include: 0 1 2 3 4 5 6 7 8 9 ( ) + -",
        "07700 900 111 111 111": "Mobile number is too long",
    }
    for user_number, message in refused.items():
        text = {"service_id": demo.SERVICE_ID, "user_number": user_number, "content": "Hi"}
        response = admin(emulator, "POST", "/_emulator/received-texts", json=text)
        assert response.status_code == 400, user_number
        assert response.json() == {"error": message, "field": "user_number"}
    assert emulator.emulator.store.count_rows("received_texts") == 0
    # International senders are phone numbers too.
    text = {"service_id": demo.SERVICE_ID, "user_number": "+1 202 555 0123", "content": "Hi"}
    response = admin(emulator, "POST", "/_emulator/received-texts", json=text)
    assert response.status_code == 201, response.text
    assert response.json()["user_number"] == "12025550123"


def test_force_status(emulator: Running) -> None:
    client = emulator.client()
    sent = client.send_sms_notification("07700900123", demo.SMS_TEMPLATE_ID, {"name": "A"})
    path = f"/_emulator/notifications/{sent['id']}/status"
    response = admin(emulator, "POST", path, json={"status": "permanent-failure"})
    assert response.status_code == 200
    assert response.json()["status"] == "permanent-failure"
    # A forced status ends the plan: time passing does not change it.
    emulator.clock.advance(10)
    got = client.get_notification_by_id(sent["id"])
    assert got["status"] == "permanent-failure"
    assert got["completed_at"] is not None


def test_force_status_errors(emulator: Running) -> None:
    sent = emulator.client().send_email_notification(
        "a@example.com", demo.EMAIL_TEMPLATE_ID, {"name": "A"}
    )
    path = f"/_emulator/notifications/{sent['id']}/status"
    response = admin(emulator, "POST", path, json={"status": "returned-letter"})
    assert response.status_code == 400
    assert "status must be one of" in response.json()["error"]
    missing = "/_emulator/notifications/00000000-0000-4000-8000-000000000000/status"
    assert admin(emulator, "POST", missing, json={"status": "delivered"}).status_code == 404


def test_inbox_page(emulator: Running) -> None:
    emulator.client().send_email_notification(
        "a@example.com", demo.EMAIL_TEMPLATE_ID, {"name": "<b>Ada</b>"}
    )
    page = admin(emulator, "GET", "/")
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert "a@example.com" in page.text
    assert "&lt;b&gt;Ada&lt;/b&gt;" in page.text


def test_reset_empties_every_activity_table_whichever_hold_rows(emulator: Running) -> None:
    store = emulator.emulator.store
    client = emulator.client()
    service = f"/_emulator/services/{demo.SERVICE_ID}"
    inbound = {"type": "inbound_sms", "url": "https://example.com/in", "bearer_token": "t" * 10}
    assert admin(emulator, "POST", f"{service}/callbacks", json=inbound).status_code == 200
    with_a_file = {"type": "email", "name": "File", "subject": "File", "body": "Get ((link))"}
    template = admin(emulator, "POST", f"{service}/templates", json=with_a_file).json()
    upload = prepare_upload(io.BytesIO(b"%PDF-1.4 a small file"), filename="report.pdf")
    email = client.send_email_notification("a@example.com", template["id"], {"link": upload})
    unsubscribe = f"/unsubscribe/{email['id']}/{unsubscribe_token(email['id'])}"
    assert admin(emulator, "POST", unsubscribe).status_code == 200
    client.send_sms_notification("07700900123", demo.SMS_TEMPLATE_ID, {"name": "A"})
    address = {
        "address_line_1": "A Person",
        "address_line_2": "1 Street",
        "address_line_3": "SW1A 1AA",
    }
    letter = client.send_letter_notification(demo.LETTER_TEMPLATE_ID, {**address, "name": "A"})
    # Past the letter's print run, so that it can come back.
    assert admin(emulator, "POST", "/_emulator/clock", json={"advance_seconds": 2 * 86400}).ok
    returned = admin(emulator, "POST", f"/_emulator/notifications/{letter['id']}/return")
    text = {"service_id": demo.SERVICE_ID, "user_number": "07700 900111", "content": "STOP"}
    received = admin(emulator, "POST", "/_emulator/received-texts", json=text)
    assert (returned.status_code, received.status_code) == (200, 201)
    every_table = {table.name for table in ACTIVITY_TABLES}
    assert {name for name in every_table if store.count_rows(name)} == every_table

    for _ in range(2):  # with rows in every table, then with none
        assert admin(emulator, "POST", "/_emulator/reset").json() == {"status": "ok"}
        assert {name: store.count_rows(name) for name in every_table} == dict.fromkeys(
            every_table, 0
        )
    assert client.get_template(template["id"])["id"] == template["id"]
