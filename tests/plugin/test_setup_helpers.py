"""The fixture's set-up helpers, in a user's project run by ``pytester``: what a test creates
works through the real client, and is gone when the next test starts."""

from __future__ import annotations

import pytest

import notify_emulator.server  # noqa: F401  (reused by the in-process runs, see the other module)

pytest_plugins = ["pytester"]

RUN_OPTIONS = ("-p", "no:asyncio", "-W", "error")
INI = """
[pytest]
filterwarnings = error
"""


def test_helpers_create_keys_templates_and_services_that_the_client_uses(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeini(INI)
    pytester.makepyfile(
        test_setup="""
        import pytest
        from notifications_python_client.notifications import NotificationsAPIClient
        from notify_emulator.pytest_plugin import NotifyEmulatorError

        def test_a_new_key_and_template(notify_emulator):
            key = notify_emulator.create_api_key(name="ci", key_type="test")
            assert key.startswith("ci-" + notify_emulator.service_id + "-")
            template_id = notify_emulator.create_template(
                type="email", name="Welcome", subject="Hi ((name))", body="Welcome, ((name))"
            )
            assert notify_emulator.templates["Welcome"] == template_id
            client = NotificationsAPIClient(key, base_url=notify_emulator.base_url)
            try:
                sent = client.send_email_notification(
                    "someone@example.com", template_id, personalisation={"name": "Ada"}
                )
                assert sent["content"]["subject"] == "Hi Ada"
                assert notify_emulator.update_template(template_id, body="Bye ((name))") == 2
                assert client.get_template(template_id)["body"] == "Bye ((name))"
                assert client.get_template_version(template_id, 1)["body"] == "Welcome, ((name))"
            finally:
                client.close()

        def test_what_the_last_test_made_is_gone(notify_emulator):
            assert "Welcome" not in notify_emulator.templates
            names = [t["name"] for t in notify_emulator.client.get_all_templates()["templates"]]
            assert "Welcome" not in names
            with pytest.raises(NotifyEmulatorError, match="A key with this name"):
                notify_emulator.create_api_key(name="demo live")  # the demo's own key's name
            # "ci" is free again: the last test's key was dropped.
            notify_emulator.create_api_key(name="ci")

        def test_a_second_service(notify_emulator):
            service_id = notify_emulator.create_service("Second", trial_mode=True)
            key = notify_emulator.create_api_key(key_type="normal", service_id=service_id)
            template_id = notify_emulator.create_template(
                type="sms", name="Code", body="Your code is ((code))", service_id=service_id
            )
            assert "Code" not in notify_emulator.templates  # not the first service's
            client = NotificationsAPIClient(key, base_url=notify_emulator.base_url)
            try:
                assert client.get_template(template_id)["name"] == "Code"
            finally:
                client.close()

        def test_the_second_service_is_gone_and_the_seeded_keys_still_work(notify_emulator):
            assert notify_emulator.client.get_all_templates()["templates"]
            services = notify_emulator.base_url + "/_emulator/services"
            response = notify_emulator._session.get(services)
            assert [s["name"] for s in response.json()["services"]] == ["Demo Service"]

        def test_a_seed_loaded_by_the_code_under_test(notify_emulator):
            seed = {"services": [{"name": "Loaded by the test"}]}
            config = notify_emulator.base_url + "/_emulator/config"
            assert notify_emulator._session.post(config, json=seed).status_code == 200

        def test_the_loaded_seed_is_gone_too(notify_emulator):
            services = notify_emulator.base_url + "/_emulator/services"
            names = [s["name"] for s in notify_emulator._session.get(services).json()["services"]]
            assert names == ["Demo Service"]

        def test_a_refusal_says_what_notify_says(notify_emulator):
            with pytest.raises(NotifyEmulatorError, match="Enter your message [(]body[)]"):
                notify_emulator.create_template(type="sms", name="Empty", body="  ")
        """
    )
    result = pytester.runpytest(*RUN_OPTIONS)
    result.assert_outcomes(passed=7)
