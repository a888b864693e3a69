"""Execute every lesson notebook the way ``lessons refresh`` does and report its cost.

    python benchmarks/bench_lessons.py [NOTEBOOK...]

For each notebook: wall time of the execution (kernel start included) and the kernel's peak
resident memory (VmHWM from /proc/<kernel pid>/status, read by a last injected cell, Linux
only). Then the total time. Targets (issue 4): each notebook under 20 s, the whole set under
2 minutes on 2 cores, each kernel under 160 MiB. Nothing is written back; exit code 1 if a
notebook fails or a target is missed.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from cqvol_sim.authoring.lessons import notebooks, run_notebook

LIMIT_SECONDS = 20.0
LIMIT_TOTAL = 120.0
LIMIT_MIB = 160.0


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or notebooks()
    ok = True
    start = time.perf_counter()
    print(f"{'notebook':<28}{'time (s)':>10}{'peak RSS (MiB)':>16}  status")
    for path in paths:
        _, r = run_notebook(path, measure_rss=True)
        mib = None if r.peak_rss_kib is None else r.peak_rss_kib / 1024
        status = "ok" if r.ok else f"FAILED: {r.error or r.stderr}"
        if r.ok and r.seconds > LIMIT_SECONDS:
            status = f"too slow (> {LIMIT_SECONDS:g} s)"
        if r.ok and mib is not None and mib > LIMIT_MIB:
            status = f"too big (> {LIMIT_MIB:g} MiB)"
        ok &= status == "ok"
        rss = "n/a" if mib is None else f"{mib:.1f}"
        print(f"{path.name:<28}{r.seconds:>10.2f}{rss:>16}  {status}", flush=True)
    total = time.perf_counter() - start
    if total > LIMIT_TOTAL:
        ok = False
    print(f"{'total':<28}{total:>10.2f}{'':>16}  {'ok' if total <= LIMIT_TOTAL else 'too slow'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
