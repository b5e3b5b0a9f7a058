"""The v2 reads: one notification, lists and paging, templates, previews, received texts."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from notify_emulator.demo import service as demo
from notify_emulator.rules.cost import letter_rate

from ..emulators import demo_text
from .emulator_harness import TEST_PAGE_SIZE, Running, errors

NOTIFICATION_KEYS = {
    "id", "reference", "email_address", "phone_number", "line_1", "line_2", "line_3",
    "line_4", "line_5", "line_6", "postcode", "type", "status", "template", "body",
    "subject", "created_at", "created_by_name", "sent_at", "completed_at", "scheduled_for",
    "postage", "one_click_unsubscribe_url", "is_cost_data_ready", "cost_in_pounds",
    "cost_details",
}  # fmt: skip
STATUSES = (
    "[cancelled, created, sending, sent, delivered, pending, failed, technical-failure, "
    "temporary-failure, permanent-failure, pending-virus-check, validation-failed, "
    "virus-scan-failed, returned-letter, accepted, received]"
)


def send_texts(emulator: Running, count: int, api_key: str = demo.LIVE_API_KEY) -> list[str]:
    client = emulator.client(api_key)
    ids = []
    for number in range(count):
        sent = client.send_sms_notification(
            "07700900123", demo.SMS_TEMPLATE_ID, {"name": f"n{number}"}, reference=f"ref-{number}"
        )
        ids.append(sent["id"])
        emulator.clock.advance(0.001)  # distinct created_at, as real sends have
    return ids


def test_get_notification_fields_and_lifecycle(emulator: Running) -> None:
    (notification_id,) = send_texts(emulator, 1)
    client = emulator.client()
    got = client.get_notification_by_id(notification_id)
    assert set(got) == NOTIFICATION_KEYS
    created_at = datetime.strptime(got["created_at"], "%Y-%m-%dT%H:%M:%S.%fZ")
    assert got["template"] == {
        "id": demo.SMS_TEMPLATE_ID,
        "version": 1,
        "uri": f"{emulator.base_url}/v2/template/{demo.SMS_TEMPLATE_ID}/version/1",
    }
    assert (got["status"], got["sent_at"], got["completed_at"]) == ("created", None, None)
    assert (got["is_cost_data_ready"], got["cost_in_pounds"]) == (False, None)
    emulator.clock.advance(1.5)
    got = client.get_notification_by_id(notification_id)
    assert got["status"] == "sending"
    assert got["sent_at"] == (created_at + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    emulator.clock.advance(1)
    got = client.get_notification_by_id(notification_id)
    assert got["status"] == "delivered"
    assert got["completed_at"] == (created_at + timedelta(seconds=2)).strftime(
        "%Y-%m-%dT%H:%M:%S.%fZ"
    )
    assert got["is_cost_data_ready"] is True


def test_a_letter_waiting_for_the_print_run_has_its_cost(emulator: Running) -> None:
    # Notify records a letter's sheets once its PDF is made, seconds after it is sent, long
    # before it leaves "created" at the print run.
    client = emulator.client()
    address = {"address_line_1": "A Person", "address_line_2": "1 Road", "postcode": "SW1A 1AA"}
    letter = client.send_letter_notification(demo.LETTER_TEMPLATE_ID, {**address, "name": "A"})
    got = client.get_notification_by_id(letter["id"])
    assert got["status"] == "accepted"
    assert got["is_cost_data_ready"] is True
    assert got["cost_details"] == {"billable_sheets_of_paper": 1, "postage": "second"}
    created_at = datetime.strptime(got["created_at"], "%Y-%m-%dT%H:%M:%S.%fZ")
    assert got["cost_in_pounds"] == letter_rate(created_at, 1, "second")


def test_test_key_simulated_failures(emulator: Running) -> None:
    client = emulator.client(demo.TEST_API_KEY)
    temporary = client.send_sms_notification("07700900003", demo.SMS_TEMPLATE_ID, {"name": "A"})
    permanent = client.send_email_notification(
        "perm-fail@simulator.notify", demo.EMAIL_TEMPLATE_ID, {"name": "A"}
    )
    emulator.clock.advance(3)
    assert client.get_notification_by_id(temporary["id"])["status"] == "temporary-failure"
    assert client.get_notification_by_id(permanent["id"])["status"] == "permanent-failure"


def test_any_key_reads_any_notification_of_the_service(emulator: Running) -> None:
    (notification_id,) = send_texts(emulator, 1)
    assert emulator.client(demo.TEST_API_KEY).get_notification_by_id(notification_id)["id"]


@pytest.mark.parametrize(
    ("path", "status", "expected"),
    [
        ("/v2/notifications/nope", 400, ("ValidationError", "notification_id is not a valid UUID")),
        ("/v2/notifications/sms", 400, ("ValidationError", "notification_id is not a valid UUID")),
        (
            "/v2/notifications/00000000-0000-4000-8000-000000000000",
            404,
            ("NoResultFound", "No result found"),
        ),
    ],
)
def test_get_notification_errors(
    emulator: Running, path: str, status: int, expected: tuple[str, str]
) -> None:
    response = emulator.request("GET", path)
    assert (response.status_code, errors(response)) == (status, [expected])


def test_list_pages_with_older_than(emulator: Running) -> None:
    ids = send_texts(emulator, TEST_PAGE_SIZE * 2 + 1)
    newest_first = list(reversed(ids))
    client = emulator.client()
    first = client.get_all_notifications()
    assert [n["id"] for n in first["notifications"]] == newest_first[:TEST_PAGE_SIZE]
    assert first["links"] == {
        "current": f"{emulator.base_url}/v2/notifications",
        "next": f"{emulator.base_url}/v2/notifications"
        f"?older_than={newest_first[TEST_PAGE_SIZE - 1]}",
    }
    second = client.get_all_notifications(older_than=newest_first[TEST_PAGE_SIZE - 1])
    assert [n["id"] for n in second["notifications"]] == newest_first[
        TEST_PAGE_SIZE : 2 * TEST_PAGE_SIZE
    ]
    third = client.get_all_notifications(older_than=newest_first[2 * TEST_PAGE_SIZE - 1])
    assert [n["id"] for n in third["notifications"]] == newest_first[2 * TEST_PAGE_SIZE :]
    assert "next" in third["links"]
    last = client.get_all_notifications(older_than=newest_first[-1])
    assert dict(last) == {
        "links": {"current": f"{emulator.base_url}/v2/notifications?older_than={newest_first[-1]}"},
        "notifications": [],
    }
    every = list(client.get_all_notifications_iterator())
    assert [n["id"] for n in every] == newest_first


def test_unknown_older_than_gives_an_empty_page(emulator: Running) -> None:
    send_texts(emulator, 2)
    page = emulator.client().get_all_notifications(
        older_than="00000000-0000-4000-8000-000000000000"
    )
    assert page["notifications"] == []
    assert "next" not in page["links"]


def test_links_keep_params_in_request_order(emulator: Running) -> None:
    ids = send_texts(emulator, 2)
    response = emulator.request(
        "GET",
        "/v2/notifications?status=created&template_type=sms&status=sending&reference=ref-1",
    )
    body = response.json()
    root = emulator.base_url + "/v2/notifications"
    assert body["links"] == {
        "current": f"{root}?status=created&status=sending&template_type=sms&reference=ref-1",
        "next": f"{root}?status=created&status=sending&template_type=sms&reference=ref-1"
        f"&older_than={ids[1]}",
    }
    response = emulator.request("GET", f"/v2/notifications?older_than={ids[1]}&status=created")
    assert response.json()["links"]["next"] == f"{root}?older_than={ids[0]}&status=created"


def test_filters(emulator: Running) -> None:
    client = emulator.client()
    (sms_id,) = send_texts(emulator, 1)
    email = client.send_email_notification("a@example.com", demo.EMAIL_TEMPLATE_ID, {"name": "A"})
    assert [
        n["id"] for n in client.get_all_notifications(template_type="email")["notifications"]
    ] == [email["id"]]
    assert [n["id"] for n in client.get_all_notifications(reference="ref-0")["notifications"]] == [
        sms_id
    ]
    # "accepted" means created or sending, for every type.
    accepted = client.get_all_notifications(status="accepted")["notifications"]
    assert {n["id"] for n in accepted} == {sms_id, email["id"]}
    emulator.clock.advance(3)
    assert client.get_all_notifications(status="created")["notifications"] == []
    received = client.get_all_notifications(status="received")["notifications"]
    assert {n["id"] for n in received} == {sms_id, email["id"]}
    forced = emulator.request(
        "POST", f"/_emulator/notifications/{sms_id}/status", json={"status": "permanent-failure"}
    )
    assert forced.status_code == 200
    assert [n["id"] for n in client.get_all_notifications(status="failed")["notifications"]] == [
        sms_id
    ]


def test_include_jobs(emulator: Running) -> None:
    send_texts(emulator, 1)
    response = emulator.request("GET", "/v2/notifications?include_jobs=True")
    assert len(response.json()["notifications"]) == 1
    response = emulator.request("GET", "/v2/notifications?include_jobs=false")
    assert errors(response) == [
        ("ValidationError", "include_jobs false is not one of [true, True]")
    ]


def test_visibility_by_key_type(emulator: Running) -> None:
    (live_id,) = send_texts(emulator, 1)
    (test_id,) = send_texts(emulator, 1, demo.TEST_API_KEY)
    assert [n["id"] for n in emulator.client().get_all_notifications()["notifications"]] == [
        live_id
    ]
    test_list = emulator.client(demo.TEST_API_KEY).get_all_notifications()["notifications"]
    assert [n["id"] for n in test_list] == [test_id]
    assert emulator.client(demo.TEAM_API_KEY).get_all_notifications()["notifications"] == []


def test_list_validation_messages(emulator: Running) -> None:
    response = emulator.request(
        "GET", "/v2/notifications?status=elephant&template_type=orange&older_than=x&foo=1"
    )
    assert response.status_code == 400
    assert errors(response) == [
        ("ValidationError", f"status elephant is not one of {STATUSES}"),
        ("ValidationError", "template_type orange is not one of [sms, email, letter]"),
        ("ValidationError", "older_than is not a valid UUID"),
        ("ValidationError", "Additional properties are not allowed (foo was unexpected)"),
    ]


def test_get_template_and_versions(emulator: Running) -> None:
    template_id = "77777777-0000-4000-8000-000000000020"
    emulator.load_config(
        f"""
[[services]]
id = "{demo.SERVICE_ID}"
name = "{demo.SERVICE_NAME}"
  [[services.templates]]
  id = "{template_id}"
  name = "Versioned"
  type = "email"
  subject = "Hi ((First Name))"
  body = "((first_name)) ((b??shown)) ((c))"
  archived = true
  [[services.templates.versions]]
  name = "Versioned (old)"
  subject = "Old"
  body = "Old body"
"""
    )
    client = emulator.client()
    latest = client.get_template(template_id)
    assert latest["version"] == 2
    assert latest["personalisation"] == {
        "First Name": {"required": True},
        "b": {"required": True},
        "c": {"required": True},
    }
    assert latest["updated_at"] is not None
    first = client.get_template_version(template_id, 1)
    assert (first["name"], first["subject"], first["body"], first["version"]) == (
        "Versioned (old)",
        "Old",
        "Old body",
        1,
    )
    assert first["updated_at"] is None
    assert emulator.request("GET", f"/v2/template/{template_id}/version/0").json()["version"] == 2
    # Archived templates can be read, but are not listed.
    names = [t["name"] for t in client.get_all_templates()["templates"]]
    assert "Versioned" not in names


def test_template_shape(emulator: Running) -> None:
    letter = emulator.client().get_template(demo.LETTER_TEMPLATE_ID)
    assert letter == {
        "body": "Dear ((name)),\n\nThis is a demo letter.",
        "created_at": letter["created_at"],
        "created_by": demo.TEAM_MEMBER_EMAIL,
        "id": demo.LETTER_TEMPLATE_ID,
        "letter_contact_block": "Demo Service\nWhitehall\nLondon\nSW1A 2AA",
        "name": "Demo letter",
        "personalisation": {"name": {"required": True}},
        "postage": "second",
        "subject": "A letter for ((name))",
        "type": "letter",
        "updated_at": None,
        "version": 1,
    }


def test_template_errors(emulator: Running) -> None:
    response = emulator.request("GET", "/v2/template/nope")
    assert errors(response) == [("ValidationError", "id is not a valid UUID")]
    response = emulator.request("GET", "/v2/template/00000000-0000-4000-8000-000000000000")
    assert errors(response) == [("NoResultFound", "No result found")]
    response = emulator.request("GET", f"/v2/template/{demo.SMS_TEMPLATE_ID}/version/9")
    assert errors(response) == [("NoResultFound", "No result found")]
    response = emulator.request("GET", f"/v2/template/{demo.SMS_TEMPLATE_ID}/version/x")
    assert response.status_code == 404
    assert response.json()["result"] == "error"


def test_list_templates(emulator: Running) -> None:
    client = emulator.client()
    names = [t["name"] for t in client.get_all_templates()["templates"]]
    assert names == sorted(names)
    assert {"Demo email", "Demo letter", "Demo text message"} <= set(names)
    assert "Pre-compiled PDF" not in names
    sms = client.get_all_templates("sms")["templates"]
    assert {t["type"] for t in sms} == {"sms"}
    response = emulator.request("GET", "/v2/templates?type=foo&x=1")
    assert errors(response) == [
        ("ValidationError", "type foo is not one of [sms, email, letter]"),
        ("ValidationError", "Additional properties are not allowed (x was unexpected)"),
    ]


def test_preview(emulator: Running) -> None:
    client = emulator.client()
    preview = client.post_template_preview(demo.EMAIL_TEMPLATE_ID, {"name": "Jo"})
    assert (preview["html"] or "").startswith(
        '<p style="Margin: 0 0 20px 0; font-size: 19px; line-height: 25px; color: #0B0C0C;">'
        "Dear Jo,"
    )
    assert (preview["subject"], preview["type"], preview["postage"]) == ("Hello Jo", "email", None)
    letter = client.post_template_preview(demo.LETTER_TEMPLATE_ID, {"name": "Jo"})
    assert (letter["html"], letter["postage"]) == (None, "second")


def test_preview_errors(emulator: Running) -> None:
    path = f"/v2/template/{demo.SMS_TEMPLATE_ID}/preview"
    response = emulator.request("POST", path, data=b"")
    assert errors(response) == [("BadRequestError", "Missing personalisation: name")]
    response = emulator.request("POST", path, data=b"{bad")
    assert errors(response) == [("BadRequestError", "Invalid JSON supplied in POST data")]
    response = emulator.request("POST", path, json={"personalisation": "x", "extra": 1})
    assert errors(response) == [("ValidationError", "personalisation x is not of type object")]
    response = emulator.request("POST", "/v2/template/nope/preview", json={})
    assert errors(response) == [("ValidationError", "id is not a valid UUID")]
    response = emulator.request(
        "POST", "/v2/template/00000000-0000-4000-8000-000000000000/preview", json={}
    )
    assert (response.status_code, errors(response)) == (404, [("NoResultFound", "No result found")])


@pytest.mark.parametrize("data", [b" ", b"\n", b" \t\r\n "])
@pytest.mark.parametrize(
    "path",
    [
        f"/v2/template/{demo.SMS_TEMPLATE_ID}/preview",
        "/v2/notifications/sms",
        "/v2/notifications/email",
        "/v2/notifications/letter",
    ],
)
def test_whitespace_only_body_is_invalid_json(emulator: Running, path: str, data: bytes) -> None:
    # Only a body of no bytes at all is "no personalisation" for a preview (Notify tests
    # request.get_data() for emptiness); whitespace goes on to the JSON parser, which fails.
    response = emulator.request("POST", path, data=data)
    assert (response.status_code, errors(response)) == (
        400,
        [("BadRequestError", "Invalid JSON supplied in POST data")],
    )
    assert response.json()["status_code"] == 400


def test_received_texts_paging(emulator: Running) -> None:
    start = datetime.now(timezone.utc)
    for number in range(TEST_PAGE_SIZE + 2):
        emulator.clock.set(start + timedelta(seconds=number))
        response = emulator.request(
            "POST",
            "/_emulator/received-texts",
            json={
                "service_id": demo.SERVICE_ID,
                "user_number": "07700900111",
                "content": f"m{number}",
            },
        )
        assert response.status_code == 201
    emulator.clock.set(datetime.now(timezone.utc))
    client = emulator.client()
    first = client.get_received_texts()
    texts = first["received_text_messages"]
    assert [t["content"] for t in texts] == [f"m{n}" for n in range(TEST_PAGE_SIZE + 1, 1, -1)]
    assert texts[0]["user_number"] == "447700900111"
    assert texts[0]["notify_number"] == demo.INBOUND_NUMBER
    assert texts[0]["service_id"] == demo.SERVICE_ID
    root = f"{emulator.base_url}/v2/received-text-messages"
    assert first["links"] == {"current": root, "next": f"{root}?older_than={texts[-1]['id']}"}
    second = client.get_received_texts(older_than=texts[-1]["id"])
    assert [t["content"] for t in second["received_text_messages"]] == ["m1", "m0"]
    assert second["links"]["current"] == root
    assert len(list(client.get_received_texts_iterator())) == TEST_PAGE_SIZE + 2


def test_received_texts_errors(emulator: Running) -> None:
    response = emulator.request("GET", "/v2/received-text-messages?older_than=x&user_number=1")
    assert errors(response) == [
        ("ValidationError", "older_than is not a valid UUID"),
        ("ValidationError", "Additional properties are not allowed (user_number was unexpected)"),
    ]


def test_reads_stop_after_the_retention_period(emulator: Running) -> None:
    store = emulator.emulator.store
    old = datetime.now(timezone.utc).replace(tzinfo=None) - timedelta(days=8)
    old_id = "00000000-0000-4000-8000-0000000000aa"
    store.insert_notification(demo_text(old_id, old, personalisation={"name": "old"}))
    store.insert_received_text(
        demo.SERVICE_ID, "447700900111", "old", notify_number=None, created_at=old
    )
    response = emulator.request("GET", f"/v2/notifications/{old_id}")
    assert errors(response) == [("NoResultFound", "No result found")]
    assert emulator.client().get_all_notifications()["notifications"] == []
    assert emulator.client().get_received_texts()["received_text_messages"] == []
    # The emulator's own listing still shows it.
    assert [n.id for n in store.all_notifications(demo.SERVICE_ID)] == [old_id]

    # A service keeping its data longer still shows them.
    emulator.load_config(
        f"""
[[services]]
id = "{demo.SERVICE_ID}"
name = "{demo.SERVICE_NAME}"
data_retention_days = 30
"""
    )
    assert [n["id"] for n in emulator.client().get_all_notifications()["notifications"]] == [old_id]
    texts = emulator.client().get_received_texts()["received_text_messages"]
    assert [t["content"] for t in texts] == ["old"]
