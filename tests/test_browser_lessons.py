"""The two ways a trainee starts, in a real browser: JupyterLab on the first lesson with the
Chinese interface that the set-up preset (no locale chosen by hand), and the free-practice
sandbox in Voilà, code-free. Screenshots go to screenshots/ (gitignored).

Skipped with the reason when Chromium or Playwright is missing, unless
CQVOL_REQUIRE_BROWSER=1 (CI), where that is a failure.
"""

from __future__ import annotations

import shutil

import pytest

import browser_util as bu

pytestmark = pytest.mark.browser
NOTEBOOKS = bu.REPO / "notebooks"


@pytest.fixture(scope="module")
def browser():
    bu.require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = bu.launch(p)
        yield b
        b.close()


@pytest.fixture
def lessons(tmp_path):
    root = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS, root)
    return root, tmp_path / "home"


def test_jupyterlab_opens_the_first_lesson_in_chinese_from_the_setup_overrides(browser, lessons):
    from cqvol_sim.jupyter_setup import write_overrides

    write_overrides()  # what `cqvol-sim setup-jupyter` in the set-up scripts does
    root, home = lessons
    server = bu.Server("lab", root, "00_start.ipynb", home)
    empty = home / "no-user-settings"
    empty.mkdir(parents=True)
    server.env["JUPYTERLAB_SETTINGS_DIR"] = str(empty)  # only the environment's overrides apply
    with server:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(server.url, timeout=90_000)
        page.wait_for_selector(".jp-Notebook .jp-MarkdownOutput", timeout=90_000)
        page.wait_for_timeout(1000)
        menus = page.locator(".lm-MenuBar-itemLabel").all_inner_texts()
        assert "文件" in menus and "File" not in menus, menus
        body = page.locator(".jp-Notebook").first.inner_text()
        assert "从这里开始：志愿重庆信息系统培训沙盘" in body
        assert "渝民发〔2020〕17号" in body
        assert page.locator(".jp-Notification-Toast, .jp-toast-message").count() == 0  # no news pop-up
        bu.SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(bu.SCREENSHOTS / "lessons_lab_00_start.png"))
        page.close()


def test_voila_shows_the_sandbox_notebook_without_code(browser, lessons):
    root, home = lessons
    with bu.Server("voila", root, "sandbox.ipynb", home) as server:
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(server.url, timeout=90_000)
        page.wait_for_selector(".cqvol-app", timeout=90_000)
        text = page.inner_text("body")
        assert "自由练习：在示范区县的沙盘里随便操作" in text
        assert "当前身份" in text and "团体注册" in text and "找回账号" in text
        assert "from cqvol_sim" not in page.content() and "import" not in text
        assert page.locator(".jp-CodeMirrorEditor, .cm-editor, .jp-InputPrompt").count() == 0
        assert "Traceback" not in text and "出错了" not in text
        assert not errors, errors
        bu.SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(bu.SCREENSHOTS / "lessons_voila_sandbox.png"))
        page.close()
