"""``notify-emulator export``: the configuration as a seed file, and the round trip back.

The configuration is made through the set-up routes of a real app over a SQLite file, exported
with the real command, and loaded into an empty database the way ``serve --config`` loads it;
the two stores must then hold the same rows (timestamps of creation aside: a seed file does not
carry them), template versions and key secrets included.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from notify_emulator.app import create_app
from notify_emulator.cli import main
from notify_emulator.seed import load_seed_file, parse_seed_text
from notify_emulator.seed_writer import to_toml
from notify_emulator.store import Store
from notify_emulator.store import tables as t
from notify_emulator.store.engine import create_database_engine
from notify_emulator.store.export import configuration

from ..emulators import emulator_settings, fresh_store

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

# The in-process client must name a host the emulator serves (web/guard.py).
LOCAL = "http://localhost"

# Columns a seed file does not carry: when a row was first stored.
UNSEEDED = {"created_at", "updated_at"}
CONFIG_TABLES = (
    t.services,
    t.api_keys,
    t.sms_senders,
    t.email_reply_to,
    t.templates,
    t.template_versions,
    t.service_callbacks,
    t.faults,
)
TRICKY = (
    'Quotes " and \'\'\' and """, a back\\slash, a tab\there,\r\nCRLF, '
    "ünïcødé \U0001f600 and DEL \x7f"
)


def stored(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    rows: dict[str, list[tuple[Any, ...]]] = {}
    with store.db.connect() as connection:
        for table in CONFIG_TABLES:
            columns = [column for column in table.c if column.name not in UNSEEDED]
            rows[table.name] = sorted(
                (tuple(repr(row[i]) for i in range(len(columns))))
                for row in connection.execute(table.select().with_only_columns(*columns))
            )
    return rows


def build_configuration(client: TestClient) -> None:
    """Two services with everything the set-up steps can make."""

    def post(path: str, body: dict[str, Any], status: int = 201) -> dict[str, Any]:
        response = client.post("/_emulator" + path, json=body)
        assert response.status_code == status, response.text
        answer: dict[str, Any] = response.json()
        return answer

    first = post(
        "/services",
        {
            "name": "Passport Office",
            "trial_mode": True,
            "rate_limit": 100,
            "sms_message_limit": 9,
            "permissions": ["sms", "email", "letter", "inbound_sms"],
            "guest_list": ["07700900123", "team@example.gov.uk"],
            "inbound_number": "07700900999",
            "contact_link": "https://example.gov.uk/contact",
            "letter_contact_block": "The Office\nLondon",
            "prefix_sms": True,
            "data_retention_days": 30,
        },
    )["id"]
    second = post("/services", {"name": "Second"})["id"]
    live = post(f"/services/{first}/api-keys", {"name": "live", "type": "normal"})
    post(f"/services/{first}/api-keys", {"name": "team", "type": "team"})
    post(f"/services/{first}/api-keys/{live['id']}/revoke", {}, 200)
    post(f"/services/{first}/api-keys", {"name": "live", "type": "test"})  # the name again
    post(f"/services/{second}/api-keys", {"name": "other", "type": "normal"})
    sender = post(f"/services/{first}/sms-senders", {"sms_sender": "Passports"})
    post(f"/services/{first}/sms-senders/{sender['id']}", {"is_default": True}, 200)
    inbound_sender = next(
        s
        for s in client.get(f"/_emulator/services/{first}").json()["sms_senders"]
        if s["id"] != sender["id"]
    )
    refused = post(f"/services/{first}/sms-senders/{inbound_sender['id']}/archive", {}, 400)
    assert refused == {"error": "You cannot delete an inbound number"}
    spare = post(f"/services/{first}/sms-senders", {"sms_sender": "Spare"})
    post(f"/services/{first}/sms-senders/{spare['id']}/archive", {}, 200)
    reply_to = post(
        f"/services/{first}/email-reply-to",
        {"email_address": "a@example.gov.uk", "is_default": True},
    )
    post(f"/services/{first}/email-reply-to", {"email_address": "b@example.gov.uk"})
    post(
        f"/services/{first}/email-reply-to",
        {"email_address": "c@example.gov.uk", "is_default": True},
    )
    post(f"/services/{first}/email-reply-to/{reply_to['id']}/archive", {}, 200)
    sms = post(
        f"/services/{first}/templates", {"type": "sms", "name": "Code", "body": "Code ((code))"}
    )["id"]
    post(f"/templates/{sms}", {"body": "Your code is ((code))"}, 200)
    post(f"/templates/{sms}", {"name": "Code 2"}, 200)
    email = post(
        f"/services/{first}/templates",
        {
            "type": "email",
            "name": "Tricky",
            "subject": "Hi ((name))",
            "body": TRICKY,
            "unsubscribe_link": True,
            "created_by": "author@example.gov.uk",
        },
    )["id"]
    post(f"/templates/{email}", {"subject": "Subject 2"}, 200)
    letter = post(
        f"/services/{first}/templates",
        {"type": "letter", "name": "Letter", "subject": "Heading", "body": "Dear ((name))"},
    )["id"]
    post(f"/templates/{letter}", {"postage": "first", "letter_contact_block": "Other\nBlock"}, 200)
    archived = post(
        f"/services/{second}/templates", {"type": "sms", "name": "Old", "body": "Gone"}
    )["id"]
    post(f"/templates/{archived}", {"archived": True}, 200)
    for kind in ("delivery_status", "inbound_sms"):
        token = 'a "quoted" \\ token with spaces'
        callback = {"type": kind, "url": f"http://localhost:8000/{kind}", "bearer_token": token}
        post(f"/services/{first}/callbacks", callback, 200)
    faults = [
        {"match": {"method": "POST", "path": "/v2/notifications/*"}, "action": {"status": 503}},
        {"action": {"drop": "after"}, "times": None},
        {
            "match": {"service_id": first, "key_type": "team", "recipient": "07700900123"},
            "action": {"error": "RateLimitError"},
            "times": 3,
        },
        {"action": {"delay_ms": 250}, "rate": 0.25},
    ]
    for fault in faults:
        post("/faults", fault)


@pytest.fixture
def source_database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'source.sqlite3'}"
    with TestClient(create_app(emulator_settings(url, seed_demo=True)), base_url=LOCAL) as client:
        build_configuration(client)
    return url


def test_loading_the_export_into_an_empty_database_gives_the_same_configuration(
    tmp_path: Path, source_database: str
) -> None:
    seed_path = tmp_path / "seed.toml"
    result = CliRunner().invoke(
        main, ["export", "--database", source_database, "-o", str(seed_path)]
    )
    assert result.exit_code == 0, result.output
    assert "3 service(s)" in result.output
    target = f"sqlite:///{tmp_path / 'target.sqlite3'}"
    # As serve --config loads it.
    app = create_app(emulator_settings(target, config_path=seed_path))
    with TestClient(app, base_url=LOCAL):
        pass
    with fresh_store(source_database) as before, fresh_store(target) as after:
        assert stored(after) == stored(before)
        assert configuration(after) == configuration(before)
        # Spot checks of what the comparison covers.
        versions = stored(after)["template_versions"]
        # sms, email, letter and archived templates, the demo's three, three precompiled
        assert len(versions) == 3 + 2 + 2 + 2 + 3 + 3
        assert any(repr(TRICKY) in row for row in versions)
        assert sum(1 for row in stored(after)["api_keys"] if row[5] != "None") == 1  # revoked


def test_the_export_is_a_seed_file_with_every_version_oldest_first(source_database: str) -> None:
    result = CliRunner().invoke(main, ["export", "--database", source_database, "-o", "-"])
    assert result.exit_code == 0
    seed = parse_seed_text(result.output, source="export")
    first = next(service for service in seed.services if service.name == "Passport Office")
    code = next(template for template in first.templates if template.template_type == "sms")
    assert [version.body for version in code.versions] == [
        "Code ((code))",
        "Your code is ((code))",
        "Your code is ((code))",
    ]
    assert [version.name for version in code.versions] == ["Code", "Code", "Code 2"]
    data = tomllib.loads(result.output)
    entry = next(s for s in data["services"] if s["name"] == "Passport Office")
    sms = next(t for t in entry["templates"] if t["type"] == "sms")
    assert sms["name"] == "Code 2"
    assert len(sms["versions"]) == 2
    assert all(key["secret"] for key in entry["api_keys"])


def test_secrets_reach_the_terminal_only_when_standard_output_is_asked_for(
    tmp_path: Path, source_database: str
) -> None:
    with fresh_store(source_database) as store:
        secrets = [
            key["secret"]
            for service in configuration(store)["services"]
            for key in service.get("api_keys", [])
        ]
    assert secrets
    seed_path = tmp_path / "out.toml"
    result = CliRunner().invoke(
        main, ["export", "--database", source_database, "-o", str(seed_path)]
    )
    assert result.exit_code == 0
    assert not any(secret in result.output for secret in secrets)
    assert "secrets" in result.output
    assert all(secret in seed_path.read_text() for secret in secrets)
    if os.name == "posix":
        assert stat.S_IMODE(seed_path.stat().st_mode) == 0o600
    again = CliRunner().invoke(
        main, ["export", "--database", source_database, "-o", str(seed_path)]
    )
    assert again.exit_code != 0
    assert "exists already" in again.output
    forced = CliRunner().invoke(
        main, ["export", "--database", source_database, "-o", str(seed_path), "--force"]
    )
    assert forced.exit_code == 0
    to_stdout = CliRunner().invoke(main, ["export", "--database", source_database, "-o", "-"])
    assert all(secret in to_stdout.output for secret in secrets)


def test_an_absent_database_file_is_a_one_line_error(tmp_path: Path) -> None:
    missing = tmp_path / "nothing.sqlite3"
    result = CliRunner().invoke(main, ["export", "--database", f"sqlite:///{missing}", "-o", "-"])
    assert result.exit_code == 2
    assert (
        result.output.strip() == f"notify-emulator: no database at {missing} (give --database URL)"
    )
    assert not missing.exists()


def test_the_export_help_says_the_file_holds_secrets() -> None:
    result = CliRunner().invoke(main, ["export", "--help"])
    assert "secret" in result.output
    assert "your own local file" in result.output


def test_an_export_of_the_demo_service_loads_as_the_demo(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    with TestClient(create_app(emulator_settings(url, seed_demo=True)), base_url=LOCAL):
        pass
    path = tmp_path / "demo.toml"
    assert CliRunner().invoke(main, ["export", "--database", url, "-o", str(path)]).exit_code == 0
    (service,) = load_seed_file(path).services
    assert sorted(key.name for key in service.api_keys) == ["demo_live", "demo_team", "demo_test"]


text_values = st.text(st.characters(codec="utf-8"), max_size=40)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.text(st.characters(codec="utf-8"), min_size=1, max_size=10),
        st.one_of(
            text_values,
            st.integers(-(2**63), 2**63 - 1),
            st.booleans(),
            st.lists(text_values, max_size=3),
        ),
        max_size=5,
    )
)
def test_any_seed_values_are_read_back_as_written(values: dict[str, Any]) -> None:
    document = {"services": [{"name": "x", "extra": values, "versions": [values, values]}]}
    assert tomllib.loads(to_toml(document)) == document


POSTGRES_URL = os.environ.get("NOTIFY_EMULATOR_TEST_POSTGRES_URL", "")


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES_URL, reason="NOTIFY_EMULATOR_TEST_POSTGRES_URL is not set")
def test_a_configuration_made_on_postgresql_loads_into_sqlite_the_same(tmp_path: Path) -> None:
    engine = create_database_engine(POSTGRES_URL)
    t.metadata.drop_all(engine)  # the database this variable names is kept for the tests
    engine.dispose()
    with TestClient(
        create_app(emulator_settings(POSTGRES_URL, seed_demo=True)), base_url=LOCAL
    ) as client:
        build_configuration(client)
    seed_path = tmp_path / "seed.toml"
    result = CliRunner().invoke(main, ["export", "--database", POSTGRES_URL, "-o", str(seed_path)])
    assert result.exit_code == 0, result.output
    target = f"sqlite:///{tmp_path / 'target.sqlite3'}"
    with TestClient(create_app(emulator_settings(target, config_path=seed_path)), base_url=LOCAL):
        pass
    with fresh_store(POSTGRES_URL) as before, fresh_store(target) as after:
        assert stored(after) == stored(before)
