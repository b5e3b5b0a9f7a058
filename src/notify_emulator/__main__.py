"""``python -m notify_emulator serve …``."""

from notify_emulator.cli import main

main()
