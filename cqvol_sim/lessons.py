"""Deprecated: moved to ``cqvol_sim.authoring.lessons``. This name keeps working with a DeprecationWarning."""

import sys

from ._moved import alias_module

if __name__ == "__main__":  # ``python -m cqvol_sim.lessons refresh`` as before
    from .authoring.lessons import main

    sys.exit(main())
else:
    alias_module(__name__, "cqvol_sim.authoring.lessons")
