"""The ``notify_emulator`` pytest plugin, exercised in users' projects run by ``pytester``."""

from __future__ import annotations

import textwrap

import pytest

# Imported here so that the in-process runs below reuse these modules instead of importing
# them afresh (pytester forgets the modules a run imported).
import notify_emulator.server  # noqa: F401

# pytester is enabled here, not in a conftest: pytest refuses `pytest_plugins` in a conftest
# below the rootdir, and a test module's own `pytest_plugins` is honoured.
pytest_plugins = ["pytester"]

# Each user project runs with warnings as errors, so the plugin must be warning-free; the
# asyncio plugin is left out because these projects have no async tests (and would need its
# loop-scope option set).
RUN_OPTIONS = ("-p", "no:asyncio", "-W", "error")
INI = """
[pytest]
filterwarnings = error
"""

SEED_FILE = """
[[services]]
name = "Passport Office"
inbound_number = "07700900999"

  [[services.api_keys]]
  name = "team"
  type = "team"

  [[services.api_keys]]
  name = "live"
  type = "normal"

  [[services.templates]]
  name = "Appointment reminder"
  type = "sms"
  body = "Hello ((name)), your appointment is on ((date))."

[[services]]
name = "Second service"

  [[services.api_keys]]
  name = "other"
  type = "normal"
"""


def test_a_project_using_only_the_fixture_sends_and_reads_back(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI)
    pytester.makepyfile(
        test_reminders="""
        def send_reminder(client, template_id, name):
            return client.send_sms_notification(
                "07700 900 456", template_id, personalisation={"name": name}
            )

        def test_sends_a_reminder(notify_emulator):
            template_id = notify_emulator.templates["Demo text message"]
            answer = send_reminder(notify_emulator.client, template_id, "Amala")
            (message,) = notify_emulator.sent()
            assert message["id"] == answer["id"]
            assert message["body"] == "Hello Amala, this is a demo text."
            assert message["phone_number"] == "07700 900 456"
            assert message["type"] == "sms"

        def test_each_test_starts_with_nothing_sent(notify_emulator):
            assert notify_emulator.sent() == []

        def test_sent_lists_oldest_first(notify_emulator):
            template_id = notify_emulator.templates["Demo text message"]
            names = ["first", "second", "third"]
            for name in names:
                send_reminder(notify_emulator.client, template_id, name)
            bodies = [message["body"] for message in notify_emulator.sent()]
            assert bodies == [f"Hello {name}, this is a demo text." for name in names]

        def test_the_key_is_the_demo_services_live_key(notify_emulator):
            assert notify_emulator.api_key.startswith("demo_live-" + notify_emulator.service_id)
            assert notify_emulator.base_url.startswith("http://127.0.0.1:")
            assert "demo_live" not in repr(notify_emulator)
        """
    )
    result = pytester.runpytest(*RUN_OPTIONS)
    result.assert_outcomes(passed=4)


def test_helpers_inject_a_received_text_and_force_a_status(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI)
    pytester.makepyfile(
        test_helpers="""
        def test_receive_text(notify_emulator):
            notify_emulator.receive_text("STOP", user_number="07700900111")
            (text,) = notify_emulator.client.get_received_texts()["received_text_messages"]
            assert text["content"] == "STOP"
            assert text["user_number"] == "447700900111"

        def test_received_texts_are_reset_too(notify_emulator):
            assert notify_emulator.client.get_received_texts()["received_text_messages"] == []

        def test_set_status(notify_emulator):
            answer = notify_emulator.client.send_email_notification(
                "amala@example.com", notify_emulator.templates["Demo email"],
                personalisation={"name": "Amala"},
            )
            notify_emulator.set_status(answer["id"], "permanent-failure")
            assert notify_emulator.client.get_notification_by_id(answer["id"])["status"] == (
                "permanent-failure"
            )
            statuses = [message["status"] for message in notify_emulator.sent()]
            assert statuses == ["permanent-failure"]

        def test_set_status_rejects_an_unknown_notification(notify_emulator):
            import pytest
            from notify_emulator.pytest_plugin import NotifyEmulatorError

            with pytest.raises(NotifyEmulatorError, match="404"):
                notify_emulator.set_status("0f0e1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b", "delivered")
        """
    )
    result = pytester.runpytest(*RUN_OPTIONS)
    result.assert_outcomes(passed=4)


def test_the_ini_option_seeds_the_emulator_from_a_file(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI + "notify_emulator_config = seeds/notify.toml\n")
    seeds = pytester.mkdir("seeds")
    (seeds / "notify.toml").write_text(textwrap.dedent(SEED_FILE), encoding="utf-8")
    pytester.makepyfile(
        test_seeded="""
        def test_first_service_and_its_first_live_key(notify_emulator):
            assert notify_emulator.templates.keys() == {"Appointment reminder"}
            assert notify_emulator.api_key.startswith("live-" + notify_emulator.service_id + "-")
            assert set(notify_emulator.api_keys) == {"team", "live"}

        def test_sends_with_the_seeded_template(notify_emulator):
            notify_emulator.client.send_sms_notification(
                "07700900456",
                notify_emulator.templates["Appointment reminder"],
                personalisation={"name": "Amala", "date": "1 May"},
            )
            (message,) = notify_emulator.sent()
            assert message["body"] == "Hello Amala, your appointment is on 1 May."
        """
    )
    result = pytester.runpytest(*RUN_OPTIONS)
    result.assert_outcomes(passed=2)


def test_a_missing_seed_file_is_reported_clearly(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI + "notify_emulator_config = seeds/missing.toml\n")
    pytester.makepyfile("def test_needs_it(notify_emulator):\n    pass\n")
    result = pytester.runpytest(*RUN_OPTIONS)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*notify_emulator_config = 'seeds/missing.toml': no such file*"])


def test_the_fixture_without_its_plugin_says_what_is_missing(pytester: pytest.Pytester) -> None:
    # The fixtures imported into a conftest, the plugin itself switched off: the emulator
    # cannot read its options, and says so rather than failing somewhere inside.
    pytester.makeini(INI)
    pytester.makeconftest(
        "from notify_emulator.pytest_plugin import _notify_emulator_session, notify_emulator\n"
    )
    pytester.makepyfile("def test_needs_it(notify_emulator):\n    pass\n")
    result = pytester.runpytest_subprocess(*RUN_OPTIONS, "-p", "no:notify_emulator")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*needs its plugin registered (notify_emulator.pytest_plugin)*"])


def test_tests_without_the_fixture_start_and_import_nothing(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI)
    pytester.makepyfile(
        test_plain="""
        import sys
        import threading

        def test_plain():
            assert "notify_emulator.server" not in sys.modules
            assert "uvicorn" not in sys.modules
            assert "requests" not in sys.modules
            assert not [t for t in threading.enumerate() if t.name.startswith("notify-emulator")]
        """
    )
    # A separate process: this one has already imported the emulator. Without requests-mock's
    # plugin, which imports requests.
    result = pytester.runpytest_subprocess(*RUN_OPTIONS, "-p", "no:requests_mock")
    result.assert_outcomes(passed=1)


def test_the_emulator_starts_without_what_only_pages_letters_callbacks_and_postgresql_need(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeini(INI)
    pytester.makepyfile(
        test_deferred="""
        import sys

        DEFERRED = (
            "jinja2",  # the pages
            "pypdfium2",  # letters' page images
            "notify_emulator.pages.inbox",
            "notify_emulator.rules.markdown",  # emails and letters
            "holidays",  # letters' dates
            "requests",  # callbacks, and the helpers' /_emulator/ calls
            "sqlalchemy.dialects.postgresql",  # a database on PostgreSQL
        )

        def test_started(notify_emulator):
            assert notify_emulator.sent() == []
            assert [name for name in DEFERRED if name in sys.modules] == []
        """
    )
    result = pytester.runpytest_subprocess(*RUN_OPTIONS, "-p", "no:requests_mock")
    result.assert_outcomes(passed=1)


def test_what_the_session_held_once_the_emulator_started_is_frozen_until_it_ends(
    pytester: pytest.Pytester,
) -> None:
    # Frozen objects are left out of every collection; the session's end hands them back.
    pytester.makeini(INI)
    pytester.makeconftest(
        """
        import gc

        FROZEN_AT_END = []

        def pytest_unconfigure(config):
            FROZEN_AT_END.append(gc.get_freeze_count())
            assert FROZEN_AT_END == [0]
        """
    )
    pytester.makepyfile(
        test_frozen="""
        import gc

        def test_before_the_emulator():
            assert gc.get_freeze_count() == 0

        def test_with_the_emulator(notify_emulator):
            assert gc.get_freeze_count() > 10_000
            assert gc.isenabled()
        """
    )
    result = pytester.runpytest_subprocess(*RUN_OPTIONS)
    result.assert_outcomes(passed=2)
    assert result.ret == pytest.ExitCode.OK  # the conftest's check at the end held too


def test_the_plugin_is_registered_through_its_entry_point(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI)
    result = pytester.runpytest(*RUN_OPTIONS, "--fixtures")
    result.stdout.fnmatch_lines(["notify_emulator*", "*A local GOV.UK Notify for this test*"])


def test_without_the_emulator_dependencies_the_fixture_says_what_to_install(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeini(INI)
    pytester.makeconftest(
        """
        import sys

        # As if only the client's dependencies were installed.
        sys.modules["uvicorn"] = None
        """
    )
    pytester.makepyfile(
        """
        def test_plain():
            pass

        def test_needs_it(notify_emulator):
            pass
        """
    )
    # A separate process: this one has already imported the emulator.
    result = pytester.runpytest_subprocess(*RUN_OPTIONS)
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        ["*the notify_emulator fixture needs the emulator's dependencies (uvicorn is missing)*"]
    )


TWO_SERVICES = """
[[services]]
id = "0b0e5a34-39a3-4f7a-9d5e-1a2b3c4d5e01"
name = "Passport Office"

  [[services.api_keys]]
  name = "live"
  type = "normal"

  [[services.templates]]
  name = "Reminder"
  type = "sms"
  body = "Passport reminder for ((name))."

[[services]]
id = "0b0e5a34-39a3-4f7a-9d5e-1a2b3c4d5e02"
name = "Driving Licences"

  [[services.api_keys]]
  name = "driving"
  type = "normal"
  secret = "4a5b6c7d-8e9f-4a0b-9c1d-2e3f4a5b6c03"

  [[services.templates]]
  id = "0b0e5a34-39a3-4f7a-9d5e-1a2b3c4d5e04"
  name = "Renewal"
  type = "sms"
  body = "Licence renewal for ((name))."
"""


def test_sent_covers_every_service_and_can_be_narrowed_to_one(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI + "notify_emulator_config = notify.toml\n")
    (pytester.path / "notify.toml").write_text(TWO_SERVICES, encoding="utf-8")
    pytester.makepyfile(
        test_two_services="""
        import pytest

        from notifications_python_client.notifications import NotificationsAPIClient
        from notify_emulator.pytest_plugin import NotifyEmulatorError

        SECOND = "0b0e5a34-39a3-4f7a-9d5e-1a2b3c4d5e02"
        SECOND_KEY = "driving-" + SECOND + "-4a5b6c7d-8e9f-4a0b-9c1d-2e3f4a5b6c03"
        RENEWAL = "0b0e5a34-39a3-4f7a-9d5e-1a2b3c4d5e04"

        def test_both_services(notify_emulator):
            notify_emulator.client.send_sms_notification(
                "07700900456", notify_emulator.templates["Reminder"], {"name": "Ada"}
            )
            with NotificationsAPIClient(SECOND_KEY, base_url=notify_emulator.base_url) as other:
                other.send_sms_notification("07700900457", RENEWAL, {"name": "Bo"})

            bodies = [message["body"] for message in notify_emulator.sent()]
            assert bodies == ["Passport reminder for Ada.", "Licence renewal for Bo."]
            (second,) = notify_emulator.sent(service_id=SECOND)
            assert second["phone_number"] == "07700900457"
            (first,) = notify_emulator.sent(service_id=notify_emulator.service_id)
            assert first["body"] == "Passport reminder for Ada."
            # A service that does not exist is an error, not a list with nothing sent.
            with pytest.raises(NotifyEmulatorError, match="no service with id"):
                notify_emulator.sent(service_id="0b0e5a34-39a3-4f7a-9d5e-1a2b3c4d5e09")
        """
    )
    result = pytester.runpytest(*RUN_OPTIONS)
    result.assert_outcomes(passed=1)


def test_without_a_notify_client_the_fixture_still_serves_and_reads(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeini(INI)
    pytester.makeconftest(
        """
        import sys

        # As if the emulator were installed without any Notify client.
        sys.modules["notifications_python_client"] = None
        """
    )
    pytester.makepyfile(
        test_no_client="""
        import time

        import jwt
        import pytest
        import requests

        from notify_emulator.pytest_plugin import NotifyEmulatorError

        def test_send_with_plain_http(notify_emulator):
            secret = notify_emulator.api_key[-36:]
            token = jwt.encode(
                {"iss": notify_emulator.service_id, "iat": int(time.time())}, secret, "HS256"
            )
            answer = requests.post(
                notify_emulator.base_url + "/v2/notifications/sms",
                json={
                    "phone_number": "07700900456",
                    "template_id": notify_emulator.templates["Demo text message"],
                    "personalisation": {"name": "Ada"},
                },
                headers={"Authorization": "Bearer " + token},
                timeout=10,
            )
            assert answer.status_code == 201
            (message,) = notify_emulator.sent()
            assert message["body"] == "Hello Ada, this is a demo text."
            with pytest.raises(NotifyEmulatorError, match="needs a Notify client"):
                notify_emulator.client
        """
    )
    # A separate process: this one has already imported the client.
    result = pytester.runpytest_subprocess(*RUN_OPTIONS)
    result.assert_outcomes(passed=1)


def test_sent_covers_a_service_the_test_created(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI)
    pytester.makepyfile(
        test_created_service="""
        from notifications_python_client.notifications import NotificationsAPIClient

        def test_created(notify_emulator):
            service_id = notify_emulator.create_service("Made in a test")
            key = notify_emulator.create_api_key("made", "normal", service_id=service_id)
            template_id = notify_emulator.create_template(
                "sms", "Made", "Made for ((name)).", service_id=service_id
            )
            with NotificationsAPIClient(key, base_url=notify_emulator.base_url) as client:
                client.send_sms_notification("07700900456", template_id, {"name": "Ada"})

            (message,) = notify_emulator.sent()
            assert message["body"] == "Made for Ada."
            assert notify_emulator.sent(service_id=service_id) == [message]
            assert notify_emulator.sent(service_id=notify_emulator.service_id) == []
        """
    )
    result = pytester.runpytest(*RUN_OPTIONS)
    result.assert_outcomes(passed=1)


def test_a_seed_files_faults_are_in_force_in_no_test(pytester: pytest.Pytester) -> None:
    # As the reset before each test deletes every fault, the seed's too; the first test
    # included, or it would use them up for the tests after it (and fail alone but not in
    # the whole run, or the other way round).
    pytester.makeini(INI + "notify_emulator_config = seeds/notify.toml\n")
    seeds = pytester.mkdir("seeds")
    seed = textwrap.dedent(SEED_FILE) + textwrap.dedent(
        """
        [[faults]]
        match = { method = "POST", path = "/v2/notifications/sms" }
        action = { status = 503 }
        times = 2
        """
    )
    (seeds / "notify.toml").write_text(seed, encoding="utf-8")
    pytester.makepyfile(
        test_seeded="""
        import pytest

        @pytest.mark.parametrize("run", range(3))
        def test_each_test_starts_with_no_fault(notify_emulator, run):
            assert notify_emulator.faults() == []
            notify_emulator.client.send_sms_notification(
                "07700900456",
                notify_emulator.templates["Appointment reminder"],
                personalisation={"name": "Amala", "date": "1 May"},
            )
        """
    )
    result = pytester.runpytest(*RUN_OPTIONS)
    result.assert_outcomes(passed=3)


def test_a_seed_file_the_emulator_refuses_is_one_line_that_never_shows_a_secret(
    pytester: pytest.Pytester,
) -> None:
    # pytest would print the arguments of every frame it went through, the seed's entry
    # holding the malformed secret among them, which the seed's own message never quotes.
    pytester.makeini(INI + "notify_emulator_config = notify.toml\n")
    (pytester.path / "notify.toml").write_text(
        textwrap.dedent(
            """
            [[services]]
            name = "Passport Office"

              [[services.api_keys]]
              name = "live"
              type = "normal"
              secret = "my-own-real-looking-secret"
            """
        ),
        encoding="utf-8",
    )
    pytester.makepyfile(
        """
        def test_one(notify_emulator):
            pass

        def test_two(notify_emulator):
            pass
        """
    )
    result = pytester.runpytest(*RUN_OPTIONS)
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(
        ["*notify.toml: services*('Passport Office').api_keys*: field 'secret': must be a UUID*"]
    )
    assert "my-own-real-looking-secret" not in result.stdout.str()
