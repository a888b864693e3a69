"""Speed and memory of the simulator core, printed (not asserted): see README "性能".

    python benchmarks/bench_core.py            # default scale, plus 5x only with --x5
    python benchmarks/bench_core.py --scale 0.1 --quick

Targets (issue 2): import < 0.3 s without matplotlib/ipywidgets/pandas; can() within 5x of a
bare dict lookup; Sandbox.city at scale 1 < 30 s and < 1.5 GB peak; each action < 50 us
median at city scale; star ratings of every volunteer < 1 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import subprocess
import sys
import time
import timeit

IMPORT_PROBE = r"""
import time, sys
t = time.perf_counter()
import cqvol_sim
t = time.perf_counter() - t
heavy = [m for m in ("matplotlib", "ipywidgets", "pandas", "IPython", "networkx") if m in sys.modules]
print(t, ",".join(heavy))
"""

CITY_PROBE = r"""
import resource, sys, time, json
from cqvol_sim import Sandbox
t = time.perf_counter()
sb = Sandbox.city(seed=1, scale=float(sys.argv[1]), progress=False)
t = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": t, "peak_mib": peak, "groups": len(sb.groups), "volunteers": len(sb.volunteers),
                  "records": len(sb.records)}))
"""


def bench_import() -> None:
    runs = []
    for _ in range(5):
        out = subprocess.run([sys.executable, "-c", IMPORT_PROBE], capture_output=True, text=True, check=True).stdout
        t, heavy = out.strip().split(" ", 1) if " " in out.strip() else (out.strip(), "")
        runs.append(float(t))
    print(f"import cqvol_sim: median {statistics.median(runs) * 1000:.1f} ms (target < 300 ms); "
          f"heavy modules imported: {heavy or 'none'}")


def bench_can(sb) -> None:
    from cqvol_sim import Right

    g = next(iter(sb.groups.values()))
    table = {g.id: True}
    n = 1_000_000
    bare = min(timeit.repeat("table[k]", globals={"table": table, "k": g.id}, number=n, repeat=5)) / n
    can_obj = min(timeit.repeat("can(g, r)", globals={"can": sb.can, "g": g, "r": Right.FAST_REVIEW_SUBS},
                                number=n, repeat=5)) / n
    can_id = min(timeit.repeat("can(g, r)", globals={"can": sb.can, "g": g.id, "r": Right.FAST_REVIEW_SUBS},
                               number=n, repeat=5)) / n
    print(f"bare dict lookup: {bare * 1e9:.1f} ns; can(group, right): {can_obj * 1e9:.1f} ns "
          f"({can_obj / bare:.1f}x, target < 5x); can(group_id, right): {can_id * 1e9:.1f} ns ({can_id / bare:.1f}x)")


def bench_city(scale: float) -> dict:
    out = subprocess.run([sys.executable, "-c", CITY_PROBE, str(scale)], capture_output=True, text=True, check=True)
    r = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"Sandbox.city(scale={scale:g}): {r['seconds']:.1f} s, peak {r['peak_mib']:.0f} MiB; "
          f"{r['groups']} groups, {r['volunteers']} volunteers, {r['records']} records "
          f"({r['seconds'] / r['records'] * 1e6:.1f} us per record overall)")
    return r


def bench_actions(sb, n: int = 2000) -> None:
    from cqvol_sim import Kind, Level, Status
    from cqvol_sim.scenarios import people

    rng = random.Random(7)
    places = sb.places
    communities = [p for p in places.by_level(Level.COMMUNITY) if sb.hub_of(p.code) is not None]
    teams = [g for g in sb.groups.values() if g.kind is Kind.NON_HUB and g.status is Status.ACTIVE and g.members]
    timings: dict[str, list[float]] = {}

    def timed(label, action, /, *args, **kwargs):
        """Call ``action(*args, **kwargs)`` now and add its duration to ``timings[label]``."""
        t = time.perf_counter()
        result = action(*args, **kwargs)
        timings.setdefault(label, []).append(time.perf_counter() - t)
        return result

    used: set[str] = set(v.id_card for v in sb.volunteers.values())
    person = ("李联络", "13800000000")
    for i in range(n):
        place = communities[rng.randrange(len(communities))]
        hub = sb.hub_of(place.code)
        g = timed("register_group", sb.register_group,
                  None, name=f"{place.name}基准测试{i}号志愿服务队", kind=Kind.NON_HUB, place=place.code,
                  contact=hub, leader=person, liaison=person)
        timed("approve", sb.approve, hub, g)
        team = teams[rng.randrange(len(teams))]
        card = people.id_card(rng, team.place, used)
        v = timed("register_volunteer", sb.register_volunteer,
                  team, name="张测试", id_card=card, mobile="13912345678")
        p = timed("publish_project", sb.publish_project,
                  team, name=f"基准项目{i}", start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31))
        if p.status.value == "pending":
            sb.approve(sb.reviewer(p), p)
        timed("record_hours", sb.record_hours,
              team, v, project=p, date=dt.date(2026, 3, 1), place="社区", target="老人", content="陪伴",
              hours=2, evaluation="良好", contact="李联络")
        timed("can", sb.can, team, "fast_review_subs")
    print(f"actions at this scale (median of {n}, events on):")
    for name, ts in timings.items():
        print(f"  {name:20s} {statistics.median(ts) * 1e6:7.1f} us (target < 50 us)")
    t = time.perf_counter()
    stars = sb.star_ratings()
    t = time.perf_counter() - t
    print(f"star ratings for {len(stars)} volunteers: {t * 1000:.0f} ms (target < 1000 ms)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--x5", action="store_true", help="also build at 5x the scale (needs ~4 GB, ~90 s)")
    args = ap.parse_args()
    print(f"Python {sys.version.split()[0]} on {sys.platform}")
    bench_import()
    bench_city(args.scale)
    if args.x5:
        bench_city(args.scale * 5)
    from cqvol_sim import Sandbox

    sb = Sandbox.city(seed=1, scale=args.scale, progress=False)
    bench_can(sb)
    bench_actions(sb)


if __name__ == "__main__":
    main()
