"""``python -m stewardship_registry``: the same as ``stewardship-registry``."""

import sys

from .cli import main

sys.exit(main())
