"""Benchmarks of the widgets and the hierarchy view.

    python benchmarks/bench_widgets.py            # everything (browser part if Chromium is there)
    python benchmarks/bench_widgets.py --no-browser

Prints, with the targets of issue 3 (figures only; the tests assert no timings):
- ``app()`` build time on the demo sandbox, in this process and inside a real kernel (target < 1 s);
- the hierarchy redraw of a district with 52 towns and ~600 村社 (万州区), collapsed and with
  its largest town opened (target < 1 s);
- click -> updated view in a real browser, in Voilà and in JupyterLab (target < 300 ms).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))


def median_time(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def verdict(value: float, target: float) -> str:
    return "达标" if value < target else "超出目标"


def bench_app() -> dict[str, float]:
    from cqvol_sim import Sandbox
    from cqvol_sim.widgets import app

    sb = Sandbox.demo()
    app(sb)  # imports and font lookups once
    out = {"app() 构建（本进程，演示沙盘）": median_time(lambda: app(sb, identity="南坪街道志愿服务总队"))}

    import nbformat
    from nbclient import NotebookClient

    code = ("import time\nfrom cqvol_sim import Sandbox\nfrom cqvol_sim.widgets import app\n"
            "sb = Sandbox.demo()\napp(sb)\nts = []\nfor _ in range(5):\n"
            "    t = time.perf_counter(); a = app(sb); ts.append(time.perf_counter() - t)\n"
            "print(sorted(ts)[2])")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    text = "".join(o.get("text", "") for o in nb.cells[0].outputs if o.get("output_type") == "stream")
    out["app() 构建（Jupyter 内核中，含 comm 消息）"] = float(text.strip().splitlines()[-1])
    return out


def big_district():
    from cqvol_sim import Grade, Kind, Sandbox

    people = dict(leader=("张三", "13800000001"), liaison=("李四", "13800000002"))
    sb = Sandbox.demo()
    places = sb.places
    d = places.find("万州区")[0]
    city = sb.hub_of(places.root.code)
    dh = sb.register_group(None, name="万州区志愿者协会", kind=Kind.HUB, place=d.code, contact=city, **people)
    sb.approve(city, dh)
    sb.set_grade(city, dh, Grade.ADVANCED_FAST)
    for t in places.children(d.code):
        th = sb.register_group(None, name=t.name + "志愿服务总队", kind=Kind.HUB, place=t.code, contact=dh, **people)
        sb.approve(dh, th)
        sb.set_grade(dh, th, Grade.INTERMEDIATE_FAST)
        for j, c in enumerate(places.children(t.code)):
            ch = sb.register_group(None, name=c.name + "志愿服务大队", kind=Kind.HUB, place=c.code, contact=th,
                                   **people)
            if j % 3:
                sb.approve(th, ch)
    return sb, d


def bench_redraw() -> dict[str, float]:
    from cqvol_sim.view import hierarchy_graph, render_png

    sb, d = big_district()
    biggest = max(sb.places.children(d.code), key=lambda t: len(sb.places.children(t.code)))
    render_png(hierarchy_graph(sb, d.code))  # fonts
    return {
        f"层级图重绘：{d.name}（{len(sb.places.children(d.code))} 个镇街折叠）":
            median_time(lambda: render_png(hierarchy_graph(sb, d.code)), 3),
        f"层级图重绘：{d.name}，展开{biggest.name}（{len(sb.places.children(biggest.code))} 个村社）":
            median_time(lambda: render_png(hierarchy_graph(sb, d.code, expand=[biggest.code])), 3),
    }


def bench_browser() -> dict[str, dict[str, float]]:
    import browser_util as bu
    from playwright.sync_api import sync_playwright

    out = {}
    with sync_playwright() as p:
        browser = bu.launch(p)
        for kind, label in (("voila", "Voilà"), ("lab", "JupyterLab")):
            tmp = Path(tempfile.mkdtemp(prefix="cqvol-bench-"))
            try:
                root = tmp / "root"
                root.mkdir()
                shutil.copy(bu.NOTEBOOK, root / "app_demo.ipynb")
                with bu.Server(kind, root, "app_demo.ipynb", tmp / "home") as server:
                    page = browser.new_page(viewport={"width": 1400, "height": 1000})
                    page.goto(server.url, timeout=90_000)
                    if kind == "lab":
                        bu.run_in_lab(page)
                    page.wait_for_selector(".cqvol-app", timeout=90_000)
                    d = bu.Driver(page, f"bench_{kind}")
                    out[label] = bu.trainee_story(d)
                    page.close()
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
        browser.close()
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-browser", action="store_true", help="skip the browser measurements")
    args = parser.parse_args(argv)

    print("== 面板构建（目标 < 1 s）==")
    for k, v in bench_app().items():
        print(f"{k}: {v * 1000:.0f} ms  {verdict(v, 1.0)}")
    print("== 层级图重绘（目标 < 1 s）==")
    for k, v in bench_redraw().items():
        print(f"{k}: {v * 1000:.0f} ms  {verdict(v, 1.0)}")
    if args.no_browser:
        return 0
    import browser_util as bu

    why = bu.browser_missing()
    if why:
        print(f"== 浏览器：跳过（{why}）==")
        return 0
    print("== 点击 → 界面更新（真实浏览器，目标 < 300 ms）==")
    for where, timings in bench_browser().items():
        for k, v in timings.items():
            print(f"{where}｜{k}: {v * 1000:.0f} ms  {verdict(v, 0.3)}")
        print(f"{where}｜中位数: {statistics.median(timings.values()) * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
