"""A real Notify service read through the v2 API, as a seed for the emulator.

``notify-emulator import`` uses the project's own client with the user's key: every template
(``get_all_templates``), every earlier version of each (``get_template_version`` for 1..n-1),
and the received texts, to learn the service's inbound number. The seed keeps the service id of
the key and the ids of the templates, so code that names them works against the emulator
unchanged, and holds a NEW local key of each type (live, team, test) instead of the real one:
the real key is used for the requests and is never written or shown.

What the v2 API cannot show is listed in :data:`NOT_IMPORTED` for the user to add by hand.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from notify_emulator.rules.constants import KEY_TYPES

__all__ = [
    "DEFAULT_SERVICE_NAME",
    "LOCAL_KEY_NAMES",
    "NOT_IMPORTED",
    "ImportedService",
    "NotifyReader",
    "import_service",
]

DEFAULT_SERVICE_NAME = "Imported service"
LOCAL_KEY_NAMES = {"normal": "local_live", "team": "local_team", "test": "local_test"}
NOT_IMPORTED = (
    "the service's name, settings, limits and permissions (the seed uses the emulator's "
    "defaults; the name can be given with --name)",
    "trial mode and the guest list (team members and guest list recipients)",
    "SMS senders other than the inbound number",
    "email reply-to addresses",
    "email branding and letter branding",
    "the service's letter contact blocks, beyond those the letter templates show",
    "archived templates (the v2 API lists only templates in use)",
    "whether an email template has an unsubscribe link",
    "callbacks (delivery receipts, received texts, returned letters)",
    "the real API keys (the seed has new local keys instead)",
)
"""What a service has that the v2 API does not show, told to the user after an import."""


class NotifyReader(Protocol):
    """The client methods an import uses (``NotificationsAPIClient`` has them all)."""

    @property
    def service_id(self) -> str: ...

    def get_all_templates(self, template_type: str | None = None) -> Any: ...

    def get_template_version(self, template_id: str, version: int) -> Any: ...

    def get_received_texts(self, older_than: str | None = None) -> Any: ...


@dataclass(frozen=True)
class ImportedService:
    """A seed for the emulator made from a real service, and its new local keys."""

    seed: dict[str, Any]
    local_keys: dict[str, str] = field(repr=False)
    """The new keys' strings by type (``normal``, ``team``, ``test``): local secrets only."""
    template_count: int
    version_count: int


def _version(template: Mapping[str, Any]) -> dict[str, Any]:
    version = {"name": template.get("name") or "", "body": template.get("body") or ""}
    for name in ("subject", "letter_contact_block", "postage"):
        if template.get(name) is not None:
            version[name] = template[name]
    return version


def import_service(
    reader: NotifyReader,
    *,
    name: str = DEFAULT_SERVICE_NAME,
    new_secret: Callable[[], str] = lambda: str(uuid.uuid4()),
    progress: Callable[[str], None] = lambda _message: None,
) -> ImportedService:
    """Read the service behind ``reader``'s key and describe it as a seed."""
    service_id = reader.service_id
    templates: list[dict[str, Any]] = []
    version_count = 0
    listed = reader.get_all_templates()["templates"]
    for template in sorted(listed, key=lambda item: (item["type"], item["name"], item["id"])):
        latest = int(template["version"])
        progress(f"template {template['id']} ({template['type']}): {latest} version(s)")
        earlier = [
            _version(reader.get_template_version(template["id"], number))
            for number in range(1, latest)
        ]
        entry: dict[str, Any] = {"id": template["id"], "type": template["type"]}
        entry.update(_version(template))
        if template.get("created_by"):
            entry["created_by"] = template["created_by"]
        if earlier:
            entry["versions"] = earlier
        templates.append(entry)
        version_count += latest
    texts = reader.get_received_texts().get("received_text_messages", [])
    # Newest first: the number most recently texted is the one in use.
    inbound = next((text["notify_number"] for text in texts if text.get("notify_number")), None)
    local_keys: dict[str, str] = {}
    keys = []
    for key_type in KEY_TYPES:
        key_name = LOCAL_KEY_NAMES[key_type]
        secret = new_secret()
        keys.append({"name": key_name, "type": key_type, "secret": secret})
        local_keys[key_type] = f"{key_name}-{service_id}-{secret}"
    service: dict[str, Any] = {"id": service_id, "name": name}
    if inbound:
        service["inbound_number"] = inbound
        service["permissions"] = [
            "sms",
            "email",
            "letter",
            "international_sms",
            "international_letters",
            "inbound_sms",
        ]
    service["api_keys"] = keys
    if templates:
        service["templates"] = templates
    return ImportedService(
        seed={"services": [service]},
        local_keys=local_keys,
        template_count=len(templates),
        version_count=version_count,
    )
