"""``python -m negosim.cli``."""

import sys

from negosim.cli import main

sys.exit(main())
