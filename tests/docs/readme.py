"""The README's code blocks, for the tests that run them."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_blocks(language: str) -> list[str]:
    """Every fenced block of ``language`` in the README, in order."""
    text = README.read_text(encoding="utf-8")
    return re.findall(rf"^```{language}\n(.*?)^```", text, re.DOTALL | re.MULTILINE)


def readme_example(first_line: str) -> str:
    """The one ``python`` block that starts with ``first_line``."""
    matching = [block for block in readme_blocks("python") if block.startswith(first_line)]
    assert len(matching) == 1, f"one README example starting {first_line!r}"
    return matching[0]
