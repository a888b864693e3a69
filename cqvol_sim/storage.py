"""Saving and loading a sandbox: the event log, written atomically, checked on reading.

The file is JSON: format name, format version, the event log, the refused attempts and a
digest of the resulting state and of the refused attempts. Loading replays the log and compares the digest, so a file
that was cut short, edited by hand or written by a newer version is refused with a clear
message, and no file is changed by a failed load.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import stat
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .errors import CqvolError, ScenarioError, StorageError
from .model import Correction, RecordStatus, ServiceRecord
from .legacy import RENAMED_FIELDS, upgrade_event
from .rules import echo
from .scenarios import LOAD_SCALE_MAX

FORMAT = "cqvol-sim-sandbox"
#: 2: the digest covers the refusal notes too (1: the state only). 3: a record's free-text
#: fields are venue/served/contact_person (2 and earlier: place/target/contact, still read).
#: 4: a record_hours event of a record waiting for hours review says so (``events.DECIDED``);
#: events of 3 and earlier never do, so their records replay confirmed, as they were.
VERSION = 4
#: No saved sandbox is this large (a trainee's long session is a few MB; a city is one event):
#: a larger file is refused before it is read into memory.
MAX_FILE_BYTES = 256 * 2**20


def state_digest(sb) -> str:
    """A digest of the sandbox's state (groups, volunteers, projects, records, ...)."""
    h = hashlib.sha256()
    # the verb mixins' tables follow the core's; an empty one adds nothing, so a file saved
    # before a table existed keeps its digest
    extra = [getattr(sb, t, {}) for t in type(sb).extra_tables().values()]
    for table in (sb.groups, sb.volunteers, sb.projects, sb.records, sb.corrections, sb.applications, *extra):
        for key in sorted(table):
            h.update(repr(_plain(table[key])).encode("utf-8"))
    return h.hexdigest()


#: Fields left out of the digest at these values, so that state saved before they existed keeps
#: its digest: a group without a 系统管理员; a record confirmed and never returned (hours review).
_SKIPPED_AT = {"admin": None, "return_reason": None, "post": None}   # post: a record without a 岗位
_SKIPPED_RECORD = {"status": RecordStatus.CONFIRMED}

#: The digest names a record's renamed fields as they were named when the format was set, so a
#: file saved before the rename (record ``place``/``target``/``contact``) still verifies.
_DIGEST_NAMES = {new: old for old, new in RENAMED_FIELDS.items()}


def _digest_keys(mapping: dict) -> dict:
    return {_DIGEST_NAMES.get(k, k): v for k, v in mapping.items()}


def _plain(obj):
    out = []
    for name in obj.__slots__:
        value = getattr(obj, name)
        if name in _SKIPPED_AT and value is _SKIPPED_AT[name]:
            continue   # e.g. a group without a 系统管理员 digests as groups did before they had one
        if isinstance(obj, ServiceRecord) and name in _SKIPPED_RECORD and value is _SKIPPED_RECORD[name]:
            continue
        if isinstance(value, set):
            value = sorted(value)
        elif isinstance(obj, ServiceRecord) and name == "history":
            value = [_digest_keys(h) for h in value]
        elif isinstance(obj, Correction) and name == "changes":
            value = _digest_keys(value)
        out.append((_DIGEST_NAMES.get(name, name), value))
    return out


def _mode_for(path: Path) -> int:
    """The permission bits to write ``path`` with: its own, or the usual ones for a new file."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


#: A temp file of ours left by a save that died (kill -9, power cut) is removed by the next
#: save of the same file once it is this old: a save still running elsewhere is younger.
STALE_TEMP_SECONDS = 3600


def _temp_pattern(name: str) -> re.Pattern:
    """The names ``tempfile.mkstemp(prefix=".NAME.", suffix=".tmp")`` gives: 8 random characters."""
    return re.compile(re.escape(f".{name}.") + r"[a-z0-9_]{8}\.tmp")


def _remove_stale_temps(folder: Path, name: str, now: float) -> None:
    """Remove our own old temp files for ``name`` in ``folder``: only regular files whose name
    matches our pattern exactly and that nobody has touched for STALE_TEMP_SECONDS."""
    pattern = _temp_pattern(name)
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if not pattern.fullmatch(entry.name):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(info.st_mode) and now - info.st_mtime > STALE_TEMP_SECONDS:
                os.unlink(entry.path)
        except OSError:
            pass  # gone already, or not ours to remove: never a reason to fail a save


def _target(path: Path) -> Path:
    """The file a save to ``path`` replaces: ``path`` itself, or, for a symbolic link, the file it
    points to (the link stays). OSError (Chinese ``strerror``) if that exists and is not a
    regular file (a device, a pipe, a folder): those are never replaced."""
    real = Path(os.path.realpath(path)) if os.path.islink(path) else path
    try:
        info = os.stat(real)
    except FileNotFoundError:
        return real  # a new file (or a link to one still to be made)
    if not stat.S_ISREG(info.st_mode):
        raise OSError(errno.EINVAL, "这不是一个普通文件（可能是文件夹或设备），不能用保存的内容覆盖它")
    return real


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` to ``path`` via a temp file + fsync + rename: the old file or the new, never half.

    - The file keeps its permission bits (a new one gets the usual ones, not mkstemp's private 0600).
    - A symbolic link is written through: the file it points to is replaced, the link stays.
    - A target that exists but is not a regular file (device node, pipe, folder) is refused
      with OSError; it is never replaced.
    - Temp files of earlier saves of the same file that died before the rename (``.NAME.*.tmp``,
      older than STALE_TEMP_SECONDS) are removed.
    """
    path = _target(Path(path))
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
    _remove_stale_temps(folder, path.name, time.time())
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


def file_digest(sb, refusals: list) -> str:
    """The digest a saved file carries: the state's and the refusal notes' (format version 2),
    so an edited note is found as an edited event is."""
    h = hashlib.sha256(state_digest(sb).encode("ascii"))
    h.update(json.dumps(refusals, ensure_ascii=True, sort_keys=True, separators=(",", ":")).encode("ascii"))
    return h.hexdigest()


def save_sandbox(sb, path) -> None:
    """Write ``sb`` to ``path`` atomically (see ``atomic_write_text``: a symbolic link is
    written through; a device, pipe or folder is refused with StorageError)."""
    shown = _shown(path)
    doc = {"format": FORMAT, "version": VERSION, "events": sb.events, "refusals": sb.refusals,
           "digest": file_digest(sb, sb.refusals)}
    try:
        text = json.dumps(doc, ensure_ascii=False, indent=0)
        text.encode("utf-8")  # a lone surrogate (refused at input, so never expected) fails here, not half-way
    except (UnicodeEncodeError, ValueError, TypeError) as exc:
        raise StorageError(f"无法保存沙盘文件 {shown}：沙盘中有无法保存的内容"
                           f"（cannot encode: {type(exc).__name__}）") from None
    try:
        atomic_write_text(path, text)
    except OSError as exc:
        raise StorageError(f"无法保存沙盘文件 {shown}：{exc.strerror or exc}（cannot write {shown}）") from None
    except ValueError:  # e.g. a NUL in the path
        raise StorageError(f"无法保存沙盘文件 {shown}：文件名中有无效的字符（invalid file name）") from None


def _shown(path) -> str:
    """A file name fit for a message: control characters escaped, undecodable bytes replaced."""
    try:
        text = os.fsdecode(path)
    except TypeError:
        return repr(path)[:80]
    text = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)
    return text.encode("utf-8", "replace").decode("utf-8")


def _read_doc(path, shown: str) -> dict:
    """The JSON document in ``path``, or StorageError; a FIFO or device is never opened for reading."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise StorageError(f"{shown} 不是普通文件，不是保存的沙盘（{shown} is not a regular file）")
        if info.st_size > MAX_FILE_BYTES:
            raise StorageError(f"沙盘文件 {shown} 太大（{info.st_size // 2**20} MB，"
                               f"上限 {MAX_FILE_BYTES // 2**20} MB），"
                               f"不是 cqvol-sim 保存的沙盘（{shown} is too large）")
        with open(path, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise StorageError(f"无法读取沙盘文件 {shown}：{exc.strerror or exc}（cannot read {shown}）") from None
    except (ValueError, TypeError):  # a NUL in the name, or not a path at all
        raise StorageError(f"无法读取沙盘文件 {shown}：文件名无效（invalid file name）") from None
    try:
        raw = data.decode("utf-8")
    except UnicodeDecodeError:
        raise StorageError(f"沙盘文件 {shown} 已损坏：不是文本文件（{shown} is not a saved sandbox）") from None
    try:
        doc = json.loads(raw)
    except json.JSONDecodeError:
        raise StorageError(f"沙盘文件 {shown} 不完整或已损坏（{shown} is truncated or corrupted）") from None
    except RecursionError:
        raise StorageError(f"沙盘文件 {shown} 已损坏：嵌套层次太深（{shown} is nested too deeply）") from None
    except ValueError:  # e.g. an integer of thousands of digits
        raise StorageError(f"沙盘文件 {shown} 已损坏：含有过长的数字（{shown} holds an absurd number）") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise StorageError(f"{shown} 不是 cqvol-sim 保存的沙盘文件（{shown} is not a saved sandbox）")
    return doc


def _check_events(events, shown: str, max_scale: float) -> None:
    """What can be checked before replaying: the log's shape and its scenario's parameters (so a
    tiny file cannot ask for hours of work and GiBs of memory)."""
    from .scenarios import SCENARIOS, check_scenario

    def bad(why: str) -> StorageError:
        return StorageError(f"沙盘文件 {shown} 已损坏：{why}（{shown} has no valid event log）")

    if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
        raise bad("缺少操作记录")
    for e in events:
        if not (isinstance(e.get("action"), str) and isinstance(e.get("args"), dict)
                and (e.get("actor") is None or isinstance(e.get("actor"), str))):
            raise bad(f"第 {echo(e.get('seq'), 12)} 条操作记录不完整")
    if not events or events[0].get("action") != "scenario":
        return
    args = dict(events[0]["args"])
    name = args.pop("name", None)
    try:
        params = check_scenario(name, args)
    except ScenarioError as exc:
        raise StorageError(f"沙盘文件 {shown} 中的起始沙盘无法重建：{exc}（{shown}: bad scenario）") from None
    if params.get("scale", 0) > max_scale:
        label = SCENARIOS[name].label
        raise StorageError(f"沙盘文件 {shown} 要求重建 {params['scale']:g} 倍规模的{label}，"
                           f"打开它需要很长时间和大量内存，"
                           f"超过了打开文件时允许的 {max_scale:g} 倍。如果确实需要，请在代码中用 "
                           f"Sandbox.load(文件, max_scale={params['scale']:g}) 打开（{shown}: scale too large）")


def load_sandbox(path, *, replay: Callable[[list[dict]], Any], max_scale: float = LOAD_SCALE_MAX):
    """Read a sandbox saved by ``save_sandbox``, rebuilt by ``replay`` (``Sandbox.replay`` with
    the sandbox's rules: storage never imports the sandbox); StorageError (naming the file) if
    it cannot.

    Everything that can be checked is checked before the log is replayed, and a city larger
    than ``max_scale`` is not rebuilt. Format version 1 files (whose digest did not cover the
    refusal notes) load without their notes.
    """
    shown = _shown(path)
    doc = _read_doc(path, shown)
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise StorageError(f"沙盘文件 {shown} 已损坏：格式版本 {echo(version, 20)} 无效"
                           f"（{shown} has an invalid format version）")
    if version > VERSION:
        raise StorageError(f"沙盘文件 {shown} 由更新版本的 cqvol-sim 保存（格式版本 {echo(version, 20)}），"
                           f"请升级后再打开"
                           f"（{shown} was written by a newer version）")
    events = doc.get("events")
    _check_events(events, shown, max_scale)
    assert isinstance(events, list)
    events = [upgrade_event(ev) for ev in events]   # a record's fields as they are named now
    refusals = doc.get("refusals", []) if version >= 2 else []
    if not isinstance(refusals, list) or not all(isinstance(r, dict) for r in refusals):
        raise StorageError(f"沙盘文件 {shown} 已损坏：被拒绝的操作记录格式不对（{shown} has invalid refusal notes）")
    try:
        sb = replay(events)
    except RecursionError:
        raise StorageError(f"沙盘文件 {shown} 已损坏：嵌套层次太深（replaying {shown} failed）") from None
    except Exception as exc:  # whatever the log holds, a log that cannot be replayed is not a sandbox
        # a refusal says in Chinese what was wrong; anything else is a log no sandbox wrote
        why = echo(exc, 300) if isinstance(exc, CqvolError) else "其中有无法执行的操作"
        raise StorageError(f"沙盘文件 {shown} 已损坏或与当前规则不符，无法重现：{why}"
                           f"（replaying {shown} failed: {type(exc).__name__}: {echo(exc, 100)}）") from None
    if sb.events != events:
        # replaying writes the log again: any edited event (its number, result, ...) shows here
        raise StorageError(f"沙盘文件 {shown} 的操作记录与重现的结果不一致，文件可能被改动过"
                           f"（{shown}: the event log does not match its replay）")
    expected = file_digest(sb, refusals) if version >= 2 else state_digest(sb)
    if doc.get("digest") != expected:
        raise StorageError(f"沙盘文件 {shown} 与重现的结果不一致，文件可能被改动过"
                           f"（{shown} does not match its digest）")
    sb.refusals = refusals
    return sb
