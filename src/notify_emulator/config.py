"""The seed-file parser's earlier name, kept so that existing imports go on working.

Use :mod:`notify_emulator.seed`.
"""

from __future__ import annotations

from notify_emulator.seed import *  # noqa: F403
from notify_emulator.seed import __all__ as __all__
