"""Every person's Jupyter server in a training room, and on Zero to JupyterHub: JupyterHub's single-user
server, started with the app's settings, without one costly import, and giving freed memory back.

Both the room's spawner (``hubconfig``) and the Z2JH chart (``singleuser.cmd`` in deploy/z2jh/config.yaml)
run ``python -m cqvol_sim.room.server``, so every server gets the same settings (``SERVER_ARGS``)
whichever hub starts it. Before, the chart's default command replaced the image's and dropped them.

The costly import: jupyter_server's event schemas load jsonschema's format checkers, and one of them,
``rfc3987_syntax`` (an optional IRI checker, used by no schema a server meets here), builds a parser
grammar on import: ~1 CPU-second and ~16 MiB in each of a room's 40 servers, during the login burst.
jsonschema skips that checker when the module cannot be imported.

Freed memory: rendering a page and relaying its widgets' messages leave freed blocks in the middle of
the C heap, which glibc keeps (~13 MiB after the first page, measured on one server). A thread gives
them back to the system every ``TRIM_EVERY_S`` seconds with ``malloc_trim``.
"""

import ctypes
import os
import sys
import threading
import time
from pathlib import Path

KERNEL_CULL_AFTER = int(os.environ.get("CQVOL_KERNEL_CULL_AFTER", "60"))
"""A page's kernel is stopped this long (seconds) after its page was closed or left; an open page keeps
its kernel however long the trainee reads: one kernel per open page, not per page visited. The same for
``start.sh`` (``app/serve.py``)."""

SERVER_ARGS = (
    f"--config={Path(__file__).resolve().parent / 'server_config.py'}",   # a reopened browser's _xsrf cookie
    "--VoilaConfiguration.template=cqvol",                                 # the app's Chinese Voilà template
    "--VoilaConfiguration.classic_tree=True",
    f"--MappingKernelManager.cull_idle_timeout={KERNEL_CULL_AFTER}",
    f"--MappingKernelManager.cull_interval={KERNEL_CULL_AFTER // 3}",
    "--MappingKernelManager.cull_connected=False",
)
"""What every person's server is started with, before the spawner's own arguments."""

SKIPPED_IMPORTS = ("rfc3987_syntax",)
"""Optional modules the server's dependencies try to import and do without (see the module docstring)."""


TRIM_EVERY_S = 30.0
"""How often a server gives its freed heap memory back to the system."""


def give_back_freed_memory(every: float = TRIM_EVERY_S) -> threading.Thread | None:
    """Start a daemon thread calling glibc's ``malloc_trim`` every ``every`` seconds (None without glibc)."""
    try:
        trim = ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):   # not glibc (macOS, musl): nothing to give back this way
        return None

    def loop() -> None:
        while True:
            time.sleep(every)
            trim(0)

    thread = threading.Thread(target=loop, name="give-back-freed-memory", daemon=True)
    thread.start()
    return thread


def main() -> int:
    """Run JupyterHub's single-user server with ``SERVER_ARGS`` and the arguments this was given."""
    give_back_freed_memory()
    for name in SKIPPED_IMPORTS:
        sys.modules[name] = None   # type: ignore[assignment]  # "import" then raises ImportError
    from jupyterhub.singleuser import main as singleuser_main

    sys.argv = [sys.argv[0], *SERVER_ARGS, *sys.argv[1:]]
    return singleuser_main()


if __name__ == "__main__":
    sys.exit(main())
