"""What ``notify-emulator serve --config FILE`` prints about the seeded services."""

from __future__ import annotations

import pytest

from notify_emulator.banner import describe_services, is_loopback
from notify_emulator.seed import parse_seed_text
from notify_emulator.store import Store, apply_seed

SEED = """
[[services]]
id = "5d1e0c3a-1111-4a2b-8c3d-000000000001"
name = "Passport Office"

  [[services.api_keys]]
  name = "live"
  type = "normal"
  secret = "8b3aa916-ec82-434e-b0c5-d5d9b371d6a3"

  [[services.api_keys]]
  name = "ci"
  type = "test"

  [[services.api_keys]]
  name = "old"
  type = "team"
  secret = "0e2c7a61-3f4b-4d5e-9a6b-7c8d9e0f1a2b"
  revoked = true

  [[services.templates]]
  id = "5d1e0c3a-1111-4a2b-8c3d-000000000002"
  name = "Appointment reminder"
  type = "sms"
  body = "Hello ((name))"

[[services]]
id = "5d1e0c3a-1111-4a2b-8c3d-000000000003"
name = "Second service"

  [[services.api_keys]]
  name = "second_team"
  type = "team"
  secret = "4a5b6c7d-8e9f-4a0b-9c1d-2e3f4a5b6c03"

  [[services.templates]]
  id = "5d1e0c3a-1111-4a2b-8c3d-000000000004"
  name = "Renewal letter"
  type = "letter"
  subject = "Your renewal"
  body = "Dear ((name))"

[[services]]
id = "5d1e0c3a-1111-4a2b-8c3d-000000000005"
name = "Empty"
"""
FIRST = "5d1e0c3a-1111-4a2b-8c3d-000000000001"
SECOND = "5d1e0c3a-1111-4a2b-8c3d-000000000003"
EMPTY = "5d1e0c3a-1111-4a2b-8c3d-000000000005"
SECOND_SECRET = "4a5b6c7d-8e9f-4a0b-9c1d-2e3f4a5b6c03"


@pytest.fixture
def seeded(fresh_store: Store) -> Store:
    apply_seed(fresh_store, parse_seed_text(SEED, source="test"))
    return fresh_store


def generated_secret(store: Store, name: str) -> str:
    (key,) = [key for key in store.usable_api_keys(FIRST) if key.name == name]
    return key.secret


def test_on_loopback_every_service_shows_its_keys_in_full_and_its_templates(
    seeded: Store,
) -> None:
    text = describe_services(seeded, [FIRST, SECOND, EMPTY], show_keys=True)
    ci_key = f"ci-{FIRST}-{generated_secret(seeded, 'ci')}"
    assert text.splitlines() == [
        f"Service 'Passport Office' ({FIRST})",
        f"  API key   ci (test)    {ci_key}",
        f"  API key   live (live)  live-{FIRST}-8b3aa916-ec82-434e-b0c5-d5d9b371d6a3",
        "  template  sms     5d1e0c3a-1111-4a2b-8c3d-000000000002  Appointment reminder",
        f"Service 'Second service' ({SECOND})",
        f"  API key   second_team (team)  second_team-{SECOND}-{SECOND_SECRET}",
        "  template  letter  5d1e0c3a-1111-4a2b-8c3d-000000000004  Renewal letter",
        f"Service 'Empty' ({EMPTY})",
        "  API key   none",
        "  template  none",
    ]
    # A revoked key is not offered.
    assert "0e2c7a61-3f4b-4d5e-9a6b-7c8d9e0f1a2b" not in text


def test_beyond_loopback_keys_are_named_but_not_printed(seeded: Store) -> None:
    text = describe_services(seeded, [FIRST, SECOND], show_keys=False)
    assert "  API key   live (live)" in text.splitlines()
    assert "  API key   second_team (team)" in text.splitlines()
    for key in seeded.usable_api_keys(FIRST) + seeded.usable_api_keys(SECOND):
        assert key.secret not in text
    assert text.splitlines()[-1] == (
        "API keys are not printed when listening beyond loopback; "
        "read them from the seed file or the database"
    )
    assert "Appointment reminder" in text


def test_a_service_missing_from_the_store_is_left_out(seeded: Store) -> None:
    assert describe_services(seeded, ["5d1e0c3a-1111-4a2b-8c3d-000000000009"], show_keys=True) == ""


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("localhost", True),
        ("LocalHost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.10", False),
        ("emulator.example.internal", False),
    ],
)
def test_which_hosts_are_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback
