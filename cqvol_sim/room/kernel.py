"""A trainee's page kernel in a training room: ipykernel without its debugger and without IPython's
history database.

A trainee's pages are Voilà pages: nobody steps through code or reads command history there, and the
debugger (debugpy, imported by every kernel that can find it) and the history thread cost memory in
each of a room's 40 page kernels. The room points trainees' servers at the ``python3`` kernel spec
beside this file (``jupyter/kernels/python3``), which runs this module.
"""

import sys


def main() -> None:
    """Start the kernel with the connection file jupyter_client passes (``-f FILE``)."""
    sys.modules["debugpy"] = None   # type: ignore[assignment]  # ipykernel then runs without its debugger
    from ipykernel import kernelapp

    kernelapp.launch_new_instance(argv=[*sys.argv[1:], "--HistoryManager.enabled=False"])


if __name__ == "__main__":
    main()
