"""Build hook: put the emulator's package, which lives in the repository's ``src/``, in the build.

The emulator is built from the same tree as the client, whose ``src/`` is two folders up from
here. hatchling can include files from outside this folder, but only when told where they are,
so this hook finds the package: in ``src/notify_emulator`` of an unpacked sdist (which the sdist
build below puts there), else in the repository's ``src/notify_emulator``. Editable installs do
not use it: they add the repository's ``src/`` to ``sys.path`` (``dev-mode-dirs``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

PACKAGE = "notify_emulator"


def package_source(root: Path) -> Path:
    """Where the package's source is, seen from this distribution's root."""
    for candidate in (root / "src" / PACKAGE, root.parent.parent / "src" / PACKAGE):
        if (candidate / "__init__.py").is_file():
            return candidate
    raise FileNotFoundError(
        f"cannot find the {PACKAGE} package: neither {root / 'src' / PACKAGE} nor "
        f"{root.parent.parent / 'src' / PACKAGE} exists (build from a clone of the repository "
        "or from this distribution's sdist)"
    )


class EmulatorSourceHook(BuildHookInterface):
    """Include ``notify_emulator`` in the wheel (at the top) and in the sdist (under ``src/``)."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if version == "editable":
            return
        source = package_source(Path(self.root))
        target = f"src/{PACKAGE}" if self.target_name == "sdist" else PACKAGE
        build_data["force_include"][str(source)] = target
