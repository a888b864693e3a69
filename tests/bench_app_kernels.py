"""Counting and measuring the kernels of the app's pages (Linux /proc), for tests and benchmarks."""

from __future__ import annotations

from pathlib import Path


def kernels_peak_mib(server_pid: int) -> list[float]:
    """VmHWM (peak resident memory) of every ipykernel process started by the server, in MiB."""
    out = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
            cmd = (status.parent / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if "ipykernel" not in cmd:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        if int(fields.get("PPid", "0").strip()) != server_pid:
            continue
        out.append(int(fields["VmHWM"].strip().split()[0]) / 1024)
    return out


def kernel_count(server_pid: int) -> int:
    """How many page kernels the server has running."""
    return len(kernels_peak_mib(server_pid))
