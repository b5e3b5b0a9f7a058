"""``python -m notify_emulator.demo``: run the walkthrough."""

import sys

try:
    from notify_emulator.demo.walkthrough import main
except ImportError as error:
    # The emulator is installed without a client; the walkthrough drives this repository's.
    sys.exit(
        "python -m notify_emulator.demo walks through this repository's client, which is not "
        f"installed here ({error}): install it from the repository's root with pip install ."
    )

sys.exit(main())
