"""The app in a real browser (Chromium through Playwright), in JupyterLab and in Voilà.

A town administrator's story, clicked and typed as a trainee would: register a 村社 hub with
a wrong name, see the refusal with its clause, fix the name, see it pending; switch to the
town, approve it, set its grade, record hours. Screenshots go to screenshots/ (gitignored);
click -> updated view times are printed.

Skipped with the reason when Chromium or Playwright is missing, unless
CQVOL_REQUIRE_BROWSER=1 (CI), where that is a failure.
"""

from __future__ import annotations

import shutil
import time

import pytest

import browser_util as bu

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def playwright():
    bu.require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright):
    b = bu.launch(playwright)
    yield b
    b.close()


@pytest.fixture
def served(tmp_path):
    """A folder holding the demo notebook, and a home for the servers' files."""
    root = tmp_path / "root"
    root.mkdir()
    shutil.copy(bu.NOTEBOOK, root / "app_demo.ipynb")
    return root, tmp_path / "home"


def report(where: str, timings: dict[str, float], extra: dict[str, float]) -> None:
    print(f"\n[{where}] " + "，".join(f"{k} {v:.2f} s" for k, v in extra.items()))
    for k, v in timings.items():
        print(f"[{where}] 点击 → 界面更新：{k} {v * 1000:.0f} ms")


def check_page(page, errors: list[str]) -> None:
    text = page.locator(".cqvol-app").first.inner_text()
    assert "Traceback" not in text and "出错了" not in text
    assert not errors, errors


def test_jupyterlab(browser, served):
    root, home = served
    with bu.Server("lab", root, "app_demo.ipynb", home) as server:
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        t = time.perf_counter()
        page.goto(server.url)
        bu.run_in_lab(page)
        shown = time.perf_counter() - t
        d = bu.Driver(page, "lab")
        d.shot("0_opened")
        timings = bu.trainee_story(d)
        check_page(page, errors)
        report("JupyterLab", timings, {"服务器启动": server.started_in, "打开笔记本并显示面板": shown})
        page.close()


def test_voila(browser, served):
    root, home = served
    with bu.Server("voila", root, "app_demo.ipynb", home) as server:
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        t = time.perf_counter()
        page.goto(server.url, timeout=90_000)
        bu.wait_app_page(page, ".cqvol-app")
        shown = time.perf_counter() - t
        assert "from cqvol_sim" not in page.content()  # the code-free app mode shows no code
        d = bu.Driver(page, "voila")
        d.shot("0_opened")
        timings = bu.trainee_story(d)
        check_page(page, errors)
        report("Voilà", timings, {"服务器启动": server.started_in, "打开页面并显示面板": shown})
        page.close()
