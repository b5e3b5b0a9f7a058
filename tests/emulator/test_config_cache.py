"""The store's in-memory configuration: never stale, in this process or another."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import event

from notify_emulator.clock import FrozenClock
from notify_emulator.seed import parse_seed_text
from notify_emulator.store import Store, apply_seed

from .emulator_harness import Running, errors

SERVICE_ID = "77777777-7777-4777-8777-777777777777"
SECRET = "77777777-aaaa-4aaa-8aaa-000000000001"
TEMPLATE_ID = "77777777-bbbb-4bbb-8bbb-000000000001"
SENDER_ID = "77777777-cccc-4ccc-8ccc-000000000001"


def seed_toml(*, name: str = "Cached", body: str = "First", revoked: bool = False) -> str:
    return f"""
[[services]]
id = "{SERVICE_ID}"
name = "{name}"
  [[services.api_keys]]
  name = "live"
  secret = "{SECRET}"
  revoked = {"true" if revoked else "false"}
  [[services.sms_senders]]
  id = "{SENDER_ID}"
  sms_sender = "Cached"
  is_default = true
  [[services.templates]]
  id = "{TEMPLATE_ID}"
  name = "Text"
  type = "sms"
  body = "{body}"
"""


def send(emulator: Running) -> tuple[int, dict[str, object]]:
    response = emulator.request(
        "POST",
        "/v2/notifications/sms",
        json={"phone_number": "07700900123", "template_id": TEMPLATE_ID},
        secret=SECRET,
        service_id=SERVICE_ID,
    )
    return response.status_code, response.json()


def test_a_config_reload_is_seen_by_the_very_next_request(emulator: Running) -> None:
    emulator.load_config(seed_toml(body="First"))
    status, first = send(emulator)
    assert status == 201
    assert first["content"]["body"] == "First"  # type: ignore[index]

    emulator.load_config(seed_toml(body="Second"))
    status, second = send(emulator)
    assert status == 201
    assert second["content"]["body"] == "Second"  # type: ignore[index]

    emulator.load_config(seed_toml(body="Second", revoked=True))
    response = emulator.request(
        "POST",
        "/v2/notifications/sms",
        json={"phone_number": "07700900123", "template_id": TEMPLATE_ID},
        secret=SECRET,
        service_id=SERVICE_ID,
    )
    assert response.status_code == 403
    assert errors(response) == [("AuthError", "Invalid token: API key revoked")]


def test_a_second_store_on_the_same_file_sees_changes_made_through_the_first(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    writer = Store.open(url, FrozenClock())
    reader = Store.open(url, FrozenClock())  # another worker process, in effect
    try:
        apply_seed(writer, parse_seed_text(seed_toml(name="Before"), source="seed.toml"))
        before = reader.get_service(SERVICE_ID)
        template = reader.get_template(SERVICE_ID, TEMPLATE_ID)
        assert before is not None
        assert before.name == "Before"
        assert template is not None
        assert template.body == "First"
        assert len(reader.usable_api_keys(SERVICE_ID)) == 1
        # Read twice: the second answer comes from the reader's cache.
        assert reader.get_service(SERVICE_ID) is before

        apply_seed(
            writer,
            parse_seed_text(seed_toml(name="After", body="Later", revoked=True), source="s"),
        )
        after = reader.get_service(SERVICE_ID)
        changed = reader.get_template(SERVICE_ID, TEMPLATE_ID)
        assert after is not None
        assert after.name == "After"
        assert changed is not None
        assert (changed.body, changed.version) == ("Later", 1)
        [key] = reader.usable_api_keys(SERVICE_ID)
        assert key.expiry_date is not None
    finally:
        writer.close()
        reader.close()


def test_a_block_that_writes_the_config_reads_what_it_wrote(fresh_store: Store) -> None:
    store = fresh_store
    apply_seed(store, parse_seed_text(seed_toml(name="Old"), source="seed.toml"))
    with store.config.one_check():
        old = store.get_service(SERVICE_ID)
        assert old is not None
        assert old.name == "Old"
        apply_seed(store, parse_seed_text(seed_toml(name="New"), source="seed.toml"))
        new = store.get_service(SERVICE_ID)
        assert new is not None
        assert new.name == "New"


def test_a_cached_record_is_never_shared_mutably(fresh_store: Store) -> None:
    store = fresh_store
    apply_seed(store, parse_seed_text(seed_toml(), source="seed.toml"))
    senders = store.sms_senders(SERVICE_ID)
    senders.clear()
    assert [sender.id for sender in store.sms_senders(SERVICE_ID)] == [SENDER_ID]
    keys = store.usable_api_keys(SERVICE_ID)
    keys.append(keys[0])
    assert len(store.usable_api_keys(SERVICE_ID)) == 1
    assert store.sms_senders(SERVICE_ID) is not store.sms_senders(SERVICE_ID)

    service = store.get_service(SERVICE_ID)
    template = store.get_template(SERVICE_ID, TEMPLATE_ID)
    assert service is not None
    assert template is not None
    assert isinstance(service.permissions, tuple)
    with pytest.raises(dataclasses.FrozenInstanceError):
        service.name = "Changed"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        template.body = "Changed"  # type: ignore[misc]


def test_a_revoked_key_leaves_the_usable_list_after_a_week_even_when_cached() -> None:
    clock = FrozenClock()
    store = Store.open("sqlite:///:memory:", clock)
    apply_seed(store, parse_seed_text(seed_toml(revoked=True), source="seed.toml"))
    assert len(store.usable_api_keys(SERVICE_ID)) == 1
    clock.advance(timedelta(days=8))
    assert store.usable_api_keys(SERVICE_ID) == []
    store.close()


def test_a_block_checks_the_generation_once_however_many_lookups_it_makes(
    fresh_store: Store,
) -> None:
    store = fresh_store
    apply_seed(store, parse_seed_text(seed_toml(), source="seed.toml"))
    # Every statement SQLite itself runs, on any connection (some run on the driver directly).
    statements: list[str] = []
    store.engine.dispose()
    event.listen(
        store.engine,
        "connect",
        lambda connection, _record: connection.set_trace_callback(statements.append),
    )
    with store.config.one_check():
        for _ in range(3):
            store.get_service(SERVICE_ID)
            store.usable_api_keys(SERVICE_ID)
            store.get_template(SERVICE_ID, TEMPLATE_ID)
            store.sms_senders(SERVICE_ID)
    statements = [s for s in statements if not s.startswith(("PRAGMA", "BEGIN", "ROLLBACK"))]
    generation_reads = [s for s in statements if "config_generation" in s]
    assert len(generation_reads) == 1
    # Everything else came from memory, read once each (the first lookups of this block).
    assert len(statements) == 5


def test_a_database_from_before_migration_4_gets_a_generation_that_seeding_moves_on(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    store = Store.open(url, FrozenClock())
    with store.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE config_generation")
        connection.exec_driver_sql("DELETE FROM schema_migrations WHERE version = 4")
    store.close()
    store = Store.open(url, FrozenClock())
    read = "SELECT generation FROM config_generation WHERE id = 1"
    with store.engine.connect() as connection:
        before = connection.exec_driver_sql(read).scalar()
    apply_seed(store, parse_seed_text(seed_toml(), source="seed.toml"))
    with store.engine.connect() as connection:
        after = connection.exec_driver_sql(read).scalar()
    assert before == 0
    assert after == 1
    store.close()
