"""The TOML seed file: validation messages and idempotent loading."""

from __future__ import annotations

from pathlib import Path

import pytest

from notify_emulator.demo.service import demo_seed
from notify_emulator.seed import ConfigError, derived_id, load_seed_file, parse_seed_text
from notify_emulator.store import Store, apply_seed

SEED = """
[[services]]
name = "Passport Office"
guest_list = ["07700900123", "someone@example.gov.uk"]
inbound_number = "07700900999"
  [[services.api_keys]]
  name = "live"
  [[services.templates]]
  name = "Reminder"
  type = "sms"
  body = "Hello ((name))"
  [[services.templates.versions]]
  name = "Reminder"
  body = "Hi"
  [[services.received_texts]]
  user_number = "447700900111"
  content = "STOP"
  created_at = "2026-01-01T10:00:00.000000Z"
"""


@pytest.fixture
def store(fresh_store: Store) -> Store:
    return fresh_store


def test_ids_are_derived_and_loading_twice_updates(store: Store) -> None:
    seed = parse_seed_text(SEED, source="seed.toml")
    apply_seed(store, seed)
    service = seed.services[0]
    keys = store.usable_api_keys(service.id)
    apply_seed(store, parse_seed_text(SEED, source="seed.toml"))
    assert service.id == derived_id("service", "Passport Office")
    assert store.usable_api_keys(service.id) == keys  # the generated secret is kept
    assert store.count_rows("services") == 1
    assert store.count_rows("received_texts") == 1
    template = store.get_template(service.id, service.templates[0].id)
    assert template is not None
    assert (template.version, template.body, template.created_by) == (
        2,
        "Hello ((name))",
        "someone@example.gov.uk",
    )
    senders = store.sms_senders(service.id)
    assert [(s.sms_sender, s.is_default) for s in senders] == [("07700900999", True)]


def test_only_the_latest_letter_version_takes_the_services_contact_block(store: Store) -> None:
    seed = parse_seed_text(
        """
[[services]]
name = "Passport Office"
letter_contact_block = "The Office\\nLondon"
  [[services.templates]]
  name = "Letter"
  type = "letter"
  subject = "Now"
  body = "Hello"
  [[services.templates.versions]]
  name = "Untitled"
  subject = "Then"
  body = "Hi"
""",
        source="seed.toml",
    )
    apply_seed(store, seed)
    service = seed.services[0]
    template_id = service.templates[0].id
    first = store.get_template(service.id, template_id, 1)
    latest = store.get_template(service.id, template_id, None)
    assert first is not None
    assert latest is not None
    # Each earlier version is whole as written (emulator.md): it names no block, so has none.
    assert (first.version, first.letter_contact_block) == (1, None)
    assert (latest.version, latest.letter_contact_block) == (2, "The Office\nLondon")


def test_demo_seed_loads(store: Store) -> None:
    apply_seed(store, demo_seed())
    apply_seed(store, demo_seed())
    assert store.count_rows("api_keys") == 3


SERVICE_A = "[[services]]\nname = 'A'\n"
BAD_SEEDS = [
    ("services = 5", "top level: field 'services': must be a list, not int"),
    (
        "[[services]]\nid = 'x'\nname = 'A'",
        "services[0] ('A'): field 'id': is not a valid UUID: 'x'",
    ),
    ("[[services]]\nrate_limit = 5", "services[0]: field 'name': is required"),
    (
        SERVICE_A + "rate_limit = true",
        "services[0] ('A'): field 'rate_limit': must be an integer, not a boolean",
    ),
    (SERVICE_A + "colour = 'red'", "services[0] ('A'): field 'colour': is not a known field"),
    (
        SERVICE_A + "permissions = ['fax']",
        "services[0] ('A'): field 'permissions': unknown permission 'fax' (known: sms, email, "
        "letter, international_sms, international_letters, sms_to_uk_landlines, inbound_sms)",
    ),
    (
        SERVICE_A + "[[services.templates]]\nname = 'T'\ntype = 'email'\nbody = 'b'",
        "services[0] ('A').templates[0]: field 'subject': is required for email templates",
    ),
    (
        SERVICE_A + "[[services.templates]]\nname = 'T'\ntype = 'fax'\nbody = 'b'",
        "services[0] ('A').templates[0]: field 'type': must be one of sms, email, letter, "
        "not 'fax'",
    ),
    (
        SERVICE_A + "[[services.api_keys]]\nname = 'k'\nsecret = 'short'",
        "services[0] ('A').api_keys[0]: field 'secret': must be a UUID (36 characters)",
    ),
    (SERVICE_A + SERVICE_A, "services[1]: field 'id': repeats "),
]


@pytest.mark.parametrize(("text", "message"), BAD_SEEDS)
def test_bad_seed_messages(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_seed_text(text, source="seed.toml")
    assert str(raised.value).startswith("seed.toml: " + message)
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize("times", [2**31, 2**63])
def test_a_fault_times_beyond_what_is_stored_is_refused(times: int) -> None:
    text = f"[[faults]]\ntimes = {times}\naction = {{ status = 500 }}\n"
    with pytest.raises(ConfigError) as raised:
        parse_seed_text(text, source="seed.toml")
    assert str(raised.value) == "seed.toml: faults[0]: times must be at most 2147483647"


def test_invalid_toml_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "seed.toml"
    path.write_text("[[services]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"seed\.toml: not valid TOML"):
        load_seed_file(path)
    with pytest.raises(ConfigError, match="cannot read the file"):
        load_seed_file(tmp_path / "missing.toml")


def test_secrets_never_in_messages() -> None:
    secret = "8b3aa916-ec82-434e-b0c5-d5d9b371d6a"  # one character short
    text = f"[[services]]\nname = 'A'\n[[services.api_keys]]\nname = 'k'\nsecret = '{secret}'"
    with pytest.raises(ConfigError) as raised:
        parse_seed_text(text, source="seed.toml")
    assert secret not in str(raised.value)
    seed = parse_seed_text(text.replace(secret, secret + "3"), source="seed.toml")
    assert secret not in repr(seed)


def test_a_received_text_without_a_time_is_received_when_first_seeded(store: Store) -> None:
    text = SEED.replace('  created_at = "2026-01-01T10:00:00.000000Z"\n', "")
    seed = parse_seed_text(text, source="seed.toml")
    apply_seed(store, seed)
    apply_seed(store, parse_seed_text(text, source="seed.toml"))  # keeps its first time
    service_id = seed.services[0].id
    (received,) = store.list_received_texts(service_id, None, 10)
    assert received.content == "STOP"
    assert received.created_at == store.now()


def test_service_names_notify_would_refuse_are_kept_with_warnings() -> None:
    # The seed has always taken any name; the admin app's checks become warnings, which
    # `serve` logs and POST /_emulator/config answers with.
    seed = parse_seed_text(
        """
[[services]]
name = "A"
[[services]]
name = "Passport office"
[[services]]
name = " passport OFFICE "
[[services]]
name = "Tax office"
""",
        source="s.toml",
    )
    assert [service.name for service in seed.services] == [
        "A",
        "Passport office",
        " passport OFFICE ",
        "Tax office",
    ]
    assert seed.warnings == [
        "s.toml: services[0] ('A'): field 'name': real Notify would refuse it: "
        "Service name must include at least 2 letters or numbers",
        "s.toml: services[2] (' passport OFFICE '): field 'name': real Notify would refuse it: "
        "another service has it",
    ]
    long_name = parse_seed_text(f'[[services]]\nname = "{"x" * 144}"\n', source="s.toml")
    assert long_name.warnings == [
        f"s.toml: services[0] ('{'x' * 144}'): field 'name': real Notify would refuse it: "
        "Service name cannot be longer than 143 characters"
    ]
    assert demo_seed().warnings == []


def test_received_texts_of_a_service_without_an_inbound_number_are_kept_with_a_warning() -> None:
    seed = parse_seed_text(
        """
[[services]]
name = "No number"
  [[services.received_texts]]
  user_number = "447700900111"
  content = "STOP"
[[services]]
name = "With number"
inbound_number = "07700900999"
  [[services.received_texts]]
  user_number = "447700900111"
  content = "STOP"
""",
        source="s.toml",
    )
    assert [len(service.received_texts) for service in seed.services] == [1, 1]
    assert seed.warnings == [
        "s.toml: services[0] ('No number'): field 'received_texts': real Notify would not have "
        "received them: the service has no inbound_number"
    ]
