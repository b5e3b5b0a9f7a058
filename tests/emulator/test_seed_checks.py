"""Seed files the emulator must refuse with a one-line message, or load as the set-up steps
would: ids used twice, SMS senders' and reply-to addresses' defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from notify_emulator.seed import ConfigError, load_seed_file, parse_seed_text
from notify_emulator.store import Store, apply_seed
from notify_emulator.store.setup import all_reply_tos, all_sms_senders

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


SENDERS = {
    "sms_senders": ("sms_sender", "GOVUK", "Passports"),
    "email_reply_to": ("email_address", "a@example.gov.uk", "b@example.gov.uk"),
}


@pytest.mark.parametrize("table", SENDERS)
def test_two_defaults_are_refused(table: str) -> None:
    column, first, second = SENDERS[table]
    message = refused(
        f"[[services]]\nname = 'One'\n"
        f"[[services.{table}]]\n{column} = '{first}'\nis_default = true\n"
        f"[[services.{table}]]\n{column} = '{second}'\nis_default = true\n"
    )
    assert message == (
        f"seed.toml: services[0] ('One').{table}[1]: field 'is_default': only one of a "
        f"service's {table} can be the default ({table}[0] is)"
    )


@pytest.mark.parametrize("table", SENDERS)
def test_an_archived_default_is_refused(table: str) -> None:
    column, first, _second = SENDERS[table]
    message = refused(
        f"[[services]]\nname = 'One'\n"
        f"[[services.{table}]]\n{column} = '{first}'\nis_default = true\narchived = true\n"
    )
    assert message == (
        f"seed.toml: services[0] ('One').{table}[0]: field 'archived': the default cannot be "
        "archived"
    )


@pytest.mark.parametrize("table", SENDERS)
def test_every_one_archived_is_refused(table: str) -> None:
    column, first, _second = SENDERS[table]
    message = refused(
        f"[[services]]\nname = 'One'\n[[services.{table}]]\n{column} = '{first}'\narchived = true\n"
    )
    assert message == (
        f"seed.toml: services[0] ('One').{table}[0]: field 'archived': a service with "
        f"{table} needs one that is not archived, its default"
    )


def defaults(store: Store, service_id: str, table: str) -> list[tuple[str, bool, bool]]:
    records = (all_sms_senders if table == "sms_senders" else all_reply_tos)(store, service_id)
    column = SENDERS[table][0]
    return sorted((getattr(r, column), r.is_default, r.archived) for r in records)


@pytest.mark.parametrize("table", SENDERS)
def test_without_a_default_the_first_not_archived_is_the_default(store: Store, table: str) -> None:
    # As the set-up steps do: a service's first sender is its default.
    column, first, second = SENDERS[table]
    seed = parse_seed_text(
        f"[[services]]\nname = 'One'\n"
        f"[[services.{table}]]\n{column} = '{first}'\narchived = true\n"
        f"[[services.{table}]]\n{column} = '{second}'\n",
        source="seed.toml",
    )
    apply_seed(store, seed)
    assert defaults(store, seed.services[0].id, table) == [
        (first, False, True),
        (second, True, False),
    ]


@pytest.mark.parametrize("table", SENDERS)
def test_loading_a_new_default_leaves_one_default(store: Store, table: str) -> None:
    column, first, second = SENDERS[table]
    entry = "[[services]]\nname = 'One'\n[[services.{0}]]\n{1} = '{2}'\nis_default = true\n"
    apply_seed(store, parse_seed_text(entry.format(table, column, first), source="seed.toml"))
    seed = parse_seed_text(entry.format(table, column, second), source="seed.toml")
    apply_seed(store, seed)
    stored = defaults(store, seed.services[0].id, table)
    assert [value for value, is_default, _ in stored if is_default] == [second]


def test_loading_again_keeps_the_default_a_set_up_step_chose(store: Store) -> None:
    # A seed without senders gives the service its default sender; a set-up step then makes
    # another the default, and loading the seed again must not make two.
    from notify_emulator.store.setup import add_sms_sender

    text = "[[services]]\nname = 'One'\n"
    seed = parse_seed_text(text, source="seed.toml")
    apply_seed(store, seed)
    service_id = seed.services[0].id
    add_sms_sender(store, service_id, "Passports", True)
    apply_seed(store, parse_seed_text(text, source="seed.toml"))
    stored = defaults(store, service_id, "sms_senders")
    assert stored == [("GOVUK", False, False), ("Passports", True, False)]


# What the set-up steps refuse, a seed file refuses too, with the admin app's own message.
ONE = "[[services]]\nname = 'One'\n"
REFUSED_AS_THE_SET_UP_STEPS_DO = [
    (
        ONE + "guest_list = ['not a number']",
        "services[0] ('One'): field 'guest_list': Mobile numbers can only include: "
        "0 1 2 3 4 5 6 7 8 9 ( ) + -",
    ),
    (
        ONE + "guest_list = ['someone@']",
        "services[0] ('One'): field 'guest_list': Enter an email address in the correct "
        "format, like name@example.gov.uk",
    ),
    (
        ONE + "[[services.sms_senders]]\nsms_sender = 'Far too long a sender'",
        "services[0] ('One').sms_senders[0]: field 'sms_sender': Text message sender ID "
        "cannot be longer than 11 characters",
    ),
    (
        ONE + "[[services.sms_senders]]\nsms_sender = ''",
        "services[0] ('One').sms_senders[0]: field 'sms_sender': Enter a text message sender ID",
    ),
    (
        ONE + "[[services.email_reply_to]]\nemail_address = 'nope'",
        "services[0] ('One').email_reply_to[0]: field 'email_address': Enter an email address "
        "in the correct format, like name@example.gov.uk",
    ),
    (
        ONE + "[[services.api_keys]]\nname = ' '",
        "services[0] ('One').api_keys[0]: field 'name': Enter a name for this API key",
    ),
    (
        ONE + "[[services.templates]]\nname = ''\ntype = 'sms'\nbody = 'Hi'",
        "services[0] ('One').templates[0]: field 'name': Enter Template name",
    ),
    (
        ONE + "[[services.templates]]\nname = 'T'\ntype = 'sms'\nbody = ''",
        "services[0] ('One').templates[0]: field 'body': Enter your message",
    ),
    (
        ONE + "[[services.templates]]\nname = 'T'\ntype = 'sms'\nbody = '" + "x" * 919 + "'",
        "services[0] ('One').templates[0]: field 'body': Content has a character count "
        "greater than the limit of 918",
    ),
    (
        ONE + "[[services.templates]]\nname = 'T'\ntype = 'email'\nsubject = ' '\nbody = 'Hi'",
        "services[0] ('One').templates[0]: field 'subject': Enter the subject of the email",
    ),
    (
        ONE
        + "[[services.templates]]\nname = 'T'\ntype = 'letter'\nsubject = 'S'\nbody = '((a,b))'",
        "services[0] ('One').templates[0]: field 'body': You cannot put commas between double "
        "brackets",
    ),
    (
        ONE + "sms_message_limit = 2000000001",
        "services[0] ('One'): field 'sms_message_limit': The number of text messages must be "
        "2,000,000,000 or less",
    ),
]


@pytest.mark.parametrize(("text", "message"), REFUSED_AS_THE_SET_UP_STEPS_DO)
def test_what_the_set_up_steps_refuse_a_seed_refuses(text: str, message: str) -> None:
    assert refused(text) == "seed.toml: " + message


def test_a_seed_file_saved_with_a_byte_order_mark_loads(tmp_path: Path) -> None:
    # Windows editors (Notepad) start UTF-8 files with one; TOML readers refuse it as a key.
    path = tmp_path / "seed.toml"
    path.write_bytes(b"\xef\xbb\xbf[[services]]\nname = 'One'\n")
    assert [service.name for service in load_seed_file(path).services] == ["One"]


def test_an_exported_seed_file_says_it_holds_callbacks_bearer_tokens() -> None:
    # Export writes each callback's bearer token (a callback cannot be loaded without one).
    from notify_emulator.seed_writer import to_toml

    assert "bearer tokens" in to_toml({}).splitlines()[1]


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
def test_an_id_another_service_holds_already_is_refused_and_nothing_changes(
    store: Store, table: str, entry: str
) -> None:
    record = f"[[services.{table}]]\nid = '{SAME_ID}'\n{entry}"
    one = "[[services]]\nid = '11111111-1111-4111-8111-111111111111'\nname = 'One'\n"
    two = "[[services]]\nid = '22222222-2222-4222-8222-222222222222'\nname = 'Two'\n"
    apply_seed(store, parse_seed_text(one + record, source="first.toml"))
    rows_before = store.count_rows(table)
    later = parse_seed_text(two + record, source="second.toml")
    with pytest.raises(ConfigError) as raised:
        apply_seed(store, later, source="second.toml")
    assert str(raised.value) == (
        f"second.toml: services[0] ('Two').{table}[0]: field 'id': '{SAME_ID}' belongs to "
        "another service (11111111-1111-4111-8111-111111111111)"
    )
    # One transaction: neither the second service nor its record was stored.
    assert store.get_service("22222222-2222-4222-8222-222222222222") is None
    assert store.count_rows(table) == rows_before
