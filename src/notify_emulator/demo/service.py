"""The demo service seeded when no ``--config`` is given (shared/spec/emulator.md).

Its ids and keys are fixed so that documentation and walkthroughs can name them.
"""

from __future__ import annotations

from notify_emulator.seed import (
    ApiKeySeed,
    ReplyToSeed,
    SeedConfig,
    ServiceSeed,
    SmsSenderSeed,
    TemplateSeed,
    TemplateVersionSeed,
)

SERVICE_ID = "d6aa2c68-a2d9-4437-ab19-3ae8eb202553"
SERVICE_NAME = "Demo Service"
TEAM_MEMBER_EMAIL = "demo.user@example.gov.uk"
TEAM_MEMBER_PHONE = "07700900123"

LIVE_KEY_SECRET = "2ad2b3d5-2e2c-4d4f-9e9e-6c3d3a0b7f01"
TEAM_KEY_SECRET = "8f0f2d4a-8b1f-4a5e-b5c4-2f7a6e9d1c02"
TEST_KEY_SECRET = "c1a9e8d7-3b6c-4f2e-a1d0-9e8f7a6b5c03"

# The API key strings a client is given: "{name}-{service id}-{secret}".
LIVE_API_KEY = f"demo_live-{SERVICE_ID}-{LIVE_KEY_SECRET}"
TEAM_API_KEY = f"demo_team-{SERVICE_ID}-{TEAM_KEY_SECRET}"
TEST_API_KEY = f"demo_test-{SERVICE_ID}-{TEST_KEY_SECRET}"

SMS_TEMPLATE_ID = "f33517ff-2a88-4f6e-b855-c550268ce08a"
EMAIL_TEMPLATE_ID = "0f1a5bb4-7c7e-4a0e-9a3f-3c5e5a2d8b10"
LETTER_TEMPLATE_ID = "a2d1f3c4-5b6e-4d7f-8a9b-0c1d2e3f4a11"
SMS_SENDER_ID = "5c3a1e7d-9b2f-4c6a-8e0d-1f2a3b4c5d12"
EMAIL_REPLY_TO_ID = "7e9d2c1b-3a4f-4e5d-b6c7-d8e9f0a1b213"
INBOUND_NUMBER = "07700900999"
CONTACT_LINK = "https://www.example.gov.uk/contact"


def demo_seed() -> SeedConfig:
    """The demo service as a seed."""
    service = ServiceSeed(
        id=SERVICE_ID,
        name=SERVICE_NAME,
        guest_list=(TEAM_MEMBER_EMAIL, TEAM_MEMBER_PHONE),
        inbound_number=INBOUND_NUMBER,
        contact_link=CONTACT_LINK,
        letter_contact_block="Demo Service\nWhitehall\nLondon\nSW1A 2AA",
        api_keys=(
            ApiKeySeed(name="demo_live", key_type="normal", secret=LIVE_KEY_SECRET),
            ApiKeySeed(name="demo_team", key_type="team", secret=TEAM_KEY_SECRET),
            ApiKeySeed(name="demo_test", key_type="test", secret=TEST_KEY_SECRET),
        ),
        sms_senders=(SmsSenderSeed(id=SMS_SENDER_ID, sms_sender="GOVUK", is_default=True),),
        email_reply_to=(
            ReplyToSeed(
                id=EMAIL_REPLY_TO_ID, email_address="replies@example.gov.uk", is_default=True
            ),
        ),
        templates=(
            TemplateSeed(
                id=SMS_TEMPLATE_ID,
                template_type="sms",
                versions=(
                    TemplateVersionSeed(
                        name="Demo text message", body="Hello ((name)), this is a demo text."
                    ),
                ),
                created_by=TEAM_MEMBER_EMAIL,
            ),
            TemplateSeed(
                id=EMAIL_TEMPLATE_ID,
                template_type="email",
                versions=(
                    TemplateVersionSeed(
                        name="Demo email",
                        subject="Hello ((name))",
                        body="Dear ((name)),\n\nThis is a demo email.\n\nThe Demo Service",
                    ),
                ),
                created_by=TEAM_MEMBER_EMAIL,
            ),
            TemplateSeed(
                id=LETTER_TEMPLATE_ID,
                template_type="letter",
                versions=(
                    TemplateVersionSeed(
                        name="Demo letter",
                        subject="A letter for ((name))",
                        body="Dear ((name)),\n\nThis is a demo letter.",
                        postage="second",
                    ),
                ),
                created_by=TEAM_MEMBER_EMAIL,
            ),
        ),
    )
    return SeedConfig(services=(service,))


def describe(base_url: str, *, show_keys: bool = True) -> str:
    """The start-up text naming the demo service's keys (unless ``show_keys`` is false) and
    ids."""
    keys = [
        f"  live API key      {LIVE_API_KEY}",
        f"  team API key      {TEAM_API_KEY}",
        f"  test API key      {TEST_API_KEY}",
    ]
    return "\n".join(
        [
            f"Demo service {SERVICE_NAME!r} ({SERVICE_ID})",
            f"  base URL          {base_url}",
            *(keys if show_keys else []),
            f"  sms template      {SMS_TEMPLATE_ID}",
            f"  email template    {EMAIL_TEMPLATE_ID}",
            f"  letter template   {LETTER_TEMPLATE_ID}",
            f"  sms sender        {SMS_SENDER_ID}",
            f"  email reply-to    {EMAIL_REPLY_TO_ID}",
            f"  team member       {TEAM_MEMBER_EMAIL}, {TEAM_MEMBER_PHONE}",
        ]
    )
