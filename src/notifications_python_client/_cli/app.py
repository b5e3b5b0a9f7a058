"""The assembled ``notify`` group: the one-request commands plus ``bulk``."""

from __future__ import annotations

from .bulk import bulk
from .commands import notify

notify.add_command(bulk)

__all__ = ["notify"]
