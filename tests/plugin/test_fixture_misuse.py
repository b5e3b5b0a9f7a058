"""What a user sees when a test misuses the fixture's helpers, or fails: an error that says
what there is instead, and never an API key's secret."""

from __future__ import annotations

import pytest

from notify_emulator.demo import service as demo
from notify_emulator.pytest_plugin import NotifyEmulator, NotifyEmulatorError

pytest_plugins = ["pytester"]

RUN_OPTIONS = ("-p", "no:asyncio", "-W", "error")


def test_a_template_name_that_is_not_there_names_those_that_are(
    notify_emulator: NotifyEmulator,
) -> None:
    with pytest.raises(KeyError, match=r"no template named 'Demo text'.*'Demo text message'"):
        notify_emulator.templates["Demo text"]
    assert notify_emulator.templates.get("Demo text") is None


def test_a_key_name_that_is_not_there_names_those_that_are(
    notify_emulator: NotifyEmulator,
) -> None:
    with pytest.raises(KeyError, match=r"no API key named 'live'.*'demo_live'") as raised:
        notify_emulator.api_keys["live"]
    assert notify_emulator.api_key not in str(raised.value)
    assert notify_emulator.api_keys.get("live") is None


def test_the_keys_read_as_a_mapping_and_never_show_their_secrets(
    notify_emulator: NotifyEmulator,
) -> None:
    keys = notify_emulator.api_keys
    assert set(keys) == {"demo_live", "demo_team", "demo_test"}
    assert keys["demo_live"] == notify_emulator.api_key
    assert dict(keys) == {name: keys[name] for name in keys}
    assert keys == dict(keys.items())
    for secret in keys.values():
        assert secret not in repr(keys)


def test_a_created_key_is_listed_by_name_for_the_first_service(
    notify_emulator: NotifyEmulator,
) -> None:
    key = notify_emulator.create_api_key(name="ci", key_type="test")
    assert notify_emulator.api_keys["ci"] == key
    other = notify_emulator.create_service("Other service")
    notify_emulator.create_api_key(name="elsewhere", service_id=other)
    assert "elsewhere" not in notify_emulator.api_keys


def test_a_failing_assertion_on_the_keys_shows_no_secret(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_in(notify_emulator):
            assert "ci" in notify_emulator.api_keys

        def test_equal(notify_emulator):
            assert notify_emulator.api_keys == {"demo_live": "x"}
        """
    )
    result = pytester.runpytest(*RUN_OPTIONS, "-vv", "--showlocals")
    result.assert_outcomes(failed=2)
    output = result.stdout.str()
    assert "demo_live" in output
    for secret in (demo.LIVE_KEY_SECRET, demo.TEAM_KEY_SECRET, demo.TEST_KEY_SECRET):
        assert secret not in output


def test_callback_receiver_takes_one_type_given_as_a_string(
    notify_emulator: NotifyEmulator,
) -> None:
    with notify_emulator.callback_receiver(types="inbound_sms") as receiver:
        notify_emulator.receive_text("STOP")
        (request,) = receiver.wait_for(1)
    assert request.json["message"] == "STOP"


def test_sent_for_a_service_that_does_not_exist_says_so(notify_emulator: NotifyEmulator) -> None:
    # Not an empty list, which `assert sent(service_id=...) == []` would take for a pass.
    with pytest.raises(NotifyEmulatorError, match="no service with id 'not-a-service'"):
        notify_emulator.sent(service_id="not-a-service")
    other = notify_emulator.create_service("Other service")
    assert notify_emulator.sent(service_id=other) == []


def test_a_template_renamed_by_the_test_is_found_by_its_new_name(
    notify_emulator: NotifyEmulator,
) -> None:
    template_id = notify_emulator.templates["Demo text message"]
    assert notify_emulator.update_template(template_id, name="Reminder") == 2
    assert notify_emulator.templates["Reminder"] == template_id
    assert "Demo text message" not in notify_emulator.templates


def test_the_next_test_has_the_seeded_names_again(notify_emulator: NotifyEmulator) -> None:
    assert "Reminder" not in notify_emulator.templates
    assert "Demo text message" in notify_emulator.templates


def test_a_fault_that_is_not_a_mapping_says_what_it_should_be(
    notify_emulator: NotifyEmulator,
) -> None:
    with pytest.raises(TypeError, match=r"action must be a mapping such as \{'status': 503\}"):
        notify_emulator.add_fault(action="503")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"match must be a mapping such as \{'path': "):
        notify_emulator.add_fault(match="/v2/notifications/sms", action={"status": 503})  # type: ignore[arg-type]
    assert notify_emulator.faults() == []
