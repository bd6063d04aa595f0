"""Entry point for ``python -m privacyhub.localinfra``."""

import sys

from .cli import main

sys.exit(main())
