"""``python -m ttb_cola.cli``: the ``ttb-cola`` console script without its launcher."""

import sys

from ttb_cola.cli import run

sys.exit(run())
