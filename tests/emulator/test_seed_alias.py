"""The seed parser's earlier module name still offers everything the new one does."""

from __future__ import annotations

from notify_emulator import config, seed


def test_the_config_module_is_an_alias_of_seed() -> None:
    assert config.__all__ == seed.__all__
    assert all(getattr(config, name) is getattr(seed, name) for name in seed.__all__)
    assert "parse_seed_text" in seed.__all__
