"""Benchmark: a 10,000-row Excel sheet of service hours, read and checked row by row through
record_hours on a scratch copy of the demo sandbox (target: ≤ 5 s for the checks). Prints figures;
asserts nothing.

    .venv/bin/python benchmarks/bench_import.py [--rows N]
"""

from __future__ import annotations

import argparse
import datetime as _dt
import io
import time

from openpyxl import Workbook

from cqvol_sim import Sandbox, sheets


def _sheet(sb, n: int) -> tuple[bytes, object, object]:
    team = sb.find_group("黄桷渡社区志愿服务大队")
    project = next(p for p in sb.projects.values() if p.group == team.id and p.name.startswith("关爱空巢老人"))
    members = [v for v in sb.volunteers.values() if team.id in v.groups]
    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(list(sheets.sheet_kinds()["hours"].labels))
    day0 = _dt.date(2025, 6, 1)
    for i in range(n):
        v = members[i % len(members)]
        day = day0 + _dt.timedelta(days=i // len(members) % 500)
        ws.append([v.name, v.id_card, day.isoformat(), "黄桷渡社区活动室", "社区空巢老人", f"陪伴聊天（第{i}次）",
                   1.5, "良好", "刘秀英"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue(), team, project


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=10_000)
    n = ap.parse_args().rows
    sb = Sandbox.demo()
    data, team, project = _sheet(sb, n)
    t0 = time.perf_counter()
    rows = sheets.read_sheet(data, "hours")
    t1 = time.perf_counter()
    report = sheets.check_rows(sb, team, "hours", rows, project=project)
    t2 = time.perf_counter()
    imported = sheets.import_rows(sb, team, "hours", rows, mode=sheets.GOOD_ROWS, project=project)
    t3 = time.perf_counter()
    print(f"rows={n} file_kib={len(data) // 1024} good={report.good} bad={report.bad}")
    print(f"read_s={t1 - t0:.2f} check_s={t2 - t1:.2f} (target <= 5 s) import_s={t3 - t2:.2f} "
          f"imported={imported.imported}")


if __name__ == "__main__":
    main()
