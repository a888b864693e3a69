"""Watch the room's real idle culler stop a trainee's server, and the trainee come back (issue 13).

Run as root (the room creates a system account for the trainee)::

    .venv/bin/python benchmarks/observe_idle_cull.py [--mode idle|open-page|busy] [--budget 300]

It starts ``tools/room.sh`` on 127.0.0.1 (random free ports, a temporary ``--dir``, ``--idle-minutes
1``: the culler's timeout is 60 s, it looks every 30 s), then:

1. logs one trainee in with the class code and their name (the login form), following the hub's
   pages as a browser would until the app's home page shows;
2. in a kernel of the trainee's own server (bench_room's kernel client), opens the 自由练习 page as
   notebooks/sandbox.ipynb does, acts as 南岸区民政局 and presses 通过 on its pending registration
   with the message a browser sends; the page autosaves; the hub's REST API shows the server running;
3. leaves the trainee alone and watches (bounded) until the server's processes are gone, printing
   the seconds it took and the hub log's lines about the culler and the stop. ``--mode`` says what
   "alone" means: ``idle`` the page is closed (its websocket too); ``open-page`` the page stays open
   but nothing is clicked; ``busy`` the trainee keeps working (a tab click every 5 s): a server
   culled then was culled under a working trainee;
4. reloads the old page's address (what the trainee's open tab shows), logs the trainee in again,
   checks that the autosave is still in their home and that the 自由练习 page offers 继续上次;
   presses it and checks the approval is back;
5. prints as its last line ``culled_after_s=… resumed=yes|no lost=N`` (``lost``: the autosaved
   approval missing after the return; ``culled_after_s=none`` if the server was not culled in time).

Everything is bounded by ``--budget`` seconds (on a machine where the room was never started,
tools/room.sh first installs its environment within that time: run ``bash tools/room.sh
--install-only`` once before); the hub, the trainee's processes, the account and the temporary folder are removed on
exit, on errors and on SIGINT/SIGTERM (bench_room's cleanup). Requests go only to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import os
import pwd
import re
import shutil
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_room as br  # noqa: E402  (also puts the project on sys.path)

from cqvol_sim.app.autosave import TraineeFiles  # noqa: E402
from cqvol_sim.app.trainee import make_trainee  # noqa: E402
from cqvol_sim.room.names import trainee_username  # noqa: E402

POLL_S = 1.0
BUSY_EVERY_S = 5.0
AUTHORITY = "南岸区民政局"          # the demo district's 民政局: one registration waits for its 审核
PAGE = "sandbox"                   # the 自由练习 page (notebooks/sandbox.ipynb)
STOP_WORDS = re.compile(r"to stop|pending stop|DELETE /hub/api/users/[^ ]+/server|Removing user|Stopping")

#: what notebooks/sandbox.ipynb runs, then the ids a browser would click: 通过 of the first 审核 row
OPEN_AND_FIND = r"""
import json as _json
from cqvol_sim.app import practice as _practice
_p = _practice(%(page)r)
display(_p)
def _walk(w, depth=0):
    yield w
    for c in (getattr(w, "children", None) or ()) if depth < 60 else ():
        yield from _walk(c, depth + 1)
_ids = {"offered": any(w is _p.resume_button for w in _walk(_p)), "resume": _p.resume_button.model_id}
print("CQVOL-IDS " + _json.dumps(_ids))
"""

ACT_AS_AUTHORITY = r"""
_p.app.session.set_identity(%(authority)r)
_p.app.select("审核")
_row = next(w for w in _walk(_p) if "cqvol-review-row" in w._dom_classes)
_item = _row.children[0].value.split("“", 1)[1].split("”", 1)[0]
print("CQVOL-IDS " + _json.dumps({"approve": _row.children[1].model_id, "item": _item,
                                  "tab": _p.app.tab.model_id}, ensure_ascii=False))
"""

RESTORED = r"""
_g = next(g for g in _p.app.session.sandbox.groups.values() if g.name == %(item)r)
print("CQVOL-IDS " + _json.dumps({"status": str(_g.status.value), "identity": _p.app.session.identity}))
"""


class OutOfTime(Exception):
    """The run's --budget is spent."""


class Clock:
    """The run's one deadline; every wait asks it how long it may still take."""

    def __init__(self, budget_s: float):
        self.t0 = time.monotonic()
        self.deadline = self.t0 + budget_s

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def check(self, what: str) -> None:
        if self.left() <= 0:
            raise OutOfTime(f"budget spent while {what}")


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


# -- the room -------------------------------------------------------------------------------------
def hub_server(room: br.Room, s, user: str) -> dict | None:
    """The user's default server as the hub's REST API reports it (their own login's cookie),
    or None when the hub says it is not running."""
    xsrf = s.cookies.get("_xsrf", path="/hub/") or ""
    r = s.get(f"{room.base}/hub/api/users/{user}", headers={"X-XSRFToken": xsrf}, timeout=br.HTTP_TIMEOUT_S)
    r.raise_for_status()
    return (r.json().get("servers") or {}).get("")


def server_pids(user: str) -> list[int]:
    """The trainee's jupyterhub-singleuser processes (read from /proc, nothing asked of the hub)."""
    try:
        uid = pwd.getpwnam(user).pw_uid
    except KeyError:
        return []
    return [p for p in br.pids_of_uid(uid) if br.SERVER_MARK in br._cmdline(p)]


def culler_lines(room: br.Room, user: str) -> tuple[list[str], int]:
    """The hub log's lines about culling (the culler's own, its failed requests, the servers'
    kernel culling) and about stopping ``user``'s server; and how many polls the culler made."""
    try:
        text = room.log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return [], 0
    lines = text.splitlines()
    polls = sum(1 for ln in lines if "GET /hub/api/users" in ln and "(idle-culler@" in ln)
    keep = [ln for ln in lines
            if "IdleCuller" in ln or "Culling" in ln
            or ("idle-culler" in ln and not re.search(r"\] 20\d ", ln))
            or (user in ln and STOP_WORDS.search(ln))]
    return keep, polls


def print_culler_lines(room: br.Room, user: str, n: int) -> None:
    """Print the last ``n`` of the hub log's lines about the culler and the server's stop."""
    keep, polls = culler_lines(room, user)
    print(f"    hub log: the culler asked the hub for the users {polls} times; lines about culling and the stop:")
    for line in keep[-n:]:
        print("    hub log: " + line[:300])


# -- logging in like a browser --------------------------------------------------------------------
def page_kind(r) -> str:
    """Which page the hub or the server answered with (the English ones are JupyterHub's own)."""
    text = r.content.decode("utf-8", "replace")     # the hub's pages do not always name their charset
    if "/voila/render/home.ipynb" in r.url and r.status_code == 200:
        return "home"
    if "Your server is stopping" in text:
        return "stop_pending(en)"
    if "Server not running" in text or r.status_code == 424:
        return "not_running(en)"
    if "正在为你准备培训页面" in text:
        return "spawn_pending"
    return f"other({r.status_code})"


def login(room: br.Room, t: br.Trainee, clock: Clock) -> tuple[object, list[str]]:
    """Fill in the login form and go where the hub sends a browser until the app's home page shows:
    a stopping server's page is reloaded every 5 s (as its script does), a not-running page's
    button is pressed. Sets ``t.login_s``; the session and the pages seen on the way."""
    import requests

    s = requests.Session()
    s.get(f"{room.base}/hub/login", timeout=br.HTTP_TIMEOUT_S).raise_for_status()
    t0 = time.perf_counter()
    resp = s.post(f"{room.base}/hub/login", timeout=br.HTTP_TIMEOUT_S, allow_redirects=False,
                  data={"username": t.name, "password": room.code, "_xsrf": s.cookies.get("_xsrf")})
    if resp.status_code != 302:
        raise RuntimeError(f"login refused ({resp.status_code})")
    url, seen = room.base + resp.headers["Location"], []
    while clock.left() > 0:
        r = s.get(url, timeout=br.HTTP_TIMEOUT_S)
        kind = page_kind(r)
        if not seen or seen[-1] != kind:
            seen.append(kind)
        if kind == "home":
            t.login_s = time.perf_counter() - t0
            return s, seen
        if kind == "stop_pending(en)":
            url = r.url                    # the page reloads itself every 5 s
            time.sleep(5)
            continue
        start = re.search(r'id="start"[^>]*href="([^"]+)"', r.text) if kind == "not_running(en)" else None
        url = room.base + start.group(1).replace("&amp;", "&") if start else f"{room.base}/user/{t.user}/"
        time.sleep(1)
    raise OutOfTime(f"the home page did not open (pages seen: {seen})")


# -- the trainee's page ---------------------------------------------------------------------------
def run_cell(k: br.KernelClient, code: str) -> dict:
    """Run ``code`` in the page's kernel; the JSON it printed after ``CQVOL-IDS``."""
    out = k.execute(code)
    line = next((ln for ln in out.splitlines() if ln.startswith("CQVOL-IDS ")), None)
    if line is None:
        raise RuntimeError(f"the page's code printed no ids: {out[-500:]}")
    return json.loads(line[len("CQVOL-IDS "):])


def open_practice(room: br.Room, s, user: str) -> tuple[br.KernelClient, dict]:
    """A kernel of the trainee's server with the 自由练习 page built in it."""
    k = br.KernelClient(room, s, user)
    return k, run_cell(k, OPEN_AND_FIND % {"page": PAGE})


def autosave_slot(room: br.Room, t: br.Trainee):
    """The trainee's autosave slot of the practice page, read by root from their home."""
    trainees = room.homes / t.user / ".cqvol-sim" / "trainees"
    return TraineeFiles(make_trainee(t.name), root=trainees).practice(PAGE)


def do_work(room: br.Room, s, t: br.Trainee) -> tuple[br.KernelClient, dict]:
    """Open the practice page, act as the 民政局 and press 通过; the kernel and the page's ids."""
    k, _ = open_practice(room, s, t.user)
    ids = run_cell(k, ACT_AS_AUTHORITY % {"authority": AUTHORITY})
    took, seen = k.click(ids["approve"], "已通过")
    log(f"pressed 通过 on “{ids['item']}” in {took * 1000:.0f} ms (update seen: {seen})")
    if not seen:
        raise RuntimeError("通过 did not show 已通过")
    return k, ids


def keep_busy(k: br.KernelClient, tab: str, n: int) -> None:
    """The ``n``-th small piece of work: a click on the practice page's tabs, as a browser sends it."""
    k.update(tab, {"selected_index": n % 3})


# -- the run --------------------------------------------------------------------------------------
def wait_for_cull(t: br.Trainee, k: br.KernelClient, tab: str | None, clock: Clock,
                  limit_s: float) -> tuple[float | None, int]:
    """Seconds from now until the trainee's server is gone (None if not within ``limit_s``); with a
    ``tab`` model id the trainee keeps clicking it meanwhile (``--mode busy``): and how many clicks."""
    t0 = time.monotonic()
    next_click, clicks = t0, 0
    while time.monotonic() - t0 < min(limit_s, clock.left()):
        if not server_pids(t.user):
            return time.monotonic() - t0, clicks
        if tab is not None and time.monotonic() >= next_click:
            try:
                keep_busy(k, tab, clicks)
                clicks += 1
            except Exception as exc:       # the server went away under the trainee's hands
                log(f"the busy trainee's click {clicks + 1} failed: {type(exc).__name__}: {str(exc)[:120]}")
                tab = None
            next_click = time.monotonic() + BUSY_EVERY_S
        time.sleep(POLL_S)
    return None, clicks


def old_page_after_cull(room: br.Room, s, user: str) -> str:
    """What the trainee's open practice page's address shows when reloaded after the cull."""
    r = s.get(f"{room.base}/user/{user}/voila/render/{PAGE}.ipynb", timeout=br.HTTP_TIMEOUT_S)
    return f"{page_kind(r)} at {r.url.replace(room.base, '')}"


def come_back(room: br.Room, t: br.Trainee, item: str, clock: Clock) -> tuple[bool, int]:
    """Log in again; whether 继续上次 is offered and restores the approval, and how much was lost."""
    s, seen = login(room, t, clock)
    log(f"logged in again: home page after {t.login_s:.1f} s; pages on the way: {' -> '.join(seen)}")
    saved = autosave_slot(room, t)
    log(f"autosave after the return: {'present' if saved.exists() else 'MISSING'} ({saved.path.name})")
    k, ids = open_practice(room, s, t.user)
    try:
        if not ids["offered"]:
            log("the practice page did NOT offer 继续上次")
            return False, 1
        took, seen_note = k.click(ids["resume"], "已恢复你上次的操作")
        back = run_cell(k, RESTORED % {"item": item})
        log(f"继续上次 offered; pressed it ({took * 1000:.0f} ms, note seen: {seen_note}): “{item}” is "
            f"{back['status']}, acting as {back['identity']}")
        restored = seen_note and back["status"] == "active"
        return restored, 0 if restored else 1
    finally:
        k.close()


def observe(args, room: br.Room, t: br.Trainee, clock: Clock) -> str:
    """Steps 1–5; the last line's text."""
    try:
        started = br.start_room(room, idle_minutes=args.idle_minutes, timeout=max(1.0, clock.left()))
    except RuntimeError as exc:
        raise OutOfTime(str(exc)) from None
    log(f"room up in {started:.1f} s on {room.base} (--idle-minutes {args.idle_minutes})")
    s, _ = login(room, t, clock)
    log(f"trainee {t.name} ({t.user}) logged in; home page after {t.login_s:.1f} s")
    k, ids = do_work(room, s, t)
    if not autosave_slot(room, t).exists():
        raise RuntimeError("the practice page did not autosave")
    server = hub_server(room, s, t.user) or {}
    log(f"autosaved; hub: server ready={server.get('ready')} started={server.get('started')} "
        f"last_activity={server.get('last_activity')}")
    if args.mode == "idle":
        k.close()                          # the trainee closed the tab
    log(f"leaving the trainee {args.mode}; watching for the cull (at most {min(args.wait, clock.left()):.0f} s)")
    culled, clicks = wait_for_cull(t, k, ids["tab"] if args.mode == "busy" else None, clock, args.wait)
    k.close()
    if args.mode == "busy":
        log(f"the trainee clicked a tab {clicks} times meanwhile (every {BUSY_EVERY_S:.0f} s)")
    if culled is None:
        log("NOT culled in time")
        print_culler_lines(room, t.user, args.log_lines)
        return "culled_after_s=none resumed=no lost=0"
    server = hub_server(room, s, t.user) or {}
    log(f"server gone {culled:.0f} s after the trainee was left {args.mode}; hub: pending={server.get('pending')} "
        f"ready={server.get('ready')} last_activity={server.get('last_activity')}")
    log(f"the practice page's address, reloaded now: {old_page_after_cull(room, s, t.user)}")
    clock.check("coming back")
    resumed, lost = come_back(room, t, ids["item"], clock)
    print_culler_lines(room, t.user, args.log_lines)
    return f"culled_after_s={culled:.0f} resumed={'yes' if resumed else 'no'} lost={lost}"


def run(args) -> int:
    if os.geteuid() != 0:
        print("需要以 root 运行（教室为学员建一个系统账号） / must run as root", file=sys.stderr)
        return 2
    clock = Clock(args.budget)
    room = br.new_room("cqvol-cull-", "t_cull_")
    name = br.fresh_names(1)[0]
    t = br.Trainee(name, browser=False, user=trainee_username(name))

    def on_signal(signum, _frame):
        raise br.Stop(signal.Signals(signum).name)

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        last = observe(args, room, t, clock)
        code = 0
    except br.Stop as why:
        print(f"\n收到 {why}，正在清理 / interrupted by {why}, cleaning up", file=sys.stderr)
        last, code = "culled_after_s=none resumed=no lost=unknown", 130
    except Exception as exc:
        print(f"观察失败 / failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        last, code = "culled_after_s=none resumed=no lost=unknown", 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)     # let the cleanup finish
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if args.keep_log and room.log.exists():
            shutil.copyfile(room.log, args.keep_log)
        deleted = br.cleanup(room, [name])
        left = [u for u in room.created_users([name]) if br._exists(u)]
        print(f"已清理 / cleaned up: {len(deleted)} accounts deleted, {len(left)} left {left if left else ''}; "
              f"total {time.monotonic() - clock.t0:.0f} s", file=sys.stderr)
    print(last, flush=True)
    return code


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mode", choices=("idle", "open-page", "busy"), default="idle",
                    help="while waiting: page closed (idle), page open but untouched, or a click every few seconds")
    ap.add_argument("--idle-minutes", type=int, default=1, help="the room's --idle-minutes (default 1)")
    ap.add_argument("--wait", type=float, default=180, help="seconds to wait, at most, for the cull (default 180)")
    ap.add_argument("--budget", type=float, default=300, help="seconds for the whole run, at most (default 300)")
    ap.add_argument("--log-lines", type=int, default=12, help="the hub log's culler lines to print (default 12)")
    ap.add_argument("--keep-log", default=None, metavar="FILE", help="copy the room's hub log to FILE at the end")
    args = ap.parse_args(argv)
    if not 1 <= args.idle_minutes <= 10 or not 10 <= args.wait <= 600 or not 60 <= args.budget <= 900:
        ap.error("--idle-minutes 1–10, --wait 10–600, --budget 60–900")
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
