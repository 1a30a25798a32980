"""``python -m sync.cli``."""

import sys

from sync.cli.main import main

sys.exit(main())
