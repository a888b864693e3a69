"""Saving and loading a sandbox: the event log, written atomically, checked on reading.

The file is JSON: format name, format version, the event log, the refused attempts and a
digest of the resulting state. Loading replays the log and compares the digest, so a file
that was cut short, edited by hand or written by a newer version is refused with a clear
message, and no file is changed by a failed load.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import tempfile
from pathlib import Path

from .errors import StorageError

FORMAT = "cqvol-sim-sandbox"
VERSION = 1


def state_digest(sb) -> str:
    """A digest of the sandbox's state (groups, volunteers, projects, records, ...)."""
    h = hashlib.sha256()
    for table in (sb.groups, sb.volunteers, sb.projects, sb.records, sb.corrections, sb.applications):
        for key in sorted(table):
            h.update(repr(_plain(table[key])).encode("utf-8"))
    return h.hexdigest()


def _plain(obj):
    out = []
    for name in obj.__slots__:
        value = getattr(obj, name)
        if isinstance(value, set):
            value = sorted(value)
        out.append((name, value))
    return out


def _mode_for(path: Path) -> int:
    """The permission bits to write ``path`` with: its own, or the usual ones for a new file."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` to ``path`` via a temp file + fsync + rename: the old file or the new, never half.

    The file keeps its permission bits (a new one gets the usual ones, not mkstemp's private 0600).
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, _mode_for(path))
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:
        dfd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError:
        pass
    finally:
        os.close(dfd)


def save_sandbox(sb, path) -> None:
    """Write ``sb`` to ``path`` atomically."""
    doc = {"format": FORMAT, "version": VERSION, "events": sb.events, "refusals": sb.refusals,
           "digest": state_digest(sb)}
    try:
        atomic_write_text(path, json.dumps(doc, ensure_ascii=False, indent=0))
    except OSError as exc:
        raise StorageError(f"无法保存沙盘文件 {path}：{exc.strerror}（cannot write {path}）") from None


def load_sandbox(path):
    """Read a sandbox saved by ``save_sandbox``; StorageError (naming the file) if it cannot."""
    from .sandbox import Sandbox

    try:
        raw = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise StorageError(f"无法读取沙盘文件 {path}：{exc.strerror}（cannot read {path}）") from None
    except UnicodeDecodeError:
        raise StorageError(f"沙盘文件 {path} 已损坏：不是文本文件（{path} is not a saved sandbox）") from None
    try:
        doc = json.loads(raw)
    except json.JSONDecodeError:
        raise StorageError(f"沙盘文件 {path} 不完整或已损坏（{path} is truncated or corrupted）") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise StorageError(f"{path} 不是 cqvol-sim 保存的沙盘文件（{path} is not a saved sandbox）")
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise StorageError(f"沙盘文件 {path} 已损坏：格式版本 {version!r} 无效（{path} has an invalid format version）")
    if version > VERSION:
        raise StorageError(f"沙盘文件 {path} 由更新版本的 cqvol-sim 保存（格式版本 {version}），请升级后再打开"
                           f"（{path} was written by a newer version）")
    events = doc.get("events")
    if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
        raise StorageError(f"沙盘文件 {path} 已损坏：缺少操作记录（{path} has no valid event log）")
    try:
        sb = Sandbox.replay(events)
    except Exception as exc:  # whatever the log holds, a log that cannot be replayed is not a sandbox
        raise StorageError(f"沙盘文件 {path} 已损坏或与当前规则不符，无法重现：{exc}"
                           f"（replaying {path} failed: {type(exc).__name__}）") from exc
    if sb.events != events:
        # replaying writes the log again: any edited event (its number, result, ...) shows here
        raise StorageError(f"沙盘文件 {path} 的操作记录与重现的结果不一致，文件可能被改动过"
                           f"（{path}: the event log does not match its replay）")
    if doc.get("digest") != state_digest(sb):
        raise StorageError(f"沙盘文件 {path} 与重现的结果不一致，文件可能被改动过（{path} does not match its digest）")
    refusals = doc.get("refusals")
    if isinstance(refusals, list):
        sb.refusals = [r for r in refusals if isinstance(r, dict)]
    return sb
