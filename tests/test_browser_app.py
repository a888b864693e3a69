"""The trainee app in a real browser (Chromium, 1366×768), as the village trainee uses it.

Started exactly as `bash tools/start.sh --no-browser` starts it. The trainee opens the server's
address, gives her name, opens the village track, answers a quiz question, goes back home, opens
a village exercise, records hours by clicking, reloads the page in the middle, continues where
she was and is graded. She never sees code, a traceback or English. Screenshots go to
screenshots/app_*.png (gitignored).
"""

from __future__ import annotations

import re

import pytest

import browser_util as bu
from browser_util import wait_app_page

pytestmark = pytest.mark.browser
VIEWPORT = {"width": 1366, "height": 768}
ENGLISH = re.compile(r"[A-Za-z_]{3,}")


@pytest.fixture(scope="module")
def browser():
    bu.require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = bu.launch(p)
        yield b
        b.close()


@pytest.fixture
def app(tmp_path):
    """A server per test: no server or page kernel of an earlier test competes for the 2 cores."""
    with bu.Server("app", bu.REPO / "notebooks", "", tmp_path / "app") as server:
        yield server


def shot(page, name):
    bu.SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(bu.SCREENSHOTS / f"app_{name}.png"), full_page=False)


def plain(page) -> str:
    """What the trainee can read on the page."""
    return page.inner_text("body")


def assert_clean(page, where: str) -> None:
    text = re.sub(r"https?://\S+", "", plain(page))     # a web address in the lesson text is not English prose
    found = ENGLISH.findall(text)
    assert not found, f"{where}: English or code on screen: {found[:5]}"
    code = page.evaluate("""() => Array.from(document.querySelectorAll('.jp-CodeCell .jp-InputArea, .cm-editor'))
        .filter(e => e.offsetParent !== null && e.innerText.trim()).length""")
    assert code == 0, f"{where}: code is visible"
    assert page.locator(".jp-OutputArea-output[data-mime-type*=error]").count() == 0, where


def pick(page, css: str, text: str) -> None:
    """Choose the first option of the dropdown ``css`` whose label contains ``text``."""
    sel = page.locator(f".cqvol-app .{css} select").first
    sel.wait_for(state="visible", timeout=20_000)
    label = next(o for o in sel.locator("option").all_inner_texts() if text in o)
    sel.select_option(label=label)


def test_village_trainee_learns_practises_and_is_graded_by_clicking(browser, app):
    page = browser.new_page(viewport=VIEWPORT, locale="zh-CN")
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(app.url) and
            not r.url.startswith(("data:", "blob:", "about:")) else None)

    # 1. the address on the board opens 培训首页, which asks for a name
    page.goto(app.url, timeout=90_000)
    wait_app_page(page, "input[name=trainee]")
    assert page.title() == "培训首页"
    assert_clean(page, "name form")
    shot(page, "1_name_form")
    page.fill("input[name=trainee]", "王桂英")
    page.fill("input[name=unit]", "峡口镇大田村村委会")
    page.click("button[type=submit]")
    wait_app_page(page, "text=你好，王桂英")
    assert "王桂英" in page.url or "%E7%8E%8B" in page.url        # the name travels in the address
    assert_clean(page, "home")

    # 2. the village path
    page.click("summary:has-text('村社级')")
    shot(page, "2_home_village_path")
    page.click("a:has-text('村社级（一）：志愿者、项目和服务记录')")
    wait_app_page(page, ".cqvol-practice .cqvol-app")
    assert "学员：王桂英" in plain(page)
    assert_clean(page, "village track")
    shot(page, "3_track_top")
    # answer the first quiz question
    quiz = page.locator(".widget-radio-box").first
    quiz.scroll_into_view_if_needed()
    quiz.locator("input[type=radio]").first.check()
    page.locator("button.jupyter-button:text-is('检查')").last.scroll_into_view_if_needed()
    first_check = page.locator("button.jupyter-button:text-is('检查')").nth(0)
    first_check.click()
    page.wait_for_function("() => /答对了|不对|再想想|正确答案/.test(document.body.innerText)", timeout=20_000)
    shot(page, "4_track_quiz")

    # 3. back home: the track is ticked
    page.click("a:has-text('返回培训首页')")
    wait_app_page(page, "text=你好，王桂英")
    assert "已打开过 1/" in plain(page)

    # 4. a village exercise, done by clicking, with a reload in the middle
    page.click("summary:has-text('村社级')")
    page.click("a:has-text('完整录入一条志愿服务记录')")
    wait_app_page(page, ".cqvol-exercise .cqvol-app")
    assert "评分目标" in plain(page) and "未检查" in plain(page)
    assert_clean(page, "exercise")
    d = bu.Driver(page, "app")
    d.tab("项目与时长")
    pick(page, "cqvol-r-volunteer", "冉秀英")
    pick(page, "cqvol-r-project", "为独居老人编织暖冬围巾")
    page.locator(".cqvol-app .cqvol-r-date input").first.fill("2026-11-18")
    d.fill("cqvol-r-place", "黄桷渡社区活动室")
    d.fill("cqvol-r-target", "社区独居老人")
    d.fill("cqvol-r-content", "编织围巾并上门赠送")
    d.fill("cqvol-r-hours", "3")
    d.select("cqvol-r-evaluation", label="优秀")
    d.fill("cqvol-r-contact", "段娟梓")
    d.click_and_wait(d.button("cqvol-save-record"), ".cqvol-message", "已为志愿者", "记录服务时长")
    shot(page, "5_exercise_recorded")

    page.reload()                                   # the trainee reloads by mistake
    wait_app_page(page, "button:has-text('继续上次')")
    shot(page, "6_exercise_resume_offer")
    page.click("button:has-text('继续上次')")
    wait_app_page(page, ".cqvol-exercise .cqvol-app")
    page.click("button.jupyter-button:text-is('检查')")
    try:
        page.wait_for_selector("text=得分：100 分", timeout=30_000)
    finally:
        shot(page, "7_exercise_graded")
    assert_clean(page, "graded exercise")

    # 5. home shows the best score
    page.click("a:has-text('返回培训首页')")
    wait_app_page(page, "text=你好，王桂英")
    assert "完整录入一条志愿服务记录：100 分" in plain(page)
    shot(page, "8_home_progress")
    assert not errors, errors
    assert not outside, f"requests to outside hosts: {outside[:5]}"
    page.close()


def test_a_wrong_address_gets_a_chinese_page(browser, app):
    page = browser.new_page(viewport=VIEWPORT, locale="zh-CN")
    page.goto(app.url + "voila/render/no-such-page.ipynb", timeout=60_000)
    text = plain(page)
    assert "打不开" in text and "培训首页" in text and "Traceback" not in text
    page.close()


@pytest.fixture
def own_app(tmp_path):
    """A server of its own, so that only this test's trainees are in its folder."""
    with bu.Server("app", bu.REPO / "notebooks", "", tmp_path / "server") as server:
        yield server


def test_instructor_makes_an_exercise_and_gets_the_class_report_in_the_app(browser, own_app, tmp_path):
    """The instructor, all in the app: does the task in free practice, turns it into an exercise
    with the form, checks it; three trainees who share one computer do an exercise; one click
    gives the class report with three rows."""
    page = browser.new_page(viewport=VIEWPORT, locale="zh-CN", accept_downloads=True)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    # 1. the task, done by clicking in free practice (autosaved under the instructor's name)
    page.goto(own_app.url + "voila/render/home.ipynb?trainee=%E6%9D%8E%E8%80%81%E5%B8%88", timeout=90_000)
    wait_app_page(page, "text=你好，李老师")
    page.click("a:has-text('自由练习：在示范区县的沙盘里随便操作')")
    wait_app_page(page, ".cqvol-practice .cqvol-app")
    d = bu.Driver(page, "app_instructor")
    d.tab("当前身份")
    d.toggle("cqvol-role", "团体管理员")
    d.fill("cqvol-identity-filter", "峡口镇志愿服务总队")
    d.wait_text(".cqvol-banner", "峡口镇志愿服务总队（镇街级枢纽型团体")
    d.tab("审核")
    row = ".cqvol-review-row:has-text('大田村志愿服务大队')"
    d.click_and_wait(d.button(text="通过", within=row), ".cqvol-message", "已通过“大田村志愿服务大队”的注册")

    # 2. three trainees on one computer (one Windows login) each check an exercise
    for name in ("张三", "李四", "王五"):
        page.goto(own_app.url + f"voila/render/home.ipynb?trainee={name}", timeout=90_000)
        wait_app_page(page, f"text=你好，{name}")
        page.click("summary:has-text('村社级')")
        page.click("a:has-text('完整录入一条志愿服务记录')")
        try:
            wait_app_page(page, ".cqvol-exercise .cqvol-app")
        finally:
            shot(page, f"i0_exercise_{name}")
        page.click("button.jupyter-button:text-is('检查')")
        page.wait_for_selector("text=得分：", timeout=30_000)

    # 3. the instructor page, from the home page's footer
    page.goto(own_app.url + "voila/render/home.ipynb?trainee=%E6%9D%8E%E8%80%81%E5%B8%88", timeout=90_000)
    wait_app_page(page, "text=你好，李老师")
    page.click("a:has-text('培训老师入口')")
    wait_app_page(page, ".cqvol-instructor")
    assert_clean(page, "instructor page")
    shot(page, "i1_instructor")
    sel = page.locator(".cqvol-sandbox-files select").first
    label = next(o for o in sel.locator("option").all_inner_texts() if "李老师" in o)
    sel.select_option(label=label)
    page.click("button.jupyter-button:has-text('生成练习草稿')")
    page.wait_for_selector(".cqvol-instructor input[type=text] >> nth=1", timeout=30_000)
    title = page.locator(".cqvol-instructor .widget-text:has-text('标题') input").first
    title.wait_for(state="visible", timeout=30_000)
    title.fill("审核大田村志愿服务大队的注册")
    page.locator(".cqvol-instructor .widget-textarea:has-text('任务说明') textarea").first.fill(
        "你是峡口镇志愿服务总队的管理员。大田村志愿服务大队提交了注册，请审核。")
    page.click("button.jupyter-button:has-text('保存并检查')")
    page.wait_for_function("() => /检查通过|问题/.test(document.querySelector('.cqvol-check-result')?.innerText || '')",
                           timeout=120_000)
    shot(page, "i2_exercise_checked")
    assert "检查通过" in page.inner_text(".cqvol-check-result")

    # 4. one click: the class report
    page.click(".cqvol-instructor .lm-TabBar-tab:has-text('全班成绩')")
    page.click("button.jupyter-button:has-text('生成全班成绩')")
    page.wait_for_selector(".cqvol-instructor a[download]", timeout=60_000)
    summary = page.inner_text(".cqvol-instructor")
    shot(page, "i3_report")
    assert "4 名学员" in summary, summary   # 张三、李四、王五, and 李老师, who practised under his name
    with page.expect_download() as dl:
        page.click(".cqvol-instructor a[download]")
    path = tmp_path / "report.xlsx"
    dl.value.save_as(path)
    from openpyxl import load_workbook

    rows = [r[0].value for r in load_workbook(path)["成绩"].iter_rows(min_row=1)]
    for name in ("张三", "李四", "王五"):
        assert name in rows, rows
    assert not errors, errors
    page.close()


def test_a_page_left_behind_gives_its_memory_back(browser, tmp_path):
    """Each open page has one kernel; a page the trainee has left is stopped soon after, so a
    trainee clicking through twenty lessons does not hold twenty kernels."""
    import time

    from bench_app_kernels import kernel_count

    server = bu.Server("app", bu.REPO / "notebooks", "", tmp_path / "server")
    server.env["CQVOL_KERNEL_CULL_AFTER"] = "4"
    with server:
        page = browser.new_page(viewport=VIEWPORT, locale="zh-CN")
        for i in range(3):
            page.goto(server.url + f"voila/render/home.ipynb?trainee=学员{i}", timeout=90_000)
            wait_app_page(page, f"text=你好，学员{i}")
        assert kernel_count(server.proc.pid) >= 2
        deadline = time.monotonic() + 60
        while kernel_count(server.proc.pid) > 1 and time.monotonic() < deadline:
            time.sleep(1)
        assert kernel_count(server.proc.pid) == 1           # only the open page's kernel is left
        page.click("summary:has-text('村社级')")            # and that page still works
        assert page.locator("a:has-text('完整录入一条志愿服务记录')").count() == 1
        page.close()


def test_a_page_that_is_slow_to_open_tells_the_trainee_what_to_do(browser, tmp_path):
    """After a minute of 正在打开 (the page's kernel is still busy), the spinner says to press F5 and
    that nothing is lost; once the page opens, the note is gone with the spinner."""
    import nbformat

    folder = tmp_path / "nb"
    folder.mkdir()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import time\ntime.sleep(12)\nprint('页面好了')")])
    nbformat.write(nb, folder / "slow.ipynb")
    server = bu.Server("voila", folder, "slow.ipynb", tmp_path / "server")
    server.cmd.append("--template=cqvol")
    with server:
        page = browser.new_page(viewport=VIEWPORT, locale="zh-CN")
        page.clock.install()
        page.goto(server.url, wait_until="commit", timeout=90_000)
        page.wait_for_selector("#loading_text", timeout=60_000)
        slow = page.locator("#cqvol-slow")
        assert not slow.is_visible()
        page.clock.fast_forward(61_000)            # a minute on the page's clock; the kernel is still sleeping
        slow.wait_for(state="visible", timeout=10_000)
        assert "F5" in slow.inner_text() and "自动保存" in slow.inner_text()
        shot(page, "slow_page_note")
        page.wait_for_selector("text=页面好了", timeout=90_000)
        assert not slow.is_visible()
        page.close()
