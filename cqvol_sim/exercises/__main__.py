"""``python -m cqvol_sim.exercises ...``: the same as ``python -m cqvol_sim.exercises.cli``."""

import sys

from .cli import main

sys.exit(main())
