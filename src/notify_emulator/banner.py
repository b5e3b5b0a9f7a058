"""What ``notify-emulator serve --config FILE`` prints on start-up about the seeded services.

For each service of the seed file: its id and name, its usable API keys and its templates (id,
type, name), read back from the store so that secrets the seed left out (generated when it was
loaded) and keys or templates added since are shown as they are. The key strings are local test
keys, printed in full so they can be pasted into a client, but only while the emulator listens
on loopback: bound to another interface, anyone who can read the console of a shared machine
or a CI log could use them, so only their names are shown.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from notify_emulator.store import Store

# Notify's own words for the key types (a "normal" key is a live key).
KEY_TYPE_NAMES = {"normal": "live", "team": "team", "test": "test"}
LOOPBACK_NAMES = frozenset({"localhost"})


def is_loopback(host: str) -> bool:
    """True if ``host`` (as given to ``--host``) only accepts connections from this machine."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def describe_services(store: Store, service_ids: Sequence[str], *, show_keys: bool) -> str:
    """The start-up lines naming each service's keys and templates."""
    lines: list[str] = []
    for service_id in service_ids:
        service = store.get_service(service_id)
        if service is None:
            continue
        state = "" if service.active else ", archived"
        lines.append(f"Service {service.name!r} ({service.id}{state})")
        keys = [key for key in store.usable_api_keys(service.id) if key.expiry_date is None]
        labels = [f"{key.name} ({KEY_TYPE_NAMES.get(key.key_type, key.key_type)})" for key in keys]
        width = max(map(len, labels), default=0)
        for key, label in zip(keys, labels, strict=True):
            key_string = f"  {key.name}-{service.id}-{key.secret}" if show_keys else ""
            lines.append(f"  API key   {label:<{width}}{key_string}")
        if not keys:
            lines.append("  API key   none")
        templates = store.list_templates(service.id, None)
        for template in templates:
            lines.append(f"  template  {template.template_type:<6}  {template.id}  {template.name}")
        if not templates:
            lines.append("  template  none")
    if not show_keys and lines:
        lines.append(
            "API keys are not printed when listening beyond loopback; "
            "read them from the seed file or the database"
        )
    return "\n".join(lines)
