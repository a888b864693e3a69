"""Load test of a training room (issue 13, "Measured, not assumed"): ``--trainees N`` simulated
trainees log in to a real room hub on loopback and each does one exercise to the end.

Run as root (the room creates one system account per trainee)::

    .venv/bin/python benchmarks/bench_room.py --trainees 40 [--browsers 2] [--stagger 1.5]

It starts ``tools/room.sh`` on 127.0.0.1 with a fresh folder, a random class code and an instructor
account, then logs in N trainees (Chinese names), one every ``--stagger`` seconds (default 3: a class
of 40 typing the class code from the board over two minutes; 1 is everyone at once):

* ``--browsers`` of them with Playwright and Chromium, clicking the real exercise page;
* the rest with a light kernel-level client: the trainee's own single-user server starts a kernel
  (``POST /user/<u>/api/kernels``), the client builds the exercise page exactly as
  notebooks/exercise.ipynb does, and drives its widgets with the messages a browser sends
  (``comm_msg`` ``update`` to type a reason, ``custom``/``click`` to press a button), ending with 检查.

Measured: click -> updated view (kernel client: from sending the click until the kernel is idle
again for that message, with the expected text seen in the updates; browser: click until the DOM
shows the change), login time (form POST until the app's home page has rendered), memory (VmRSS of
the trainees' servers and page kernels and of the room's own processes: hub, proxy, culler, class
view; per trainee = mean server + mean page kernel + room / N, measured once the home pages'
kernels are culled) and ``lost`` (checks a trainee pressed that are missing from their progress
database afterwards).

The last line printed is ``trainees=N p50_ms=… p95_ms=… login_s_p95=… rss_mib_per_trainee=… lost=…``.
Requests go only to 127.0.0.1; every wait is bounded; the hub, the trainees' processes, the accounts
this run created and the temporary folder are removed on exit, on errors and on SIGINT/SIGTERM.
"""

from __future__ import annotations

import argparse
import grp
import json
import os
import pwd
import random
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cqvol_sim.room.cleanup import accounts_with_homes_in, descendants, pids_of_uid, remove_users, stop_hub  # noqa: E402
from cqvol_sim.room.hubconfig import SERVER_MODULE, TEACHERS_UNIX_GROUP  # noqa: E402
from cqvol_sim.room.names import trainee_username  # noqa: E402

HOST = "127.0.0.1"
START_TIMEOUT_S = 600          # the first run may install the room's environment
SPAWN_TIMEOUT_S = 300          # one trainee's server, on a loaded machine
HTTP_TIMEOUT_S = 120
CLICK_TIMEOUT_S = 60
TRAINEE_TIMEOUT_S = 600        # one trainee's login + exercise, after their arrival
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "明华国建平志兰英秀芳军伟丽敏静强磊洋艳勇杰娟涛超霞刚桂萍玉红燕"
REVIEW_ACTIONS = ("approve", "reject")


class Stop(Exception):
    """Raised in the main thread by SIGINT/SIGTERM so that the cleanup runs."""


# -- the room -------------------------------------------------------------------------------------
def free_ports() -> int:
    """A port P with P … P+3 free on loopback (the room uses all four)."""
    for _ in range(50):
        port = random.randrange(20000, 60000)
        try:
            for p in range(port, port + 4):
                with socket.socket() as s:
                    s.bind((HOST, p))
        except OSError:
            continue
        return port
    raise RuntimeError("no free ports on loopback")


def fresh_names(n: int) -> list[str]:
    """``n`` distinct Chinese names whose system accounts do not exist yet."""
    names: list[str] = []
    for _ in range(n * 200):
        if len(names) == n:
            return names
        name = random.choice(SURNAMES) + "".join(random.choice(GIVEN) for _ in range(2))
        if name in names:
            continue
        try:
            pwd.getpwnam(trainee_username(name))
        except KeyError:
            names.append(name)
    raise RuntimeError("could not find enough fresh trainee names")


@dataclass
class Room:
    tmp: Path
    port: int
    code: str
    instructor: str
    proc: subprocess.Popen | None = None
    users_before: set[str] = field(default_factory=set)
    groups_before: set[str] = field(default_factory=lambda: {g.gr_name for g in grp.getgrall()})

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def state(self) -> Path:
        return self.tmp / "room" / "state"

    @property
    def homes(self) -> Path:
        return self.tmp / "homes"

    @property
    def log(self) -> Path:
        return self.tmp / "room.log"

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log.read_text(encoding="utf-8", errors="replace")[-chars:]
        except OSError:
            return ""

    def created_users(self, names: list[str]) -> list[str]:
        """The accounts this run's room created (its trainees and instructors), none that existed before."""
        wanted = {*accounts_with_homes_in(self.homes), *(trainee_username(n) for n in names), self.instructor}
        return sorted(u for u in wanted if u not in self.users_before)


def new_room(folder_prefix: str, instructor_prefix: str, port: int = 0) -> Room:
    """A room to start: a fresh temporary folder, ports (``port`` or free ones), a random class code
    and instructor account, and the accounts that exist before it (never deleted by ``cleanup``)."""
    tmp = Path(tempfile.mkdtemp(prefix=folder_prefix))
    os.chmod(tmp, 0o755)                             # trainees' accounts must reach their homes inside
    return Room(tmp, port or free_ports(), f"{random.randrange(10**5, 10**6)}",
                instructor_prefix + "".join(random.choice("abcdefgh") for _ in range(6)),
                users_before={p.pw_name for p in pwd.getpwall()})


def start_room(room: Room, *, idle_minutes: int = 30, timeout: float = START_TIMEOUT_S) -> float:
    """Start tools/room.sh on loopback; seconds until the hub answers (RuntimeError after ``timeout``)."""
    import requests

    room.homes.mkdir(mode=0o755)
    env = {**os.environ, "CQVOL_ROOM_PASSWORD": secrets.token_hex(8)}
    cmd = ["bash", str(ROOT / "tools" / "room.sh"), "--ip", HOST, "--port", str(room.port), "--code", room.code,
           "--dir", str(room.tmp / "room"), "--homes", str(room.homes), "--instructor", room.instructor,
           "--idle-minutes", str(idle_minutes)]
    t0 = time.monotonic()
    with open(room.log, "wb") as log:
        room.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
    while time.monotonic() - t0 < timeout:
        if room.proc.poll() is not None:
            raise RuntimeError(f"the room hub exited ({room.proc.returncode}):\n{room.log_tail()}")
        try:
            if requests.get(f"{room.base}/hub/api", timeout=5).status_code == 200:
                return time.monotonic() - t0
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"the room hub did not answer within {timeout:.0f} s:\n{room.log_tail()}")


def cleanup(room: Room, names: list[str]) -> list[str]:
    """Stop the hub, kill what this process started, delete the accounts this run created, remove
    the temporary folder. Safe to call twice."""
    stop_hub(room.proc, room.state)
    for pid in descendants(os.getpid()):           # browsers, Playwright drivers, anything left over
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    deleted = remove_users(room.created_users(names), remove_home=True)
    if TEACHERS_UNIX_GROUP not in room.groups_before:    # the instructors' group the room made
        subprocess.run(["groupdel", TEACHERS_UNIX_GROUP], capture_output=True, timeout=30, check=False)
    shutil.rmtree(room.tmp, ignore_errors=True)
    return deleted


# -- one trainee ----------------------------------------------------------------------------------
@dataclass
class Trainee:
    name: str
    browser: bool
    user: str = ""
    login_s: float | None = None
    clicks: list[tuple[str, float]] = field(default_factory=list)   # (what, seconds)
    checks_pressed: int = 0
    missed_updates: int = 0
    error: str = ""
    kernel_id: str = ""   # the kernel-level client's kernel (its id is in the server's log lines)


def login_requests(room: Room, t: Trainee):
    """Log in with the form (requests); follow to the app's home page. Sets ``t.login_s``."""
    import requests

    s = requests.Session()
    page = s.get(f"{room.base}/hub/login", timeout=HTTP_TIMEOUT_S)
    page.raise_for_status()
    t0 = time.perf_counter()
    resp = s.post(f"{room.base}/hub/login", timeout=HTTP_TIMEOUT_S, allow_redirects=False,
                  data={"username": t.name, "password": room.code, "_xsrf": s.cookies.get("_xsrf")})
    if resp.status_code != 302:
        raise RuntimeError(f"login refused ({resp.status_code})")
    s.get(room.base + resp.headers["Location"], timeout=HTTP_TIMEOUT_S)      # starts the server
    deadline = time.monotonic() + SPAWN_TIMEOUT_S
    home = None
    while time.monotonic() < deadline:        # the hub's "please wait" page until the server answers
        home = s.get(f"{room.base}/user/{t.user}/", timeout=HTTP_TIMEOUT_S)   # Voilà runs the page, then sends it
        if "/voila/render/home.ipynb" in home.url and home.status_code == 200:
            break
        time.sleep(1)
    else:
        last = f"; last answer {home.status_code} at {home.url.replace(room.base, '')}" if home is not None else ""
        raise RuntimeError(f"the home page did not open within {SPAWN_TIMEOUT_S} s{last}")
    t.login_s = time.perf_counter() - t0
    return s


def exercise_query(name: str, exercise: str) -> str:
    return urlencode({"trainee": name, "id": exercise})


KERNEL_CODE = r"""
import json as _json
from cqvol_sim.app import exercise_page as _exercise_page
from cqvol_sim.exercises.loader import find_exercise as _find
_page = _exercise_page(query=%(query)r)
display(_page)
def _walk(w, depth=0):
    yield w
    for c in (getattr(w, "children", None) or ()) if depth < 60 else ():
        yield from _walk(c, depth + 1)
_all = list(_walk(_page))
_rows = [w for w in _all if "cqvol-review-row" in w._dom_classes]
_steps = []
for _st in _find(%(exercise)r).variant(%(name)r).solution:
    _item = _st.args["item"]
    _row = next(r for r in _rows if f"“{_item}”" in r.children[0].value)
    _steps.append({"action": _st.action, "ok": _row.children[1].model_id, "reason": _row.children[2].model_id,
                   "no": _row.children[3].model_id, "text": _st.args.get("reason", "")})
_check = next(w for w in _all if getattr(w, "description", None) == "检查")
print("CQVOL-IDS " + _json.dumps({"steps": _steps, "check": _check.model_id}, ensure_ascii=False))
"""


class KernelClient:
    """One kernel of the trainee's own server, driven over its websocket like a browser would."""

    def __init__(self, room: Room, s, user: str):
        import websocket

        self.room, self.s, self.user = room, s, user
        self.xsrf = s.cookies.get("_xsrf", path=f"/user/{user}/") or s.cookies.get("_xsrf", path="/hub/") or ""
        api = f"{room.base}/user/{user}/api/kernels"
        r = s.post(api, json={"name": "python3"}, headers={"X-XSRFToken": self.xsrf}, timeout=HTTP_TIMEOUT_S)
        r.raise_for_status()
        self.kernel_id = r.json()["id"]
        cookie = "; ".join(f"{c.name}={c.value}" for c in s.cookies)
        url = (f"ws://{HOST}:{room.port}/user/{user}/api/kernels/{self.kernel_id}/channels"
               f"?session_id={uuid.uuid4().hex}&_xsrf={quote(self.xsrf)}")
        self.session = uuid.uuid4().hex
        self.ws = websocket.create_connection(url, cookie=cookie, origin=room.base, timeout=CLICK_TIMEOUT_S,
                                              header=[f"X-XSRFToken: {self.xsrf}"])

    def send(self, channel: str, msg_type: str, content: dict) -> str:
        msg_id = uuid.uuid4().hex
        self.ws.send(json.dumps({
            "header": {"msg_id": msg_id, "username": self.user, "session": self.session, "msg_type": msg_type,
                       "version": "5.3", "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
            "parent_header": {}, "metadata": {}, "content": content, "channel": channel, "buffers": []}))
        return msg_id

    def until_idle(self, msg_id: str, timeout_s: float = CLICK_TIMEOUT_S) -> list[dict]:
        """Every message the kernel sent for ``msg_id`` until its status went back to idle."""
        got: list[dict] = []
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            self.ws.settimeout(max(0.1, deadline - time.monotonic()))
            raw = self.ws.recv()
            if isinstance(raw, bytes):              # a binary frame (buffers): not one of ours
                continue
            msg = json.loads(raw)
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            got.append(msg)
            if msg["msg_type"] == "status" and msg["content"].get("execution_state") == "idle":
                return got
        raise TimeoutError(f"the kernel did not finish within {timeout_s} s")

    def execute(self, code: str, timeout_s: float = HTTP_TIMEOUT_S) -> str:
        msgs = self.until_idle(self.send("shell", "execute_request", {
            "code": code, "silent": False, "store_history": False, "user_expressions": {},
            "allow_stdin": False, "stop_on_error": True}), timeout_s)
        out = "".join(m["content"].get("text", "") for m in msgs if m["msg_type"] == "stream")
        errors = [m["content"] for m in msgs if m["msg_type"] == "error"]
        if errors:
            raise RuntimeError(f"the kernel failed: {errors[0].get('ename')}: {errors[0].get('evalue')}")
        return out

    def update(self, model_id: str, state: dict) -> None:
        self.until_idle(self.send("shell", "comm_msg", {"comm_id": model_id, "data": {
            "method": "update", "state": state, "buffer_paths": []}}))

    def click(self, model_id: str, expect: str) -> tuple[float, bool]:
        """Click a Button; seconds until the kernel is idle again, and whether ``expect`` was in an update."""
        t0 = time.perf_counter()
        msgs = self.until_idle(self.send("shell", "comm_msg", {"comm_id": model_id, "data": {
            "method": "custom", "content": {"event": "click"}}}))
        elapsed = time.perf_counter() - t0
        seen = any(expect in json.dumps(m["content"].get("data", {}).get("state", {}), ensure_ascii=False)
                   for m in msgs if m["msg_type"] == "comm_msg")
        return elapsed, seen

    def close(self) -> None:
        try:
            self.ws.close()
        except Exception:
            pass


def run_kernel_trainee(room: Room, t: Trainee, exercise: str, kernels: list) -> None:
    """Log in, start a kernel, build the exercise page in it and do the solution by widget messages."""
    s = login_requests(room, t)
    k = KernelClient(room, s, t.user)
    t.kernel_id = k.kernel_id
    kernels.append(k)
    out = k.execute(KERNEL_CODE % {"query": exercise_query(t.name, exercise), "exercise": exercise,
                                   "name": t.name})
    line = next((ln for ln in out.splitlines() if ln.startswith("CQVOL-IDS ")), None)
    if line is None:
        raise RuntimeError(f"the exercise page did not build: {out[-500:]}")
    ids = json.loads(line[len("CQVOL-IDS "):])
    for step in ids["steps"]:
        if step["action"] == "approve":
            took, seen = k.click(step["ok"], "已通过")
        else:
            k.update(step["reason"], {"value": step["text"]})
            took, seen = k.click(step["no"], "已驳回")
        t.clicks.append((step["action"], took))
        t.missed_updates += not seen
    t.checks_pressed += 1
    took, seen = k.click(ids["check"], "得分：")
    t.clicks.append(("检查", took))
    t.missed_updates += not seen


def run_browser_trainee(room: Room, t: Trainee, exercise: str, solution: list[dict]) -> None:
    """Log in with Chromium, open the exercise page, do the solution by clicking, press 检查."""
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT / "tests"))
    from browser_util import launch

    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page()
            page.set_default_timeout(CLICK_TIMEOUT_S * 1000)
            page.goto(f"{room.base}/hub/login", timeout=HTTP_TIMEOUT_S * 1000)
            page.fill("#username_input", t.name)
            page.fill("#password_input", room.code)
            t0 = time.perf_counter()
            page.click("#login_submit")
            page.wait_for_selector(".cqvol-home", timeout=SPAWN_TIMEOUT_S * 1000)
            page.wait_for_function("() => !document.getElementById('loading')", timeout=SPAWN_TIMEOUT_S * 1000)
            t.login_s = time.perf_counter() - t0
            page.goto(f"{room.base}/user/{t.user}/voila/render/exercise.ipynb?{exercise_query(t.name, exercise)}",
                      timeout=HTTP_TIMEOUT_S * 1000)
            page.wait_for_selector(".cqvol-review-row", timeout=SPAWN_TIMEOUT_S * 1000)
            for step in solution:
                item = step["args"]["item"]
                row = page.locator(f".cqvol-review-row:has-text('“{item}”')").first
                if step["action"] == "approve":
                    button, expect = row.locator("button", has_text="通过").first, f"已通过“{item}”"
                else:
                    row.locator("input").first.fill(step["args"].get("reason", ""))
                    button, expect = row.locator("button", has_text="驳回").first, f"已驳回“{item}”"
                t.clicks.append((step["action"], _click_until(page, button, ".cqvol-message", expect)))
            check = page.locator("button.jupyter-button:text-is('检查'):visible").first
            check.scroll_into_view_if_needed()
            t.checks_pressed += 1
            t.clicks.append(("检查", _click_until(page, check, ".cqvol-exercise", "得分：")))
        finally:
            browser.close()


def _click_until(page, button, selector: str, text: str) -> float:
    """Click ``button``; seconds until a visible ``selector`` shows ``text``."""
    button.wait_for(state="visible")
    t0 = time.perf_counter()
    button.click()
    page.wait_for_function(
        """([sel, text]) => Array.from(document.querySelectorAll(sel))
             .some(e => e.offsetParent !== null && e.textContent.includes(text))""",
        arg=[selector, text], timeout=CLICK_TIMEOUT_S * 1000, polling="raf")
    return time.perf_counter() - t0


def run_trainee(room, t, exercise, solution, kernels) -> None:
    try:
        if t.browser:
            run_browser_trainee(room, t, exercise, solution)
        else:
            run_kernel_trainee(room, t, exercise, kernels)
    except Exception as exc:   # one trainee's failure is counted, not fatal
        t.error = f"{type(exc).__name__}: {str(exc)[:300]}"


# -- measuring ------------------------------------------------------------------------------------
#: how a person's server shows in /proc/PID/cmdline
SERVER_MARK = SERVER_MODULE.encode()


def rss_kib(pid: int) -> int:
    """Resident memory of ``pid`` (shared library pages counted in full in every process)."""
    return _proc_kib(f"/proc/{pid}/status", "VmRSS:")


def pss_kib(pid: int) -> int:
    """Proportional memory of ``pid``: a page shared by k processes counts 1/k in each, so the sum
    over all processes is the physical memory they use together."""
    return _proc_kib(f"/proc/{pid}/smaps_rollup", "Pss:")


#: pid -> ("trainees" | "room", the most CPU seconds seen): a culled kernel's CPU is not lost
CPU_SEEN: dict[int, tuple[str, float]] = {}
_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds ``pid`` has used so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICKS
    except (OSError, IndexError, ValueError):
        return 0.0


def _proc_kib(path: str, key: str) -> int:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def memory(room: Room, trainees: list[Trainee]) -> dict[str, float]:
    """MiB: the trainees' processes (servers + kernels) and the room's own (hub, proxy, culler,
    class view), each pid counted once; with the servers' and kernels' share and count."""
    trainee_pids: set[int] = set()
    for t in trainees:
        try:
            trainee_pids.update(pids_of_uid(pwd.getpwnam(t.user).pw_uid))
        except KeyError:
            pass
    room_pids: set[int] = set()
    if room.proc is not None:
        room_pids = {room.proc.pid, *descendants(room.proc.pid)}
    try:
        proxy = int((room.state / "proxy.pid").read_text().strip())
        room_pids.update({proxy, *descendants(proxy)})
    except (OSError, ValueError):
        pass
    room_pids -= trainee_pids
    servers = [p for p in trainee_pids if SERVER_MARK in _cmdline(p)]
    # page kernels: the room's light kernel (cqvol_sim.room.kernel) or a plain ipykernel
    kernels = [p for p in trainee_pids if any(k in _cmdline(p) for k in (b"ipykernel", b"cqvol_sim.room.kernel"))]
    for group, pids in (("trainees", trainee_pids), ("room", room_pids)):
        for pid in pids:
            CPU_SEEN[pid] = (group, max(CPU_SEEN.get(pid, (group, 0.0))[1], cpu_seconds(pid)))
    out = {"n_servers": len(servers), "n_kernels": len(kernels)}
    for prefix, measure in (("", rss_kib), ("pss_", pss_kib)):
        out.update({prefix + "trainees": sum(measure(p) for p in trainee_pids) / 1024,
                    prefix + "room": sum(measure(p) for p in room_pids) / 1024,
                    prefix + "servers": sum(measure(p) for p in servers) / 1024,
                    prefix + "kernels": sum(measure(p) for p in kernels) / 1024})
    return out


def settle(room: Room, trainees: list[Trainee], seconds: float) -> dict[str, float]:
    """Memory once each trainee has only the page they are on: the home pages' kernels are stopped
    by the server's kernel culler a minute after their page was left (bounded wait)."""
    done = sum(1 for t in trainees if not t.error)
    deadline = time.monotonic() + seconds
    m = memory(room, trainees)
    while m["n_kernels"] > done and time.monotonic() < deadline:
        time.sleep(3)
        m = memory(room, trainees)
    return m


def lost_checks(room: Room, t: Trainee, exercise: str) -> int:
    """Checks ``t`` pressed that are not in their progress database (read-only, as root)."""
    from cqvol_sim.exercises.progress import ProgressDB

    path = room.homes / t.user / ".cqvol-sim" / "progress.sqlite3"
    try:
        db = ProgressDB(path, readonly=True)
        saved = sum(a["checks"] for a in db.attempts(t.name, exercise))
    except Exception:
        saved = 0
    return max(0, t.checks_pressed - saved)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


# -- the run --------------------------------------------------------------------------------------
def review_solution(exercise: str) -> list[dict]:
    """The exercise's reference solution; only 审核 (approve/reject) exercises can be driven here."""
    from cqvol_sim.exercises.loader import find_exercise

    steps = [{"action": st.action, "args": dict(st.args)} for st in find_exercise(exercise).variant("bench").solution]
    if not steps or any(st.get("action") not in REVIEW_ACTIONS for st in steps):
        raise SystemExit(f"练习 {exercise} 的参考答案不全是“审核”页的通过/驳回，本压测只能驱动审核类练习 "
                         f"(the benchmark drives only approve/reject exercises).")
    return steps


def run(args) -> int:
    if os.geteuid() != 0:
        print("需要以 root 运行（教室为每个学员建一个系统账号） / must run as root", file=sys.stderr)
        return 2
    solution = review_solution(args.exercise)
    room = new_room("cqvol-bench-room-", "t_bench_", args.port)
    names = fresh_names(args.trainees)
    trainees = [Trainee(n, browser=i < args.browsers, user=trainee_username(n)) for i, n in enumerate(names)]
    kernels: list[KernelClient] = []

    def on_signal(signum, _frame):
        raise Stop(signal.Signals(signum).name)

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    load_before = os.getloadavg()
    try:
        started = start_room(room)
        print(f"教室已启动 / room up in {started:.1f} s on {room.base} (load {load_before[0]:.2f})", flush=True)
        threads = []
        peak: dict[str, float] = {}
        t_run = time.monotonic()
        loads = []
        for i, t in enumerate(trainees):                # staggered arrivals, bounded by the run timeout
            th = threading.Thread(target=run_trainee, args=(room, t, args.exercise, solution, kernels),
                                  daemon=True)
            th.start()
            threads.append(th)
            if i + 1 < len(trainees):
                time.sleep(args.stagger)
        run_deadline = t_run + len(trainees) * args.stagger + TRAINEE_TIMEOUT_S
        while any(th.is_alive() for th in threads) and time.monotonic() < run_deadline:
            m = memory(room, trainees)
            if m["trainees"] + m["room"] > peak.get("trainees", 0) + peak.get("room", 0):
                peak = m
            loads.append(os.getloadavg()[0])
            time.sleep(2)
        for t, th in zip(trainees, threads):
            if th.is_alive() and not t.error:
                t.error = f"没有在 {TRAINEE_TIMEOUT_S} s 内做完 / did not finish within {TRAINEE_TIMEOUT_S} s"
        loads.append(os.getloadavg()[0])
        lost = sum(lost_checks(room, t, args.exercise) for t in trainees)
        end = settle(room, trainees, args.settle)
        for k in kernels:
            k.close()
        failed = [key for t in trainees if t.error for key in (t.user, t.kernel_id) if key]
        if failed:     # what the hub and their servers said about them, before the run's folder is removed
            lines = [ln for ln in room.log_tail(50_000_000).splitlines() if any(key in ln for key in failed)]
            print("hub log of the trainees with errors:\n    " + "\n    ".join(lines[-30:]), flush=True)
        report(args, trainees, end, peak, lost, loads, time.monotonic() - t_run)   # its last line: the figures
        return 0
    except Stop as why:
        print(f"\n收到 {why}，正在清理 / interrupted by {why}, cleaning up", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)    # let the cleanup finish
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        deleted = cleanup(room, names)
        left = [u for u in room.created_users(names) if _exists(u)]
        print(f"已清理 / cleaned up: {len(deleted)} accounts deleted, {len(left)} left {left if left else ''}",
              file=sys.stderr)


def _exists(user: str) -> bool:
    try:
        pwd.getpwnam(user)
        return True
    except KeyError:
        return False


def report(args, trainees, end, peak, lost, loads, seconds) -> None:
    n = len(trainees)
    clicks = [took for t in trainees for _, took in t.clicks]
    checks = [took for t in trainees for what, took in t.clicks if what == "检查"]
    browser_clicks = [took for t in trainees if t.browser for _, took in t.clicks]
    logins = [t.login_s for t in trainees if t.login_s is not None]
    failed = [t for t in trainees if t.error]
    missed = sum(t.missed_updates for t in trainees)
    # one trainee = their server + the kernel of the page they are on (means, so that a kernel culled
    # or a home page's kernel not yet culled at the moment of measuring does not skew it) + room / N
    per_trainee = (end["servers"] / max(1, end["n_servers"]) + end["kernels"] / max(1, end["n_kernels"])
                   + end["room"] / n)
    peak_per = (peak.get("trainees", 0) + peak.get("room", 0)) / n
    print(f"\n== 教室压测 / room load test: {n} 名学员 trainees（浏览器 browsers {min(args.browsers, n)}），"
          f"练习 exercise {args.exercise}，间隔 stagger {args.stagger} s，用时 {seconds:.0f} s")
    print(f"点击→画面更新 click→view: {len(clicks)} 次 clicks, p50 {percentile(clicks, 50) * 1000:.0f} ms, "
          f"p95 {percentile(clicks, 95) * 1000:.0f} ms, max {max(clicks, default=0) * 1000:.0f} ms"
          f"（其中“检查” of which 检查: p50 {percentile(checks, 50) * 1000:.0f} ms, "
          f"p95 {percentile(checks, 95) * 1000:.0f} ms；浏览器 browser: "
          f"{', '.join(f'{x * 1000:.0f}' for x in browser_clicks) or '—'} ms）")
    print(f"登录→首页 login→home page: p50 {percentile(logins, 50):.1f} s, p95 {percentile(logins, 95):.1f} s, "
          f"max {max(logins, default=0):.1f} s")
    print(f"内存 memory (RSS): 学员进程 trainees' processes {end['trainees']:.0f} MiB + 教室 room "
          f"(hub, proxy, culler, class view) {end['room']:.0f} MiB；每人 per trainee (server + page kernel + room/N) "
          f"{per_trainee:.0f} MiB"
          f"（峰值 peak {peak_per:.0f} MiB/人）")
    print(f"  其中 of which: {end['n_servers']} 个学员服务器 servers, 平均 mean "
          f"{end['servers'] / max(1, end['n_servers']):.0f} MiB; {end['n_kernels']} 个页面内核 page kernels, 平均 mean "
          f"{end['kernels'] / max(1, end['n_kernels']):.0f} MiB; 教室自身 room itself {end['room']:.0f} MiB")
    pss_per = (end["pss_servers"] / max(1, end["n_servers"]) + end["pss_kernels"] / max(1, end["n_kernels"])
               + end["pss_room"] / n)
    print(f"内存 memory (PSS, shared pages divided among the processes sharing them): 每人 per trainee "
          f"{pss_per:.0f} MiB（服务器 server {end['pss_servers'] / max(1, end['n_servers']):.0f} + 页面内核 kernel "
          f"{end['pss_kernels'] / max(1, end['n_kernels']):.0f} + 教室 room/N {end['pss_room'] / n:.0f}）")
    cpu = {g: sum(sec for grp, sec in CPU_SEEN.values() if grp == g) for g in ("trainees", "room")}
    print(f"CPU: 学员进程 trainees' processes {cpu['trainees']:.0f} s（每人 per trainee {cpu['trainees'] / n:.1f} s），"
          f"教室 room (hub, proxy, class view …) {cpu['room']:.0f} s（每人 per trainee {cpu['room'] / n:.1f} s）")
    print(f"负载 load average (1 min) during the run: min {min(loads):.2f}, max {max(loads):.2f}, "
          f"mean {statistics.fmean(loads):.2f}")
    print(f"丢失的“检查” lost checks: {lost}；没看到预期更新的点击 clicks without the expected update: {missed}；"
          f"出错的学员 trainees with errors: {len(failed)}")
    for t in failed[:10]:
        print(f"  - {t.name}（{'浏览器' if t.browser else '内核'}）: {t.error}")
    p50 = percentile(clicks, 50) * 1000
    p95 = percentile(clicks, 95) * 1000
    print(f"trainees={n} p50_ms={p50:.0f} p95_ms={p95:.0f} login_s_p95={percentile(logins, 95):.1f} "
          f"rss_mib_per_trainee={per_trainee:.0f} lost={lost}", flush=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--trainees", type=int, default=10, help="simulated trainees (1–200)")
    ap.add_argument("--browsers", type=int, default=2, help="how many of them use Chromium (default 2)")
    ap.add_argument("--port", type=int, default=0, help="the room's port P (P … P+3 are used; default: random)")
    ap.add_argument("--stagger", type=float, default=3.0,
                    help="seconds between two trainees' logins (default 3: a class of 40 arriving over two minutes)")
    ap.add_argument("--settle", type=float, default=120,
                    help="seconds to wait, at most, for the home pages' kernels to be culled before measuring memory")
    ap.add_argument("--exercise", default="v04-review-registrations", help="an 审核 (approve/reject) exercise id")
    args = ap.parse_args(argv)
    if not 1 <= args.trainees <= 200 or args.browsers < 0 or not 0 <= args.stagger <= 60 \
            or not 0 <= args.settle <= 600:
        ap.error("--trainees 1–200, --browsers ≥ 0, --stagger 0–60, --settle 0–600")
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
