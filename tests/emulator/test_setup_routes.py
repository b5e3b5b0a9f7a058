"""The set-up steps as JSON routes (shared/spec/emulator.md "Services, keys and templates"):
real HTTP through the app, the real client against a real server where v2 answers matter."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from notifications_python_client.errors import AuthError
from notifications_python_client.notifications import NotificationsAPIClient
from notify_emulator.store import tables as t
from notify_emulator.store.config_cache import CONFIG_ROW_ID
from notify_emulator.store.setup import configuration_rows

from ..emulators import app_client, emulator_settings, serve_emulator


@pytest.fixture
def admin() -> Iterator[TestClient]:
    with app_client(emulator_settings(seed_demo=False)) as client:
        yield client


def make_service(admin: TestClient, **fields: Any) -> dict[str, Any]:
    response = admin.post("/_emulator/services", json={"name": "Passport Office", **fields})
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json()
    return answer


def config_state(admin: TestClient) -> dict[str, Any]:
    """Everything configured, as the store holds it (to show a refusal changed nothing)."""
    store = admin.app.state.emulator.store  # type: ignore[attr-defined]
    state: dict[str, Any] = {}
    with store.db.connect() as connection:
        for table in (
            t.services,
            t.api_keys,
            t.sms_senders,
            t.email_reply_to,
            t.templates,
            t.template_versions,
        ):
            state[table.name] = sorted(
                (tuple(str(value) for value in row) for row in connection.execute(table.select())),
            )
    return state


def generation(admin: TestClient) -> int:
    store = admin.app.state.emulator.store  # type: ignore[attr-defined]
    with store.db.connect() as connection:
        value = connection.execute(
            t.config_generation.select().where(t.config_generation.c.id == CONFIG_ROW_ID)
        ).first()
    assert value is not None
    return int(value.generation)


def test_a_service_is_created_listed_and_read_without_secrets(admin: TestClient) -> None:
    service = make_service(
        admin,
        trial_mode=True,
        guest_list=["07700900123", "someone@example.gov.uk"],
        api_keys=[
            {"name": "seeded", "type": "team", "secret": "8b3aa916-ec82-434e-b0c5-d5d9b371d6a3"}
        ],
    )
    assert service["name"] == "Passport Office"
    assert service["trial_mode"] is True
    assert service["guest_list"] == ["07700900123", "someone@example.gov.uk"]
    assert [sender["sms_sender"] for sender in service["sms_senders"]] == ["GOVUK"]
    listed = admin.get("/_emulator/services").json()["services"]
    assert listed == [
        {"id": service["id"], "name": "Passport Office", "active": True, "trial_mode": True}
    ]
    detail = admin.get(f"/_emulator/services/{service['id']}")
    assert detail.status_code == 200
    assert [key["name"] for key in detail.json()["api_keys"]] == ["seeded"]
    assert "8b3aa916" not in detail.text
    assert "secret" not in detail.text
    assert admin.get("/_emulator/services/00000000-0000-4000-8000-000000000000").status_code == 404


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({}, "name", "Enter a service name"),
        ({"name": "   "}, "name", "Enter a service name"),
        ({"name": "!"}, "name", "Service name must include at least 2 letters or numbers"),
        ({"name": "x" * 144}, "name", "Service name cannot be longer than 143 characters"),
        (
            {"name": "Ok", "rate_limit": "many"},
            "rate_limit",
            "Enter the number of messages in digits",
        ),
        (
            {"name": "Ok", "sms_message_limit": -1},
            "sms_message_limit",
            "Number must be greater than or equal to 0",
        ),
        (
            {"name": "Ok", "guest_list": ["07700"]},
            "guest_list",
            "Mobile number is too short",
        ),
        (
            {"name": "Ok", "guest_list": ["someone@"]},
            "guest_list",
            "Enter an email address in the correct format, like name@example.gov.uk",
        ),
        ({"name": "Ok", "colour": "red"}, "colour", None),
        ({"name": "Ok", "id": "not-a-uuid"}, "id", None),
    ],
)
def test_a_bad_service_is_refused_with_notifys_message(
    admin: TestClient, body: dict[str, Any], field: str, message: str | None
) -> None:
    before = config_state(admin)
    response = admin.post("/_emulator/services", json=body)
    assert response.status_code == 400
    assert response.json()["field"] == field
    if message is not None:
        assert response.json()["error"] == message
    assert config_state(admin) == before


def test_service_names_are_unique(admin: TestClient) -> None:
    make_service(admin)
    response = admin.post("/_emulator/services", json={"name": "passport office "})
    assert response.status_code == 400
    assert response.json() == {
        "error": "This service name is already in use - enter a unique name",
        "field": "name",
    }


def test_settings_change_and_every_change_moves_the_generation_on(admin: TestClient) -> None:
    service = make_service(admin)
    start = generation(admin)
    response = admin.post(
        f"/_emulator/services/{service['id']}",
        json={
            "name": "Renamed",
            "trial_mode": True,
            "sms_message_limit": 5,
            "permissions": ["sms", "email"],
            "letter_contact_block": "The Office\nLondon",
        },
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    assert (answer["name"], answer["trial_mode"], answer["sms_message_limit"]) == (
        "Renamed",
        True,
        5,
    )
    assert answer["permissions"] == ["sms", "email"]
    assert generation(admin) == start + 1
    response = admin.post(
        f"/_emulator/services/{service['id']}/guest-list",
        json={"guest_list": ["07700900111", "a@example.gov.uk", "07700900111"]},
    )
    assert response.json() == {"guest_list": ["07700900111", "a@example.gov.uk"]}
    assert generation(admin) == start + 2
    before = config_state(admin)
    refused = admin.post(f"/_emulator/services/{service['id']}", json={"trial_mode": "yes"})
    assert refused.status_code == 400
    assert refused.json()["field"] == "trial_mode"
    refused = admin.post(f"/_emulator/services/{service['id']}", json={"secret_sauce": 1})
    assert refused.json()["field"] == "secret_sauce"
    assert config_state(admin) == before
    assert generation(admin) == start + 2


def test_api_keys_are_shown_once_and_revoked_keys_answer_revoked() -> None:
    with serve_emulator(emulator_settings(seed_demo=False)) as server:
        import requests

        base = server.base_url + "/_emulator"
        service_id = requests.post(base + "/services", json={"name": "Keys"}, timeout=10).json()[
            "id"
        ]
        created = requests.post(
            f"{base}/services/{service_id}/api-keys",
            json={"name": "ci key", "type": "test"},
            timeout=10,
        )
        assert created.status_code == 201
        key = created.json()
        name, secret = key["key"][:-74], key["key"][-36:]
        assert key["name"] == "ci key"
        assert name == "ci_key"  # as the admin app writes a name in the key it shows
        assert key["key"][-73:-37] == service_id
        detail = requests.get(f"{base}/services/{service_id}", timeout=10).text
        assert secret not in detail
        client = NotificationsAPIClient(key["key"], base_url=server.base_url)
        try:
            assert client.get_all_templates() == {"templates": []}
            revoked = requests.post(
                f"{base}/services/{service_id}/api-keys/{key['id']}/revoke", timeout=10
            )
            assert revoked.status_code == 200
            assert revoked.json()["revoked_at"] is not None
            with pytest.raises(AuthError) as raised:
                client.get_all_templates()
            assert "revoked" in str(raised.value).lower()
        finally:
            client.close()
        # A revoked key's name may be used again, as in Notify.
        again = requests.post(
            f"{base}/services/{service_id}/api-keys",
            json={"name": "CI-KEY", "type": "team"},
            timeout=10,
        )
        assert again.status_code == 201
        missing = requests.post(
            f"{base}/services/{service_id}/api-keys/{key['id'][::-1]}/revoke", timeout=10
        )
        assert missing.status_code == 404


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"type": "team"}, "name", "Enter a name for this API key"),
        ({"name": " ", "type": "team"}, "name", "Enter a name for this API key"),
        ({"name": "taken", "type": "team"}, "name", "A key with this name already exists"),
        ({"name": "Taken_", "type": "team"}, "name", "A key with this name already exists"),
        ({"name": "new"}, "type", "Select a type of API key"),
        ({"name": "new", "type": "live"}, "type", "Select a type of API key"),
    ],
)
def test_bad_keys_are_refused(
    admin: TestClient, body: dict[str, Any], field: str, message: str
) -> None:
    service = make_service(admin)
    assert (
        admin.post(
            f"/_emulator/services/{service['id']}/api-keys",
            json={"name": "taken", "type": "normal"},
        ).status_code
        == 201
    )
    before = config_state(admin)
    response = admin.post(f"/_emulator/services/{service['id']}/api-keys", json=body)
    assert (response.status_code, response.json()) == (400, {"error": message, "field": field})
    assert config_state(admin) == before


def test_each_template_save_is_a_new_version_and_old_ones_stay_readable() -> None:
    import requests

    with serve_emulator(emulator_settings(seed_demo=False)) as server:
        base = server.base_url + "/_emulator"
        service_id = requests.post(
            base + "/services", json={"name": "Templates"}, timeout=10
        ).json()["id"]
        key = requests.post(
            f"{base}/services/{service_id}/api-keys",
            json={"name": "k", "type": "normal"},
            timeout=10,
        ).json()["key"]
        created = requests.post(
            f"{base}/services/{service_id}/templates",
            json={"name": "Reminder", "type": "email", "subject": "Hi ((name))", "body": "One"},
            timeout=10,
        )
        assert created.status_code == 201
        template_id = created.json()["id"]
        assert created.json() == {"id": template_id, "version": 1}
        second = requests.post(f"{base}/templates/{template_id}", json={"body": "Two"}, timeout=10)
        assert second.json() == {"id": template_id, "version": 2}
        third = requests.post(
            f"{base}/templates/{template_id}",
            json={"name": "Reminder 2", "subject": "Yo"},
            timeout=10,
        )
        assert third.json()["version"] == 3
        # Nothing changed: no new version, as in Notify.
        same = requests.post(f"{base}/templates/{template_id}", json={"body": "Two"}, timeout=10)
        assert same.json()["version"] == 3
        client = NotificationsAPIClient(key, base_url=server.base_url)
        try:
            latest = client.get_template(template_id)
            assert (latest["version"], latest["name"], latest["subject"], latest["body"]) == (
                3,
                "Reminder 2",
                "Yo",
                "Two",
            )
            first = client.get_template_version(template_id, 1)
            assert (first["name"], first["subject"], first["body"]) == (
                "Reminder",
                "Hi ((name))",
                "One",
            )
            assert client.get_template_version(template_id, 2)["body"] == "Two"
            listed = [t["id"] for t in client.get_all_templates()["templates"]]
            assert listed == [template_id]
            archived = requests.post(
                f"{base}/templates/{template_id}", json={"archived": True}, timeout=10
            )
            assert archived.json()["version"] == 4
            assert client.get_all_templates()["templates"] == []
            assert client.get_template(template_id)["version"] == 4
            refused = requests.post(
                f"{base}/templates/{template_id}", json={"body": "Z"}, timeout=10
            )
            assert refused.status_code == 400
        finally:
            client.close()
        detail = requests.get(f"{base}/templates/{template_id}", timeout=10).json()
        assert [version["body"] for version in detail["versions"]] == ["One", "Two", "Two", "Two"]
        assert detail["archived"] is True


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"type": "sms", "body": "Hi"}, "name", "Enter Template name"),
        (
            {"type": "sms", "name": "x" * 256, "body": "Hi"},
            "name",
            "Template name cannot be longer than 255 characters",
        ),
        ({"type": "sms", "name": "T"}, "body", "Enter your message"),
        ({"type": "sms", "name": "T", "body": "  \n"}, "body", "Enter your message"),
        (
            {"type": "letter", "name": "T", "subject": "S"},
            "body",
            "Enter the body text of your letter",
        ),
        ({"type": "email", "name": "T", "body": "B"}, "subject", "Enter the subject of the email"),
        (
            {"type": "letter", "name": "T", "body": "B"},
            "subject",
            "Enter a main heading for your letter",
        ),
        (
            {"type": "sms", "name": "T", "body": "Hi ((first,name))"},
            "body",
            "You cannot put commas between double brackets",
        ),
        (
            {"type": "sms", "name": "T", "body": "x" * 919},
            "body",
            "Content has a character count greater than the limit of 918",
        ),
        # The API counts a placeholder as its own text, brackets included.
        (
            {"type": "sms", "name": "T", "body": "x" * 900 + "((name_of_the_person))"},
            "body",
            "Content has a character count greater than the limit of 918",
        ),
        (
            {"type": "sms", "name": "T", "body": "Hi \U0001f600"},
            "body",
            "You cannot use \U0001f600 in text messages. "
            "It will not display properly on some phones.",
        ),
        (
            {"type": "sms", "name": "T", "body": "\u2708\u2603\u2600\u2601"},
            "body",
            "You cannot use \u2600, \u2601 or similar characters in text messages. "
            "These characters will not display properly on some phones.",
        ),
        (
            {"type": "letter", "name": "T", "subject": "S", "body": "B", "postage": "fast"},
            "postage",
            "Select first class, second class or economy mail",
        ),
        (
            {"type": "sms", "name": "T", "body": "B", "postage": "first"},
            "postage",
            "postage is only for letter templates",
        ),
        (
            {"type": "sms", "name": "T", "body": "B", "subject": "S"},
            "subject",
            "Text message templates have no subject",
        ),
        ({"type": "fax", "name": "T", "body": "B"}, "type", "Select a type of template"),
        (
            {"type": "sms", "name": "T", "body": "B", "folder": "x"},
            "folder",
            "folder is not a field of a template",
        ),
    ],
)
def test_bad_templates_are_refused_with_notifys_message(
    admin: TestClient, body: dict[str, Any], field: str, message: str
) -> None:
    service = make_service(admin)
    before = config_state(admin)
    response = admin.post(f"/_emulator/services/{service['id']}/templates", json=body)
    assert (response.status_code, response.json()) == (400, {"error": message, "field": field})
    assert config_state(admin) == before


def test_an_sms_template_of_exactly_918_characters_is_accepted(admin: TestClient) -> None:
    service = make_service(admin)
    response = admin.post(
        f"/_emulator/services/{service['id']}/templates",
        json={"type": "sms", "name": "Long", "body": "x" * 918},
    )
    assert response.status_code == 201


def test_a_bad_edit_changes_nothing(admin: TestClient) -> None:
    service = make_service(admin)
    created = admin.post(
        f"/_emulator/services/{service['id']}/templates",
        json={"type": "sms", "name": "T", "body": "Hello"},
    ).json()
    before = config_state(admin)
    for body, field in (
        ({"body": "((a,b))"}, "body"),
        ({"name": ""}, "name"),
        ({"archived": False}, "archived"),
        ({"type": "email"}, "type"),
    ):
        response = admin.post(f"/_emulator/templates/{created['id']}", json=body)
        assert response.status_code == 400, body
        assert response.json()["field"] == field
    assert config_state(admin) == before
    assert admin.post("/_emulator/templates/not-an-id", json={"body": "x"}).status_code == 404


def test_a_service_without_a_permission_cannot_make_that_template(admin: TestClient) -> None:
    service = make_service(admin, permissions=["email"])
    response = admin.post(
        f"/_emulator/services/{service['id']}/templates",
        json={"type": "sms", "name": "T", "body": "Hi"},
    )
    assert response.status_code == 403
    assert response.json() == {
        "error": "Creating text message templates is not allowed",
        "field": "type",
    }


def test_sms_senders_can_be_added_made_default_and_archived(admin: TestClient) -> None:
    service = make_service(admin)
    base = f"/_emulator/services/{service['id']}/sms-senders"
    (original,) = service["sms_senders"]
    added = admin.post(base, json={"sms_sender": "Passports"})
    assert added.status_code == 201
    sender = added.json()
    assert (sender["sms_sender"], sender["is_default"]) == ("Passports", False)
    made_default = admin.post(f"{base}/{sender['id']}", json={"is_default": True})
    assert made_default.json()["is_default"] is True
    detail = admin.get(f"/_emulator/services/{service['id']}").json()
    defaults = [s["id"] for s in detail["sms_senders"] if s["is_default"]]
    assert defaults == [sender["id"]]
    refused = admin.post(f"{base}/{sender['id']}/archive")
    assert refused.json() == {"error": "You cannot delete a default sms sender"}
    archived = admin.post(f"{base}/{original['id']}/archive")
    assert archived.json()["archived"] is True
    refused = admin.post(f"{base}/{sender['id']}", json={"is_default": False})
    assert refused.json() == {
        "error": "You must have at least one SMS sender as the default",
        "field": "is_default",
    }


@pytest.mark.parametrize(
    ("sender", "message"),
    [
        ("", "Enter a text message sender ID"),
        ("ab", "Text message sender ID must be at least 3 characters long"),
        ("abcdefghijkl", "Text message sender ID cannot be longer than 11 characters"),
        (
            "ab!c",
            "Text message sender ID can only include letters, numbers, spaces, "
            "and the following characters: & . - _",
        ),
        ("00123", "Text message sender ID cannot start with 00"),
        (
            "INFO",
            "Text message sender ID cannot be Alert, Info or Verify as those are prohibited "
            "due to usage by spam",
        ),
        ("12345", "A numeric sender id should be a valid mobile number or short code"),
        (
            "NHS-NoReply",
            "Text message sender ID must match other NHS services - change it to "
            "\u2018NHSNoReply\u2019",
        ),
    ],
)
def test_bad_sms_senders_are_refused(admin: TestClient, sender: str, message: str) -> None:
    service = make_service(admin)
    before = config_state(admin)
    response = admin.post(
        f"/_emulator/services/{service['id']}/sms-senders", json={"sms_sender": sender}
    )
    assert (response.status_code, response.json()) == (
        400,
        {"error": message, "field": "sms_sender"},
    )
    assert config_state(admin) == before


def test_reply_to_addresses_need_a_default(admin: TestClient) -> None:
    service = make_service(admin)
    base = f"/_emulator/services/{service['id']}/email-reply-to"
    bad = admin.post(base, json={"email_address": "nope", "is_default": True})
    assert bad.json() == {
        "error": "Enter an email address in the correct format, like name@example.gov.uk",
        "field": "email_address",
    }
    # As in Notify's admin app, the first address is the default without being asked.
    first = admin.post(base, json={"email_address": "a@example.gov.uk"})
    assert first.status_code == 201
    assert first.json()["is_default"] is True
    first = first.json()
    second = admin.post(base, json={"email_address": "b@example.gov.uk"}).json()
    assert second["is_default"] is False
    assert admin.post(f"{base}/{first['id']}/archive").json() == {
        "error": "You cannot delete a default email reply to address"
    }
    admin.post(f"{base}/{second['id']}", json={"is_default": True})
    assert admin.post(f"{base}/{first['id']}/archive").json()["archived"] is True
    changed = admin.post(f"{base}/{second['id']}", json={"email_address": "c@example.gov.uk"})
    assert changed.json()["email_address"] == "c@example.gov.uk"


def test_the_first_reply_to_address_is_the_default_even_if_not_asked(admin: TestClient) -> None:
    service = make_service(admin)
    base = f"/_emulator/services/{service['id']}/email-reply-to"
    first = admin.post(base, json={"email_address": "a@example.gov.uk", "is_default": False})
    assert (first.status_code, first.json()["is_default"]) == (201, True)
    shown = admin.get(f"/_emulator/services/{service['id']}").json()["email_reply_to"]
    assert [(r["email_address"], r["is_default"]) for r in shown] == [("a@example.gov.uk", True)]


def test_a_change_made_in_one_process_is_seen_by_another(tmp_path: Any) -> None:
    """Two emulators over one database file (as --workers runs them): a key created through
    one is usable through the other at once."""
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    with (
        serve_emulator(emulator_settings(url, seed_demo=False)) as first,
        serve_emulator(emulator_settings(url, seed_demo=False)) as second,
    ):
        import requests

        service_id = requests.post(
            first.base_url + "/_emulator/services", json={"name": "Shared"}, timeout=10
        ).json()["id"]
        # The second process reads (and caches) the service's keys: none yet.
        assert (
            requests.get(f"{second.base_url}/_emulator/services/{service_id}", timeout=10).json()[
                "api_keys"
            ]
            == []
        )
        key = requests.post(
            f"{first.base_url}/_emulator/services/{service_id}/api-keys",
            json={"name": "k", "type": "normal"},
            timeout=10,
        ).json()["key"]
        client = NotificationsAPIClient(key, base_url=second.base_url)
        try:
            assert client.get_all_templates() == {"templates": []}
        finally:
            client.close()


def test_a_template_moved_back_by_a_seed_can_be_edited_again(admin: TestClient) -> None:
    seed = {
        "services": [
            {
                "id": "c745a8d8-b48a-4b0d-96e5-dbea0165ebd1",
                "name": "Seeded",
                "templates": [
                    {
                        "id": "2a1f0c4e-7d3b-4b8e-9f65-0c2d1e3f4a5b",
                        "name": "T",
                        "type": "sms",
                        "body": "Seeded",
                    }
                ],
            }
        ]
    }
    template = "/_emulator/templates/2a1f0c4e-7d3b-4b8e-9f65-0c2d1e3f4a5b"
    assert admin.post("/_emulator/config", json=seed).status_code == 200
    assert admin.post(template, json={"body": "Two"}).json()["version"] == 2
    assert admin.post(template, json={"body": "Three"}).json()["version"] == 3
    # Restarting with the seed file puts the template back at its one version.
    assert admin.post("/_emulator/config", json=seed).status_code == 200
    assert [v["body"] for v in admin.get(template).json()["versions"]] == ["Seeded"]
    assert admin.post(template, json={"body": "Again"}).json()["version"] == 2
    assert [v["body"] for v in admin.get(template).json()["versions"]] == ["Seeded", "Again"]


def test_configuration_rows_tell_any_change_to_the_configuration_from_activity(
    admin: TestClient,
) -> None:
    store = admin.app.state.emulator.store  # type: ignore[attr-defined]
    service = make_service(admin, inbound_number="07700900999")  # so that it receives texts
    before = configuration_rows(store)
    tables = {name for name, _ in before}
    assert tables >= {"services", "api_keys", "templates", "template_versions"}
    # Faults, the clock and what is received are not configuration.
    received = {"service_id": service["id"], "user_number": "07700900111", "content": "Hi"}
    for path, body in [
        ("/_emulator/faults", {"action": {"status": 503}}),
        ("/_emulator/clock", {"advance_seconds": 60}),
        ("/_emulator/received-texts", received),
    ]:
        assert admin.post(path, json=body).status_code in {200, 201}, path
    assert configuration_rows(store) == before
    # One column of one row is.
    admin.post(f"/_emulator/services/{service['id']}", json={"trial_mode": True})
    assert configuration_rows(store) != before
    admin.post(f"/_emulator/services/{service['id']}", json={"trial_mode": False})
    assert configuration_rows(store) == before
