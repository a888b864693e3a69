"""Old module paths that keep working after a module moved: one warning, then the new module."""

from __future__ import annotations

import importlib
import sys
import warnings


def alias_module(old: str, new: str) -> None:
    """Make module ``old`` (being imported) the module ``new``, with a DeprecationWarning.

    The old name then refers to the very same module object, so ``monkeypatch`` on either name
    and ``isinstance`` checks behave as before the move. The warning is attributed to the old
    module, not to the importer: a lesson notebook that still uses the old path must not print
    it to its stored output (IPython shows DeprecationWarnings raised in ``__main__``); tests
    and ``python -W default`` show it.
    """
    warnings.warn(f"{old} has moved to {new}; import it from there (the old path will be removed)",
                  DeprecationWarning, stacklevel=2)
    sys.modules[old] = importlib.import_module(new)
