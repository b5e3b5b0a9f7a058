"""``python -m notify_emulator.demo``: run the walkthrough."""

import sys

from notify_emulator.demo.walkthrough import main

sys.exit(main())
