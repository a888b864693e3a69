"""A real training-room hub on loopback (``bash tools/room.sh``): logins, the first page, isolation.

Needs root (the hub creates one system user per trainee), ``runuser``/``useradd`` and Node.js;
otherwise the tests are skipped with the reason. One hub serves the whole module. Every wait is
bounded; the fixture stops the hub, kills what is left of the processes it started (by pid),
deletes the system users it created and removes its temporary folder, also when a test fails.
"""

from __future__ import annotations

import grp
import json
import os
import pwd
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import pytest

requests = pytest.importorskip("requests")
pytest.importorskip("jupyterhub")

from cqvol_sim.room.cleanup import pids_of_uid as _pids_of_uid  # noqa: E402
from cqvol_sim.room.cleanup import accounts_with_homes_in, remove_users, stop_hub  # noqa: E402
from cqvol_sim.room.hubconfig import INSTRUCTOR_WORK, ROOM_TZ, SERVER_MODULE, TEACHERS_UNIX_GROUP  # noqa: E402
from cqvol_sim.room.names import trainee_username  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CODE = "246810"
PASSWORD = "room-test-pw"
START_TIMEOUT_S = 600      # the first run may install the room's environment and proxy
SPAWN_TIMEOUT_S = 120
HTTP_TIMEOUT_S = 60
SERVER_MARK = SERVER_MODULE.encode()   # how a person's server shows in /proc/PID/cmdline

pytestmark = pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0 or not all(shutil.which(t) for t in ("runuser", "useradd", "npm")),
    reason="a real room hub needs root, runuser, useradd and npm")


def _free_ports() -> int:
    """A port P with P … P+3 free on loopback (the room uses all four)."""
    for _ in range(50):
        port = random.randrange(20000, 60000)
        try:
            for p in range(port, port + 4):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", p))
        except OSError:
            continue
        return port
    raise RuntimeError("no free ports")


def _fresh_name(prefix: str) -> str:
    """A Chinese trainee name whose system user does not exist yet."""
    for _ in range(100):
        name = prefix + "".join(random.choice("明华国建平志兰英秀芳军伟") for _ in range(2))
        try:
            pwd.getpwnam(trainee_username(name))
        except KeyError:
            return name
    raise RuntimeError("no fresh name")


def _roster(path: Path, name: str) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "单位", "班级"])
    ws.append([name, "南岸区民政局", "一班"])
    wb.save(path)


class Room:
    """The running hub: its address, folders and the people it created."""

    def __init__(self, tmp: Path, port: int, trainee_a: str, trainee_b: str, instructor: str):
        self.tmp, self.port = tmp, port
        self.base = f"http://127.0.0.1:{port}"
        self.homes = tmp / "homes"
        self.state = tmp / "room" / "state"
        self.a, self.b, self.instructor = trainee_a, trainee_b, instructor
        self.proc: subprocess.Popen | None = None
        self.log = tmp / "room.log"

    def log_tail(self) -> str:
        try:
            return self.log.read_text(encoding="utf-8", errors="replace")[-3000:]
        except OSError:
            return ""


def _wait_until_up(room: Room) -> float:
    """Seconds until the hub answers; fails with the log's tail if it dies or takes too long."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < START_TIMEOUT_S:
        if room.proc.poll() is not None:
            pytest.fail(f"the room hub exited ({room.proc.returncode}):\n{room.log_tail()}")
        try:
            if requests.get(f"{room.base}/hub/api", timeout=5).status_code == 200:
                return time.monotonic() - t0
        except requests.RequestException:
            pass
        time.sleep(0.5)
    pytest.fail(f"the room hub did not answer within {START_TIMEOUT_S} s:\n{room.log_tail()}")


def _stop(room: Room, created_users: list[str]) -> None:
    """Stop the hub and everything it started; delete the users it created."""
    stop_hub(room.proc, room.state)
    remove_users(created_users)


def _others_can_read_the_checkout() -> bool:
    """Whether an unprivileged account can read the app's pages here (not so in a clone under /root)."""
    probe = subprocess.run(["runuser", "-u", "nobody", "--", "test", "-r", str(ROOT / "notebooks" / "home.ipynb")],
                           capture_output=True, timeout=30)
    return probe.returncode == 0


@pytest.fixture(scope="module")
def room():
    if not _others_can_read_the_checkout():
        pytest.skip("this checkout is in a folder other accounts cannot enter: trainees' servers could not run here")
    tmp = Path(tempfile.mkdtemp(prefix="cqvol-room-"))
    os.chmod(tmp, 0o755)                        # trainees' accounts must reach their homes inside
    trainee_a, trainee_b = _fresh_name("测试甲"), _fresh_name("测试乙")
    instructor = "t_teacher_" + "".join(random.choice("abcdefgh") for _ in range(6))
    r = Room(tmp, _free_ports(), trainee_a, trainee_b, instructor)
    r.homes.mkdir(mode=0o755)
    _roster(tmp / "花名册.xlsx", trainee_b)
    before = {p.pw_name for p in pwd.getpwall()}
    groups_before = {g.gr_name for g in grp.getgrall()}
    env = {**os.environ, "CQVOL_ROOM_PASSWORD": PASSWORD}
    cmd = ["bash", str(ROOT / "tools" / "room.sh"), "--ip", "127.0.0.1", "--port", str(r.port), "--code", CODE,
           "--dir", str(tmp / "room"), "--homes", str(r.homes), "--roster", str(tmp / "花名册.xlsx"),
           "--instructor", instructor, "--idle-minutes", "5"]
    try:
        with open(r.log, "wb") as log:
            r.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                      start_new_session=True)
        r.start_s = _wait_until_up(r)
        yield r
    finally:
        created = [u for u in _room_users(r) if u not in before]
        _stop(r, created)
        if TEACHERS_UNIX_GROUP not in groups_before:    # the instructors' group this run's hub made
            subprocess.run(["groupdel", TEACHERS_UNIX_GROUP], timeout=30, check=False)
        shutil.rmtree(tmp, ignore_errors=True)


def _room_users(room: Room) -> set[str]:
    """Every account this room's hub logged in (and so may have created): trainees and instructors."""
    return {*accounts_with_homes_in(room.homes), trainee_username(room.a), trainee_username(room.b), room.instructor}


def login(room: Room, username: str, password: str) -> tuple[requests.Session, requests.Response]:
    """Fill in the login form; the session and the login POST's response (redirects not followed)."""
    s = requests.Session()
    page = s.get(f"{room.base}/hub/login", timeout=HTTP_TIMEOUT_S)
    assert page.status_code == 200
    resp = s.post(f"{room.base}/hub/login", timeout=HTTP_TIMEOUT_S, allow_redirects=False,
                  data={"username": username, "password": password, "_xsrf": s.cookies.get("_xsrf")})
    return s, resp


def open_server(room: Room, s: requests.Session, login_resp, user: str, lands_on: str) -> requests.Response:
    """Follow the login's redirect (which starts the server), then the hub to the user's server until
    it shows ``lands_on`` (bounded wait)."""
    first = s.get(room.base + login_resp.headers["Location"], timeout=HTTP_TIMEOUT_S)
    if "/spawn-pending/" in first.url:     # Chinese, no English event log, no Stop button to click by mistake
        pending = first.content.decode("utf-8")
        assert "正在为你准备培训页面" in pending and 'id="stop-server-btn"' not in pending
        assert "Event log" not in pending
    t0 = time.monotonic()
    while time.monotonic() - t0 < SPAWN_TIMEOUT_S:
        r = s.get(f"{room.base}/user/{user}/", timeout=HTTP_TIMEOUT_S)
        if lands_on in r.url:
            return r
        time.sleep(1)
    pytest.fail(f"{user}'s server did not open {lands_on} within {SPAWN_TIMEOUT_S} s (last: {r.url}):\n"
                f"{room.log_tail()}")


def error_text(resp: requests.Response) -> str:
    import re

    m = re.search(r'class="login_error"[^>]*>([^<]*)<', resp.content.decode("utf-8"))
    return m.group(1) if m else ""


def _home(user: str) -> Path:
    return Path(pwd.getpwnam(user).pw_dir)


def _profiles(user: str) -> dict:
    from cqvol_sim.exercises.progress import ProgressDB

    return ProgressDB(_home(user) / ".cqvol-sim" / "progress.sqlite3", readonly=True).profiles()


@pytest.fixture(scope="module")
def trainee_a(room):
    """Trainee A, logged in with the class code, their server open on the app's home page."""
    s, resp = login(room, room.a, CODE)
    assert resp.status_code == 302, error_text(resp)
    page = open_server(room, s, resp, trainee_username(room.a), "/voila/render/home.ipynb")
    return s, page


@pytest.fixture(scope="module")
def trainee_b(room):
    """Trainee B, on the roster: picked their entry (typed with the roster's spaces) and the code."""
    s, resp = login(room, f" {room.b[:2]}　{room.b[2:]} ", CODE)
    assert resp.status_code == 302, error_text(resp)
    page = open_server(room, s, resp, trainee_username(room.b), "/voila/render/home.ipynb")
    return s, page


def test_the_room_command_prints_the_address_and_class_code_in_chinese(room):
    text = room.log.read_text(encoding="utf-8", errors="replace")
    assert f"网址：http://127.0.0.1:{room.port}/" in text and f"班级口令：{CODE}" in text
    assert f"培训老师账号：{room.instructor}" in text and "Traceback" not in text
    assert f"班级实时看板（培训老师登录后打开）：http://127.0.0.1:{room.port}/services/class-view/" in text


def test_login_with_the_class_code_opens_the_trainee_app_never_jupyterlab(room, trainee_a):
    s, page = trainee_a
    user = trainee_username(room.a)
    assert page.status_code == 200 and "/voila/render/home.ipynb?trainee=" in page.url
    assert s.get(f"{room.base}/user/{user}/lab", timeout=HTTP_TIMEOUT_S).status_code == 404
    assert s.get(f"{room.base}/user/{user}/terminals/1", timeout=HTTP_TIMEOUT_S).status_code == 404
    home = _home(user)
    assert home.parent == room.homes and home.stat().st_mode & 0o777 == 0o700
    db = home / ".cqvol-sim" / "progress.sqlite3"
    assert db.stat().st_uid == pwd.getpwnam(user).pw_uid        # written by the trainee's own server
    assert room.a in _profiles(user)


def test_login_with_a_roster_entry_keeps_the_roster_unit_and_class(room, trainee_b):
    _, page = trainee_b
    assert "unit=" in page.url and "klass=" in page.url
    profile = _profiles(trainee_username(room.b))[room.b]
    assert (profile["unit"], profile["class"]) == ("南岸区民政局", "一班")


@pytest.mark.parametrize("typed, code, says", [
    ("王五", "135799", "班级口令不对"),
    ("", CODE, "请填写学员姓名"),
    ("王" * 41, CODE, "太长"),
    ("\u200b", CODE, "请填写学员姓名"),
    ("王五", "", "请填写班级口令"),
])
def test_a_wrong_code_or_odd_name_is_refused_on_the_login_page_in_chinese(room, typed, code, says):
    _, resp = login(room, typed, code)
    assert resp.status_code == 403 and says in error_text(resp)
    assert "班级口令" in resp.content.decode("utf-8")              # the Chinese login form again
    with pytest.raises(KeyError):
        pwd.getpwnam(trainee_username("王五"))                    # nobody was created


def test_a_reopened_browser_gets_a_working_page_again(room, trainee_a):
    """A browser closed and opened again keeps the login cookie but not the ``_xsrf`` session cookie;
    opening the page sets it again, so that the page's requests to its kernel are accepted."""
    s, _ = trainee_a
    user = trainee_username(room.a)
    reopened = requests.Session()
    for c in s.cookies:
        if c.name.startswith("jupyterhub-user-"):
            reopened.cookies.set_cookie(c)
    page = reopened.get(f"{room.base}/user/{user}/voila/render/home.ipynb", timeout=HTTP_TIMEOUT_S,
                        headers={"Sec-Fetch-Mode": "navigate"})
    assert page.status_code == 200 and "培训首页" in page.content.decode()
    xsrf = next((c.value for c in reopened.cookies if c.name == "_xsrf"), None)
    assert xsrf, "no _xsrf cookie: the reopened page could not talk to its kernel"
    kernels = reopened.get(f"{room.base}/user/{user}/api/kernels", timeout=HTTP_TIMEOUT_S,
                           headers={"Sec-Fetch-Mode": "cors", "X-XSRFToken": xsrf})
    assert kernels.status_code == 200, kernels.text


def test_the_hub_pages_a_trainee_meets_are_chinese_without_traps(room, trainee_a, trainee_b):
    """Another trainee's page is refused in Chinese; the login page can show the typed class code.
    (The starting page is checked by ``open_server``.)"""
    s, _ = trainee_a
    other = s.get(f"{room.base}/user/{trainee_username(room.b)}/voila/render/home.ipynb", timeout=HTTP_TIMEOUT_S)
    assert other.status_code == 403 and "你的账号不能打开这个页面" in other.content.decode()
    login_page = requests.get(f"{room.base}/hub/login", timeout=HTTP_TIMEOUT_S).content.decode()
    assert "显示输入的口令" in login_page


def test_two_trainees_cannot_read_or_change_each_others_files_or_progress(room, trainee_a, trainee_b):
    ua, ub = trainee_username(room.a), trainee_username(room.b)
    db_b = _home(ub) / ".cqvol-sim" / "progress.sqlite3"
    assert db_b.is_file()
    as_a = ["runuser", "-u", ua, "--"]
    read = subprocess.run([*as_a, "cat", str(db_b)], capture_output=True, text=True, timeout=30)
    assert read.returncode != 0 and "Permission denied" in read.stderr
    listing = subprocess.run([*as_a, "ls", str(_home(ub))], capture_output=True, text=True, timeout=30)
    assert listing.returncode != 0 and "Permission denied" in listing.stderr
    write = subprocess.run([*as_a, "touch", str(_home(ub) / "x")], capture_output=True, text=True, timeout=30)
    assert write.returncode != 0 and not (_home(ub) / "x").exists()
    # what a code cell in A's kernel would run: the same Python, as A
    python = json.loads((room.state / "room.json").read_text(encoding="utf-8"))["python"]
    cell = subprocess.run([*as_a, python, "-c", f"open({str(db_b)!r}, 'rb').read()"], capture_output=True,
                          text=True, timeout=60, cwd="/")
    assert cell.returncode != 0 and "PermissionError" in cell.stderr
    # and A's server really runs as A
    assert any(SERVER_MARK in Path(f"/proc/{pid}/cmdline").read_bytes()
               for pid in _pids_of_uid(pwd.getpwnam(ua).pw_uid))


def test_an_instructor_gets_jupyterlab_and_a_wrong_password_is_refused(room):
    _, bad = login(room, room.instructor, "not-the-password")
    assert bad.status_code == 403 and "培训老师的账号或密码不对" in error_text(bad)
    s, resp = login(room, room.instructor, PASSWORD)
    assert resp.status_code == 302, error_text(resp)
    page = open_server(room, s, resp, room.instructor, "/lab")
    assert page.status_code == 200 and "JupyterLab" in page.text
    # the hub's home page links an instructor to their instructor page and to the class view, and both open
    home = s.get(f"{room.base}/hub/home", timeout=HTTP_TIMEOUT_S).content.decode("utf-8")
    links = dict(re.findall(r'<a id="(instructor-page|class-view)" href="([^"]+)"', home))
    assert set(links) == {"instructor-page", "class-view"}, home[:500]
    mine = s.get(room.base + links["instructor-page"], timeout=HTTP_TIMEOUT_S)
    assert mine.status_code == 200 and f"/user/{room.instructor}/" in mine.url
    assert "培训老师" in mine.content.decode("utf-8")
    assert s.get(room.base + links["class-view"], timeout=HTTP_TIMEOUT_S).status_code == 200


def test_an_instructor_saves_in_jupyterlab_and_trainees_get_the_exercises_they_save(room, trainee_a):
    """The instructor's JupyterLab opens their own copy of the course, where saving works; an exercise
    they save goes to the room's shared folder, which a trainee's pages read but cannot change."""
    s, resp = login(room, room.instructor, PASSWORD)
    open_server(room, s, resp, room.instructor, "/lab")
    api = f"{room.base}/user/{room.instructor}/api/contents/{quote(INSTRUCTOR_WORK)}"
    xsrf = next(c.value for c in s.cookies if c.name == "_xsrf" and c.path.startswith(f"/user/{room.instructor}"))
    listing = s.get(api, timeout=HTTP_TIMEOUT_S)
    assert "23_instructor_guide.ipynb" in {c["name"] for c in listing.json()["content"]}
    saved = s.put(f"{api}/{quote('明天的课.ipynb')}", timeout=HTTP_TIMEOUT_S, headers={"X-XSRFToken": xsrf},
                  json={"type": "notebook", "format": "json",
                        "content": {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}})
    assert saved.status_code == 201, saved.text
    assert (_home(room.instructor) / INSTRUCTOR_WORK / "明天的课.ipynb").stat().st_uid == \
        pwd.getpwnam(room.instructor).pw_uid

    python = json.loads((room.state / "room.json").read_text(encoding="utf-8"))["python"]
    teacher_env = _server_env(room.instructor)
    shared = Path(teacher_env["CQVOL_INSTRUCTOR_EXERCISES"])
    text = (ROOT / "exercises" / "village" / "v01-record-target.yaml").read_text(encoding="utf-8")
    make = ("import sys; from cqvol_sim.paths import instructor_exercises; "
            "(instructor_exercises() / 'v90-room-shared.yaml').write_text(sys.argv[1], encoding='utf-8')")
    keep = ("HOME", "CQVOL_HOME", "CQVOL_INSTRUCTOR_EXERCISES")
    assert subprocess.run(["runuser", "-u", room.instructor, "--", "env", *(f"{k}={teacher_env[k]}" for k in keep),
                           python, "-c", make, text.replace("id: v01-record-target", "id: v90-room-shared")],
                          timeout=120, cwd="/").returncode == 0
    assert (shared / "v90-room-shared.yaml").is_file()

    ua = trainee_username(room.a)
    env = {k: _server_env(ua)[k] for k in ("HOME", "CQVOL_HOME", "CQVOL_EXERCISES")}
    sees = ("import sys; from cqvol_sim.exercises.loader import load_bank; "
            "sys.exit(0 if 'v90-room-shared' in load_bank() else 3)")
    assert subprocess.run(["runuser", "-u", ua, "--", "env", *(f"{k}={v}" for k, v in env.items()), python,
                           "-c", sees], timeout=120, cwd="/").returncode == 0
    spoil = f"open({str(shared / 'v90-room-shared.yaml')!r}, 'a').write('x')"
    assert subprocess.run(["runuser", "-u", ua, "--", python, "-c", spoil], timeout=60, cwd="/",
                          capture_output=True).returncode != 0


def test_the_idle_culler_runs_as_a_hub_service_with_the_rooms_timeout(room, trainee_a):
    hub_children = [pid for pid in _pids_of_uid(0)
                    if b"jupyterhub_idle_culler" in Path(f"/proc/{pid}/cmdline").read_bytes()]
    cmdlines = [Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0") for pid in hub_children]
    assert any(b"--timeout=300" in c for c in cmdlines), cmdlines
    # servers tell the hub of their trainee's clicks well within the timeout (5 minutes / 6)
    server_env = _server_env(next(u for u in _room_users(room) if _server_env(u)))
    assert server_env["JUPYTERHUB_ACTIVITY_INTERVAL"] == "50"


def _server_env(user: str) -> dict[str, str]:
    """The environment of ``user``'s running single-user server."""
    for pid in _pids_of_uid(pwd.getpwnam(user).pw_uid):
        if SERVER_MARK in _proc_cmdline(pid):
            return _proc_env(pid)
    return {}


def _proc_cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _proc_env(pid: int) -> dict[str, str]:
    try:
        raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    except OSError:
        return {}
    return dict(item.decode(errors="replace").split("=", 1) for item in raw if b"=" in item)


def test_a_culled_trainee_comes_back_to_their_autosaved_work(room, trainee_a):
    """The culler stops a server the way this test does (the hub's API); the work saved in the
    trainee's home is what the app's autosave offers to continue when the server starts again."""
    s, _ = trainee_a
    user = trainee_username(room.a)
    env = _server_env(user)
    assert env["CQVOL_TRAINEE"] == room.a and env["CQVOL_HOME"] == str(_home(user) / ".cqvol-sim")
    assert env["CQVOL_TRAINEE_FIXED"] == "1"     # the pages cannot be opened under another name
    assert Path(env["JUPYTER_PATH"], "kernels", "python3", "kernel.json").is_file()   # the light page kernel
    python = json.loads((room.state / "room.json").read_text(encoding="utf-8"))["python"]
    # China time in the pages and the class view, whatever the machine's zone (often UTC on a server)
    view_env = [_proc_env(pid) for pid in _pids_of_uid(0) if b"cqvol_sim.classview" in _proc_cmdline(pid)]
    assert env["TZ"] == ROOM_TZ and [e.get("TZ") for e in view_env] == [ROOM_TZ]
    offset = subprocess.run([python, "-c", "import time; print(time.localtime().tm_gmtoff)"], env={"TZ": ROOM_TZ},
                            capture_output=True, text=True, timeout=60)
    assert offset.stdout.strip() == str(8 * 3600)
    save = ("from cqvol_sim.app.autosave import TraineeFiles; from cqvol_sim.app.trainee import make_trainee; "
            "from cqvol_sim.sandbox import Sandbox; import os; "
            "TraineeFiles(make_trainee(os.environ['CQVOL_TRAINEE'])).practice('sandbox').save(Sandbox.demo())")
    keep = {k: env[k] for k in ("CQVOL_HOME", "CQVOL_TRAINEE", "HOME")}
    subprocess.run(["runuser", "-u", user, "--", "env", *(f"{k}={v}" for k, v in keep.items()), python, "-c", save],
                   check=True, timeout=120, cwd="/")
    stop = s.delete(f"{room.base}/hub/api/users/{user}/server", timeout=HTTP_TIMEOUT_S,
                    headers={"X-XSRFToken": s.cookies.get("_xsrf", path="/hub/")})
    assert stop.status_code in (202, 204), stop.text
    t0 = time.monotonic()
    while _server_env(user) and time.monotonic() - t0 < SPAWN_TIMEOUT_S:
        time.sleep(0.5)
    assert not _server_env(user)
    # reloading the stopped page, or the hub's home page: Chinese, one button that reopens the pages
    reload = s.get(f"{room.base}/user/{user}/voila/render/home.ipynb", timeout=HTTP_TIMEOUT_S).content.decode()
    assert "你的培训页面已经关闭" in reload and "重新打开培训页面" in reload, reload[:300]
    home = s.get(f"{room.base}/hub/home", timeout=HTTP_TIMEOUT_S).content.decode()
    assert "打开我的培训页面" in home and "退出登录" in home and "培训老师页" not in home
    for english in ("Server not running", "My Server", "Token", "Logout"):
        assert english not in reload + home
    resp = s.get(f"{room.base}/hub/spawn/{user}", timeout=HTTP_TIMEOUT_S, allow_redirects=False)
    open_server(room, s, resp, user, "/voila/render/home.ipynb")
    again = _server_env(user)
    assert again["CQVOL_HOME"] == env["CQVOL_HOME"] and again["CQVOL_TRAINEE"] == room.a
    check = ("from cqvol_sim.app.autosave import TraineeFiles; from cqvol_sim.app.trainee import make_trainee; "
             "import os, sys; sys.exit(0 if TraineeFiles(make_trainee(os.environ['CQVOL_TRAINEE']))"
             ".practice('sandbox').exists() else 3)")
    found = subprocess.run(["runuser", "-u", user, "--", "env", *(f"{k}={again[k]}" for k in keep), python, "-c",
                            check], timeout=120, cwd="/")
    assert found.returncode == 0


# -- the live class view -------------------------------------------------------------------------

def _class_view(room: Room, s: requests.Session, path: str = "") -> requests.Response:
    """GET a class view page through the hub's login (OAuth redirects followed)."""
    return s.get(f"{room.base}/services/class-view/{path}", timeout=HTTP_TIMEOUT_S)


@pytest.fixture(scope="module")
def instructor(room):
    s, resp = login(room, room.instructor, PASSWORD)
    assert resp.status_code == 302, error_text(resp)
    return s


def test_a_trainee_is_refused_by_the_class_view_in_chinese(room, trainee_a):
    s, _ = trainee_a
    page = _class_view(room, s)
    assert page.status_code == 403
    text = page.content.decode("utf-8")
    assert "班级看板只有培训老师能打开" in text and "培训首页" in text and "Forbidden" not in text
    assert _class_view(room, s, "report.xlsx").status_code == 403


def _record_a_check(room: Room, user: str, exercise: str, score: int) -> None:
    """As the trainee's own account (as their kernel would), save one press of 检查 with ``score``."""
    env = _server_env(user)
    python = json.loads((room.state / "room.json").read_text(encoding="utf-8"))["python"]
    code = ("import os, types; from cqvol_sim.exercises.progress import ProgressDB; db = ProgressDB(); "
            f"a = db.start_attempt(os.environ['CQVOL_TRAINEE'], {exercise!r}); "
            "g = types.SimpleNamespace(goal=types.SimpleNamespace(id='g1'), state='unmet'); "
            f"r = types.SimpleNamespace(score={score}, earned={score}, max_points=100, solved=False, goals=(g,)); "
            "db.record_check(a, r, seconds=30, refusals=['grades.self'])")
    keep = {k: env[k] for k in ("CQVOL_HOME", "CQVOL_TRAINEE", "CQVOL_PROGRESS_DB", "HOME")}
    subprocess.run(["runuser", "-u", user, "--", "env", *(f"{k}={v}" for k, v in keep.items()), python, "-c", code],
                   check=True, timeout=120, cwd="/")


def test_the_class_view_shows_a_trainees_new_score_within_seconds(room, trainee_a, instructor):
    page = _class_view(room, instructor)
    assert page.status_code == 200 and "班级实时看板" in page.text and "fragment" in page.text
    assert room.a in page.text
    _record_a_check(room, trainee_username(room.a), "v01-record-target", 73)
    t0 = time.monotonic()
    while time.monotonic() - t0 < 10:
        fragment = _class_view(room, instructor, "fragment")
        if ">73<" in fragment.text:
            break
        time.sleep(0.5)
    assert ">73<" in fragment.text, fragment.text[:2000]
    assert "grades.self" not in fragment.text and "1 次" in fragment.text   # the refusal, in words


def test_the_class_views_report_equals_cqvol_sim_report_on_the_same_data(room, trainee_a, instructor, tmp_path):
    from openpyxl import load_workbook

    _record_a_check(room, trainee_username(room.a), "v02-volunteer-join", 55)
    got = _class_view(room, instructor, "report.xlsx")
    assert got.status_code == 200 and got.content[:2] == b"PK"
    (tmp_path / "view.xlsx").write_bytes(got.content)
    subprocess.run([str(Path(sys.executable).parent / "cqvol-sim"), "report", str(room.homes), "--xlsx",
                    str(tmp_path / "cli.xlsx")], check=True, timeout=120, capture_output=True)

    def cells(path):
        wb = load_workbook(path)
        return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in wb.worksheets}

    view, cli = cells(tmp_path / "view.xlsx"), cells(tmp_path / "cli.xlsx")
    assert view == cli and any(room.a in str(row) for row in view["成绩"])


# -- the whole session in a real browser ----------------------------------------------------------

def test_browser_a_trainee_finishes_an_exercise_and_the_instructor_sees_it_live(room):
    """The room started (the fixture ran tools/room.sh as an instructor would); in chromium a trainee
    logs in with name and class code, lands in the app, does a village exercise by clicking and is
    graded; the instructor logs in and sees the score on the class view, which updates by itself."""
    import browser_util as bu
    from browser_util import wait_app_page

    bu.require_browser()
    from playwright.sync_api import sync_playwright

    name = _fresh_name("测试丙")
    viewport = {"width": 1366, "height": 768}
    bu.SCREENSHOTS.mkdir(exist_ok=True)

    def shot(page, what):
        page.screenshot(path=str(bu.SCREENSHOTS / f"room_{what}.png"))

    with sync_playwright() as p:
        browser = bu.launch(p)
        try:
            teacher = browser.new_context(viewport=viewport, locale="zh-CN").new_page()
            teacher.goto(f"{room.base}/hub/login", timeout=60_000)
            teacher.fill("input[name=username]", room.instructor)
            teacher.fill("input[name=password]", PASSWORD)
            teacher.click("[type=submit]")
            teacher.wait_for_url("**/lab**", timeout=SPAWN_TIMEOUT_S * 1000)
            teacher.goto(f"{room.base}/services/class-view/", timeout=60_000)
            teacher.wait_for_selector("text=班级实时看板", timeout=60_000)
            shot(teacher, "1_class_view_before")

            trainee = browser.new_context(viewport=viewport, locale="zh-CN").new_page()
            trainee.goto(f"{room.base}/hub/login", timeout=60_000)
            shot(trainee, "2_login")
            trainee.fill("input[name=username]", name)
            trainee.fill("input[name=password]", CODE)
            trainee.click("[type=submit]")
            wait_app_page(trainee, f"text=你好，{name}", timeout=SPAWN_TIMEOUT_S * 1000)
            shot(trainee, "3_home")
            trainee.click("summary:has-text('村社级')")
            trainee.click("a:has-text('审核村里团队的注册')")
            wait_app_page(trainee, ".cqvol-exercise .cqvol-app")
            d = bu.Driver(trainee, "app")
            d.tab("审核")
            rows = trainee.locator(".cqvol-app .cqvol-review-row")
            rows.first.wait_for(state="visible", timeout=30_000)
            good = rows.filter(has_text="西流村乡村振兴志愿服务队").first
            good.locator("button:text-is('通过')").click()
            trainee.wait_for_selector("text=已通过", timeout=30_000)
            dance = rows.filter(has_text="西流村广场舞队").first
            dance.locator("input").fill("跳舞健身是兴趣活动，不是志愿服务；要为老人义务教舞请写明服务内容和服务对象后重新注册。")
            dance.locator("button:text-is('驳回')").click()
            trainee.wait_for_selector("text=已驳回", timeout=30_000)
            trainee.click("button.jupyter-button:text-is('检查')")
            trainee.wait_for_selector("text=得分：", timeout=60_000)
            shot(trainee, "4_exercise_graded")
            score = re.search(r"得分：(\d+) 分", trainee.inner_text("body")).group(1)

            # the class view was left open: it shows the trainee and the score without a reload
            teacher.wait_for_function(
                "([n, s]) => document.body.innerText.includes(n) && document.body.innerText.includes(s)",
                arg=[name, score], timeout=30_000)
            shot(teacher, "5_class_view_after")
            live = teacher.inner_text("#live")
            assert "审核村里团队的注册" in live and "v04" not in live   # the exercise by its title

            # the trainee's server is stopped (as after a long idle time): the open page says so
            user = trainee_username(name)
            xsrf = next(c["value"] for c in trainee.context.cookies() if c["name"] == "_xsrf" and c["path"] == "/hub/")
            stop = trainee.request.delete(f"{room.base}/hub/api/users/{user}/server", headers={"X-XSRFToken": xsrf})
            assert stop.status in (202, 204), stop.text()
            trainee.evaluate("document.dispatchEvent(new Event('visibilitychange'))")   # the tab comes back
            trainee.wait_for_selector(".cqvol-page-closed:has-text('这个培训页面已经关闭了')", timeout=60_000)
            shot(trainee, "6_page_closed")
        finally:
            browser.close()
