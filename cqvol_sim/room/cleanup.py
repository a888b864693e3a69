"""Stopping a room that a test or a benchmark started, and removing what it created.

Used by tests/test_room_hub.py and benchmarks/bench_room.py (both run as root on loopback). Only
processes the caller started or that belong to accounts the caller created are touched, by pid.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import signal
import subprocess
import time
from pathlib import Path


def pids_of_uid(uid: int) -> list[int]:
    """The pids of every process owned by ``uid``."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    pids.append(int(entry.name))
            except OSError:
                pass
    return pids


def _parent_of(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


def descendants(root: int) -> list[int]:
    """The pids of every living process below ``root`` (not ``root`` itself)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            parent = _parent_of(int(entry.name))
            if parent is not None:
                children.setdefault(parent, []).append(int(entry.name))
    out: list[int] = []
    todo = list(children.get(root, []))
    while todo and len(out) < 100_000:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def _kill(pid: int) -> None:
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)


def stop_hub(proc: subprocess.Popen | None, state_dir: Path) -> None:
    """Stop the hub started as ``proc`` (in its own session) and the proxy whose pid it wrote."""
    if proc is not None and proc.poll() is None:
        proc.terminate()                          # the hub stops the servers and the proxy it started
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(OSError):
                os.killpg(proc.pid, signal.SIGKILL)   # the hub's own session (start_new_session)
            proc.wait(timeout=10)
    try:
        _kill(int((Path(state_dir) / "proxy.pid").read_text().strip()))
    except (OSError, ValueError):
        pass


def accounts_with_homes_in(folder: str | Path) -> set[str]:
    """The system accounts whose home folder is directly inside ``folder`` (a room's homes)."""
    root = Path(folder).resolve()
    return {p.pw_name for p in pwd.getpwall() if Path(p.pw_dir).parent == root}


def remove_users(users, *, remove_home: bool = False) -> list[str]:
    """Kill every process of each account in ``users`` and delete the account (``userdel``, with
    ``-r`` when ``remove_home``). Returns the accounts deleted; unknown names are skipped."""
    deleted = []
    for user in users:
        try:
            uid = pwd.getpwnam(user).pw_uid
        except KeyError:
            continue
        if uid == 0:                              # never root, whatever the name
            continue
        for _ in range(50):                       # bounded: a dying server may still start a child
            pids = pids_of_uid(uid)
            if not pids:
                break
            for pid in pids:
                _kill(pid)
            time.sleep(0.2)                       # SIGKILL is asynchronous: userdel refuses a busy account
        cmd = ["userdel", "-r", user] if remove_home else ["userdel", user]
        for _ in range(5):
            subprocess.run(cmd, capture_output=True, timeout=30)
            try:
                pwd.getpwnam(user)
            except KeyError:
                deleted.append(user)
                break
            time.sleep(1)
    return deleted
