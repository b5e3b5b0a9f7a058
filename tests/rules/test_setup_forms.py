"""The set-up forms' rules that are not checks: the key string's name part."""

from __future__ import annotations

import pytest

from notify_emulator.rules.setup_forms import key_string_name


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("live", "live"),
        ("ci key", "ci_key"),
        ("  Team key (CI)  ", "team_key_ci"),
        ("Clé\tde   test", "cle_de_test"),
        ("deploy-key.v2", "deploykeyv2"),
        ("under_score", "under_score"),
        ("!!!", ""),
    ],
)
def test_a_key_name_is_written_into_its_key_string_as_the_admin_app_writes_it(
    name: str, shown: str
) -> None:
    assert key_string_name(name) == shown
