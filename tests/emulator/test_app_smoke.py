from notify_emulator.demo import service as demo

from .emulator_harness import Running


def test_health(emulator: Running) -> None:
    response = emulator.request("GET", "/_emulator/health", authorization="")
    assert response.json() == {"status": "ok"}


def test_send_sms(emulator: Running) -> None:
    response = emulator.client().send_sms_notification(
        "07700900123", demo.SMS_TEMPLATE_ID, personalisation={"name": "Ada"}
    )
    assert response["content"]["body"] == "Hello Ada, this is a demo text."
