"""Helpers of the real-browser tests (and of benchmarks/bench_widgets.py): find Chromium, run a
JupyterLab or Voilà server on a free local port, and drive ipywidgets 8 panels by their CSS
classes (the panels add ``cqvol-...`` classes to the widgets a trainee touches).

Chromium flags and selectors follow the stack notes (shared/STACK.md beside the repository).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NOTEBOOK = REPO / "tests" / "data" / "app_demo.ipynb"
SCREENSHOTS = REPO / "screenshots"
CHROMIUM = os.environ.get("CQVOL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic", "--lang=zh-CN"]
BIN = Path(sys.executable).parent


def browser_missing() -> str | None:
    """Why the browser tests cannot run here, or None if they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install playwright)"
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium, or set CQVOL_CHROMIUM)"
    for tool in ("jupyter-lab", "voila"):
        if not (BIN / tool).exists() and shutil.which(tool) is None:
            return f"{tool} is not installed"
    return None


def require_browser():
    """Skip (or, with CQVOL_REQUIRE_BROWSER=1 as in CI, fail) when the browser is missing."""
    import pytest

    why = browser_missing()
    if why:
        if os.environ.get("CQVOL_REQUIRE_BROWSER") == "1":
            pytest.fail(f"CQVOL_REQUIRE_BROWSER=1 but the browser tests cannot run: {why}")
        pytest.skip(why)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tool(name: str) -> str:
    path = BIN / name
    return str(path) if path.exists() else (shutil.which(name) or name)


def jupyter_env(home: Path) -> dict:
    """An environment that keeps the servers' config, runtime files and settings in ``home``:
    Chinese JupyterLab menus, no news pop-up, no saved workspace."""
    settings = home / "lab-settings"
    for plugin, values in {
        "@jupyterlab/translation-extension/plugin": {"locale": "zh_CN"},
        "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    }.items():
        pkg, name = plugin.rsplit("/", 1)
        path = settings / pkg / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")
    env = dict(os.environ)
    env.update({
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        "PYTHONUNBUFFERED": "1",
    })
    return env


class Server:
    """A JupyterLab or Voilà server serving ``root`` on 127.0.0.1, stopped on exit."""

    def __init__(self, kind: str, root: Path, notebook: str, home: Path):
        self.kind = kind
        self.port = free_port()
        self.root = root
        self.log_path = home / f"{kind}.log"
        if kind == "lab":
            self.cmd = [_tool("jupyter-lab"), "--no-browser", "--allow-root", f"--port={self.port}",
                        "--ServerApp.ip=127.0.0.1", "--ServerApp.token=", "--ServerApp.password=",
                        "--ServerApp.disable_check_xsrf=True", f"--ServerApp.root_dir={root}",
                        "--LabApp.news_url=", "--ServerApp.open_browser=False"]
            self.url = f"http://127.0.0.1:{self.port}/lab/tree/{notebook}"
            self.ready_url = f"http://127.0.0.1:{self.port}/api/status"
        elif kind == "app":   # the trainee app exactly as `bash tools/start.sh --no-browser` starts it
            self.cmd = [sys.executable, "-m", "cqvol_sim.app.serve", "--no-browser", f"--port={self.port}"]
            self.url = f"http://127.0.0.1:{self.port}/"
            self.ready_url = self.url
        elif kind == "voila":
            self.cmd = [_tool("voila"), "--no-browser", f"--port={self.port}", "--Voila.ip=127.0.0.1",
                        str(root / notebook)]
            self.url = f"http://127.0.0.1:{self.port}/"
            self.ready_url = self.url
        else:
            raise ValueError(kind)
        self.env = jupyter_env(home)
        if kind == "app":   # the trainees' files and progress stay in this test's folder
            self.env.update({"CQVOL_HOME": str(home / "cqvol"), "CQVOL_PROGRESS_DB": str(home / "cqvol" / "p.sqlite3")})
            self.env.pop("CQVOL_TRAINEE", None)
            self.env.pop("CQVOL_INSTRUCTOR_CODE", None)   # a room's code belongs to the room server only
        self.proc: subprocess.Popen | None = None
        self.started_in = 0.0

    def __enter__(self) -> Server:
        t = time.perf_counter()
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(self.cmd, cwd=self.root, env=self.env, stdout=self._log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.kind} exited with {self.proc.returncode}: {self.log()[-3000:]}")
            if self.kind in ("voila", "app"):
                # Voilà executes the notebook on the first request: only check the port
                with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    break
            else:
                with contextlib.suppress(OSError):
                    urllib.request.urlopen(self.ready_url, timeout=2).read()
                    break
            time.sleep(0.2)
        else:
            self.stop()
            raise RuntimeError(f"{self.kind} did not start in 90 s: {self.log()[-3000:]}")
        self.started_in = time.perf_counter() - t
        return self

    def log(self) -> str:
        with contextlib.suppress(OSError):
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        return ""

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)  # the server and its kernels, which we started
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)

    def __exit__(self, *exc) -> None:
        self.stop()
        self._log.close()


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def run_in_lab(page, timeout_s: float = 60) -> None:
    """Run the notebook's code cell in JupyterLab once its kernel is really ready, and wait
    for the app. The execution indicator says "idle" once before the kernel starts, so wait
    for the status bar to say the kernel is idle too, and run again if nothing came."""
    ready = """() => {
        const ind = document.querySelector('.jp-Notebook-ExecutionIndicator');
        const bar = document.querySelector('.jp-StatusBar-Widget');
        return ind && ind.dataset.status === 'idle' && bar && /\\| *(空闲|Idle)/.test(bar.textContent);
    }"""
    deadline = time.monotonic() + timeout_s
    page.wait_for_function(ready, timeout=timeout_s * 1000)
    page.wait_for_timeout(300)
    page.wait_for_function(ready, timeout=timeout_s * 1000)
    while True:
        page.locator(".jp-CodeCell .jp-InputArea-editor").first.click()
        page.keyboard.press("Control+Enter")
        try:
            page.wait_for_selector(".jp-OutputArea .cqvol-app", timeout=15_000)
            return
        except Exception:
            if time.monotonic() > deadline:
                raise


# -- driving the panels ----------------------------------------------------------------------------
class Driver:
    """Clicks and typing on the app, with the time from a click to the updated view."""

    def __init__(self, page, name: str, timeout_ms: int = 20_000):
        self.page = page
        self.name = name
        self.timeout = timeout_ms
        self.timings: dict[str, float] = {}

    def app(self):
        return self.page.locator(".cqvol-app").first

    def tab(self, title: str) -> None:
        self.app().locator(".lm-TabBar-tab", has_text=title).first.click()
        self.page.wait_for_timeout(50)

    def select(self, css: str, label: str | None = None, index: int | None = None) -> None:
        sel = self.app().locator(f".{css} select").first
        sel.wait_for(state="visible", timeout=self.timeout)
        if label is not None:
            sel.select_option(label=label)
        else:
            sel.select_option(index=index)

    def fill(self, css: str, text: str) -> None:
        box = self.app().locator(f".{css} input").first
        box.wait_for(state="visible", timeout=self.timeout)
        box.fill(text)

    def toggle(self, css: str, text: str) -> None:
        self.app().locator(f".{css} button", has_text=text).first.click()

    def wait_text(self, selector: str, text: str) -> float:
        """Wait until the visible element ``selector`` (inside the app) contains ``text``; return
        the seconds it took."""
        t = time.perf_counter()
        self.page.wait_for_function(
            """([sel, text]) => Array.from(document.querySelectorAll('.cqvol-app ' + sel))
                 .some(e => e.offsetParent !== null && e.textContent.includes(text))""",
            arg=[selector, text], timeout=self.timeout, polling="raf")
        return time.perf_counter() - t

    def click_and_wait(self, button, selector: str, text: str, label: str | None = None) -> float:
        """Click ``button`` (a locator) and wait for ``text`` in ``selector``; record the time."""
        button.wait_for(state="visible", timeout=self.timeout)
        t = time.perf_counter()
        button.click()
        self.wait_text(selector, text)
        elapsed = time.perf_counter() - t
        if label:
            self.timings[label] = elapsed
        return elapsed

    def button(self, css: str | None = None, text: str | None = None, within: str | None = None):
        scope = self.app().locator(within).first if within else self.app()
        if css:
            return scope.locator(f"button.{css}").first
        return scope.locator("button.jupyter-button", has_text=text).first

    def shot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"{self.name}_{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


def trainee_story(d: Driver) -> dict[str, float]:
    """The town administrator's story, done in the browser (as in the brief):

    as a new applicant register 星光社区's hub with a wrong name, see the refusal and its
    clause, fix the name, see it pending; switch to 南坪街道志愿服务总队, approve it, set its
    grade, record hours for a volunteer. Returns click -> updated view times (seconds)."""
    # 1. register with a wrong name
    d.tab("团体注册")
    d.select("cqvol-kind", label="枢纽型团体")               # acting lists start at （请选择）
    d.select("cqvol-reg-status", label="未登记的志愿服务组织")
    d.select("cqvol-level", label="村社")
    d.select("cqvol-district", label="南岸区")
    d.select("cqvol-town", label="南坪街道")
    d.select("cqvol-community", label="星光社区")
    d.fill("cqvol-name", "星光社区志愿服务队")
    d.wait_text(".cqvol-name-check", "✗")
    d.select("cqvol-contact", label="南坪街道志愿服务总队（中级团体组（快审））")
    d.fill("cqvol-leader-name", "王芳")
    d.fill("cqvol-leader-mobile", "13812345678")
    d.fill("cqvol-liaison-name", "李强")
    d.fill("cqvol-liaison-mobile", "13812345679")
    d.fill("cqvol-admin-name", "赵敏")                      # 四: a dedicated system administrator
    d.fill("cqvol-admin-mobile", "13812345670")
    d.click_and_wait(d.button("cqvol-submit-register"), ".cqvol-message", "依据：渝民发〔2020〕17号 三（一）1",
                     "注册被拒（显示依据）")
    d.app().locator(".cqvol-refusal").first.scroll_into_view_if_needed()
    d.shot("1_refused")
    # 2. fix the name
    d.fill("cqvol-name", "星光社区志愿服务大队")
    d.wait_text(".cqvol-name-check", "✓ 名称符合规范")
    d.click_and_wait(d.button("cqvol-submit-register"), ".cqvol-message", "已提交“星光社区志愿服务大队”的注册",
                     "注册成功（待审）")
    d.wait_text(".cqvol-message", "当前状态：待审")
    d.shot("2_pending")
    # 3. switch to the town
    d.tab("当前身份")
    d.toggle("cqvol-role", "团体管理员")
    d.fill("cqvol-identity-filter", "南坪街道志愿服务总队")
    d.wait_text(".cqvol-banner", "南坪街道志愿服务总队（镇街级枢纽型团体")
    # 4. approve
    d.tab("审核")
    row = ".cqvol-review-row:has-text('星光社区志愿服务大队')"
    d.click_and_wait(d.button(text="通过", within=row), ".cqvol-message", "已通过“星光社区志愿服务大队”的注册",
                     "审核通过")
    d.shot("3_approved")
    # 5. set its grade
    d.tab("权限设置")
    d.select("cqvol-grade-target", label="星光社区志愿服务大队（基本团体组）")
    d.select("cqvol-grade", label="初级团体组（快审）")
    d.wait_text(".cqvol-rights", "初级团体组（快审）")
    d.click_and_wait(d.button("cqvol-set-grade"), ".cqvol-message",
                     "已把“星光社区志愿服务大队”的权限组别设为“初级团体组（快审）”", "设置权限组别")
    d.shot("4_graded")
    # 6. record hours for a volunteer
    d.tab("项目与时长")
    d.select("cqvol-r-volunteer", index=1)
    d.select("cqvol-r-project", index=1)
    d.fill("cqvol-r-target", "社区老人")
    d.fill("cqvol-r-content", "陪伴聊天、代购生活用品")
    d.fill("cqvol-r-hours", "2.5")
    d.wait_text(".widget-html", "✓ 2.5 小时")
    d.select("cqvol-r-evaluation", label="优秀")
    d.click_and_wait(d.button("cqvol-save-record"), ".cqvol-message", "已为志愿者", "记录服务时长")
    d.shot("5_recorded")
    # 7. the hierarchy and the log show it
    d.tab("层级图")
    d.page.wait_for_function("() => Array.from(document.querySelectorAll('.cqvol-hierarchy-image'))"
                             ".some(i => i.offsetParent !== null && i.naturalWidth > 100)", timeout=d.timeout)
    d.shot("6_hierarchy")
    d.tab("操作记录")
    d.wait_text(".cqvol-log", "为志愿者")
    d.shot("7_log")
    return d.timings


def wait_app_page(page, selector: str, timeout=90_000):
    """Wait until the page is rendered and ``selector`` is there. On a busy machine a Voilà page
    now and then never finishes rendering (its kernel's messages are dropped under load); a
    trainee then reloads, which autosave makes safe: so does this, once, and the run says so."""
    try:
        page.wait_for_selector(selector, timeout=timeout)
    except Exception:
        print(f"page did not render in {timeout / 1000:.0f} s, reloading once: {page.url}")
        page.reload()
        page.wait_for_selector(selector, timeout=timeout)
    page.wait_for_function("() => !document.getElementById('loading')", timeout=timeout)
