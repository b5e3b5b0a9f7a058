"""What every channel's send checks the same way, with each channel's own words (§5.1–§5.3)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from notify_emulator.demo import service as demo

from .emulator_harness import (
    BARE_EMAIL_TEMPLATE_ID,
    BARE_LETTER_TEMPLATE_ID,
    BARE_LIVE_SECRET,
    BARE_SERVICE_ID,
    BARE_SMS_TEMPLATE_ID,
    TRIAL_EMAIL_TEMPLATE_ID,
    TRIAL_LETTER_TEMPLATE_ID,
    TRIAL_SMS_TEMPLATE_ID,
    Running,
    errors,
)

ADDRESS = {"address_line_1": "A Person", "address_line_2": "1 High Street", "postcode": "sw1a1aa"}


@dataclass(frozen=True)
class Channel:
    name: str
    noun: str  # as Notify's permission message words it
    recipient: dict[str, object]
    template_id: str
    bare_template_id: str  # a template of the service that has no permissions
    other_service_template_id: str
    wrong_type_template_id: str
    wrong_type: str
    personalisation: dict[str, object]

    @property
    def path(self) -> str:
        return f"/v2/notifications/{self.name}"

    def body(self, **overrides: object) -> dict[str, object]:
        body: dict[str, object] = {
            **self.recipient,
            "template_id": self.template_id,
            "personalisation": dict(self.personalisation),
        }
        body.update(overrides)
        return body


CHANNELS = [
    Channel(
        name="sms",
        noun="text messages",
        recipient={"phone_number": "07700900123"},
        template_id=demo.SMS_TEMPLATE_ID,
        bare_template_id=BARE_SMS_TEMPLATE_ID,
        other_service_template_id=TRIAL_SMS_TEMPLATE_ID,
        wrong_type_template_id=demo.EMAIL_TEMPLATE_ID,
        wrong_type="email",
        personalisation={"name": "Ada"},
    ),
    Channel(
        name="email",
        noun="emails",
        recipient={"email_address": "ada@example.com"},
        template_id=demo.EMAIL_TEMPLATE_ID,
        bare_template_id=BARE_EMAIL_TEMPLATE_ID,
        other_service_template_id=TRIAL_EMAIL_TEMPLATE_ID,
        wrong_type_template_id=demo.SMS_TEMPLATE_ID,
        wrong_type="sms",
        personalisation={"name": "Ada"},
    ),
    Channel(
        name="letter",
        noun="letters",
        recipient={},
        template_id=demo.LETTER_TEMPLATE_ID,
        bare_template_id=BARE_LETTER_TEMPLATE_ID,
        other_service_template_id=TRIAL_LETTER_TEMPLATE_ID,
        wrong_type_template_id=demo.SMS_TEMPLATE_ID,
        wrong_type="sms",
        personalisation={"name": "Ada", **ADDRESS},
    ),
]

by_channel = pytest.mark.parametrize("channel", CHANNELS, ids=lambda channel: channel.name)


def send(emulator: Running, channel: Channel, body: object, **kwargs: str) -> tuple[int, object]:
    response = emulator.request("POST", channel.path, json=body, **kwargs)  # type: ignore[arg-type]
    return response.status_code, errors(response)


@by_channel
def test_the_service_needs_the_channels_permission(emulator: Running, channel: Channel) -> None:
    # The permission is checked before the template's placeholders.
    body = channel.body(template_id=channel.bare_template_id, personalisation=ADDRESS)
    assert send(emulator, channel, body, secret=BARE_LIVE_SECRET, service_id=BARE_SERVICE_ID) == (
        400,
        [("BadRequestError", f"Service is not allowed to send {channel.noun}")],
    )


@by_channel
def test_another_services_template_is_not_found(emulator: Running, channel: Channel) -> None:
    body = channel.body(template_id=channel.other_service_template_id)
    assert send(emulator, channel, body) == (400, [("BadRequestError", "Template not found")])


@by_channel
def test_a_template_of_another_type_is_not_suitable(emulator: Running, channel: Channel) -> None:
    body = channel.body(template_id=channel.wrong_type_template_id)
    message = f"{channel.wrong_type} template is not suitable for {channel.name} notification"
    assert send(emulator, channel, body) == (400, [("BadRequestError", message)])


@by_channel
@pytest.mark.parametrize("value", [None, "absent"])
def test_a_placeholder_without_a_value_is_missing_personalisation(
    emulator: Running, channel: Channel, value: object
) -> None:
    personalisation = dict(channel.personalisation)
    if value == "absent":
        del personalisation["name"]
    else:
        personalisation["name"] = value
    assert send(emulator, channel, channel.body(personalisation=personalisation)) == (
        400,
        [("BadRequestError", "Missing personalisation: name")],
    )


@by_channel
def test_a_rejected_send_stores_nothing(emulator: Running, channel: Channel) -> None:
    before = emulator.emulator.store.count_rows("notifications")
    body = channel.body(template_id=channel.wrong_type_template_id)
    assert send(emulator, channel, body)[0] == 400
    assert emulator.emulator.store.count_rows("notifications") == before
