"""``python -m cqvol_sim.classview``: the class view service (started by the room's hub)."""

import sys

from .service import main

sys.exit(main())
