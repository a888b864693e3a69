"""Benchmark of the trainee app in a real browser (Chromium, 1366×768), as `bash tools/start.sh` serves it.

    python benchmarks/bench_app.py [--rounds N]

Prints (targets of issue 8; figures only, nothing is asserted):
- 培训首页 to usable: navigation to the levels being on screen (target ≤ 2.5 s);
- lesson page to usable: navigation to the lesson's practice panel being on screen (≤ 2.5 s);
- click → updated view in the free-practice panel: median and p95 over N tab switches and
  form checks (≤ 300 ms median);
- the peak memory (VmHWM) of each page's kernel while it is open (≤ 150 MiB per open page).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))


def main() -> int:
    import browser_util as bu
    from bench_app_kernels import kernels_peak_mib
    from playwright.sync_api import sync_playwright

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=20)
    args = ap.parse_args()
    why = bu.browser_missing()
    if why:
        print(f"无法运行：{why}")
        return 1
    home = Path(tempfile.mkdtemp(prefix="cqvol-bench-app-"))
    with bu.Server("app", REPO / "notebooks", "", home) as server, sync_playwright() as p:
        browser = bu.launch(p)
        page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="zh-CN")
        # warm-up: the first kernel start also imports everything once (disk cache)
        page.goto(server.url + "voila/render/home.ipynb?trainee=预热", timeout=120_000)
        page.wait_for_selector("text=你好，预热", timeout=120_000)

        homes, lessons = [], []
        for i in range(3):
            t = time.perf_counter()
            page.goto(server.url + f"voila/render/home.ipynb?trainee=学员{i}", timeout=120_000)
            page.wait_for_selector("summary:has-text('村社级')", timeout=120_000)
            homes.append(time.perf_counter() - t)
            t = time.perf_counter()
            page.goto(server.url + f"voila/render/06_records.ipynb?trainee=学员{i}", timeout=120_000)
            page.wait_for_selector(".cqvol-practice .cqvol-app .lm-TabBar-tab", timeout=120_000)
            lessons.append(time.perf_counter() - t)
        kernel_lesson = kernels_peak_mib(server.proc.pid)

        page.goto(server.url + "voila/render/sandbox.ipynb?trainee=计时", timeout=120_000)
        page.wait_for_selector(".cqvol-practice .cqvol-app .lm-TabBar-tab", timeout=120_000)
        d = bu.Driver(page, "bench_app")
        clicks = []
        for i in range(args.rounds):
            tab = ("权限表", "当前身份")[i % 2]
            t = time.perf_counter()
            d.tab(tab)
            d.page.wait_for_function(
                "t => Array.from(document.querySelectorAll('.cqvol-app .lm-TabBar-tab.lm-mod-current'))"
                ".some(e => e.textContent.includes(t))", arg=tab, timeout=20_000, polling="raf")
            page.wait_for_timeout(30)
            clicks.append(time.perf_counter() - t - 0.03)
        kernel_practice = kernels_peak_mib(server.proc.pid)
        browser.close()

    def fmt(xs):
        return f"{statistics.median(xs):.2f} s（最慢 {max(xs):.2f} s）"

    clicks.sort()
    p95 = clicks[max(0, int(round(0.95 * len(clicks))) - 1)]
    print(f"培训首页到可用：{fmt(homes)}　目标 ≤ 2.5 s")
    print(f"课程页（第6课）到可用：{fmt(lessons)}　目标 ≤ 2.5 s")
    print(f"点击到界面更新（自由练习，{len(clicks)} 次）：中位数 {statistics.median(clicks) * 1000:.0f} ms，"
          f"p95 {p95 * 1000:.0f} ms　目标中位数 ≤ 300 ms")
    peaks = kernel_lesson + kernel_practice
    if peaks:
        print(f"每个打开的页面的内核内存峰值：最高 {max(peaks):.0f} MiB（{len(peaks)} 个内核）　目标 ≤ 150 MiB")
    else:
        print("没有找到页面的内核进程（不是 Linux？），内存未测。")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
