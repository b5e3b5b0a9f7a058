"""The emulator's public surface: the names other code (the CLI, the pytest plugin, users'
test suites) relies on."""

from __future__ import annotations

import inspect

import notify_emulator.store
from notify_emulator.app import create_app
from notify_emulator.clock import Clock, FrozenClock, SystemClock, format_timestamp
from notify_emulator.seed import ConfigError, load_seed_file, parse_seed, parse_seed_text
from notify_emulator.settings import Settings


def test_store_exports() -> None:
    assert sorted(notify_emulator.store.__all__) == [
        "ApiKeyRecord",
        "DatabaseError",
        "DocumentRecord",
        "NotificationQuery",
        "NotificationRecord",
        "ReceivedTextRecord",
        "ReplyToRecord",
        "ServiceRecord",
        "SmsSenderRecord",
        "Store",
        "TemplateRecord",
        "apply_seed",
    ]


def test_entry_points_keep_their_signatures() -> None:
    assert list(inspect.signature(create_app).parameters) == ["settings", "seed"]
    expected = {"database_url", "host", "port", "config_path", "clock", "page_size", "base_url"}
    assert expected <= set(Settings.__dataclass_fields__)
    for function in (load_seed_file, parse_seed, parse_seed_text):
        assert callable(function)
    assert issubclass(ConfigError, ValueError)
    clocks: list[Clock] = [SystemClock(), FrozenClock()]
    assert all((format_timestamp(clock.now()) or "").endswith("Z") for clock in clocks)
