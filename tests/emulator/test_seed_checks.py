"""Seed files the emulator must refuse with a one-line message, or load as the set-up steps
would: ids used twice, SMS senders' and reply-to addresses' defaults."""

from __future__ import annotations

import pytest

from notify_emulator.seed import ConfigError, parse_seed_text
from notify_emulator.store import Store, apply_seed

SAME_ID = "c745a8d8-b48a-4b0d-96e5-dbea0165ebd1"


@pytest.fixture
def store(fresh_store: Store) -> Store:
    return fresh_store


def refused(text: str) -> str:
    with pytest.raises(ConfigError) as raised:
        parse_seed_text(text, source="seed.toml")
    message = str(raised.value)
    assert "\n" not in message
    return message


def two_services(first: str, second: str) -> str:
    return f"[[services]]\nname = 'One'\n{first}\n[[services]]\nname = 'Two'\n{second}\n"


@pytest.mark.parametrize(
    ("table", "entry"),
    [
        ("templates", "name = 'T'\ntype = 'sms'\nbody = 'Hello'"),
        ("api_keys", "name = 'key'"),
        ("sms_senders", "sms_sender = 'GOVUK'"),
        ("email_reply_to", "email_address = 'a@example.gov.uk'"),
        ("received_texts", "user_number = '447700900111'\ncontent = 'Hi'"),
    ],
)
def test_an_id_given_to_records_of_two_services_is_refused(table: str, entry: str) -> None:
    # Ids are Notify's uuids, unique over every service: loading the second would move the
    # first's record to the other service.
    record = f"[[services.{table}]]\nid = '{SAME_ID}'\n{entry}"
    message = refused(two_services(record, record))
    assert message == (
        f"seed.toml: services[1] ('Two').{table}[0]: field 'id': repeats '{SAME_ID}' "
        f"(services[0] ('One').{table}[0])"
    )


def test_a_received_texts_id_repeated_in_one_service_is_refused() -> None:
    text = "[[services.received_texts]]\nid = '{0}'\nuser_number = '447700900111'\ncontent = '{1}'"
    message = refused(
        "[[services]]\nname = 'One'\n"
        + text.format(SAME_ID, "a")
        + "\n"
        + text.format(SAME_ID, "b")
    )
    assert message.startswith(
        f"seed.toml: services[0] ('One').received_texts[1]: field 'id': repeats '{SAME_ID}'"
    )


def test_the_same_text_received_twice_without_ids_is_two_texts(store: Store) -> None:
    text = "[[services.received_texts]]\nuser_number = '447700900111'\ncontent = 'STOP'\n"
    seed = parse_seed_text("[[services]]\nname = 'One'\n" + text + text, source="seed.toml")
    first, second = seed.services[0].received_texts
    assert first.id != second.id
    apply_seed(store, seed)
    apply_seed(store, seed)  # idempotent all the same
    assert store.count_rows("received_texts") == 2
