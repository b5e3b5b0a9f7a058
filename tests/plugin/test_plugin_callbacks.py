"""The fixture's callback helpers, used by a user's project run with ``pytester``."""

from __future__ import annotations

import pytest

import notify_emulator.server  # noqa: F401  (reused by the in-process runs)

pytest_plugins = ["pytester"]

RUN_OPTIONS = ("-p", "no:asyncio", "-W", "error")
INI = """
[pytest]
filterwarnings = error
"""


def test_a_project_asserts_what_its_endpoint_received(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI)
    pytester.makepyfile(
        test_callbacks="""
        import pytest

        ADDRESS = {"address_line_1": "A Person", "address_line_2": "1 Road",
                   "postcode": "SW1A 1AA", "name": "A"}

        def test_delivery_receipt_reaches_the_endpoint(notify_emulator):
            template_id = notify_emulator.templates["Demo text message"]
            with notify_emulator.callback_receiver(500) as receiver:
                sent = notify_emulator.client.send_sms_notification(
                    "07700 900 456", template_id, {"name": "A"}, reference="order-1"
                )
                first, second = receiver.wait_for(2)
            assert (first.status_code, second.status_code) == (500, 200)
            assert second.method == "POST"
            assert second.headers["authorization"] == "Bearer notify-emulator-test-token"
            assert second.json["id"] == sent["id"]
            assert second.json["reference"] == "order-1"
            assert second.json["to"] == "07700 900 456"
            assert second.json["status"] == "delivered"
            (callback,) = notify_emulator.wait_for_callbacks(1, settled=True)
            assert callback["state"] == "delivered"
            assert [a["status_code"] for a in callback["attempts"]] == [500, 200]
            assert callback["body"] == second.text

        def test_received_text_and_returned_letter(notify_emulator):
            with notify_emulator.callback_receiver(
                types=["inbound_sms", "returned_letter"], bearer_token="my-own-token-123"
            ) as receiver:
                notify_emulator.receive_text("STOP", user_number="07700900111")
                letter = notify_emulator.client.send_letter_notification(
                    notify_emulator.templates["Demo letter"], ADDRESS
                )
                returned = notify_emulator.return_letter(letter["id"])
                assert returned["status"] == "received"
                text, back = receiver.wait_for(2)
            assert text.json["message"] == "STOP"
            assert text.json["source_number"] == "447700900111"
            assert back.json["notification_id"] == letter["id"]
            assert back.headers["Authorization"] == "Bearer my-own-token-123"
            kinds = [c["type"] for c in notify_emulator.callbacks()]
            assert kinds == ["inbound_sms", "returned_letter"]

        def test_the_receiver_is_unset_afterwards(notify_emulator):
            notify_emulator.receive_text("after")
            assert notify_emulator.callbacks() == []

        def test_waiting_for_callbacks_that_never_come_says_so(notify_emulator):
            from notify_emulator.pytest_plugin import NotifyEmulatorError

            with pytest.raises(NotifyEmulatorError, match="0 of 1 callback"):
                notify_emulator.wait_for_callbacks(1, timeout=0.2)
        """
    )
    result = pytester.runpytest(*RUN_OPTIONS)
    result.assert_outcomes(passed=4)


def _seed_a_service_with_a_callback(pytester: pytest.Pytester) -> None:
    """A seed file whose one service has a received-text callback, named in the ini."""
    pytester.makeini(INI + "notify_emulator_config = seed.toml\n")
    pytester.makefile(
        ".toml",
        seed="""
        [[services]]
        name = "Seeded"
        inbound_number = "07700900999"
          [[services.api_keys]]
          name = "live"
          type = "normal"
          [[services.callbacks]]
          type = "inbound_sms"
          url = "http://127.0.0.1:9/seeded"
          bearer_token = "seeded-token-123"
        """,
    )


def test_seeded_callbacks_are_put_back_after_a_receiver(pytester: pytest.Pytester) -> None:
    _seed_a_service_with_a_callback(pytester)
    pytester.makepyfile(
        test_seeded="""
        def test_override_then_restore(notify_emulator):
            with notify_emulator.callback_receiver(types=["inbound_sms"]) as receiver:
                notify_emulator.receive_text("one")
                receiver.wait_for(1)
                receiver_url = receiver.url
            notify_emulator.receive_text("two")
            callbacks = notify_emulator.callbacks(type="inbound_sms")
            assert [c["url"] for c in callbacks] == [receiver_url, "http://127.0.0.1:9/seeded"]
        """
    )
    result = pytester.runpytest(*RUN_OPTIONS)
    result.assert_outcomes(passed=1)


def test_each_test_starts_with_the_seeded_callbacks(pytester: pytest.Pytester) -> None:
    _seed_a_service_with_a_callback(pytester)
    pytester.makepyfile(
        test_seeded="""
        def test_one_sets_a_callback_and_makes_a_template(notify_emulator):
            notify_emulator.set_callback(
                "delivery_status", "http://127.0.0.1:9/made-here", "made-here-token"
            )
            notify_emulator.set_callback("inbound_sms", "")
            notify_emulator.create_template("sms", "Made here", "Hello")

        def test_two_finds_only_the_seeded_callback(notify_emulator):
            notify_emulator.receive_text("after")
            assert [c["url"] for c in notify_emulator.callbacks()] == [
                "http://127.0.0.1:9/seeded"
            ]

        def test_three_sets_a_callback_and_moves_the_clock(notify_emulator):
            notify_emulator.set_callback(
                "delivery_status", "http://127.0.0.1:9/again", "made-here-token"
            )
            notify_emulator.advance(hours=1)

        def test_four_starts_as_seeded_again(notify_emulator):
            notify_emulator.receive_text("later")
            assert [c["url"] for c in notify_emulator.callbacks()] == [
                "http://127.0.0.1:9/seeded"
            ]
        """
    )
    result = pytester.runpytest(*RUN_OPTIONS)
    result.assert_outcomes(passed=4)
