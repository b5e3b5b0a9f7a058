"""What the fixture reads and resets in-process, checked against what the emulator's own HTTP
routes say: ``sent()`` is what ``GET /v2/notifications/{id}`` answers, and the reset before
each test puts everything back (rebuilding the configuration only when a test changed it)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from notifications_python_client.errors import HTTPError
from notifications_python_client.notifications import NotificationsAPIClient
from notify_emulator import pytest_plugin
from notify_emulator.demo import service as demo
from notify_emulator.pytest_plugin import NotifyEmulator, NotifyEmulatorError, _EmulatorSession
from notify_emulator.store import setup

# pytester is enabled here, not in a conftest (pytest refuses `pytest_plugins` there).
pytest_plugins = ["pytester"]

ADDRESS = {"address_line_1": "A Person", "address_line_2": "1 High Street", "postcode": "SW1A 1AA"}


@pytest.fixture
def client(notify_emulator: NotifyEmulator) -> Iterator[NotificationsAPIClient]:
    with NotificationsAPIClient(notify_emulator.api_key, base_url=notify_emulator.base_url) as c:
        yield c


@pytest.fixture
def session(request: pytest.FixtureRequest) -> _EmulatorSession:
    """The session's emulator behind ``notify_emulator``, to reset as before the next test."""
    emulator_session: _EmulatorSession = request.getfixturevalue("_notify_emulator_session")
    return emulator_session


@pytest.fixture
def rebuilds(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Each configuration the fixture's reset rebuilds from."""
    calls: list[object] = []
    rebuild = setup.replace_configuration

    def counted(store: Any, config: Any) -> None:
        calls.append(config)
        rebuild(store, config)

    monkeypatch.setattr(setup, "replace_configuration", counted)
    return calls


def _send_one_of_each(client: NotificationsAPIClient) -> list[str]:
    return [
        client.send_sms_notification("07700900123", demo.SMS_TEMPLATE_ID, {"name": "Ada"})["id"],
        client.send_email_notification(
            "ada@example.com", demo.EMAIL_TEMPLATE_ID, {"name": "Ada"}, reference="ref-1"
        )["id"],
        client.send_letter_notification(demo.LETTER_TEMPLATE_ID, {"name": "Ada", **ADDRESS})["id"],
    ]


def test_sent_is_what_the_v2_read_answers_for_each_channel(
    notify_emulator: NotifyEmulator, client: NotificationsAPIClient
) -> None:
    ids = _send_one_of_each(client)
    # Past every planned status step, so that no status moves between the two reads.
    notify_emulator.advance(days=2)
    sent = notify_emulator.sent()
    assert [message["id"] for message in sent] == ids
    assert sent == [client.get_notification_by_id(notification_id) for notification_id in ids]
    # And with the keys in the order the HTTP answer has them.
    assert [list(message) for message in sent] == [sorted(message) for message in sent]


def test_sent_reads_page_after_page_oldest_first(
    notify_emulator: NotifyEmulator,
    client: NotificationsAPIClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pytest_plugin, "SENT_PAGE_SIZE", 2)
    names = ["one", "two", "three", "four", "five"]
    for name in names:
        client.send_sms_notification("07700900123", demo.SMS_TEMPLATE_ID, {"name": name})
    bodies = [message["body"] for message in notify_emulator.sent()]
    assert bodies == [f"Hello {name}, this is a demo text." for name in names]


def test_sent_is_not_stopped_by_the_faults_a_test_rehearses(
    notify_emulator: NotifyEmulator, client: NotificationsAPIClient
) -> None:
    answer = client.send_sms_notification("07700900123", demo.SMS_TEMPLATE_ID, {"name": "Ada"})
    notify_emulator.fail_next("/v2/notifications/*", method="GET", times=None)
    notify_emulator.fail_next("/_status", times=None)
    (message,) = notify_emulator.sent()
    assert message["id"] == answer["id"]
    assert len(notify_emulator.faults()) == 2  # none was used up by the read


def test_sent_says_when_a_notification_is_past_its_services_retention(
    notify_emulator: NotifyEmulator, client: NotificationsAPIClient
) -> None:
    client.send_sms_notification("07700900123", demo.SMS_TEMPLATE_ID, {"name": "Ada"})
    notify_emulator.advance(days=8)  # the demo service keeps notifications for 7
    with pytest.raises(NotifyEmulatorError, match=r"past its service's data retention \(7 days\)"):
        notify_emulator.sent()


def test_a_fault_or_a_moved_clock_is_reset_without_rebuilding_the_configuration(
    notify_emulator: NotifyEmulator,
    session: _EmulatorSession,
    rebuilds: list[object],
) -> None:
    notify_emulator.fail_next("/v2/notifications/sms", times=None)
    notify_emulator.advance(days=3)

    session.reset(configuration=True)  # as before the next test

    assert notify_emulator.faults() == []
    assert abs(notify_emulator.now() - datetime.now(timezone.utc)) < timedelta(minutes=1)
    assert rebuilds == []


def test_a_changed_configuration_is_rebuilt_once(
    notify_emulator: NotifyEmulator,
    session: _EmulatorSession,
    client: NotificationsAPIClient,
    rebuilds: list[object],
) -> None:
    template_id = notify_emulator.create_template("sms", "Made here", "Made for ((name)).")
    client.send_sms_notification("07700900123", template_id, {"name": "Ada"})

    session.reset(configuration=True)
    assert len(rebuilds) == 1
    assert notify_emulator.sent() == []
    names = {template["name"] for template in client.get_all_templates()["templates"]}
    assert "Made here" not in names
    assert {"Demo text message", "Demo email", "Demo letter"} <= names

    session.reset(configuration=True)
    assert len(rebuilds) == 1  # nothing changed since


def test_reset_in_a_test_keeps_what_the_test_set_up(
    notify_emulator: NotifyEmulator, client: NotificationsAPIClient
) -> None:
    template_id = notify_emulator.create_template("sms", "Kept", "Kept for ((name)).")
    client.send_sms_notification("07700900123", template_id, {"name": "Ada"})
    notify_emulator.fail_next(times=None)
    notify_emulator.reset()
    assert notify_emulator.sent() == []
    assert notify_emulator.faults() == []
    client.send_sms_notification("07700900123", template_id, {"name": "Bo"})
    assert [message["body"] for message in notify_emulator.sent()] == ["Kept for Bo."]


def test_a_template_version_left_behind_by_a_loaded_seed_is_gone_for_the_next_test(
    notify_emulator: NotifyEmulator,
    session: _EmulatorSession,
    client: NotificationsAPIClient,
) -> None:
    assert notify_emulator.update_template(demo.SMS_TEMPLATE_ID, body="Changed, ((name))") == 2
    # The seeded configuration loaded again: the template is back at version 1, and its
    # version 2 stays in the database (a seed may move a template back).
    loaded = notify_emulator._session.post(
        notify_emulator.base_url + "/_emulator/config", json=session.seeded
    )
    assert loaded.status_code == 200
    assert client.get_template(demo.SMS_TEMPLATE_ID)["version"] == 1
    assert client.get_template_version(demo.SMS_TEMPLATE_ID, 2)["version"] == 2

    session.reset(configuration=True)

    with pytest.raises(HTTPError, match="404"):
        client.get_template_version(demo.SMS_TEMPLATE_ID, 2)
    assert client.get_template(demo.SMS_TEMPLATE_ID)["version"] == 1


def test_between_two_tests_of_a_project_everything_is_put_back(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nfilterwarnings = error\n")
    pytester.makeconftest(
        """
        import pytest

        from notify_emulator.store import setup

        REBUILDS = []

        @pytest.fixture(autouse=True, scope="session")
        def count_rebuilds():
            rebuild = setup.replace_configuration
            setup.replace_configuration = lambda *a: REBUILDS.append(1) or rebuild(*a)
            yield
            setup.replace_configuration = rebuild
        """
    )
    pytester.makepyfile(
        test_order="""
        from datetime import datetime, timedelta, timezone

        from conftest import REBUILDS

        def test_one_does_everything_but_change_the_configuration(notify_emulator):
            template_id = notify_emulator.templates["Demo text message"]
            with notify_emulator.callback_receiver() as receiver:
                notify_emulator.client.send_sms_notification(
                    "07700 900 456", template_id, {"name": "A"}
                )
                receiver.wait_for(1)
            notify_emulator.receive_text("STOP")
            notify_emulator.fail_next("/v2/notifications/sms", times=None)
            notify_emulator.advance(days=3)
            assert notify_emulator.sent() and notify_emulator.callbacks()

        def test_two_finds_nothing_left_and_no_rebuild(notify_emulator):
            assert notify_emulator.sent() == []
            assert notify_emulator.callbacks() == []
            assert notify_emulator.client.get_received_texts()["received_text_messages"] == []
            assert notify_emulator.faults() == []
            now = datetime.now(timezone.utc)
            assert abs(notify_emulator.now() - now) < timedelta(minutes=1)
            assert REBUILDS == []

        def test_three_changes_the_configuration(notify_emulator):
            notify_emulator.create_api_key("made here")
            notify_emulator.update_template(notify_emulator.templates["Demo email"], body="New")

        def test_four_finds_it_as_seeded_after_one_rebuild(notify_emulator):
            assert REBUILDS == [1]
            keys = notify_emulator._session.get(
                notify_emulator.base_url + "/_emulator/services/" + notify_emulator.service_id
                + "/api-keys"
            ).json()
            assert "made here" not in str(keys)
            template = notify_emulator.client.get_template(notify_emulator.templates["Demo email"])
            assert template["version"] == 1
        """
    )
    result = pytester.runpytest("-p", "no:asyncio", "-W", "error")
    result.assert_outcomes(passed=4)
