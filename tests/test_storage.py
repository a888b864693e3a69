"""Saving and loading a sandbox: atomic writes, and refusal (StorageError naming the file,
no file changed) of truncated, corrupted, tampered, newer-version and foreign files."""

from __future__ import annotations

import datetime as _dt
import json
import os

import pytest

from cqvol_sim import Grade, Sandbox, StorageError
from cqvol_sim import storage
from conftest import DISTRICT_HUB, KNIT_TEAM, TOWN_HUB_UNGRADED, G, own_project, record_kwargs, some_member


@pytest.fixture
def worked(demo):
    """The demo after a few actions and one refusal."""
    demo.set_grade(G(demo, DISTRICT_HUB), G(demo, TOWN_HUB_UNGRADED), Grade.INTERMEDIATE_FAST)
    knit = G(demo, KNIT_TEAM)
    v = some_member(demo, knit)
    demo.record_hours(knit, v, **record_kwargs(demo, own_project(demo, knit), hours=2.5))
    demo.request_correction(v, demo.records_of(v)[-1], reason="实际3小时", hours=3)
    try:
        demo.set_grade(knit, knit, Grade.ADVANCED)
    except Exception:
        pass
    assert demo.refusals
    return demo


def _files(folder):
    """Every file in ``folder`` with its bytes and modification time."""
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir()) if p.is_file()}


def _load_refused(path, *words):
    folder = path.parent if path.parent.exists() else None
    before = _files(folder) if folder else None
    with pytest.raises(StorageError) as info:
        Sandbox.load(path)
    text = str(info.value)
    assert str(path) in text, text
    for w in words:
        assert w in text, text
    if folder:
        assert _files(folder) == before  # a failed load changes no file
    return text


# -- round trip ---------------------------------------------------------------------------------

def test_save_and_load(worked, tmp_path):
    path = tmp_path / "我的沙盘.json"
    worked.save(path)
    loaded = Sandbox.load(path)
    assert loaded == worked and loaded.refusals == worked.refusals
    assert loaded is not worked
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["format"] == storage.FORMAT and doc["version"] == storage.VERSION
    assert "实际3小时" in path.read_text(encoding="utf-8")  # readable Chinese, not \\u escapes
    # the loaded sandbox carries on like the original
    knit = G(loaded, KNIT_TEAM)
    loaded.publish_project(knit, name="新项目", start=_dt.date(2026, 12, 1), end=_dt.date(2026, 12, 2))
    worked.publish_project(G(worked, KNIT_TEAM), name="新项目", start=_dt.date(2026, 12, 1), end=_dt.date(2026, 12, 2))
    assert loaded == worked


def test_save_path_as_str_and_overwrite(worked, tmp_path):
    path = str(tmp_path / "s.json")
    Sandbox.demo().save(path)
    worked.save(path)
    assert Sandbox.load(path) == worked
    assert sorted(os.listdir(tmp_path)) == ["s.json"]  # no temporary file left behind


def test_fresh_sandbox_keeps_its_today(tmp_path):
    sb = Sandbox(today=_dt.date(2030, 6, 1))
    sb.save(tmp_path / "s.json")
    loaded = Sandbox.load(tmp_path / "s.json")
    assert loaded.today == _dt.date(2030, 6, 1) and loaded == sb
    assert Sandbox.replay(sb.events) == sb
    empty = Sandbox()
    assert Sandbox.replay(empty.events) == empty and empty.events == []


# -- atomic save -----------------------------------------------------------------------------------

def test_save_is_temp_fsync_rename(worked, tmp_path, monkeypatch):
    calls = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        calls.append("fsync")
        return real_fsync(fd)

    def replace(src, dst):
        calls.append(("replace", os.path.dirname(src) == str(tmp_path), os.path.basename(src) != "s.json",
                      str(dst)))
        return real_replace(src, dst)

    monkeypatch.setattr(storage.os, "fsync", fsync)
    monkeypatch.setattr(storage.os, "replace", replace)
    worked.save(tmp_path / "s.json")
    first_replace = next(i for i, c in enumerate(calls) if c != "fsync")
    assert calls[0] == "fsync" and first_replace > 0  # the data reaches the disk before the rename
    assert calls[first_replace] == ("replace", True, True, str(tmp_path / "s.json"))


@pytest.mark.parametrize("fail_at", ["replace", "fsync", "write", "mkstemp"])
def test_failed_save_keeps_the_old_file(worked, tmp_path, monkeypatch, fail_at):
    path = tmp_path / "s.json"
    Sandbox.demo().save(path)
    before = _files(tmp_path)

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    if fail_at == "write":
        real_fdopen = os.fdopen

        class Full:
            def __init__(self, f):
                self.f = f

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.f.close()

            def write(self, text):
                self.f.write(text[: len(text) // 2])
                raise OSError(28, "No space left on device")

            def __getattr__(self, name):
                return getattr(self.f, name)

        monkeypatch.setattr(storage.os, "fdopen", lambda *a, **k: Full(real_fdopen(*a, **k)))
    elif fail_at == "mkstemp":  # what a read-only folder does (root ignores chmod, so simulate it)
        monkeypatch.setattr(storage.tempfile, "mkstemp", lambda *a, **k: (_ for _ in ()).throw(
            PermissionError(13, "Permission denied")))
    else:
        monkeypatch.setattr(storage.os, fail_at, boom)
    with pytest.raises(StorageError) as info:
        worked.save(path)
    assert str(path) in str(info.value)
    monkeypatch.undo()
    assert _files(tmp_path) == before  # the old file, byte for byte, and no temp file
    assert Sandbox.load(path) == Sandbox.demo()


def test_save_into_missing_folder(worked, tmp_path):
    path = tmp_path / "no" / "such" / "s.json"
    with pytest.raises(StorageError) as info:
        worked.save(path)
    assert str(path) in str(info.value)
    assert not (tmp_path / "no").exists()


def test_save_onto_a_folder(worked, tmp_path):
    (tmp_path / "d").mkdir()
    with pytest.raises(StorageError):
        worked.save(tmp_path / "d")
    assert sorted(os.listdir(tmp_path)) == ["d"] and os.listdir(tmp_path / "d") == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders; see the mkstemp case")
def test_save_into_read_only_folder(worked, tmp_path):
    path = tmp_path / "s.json"
    Sandbox.demo().save(path)
    before = _files(tmp_path)
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(StorageError):
            worked.save(path)
    finally:
        tmp_path.chmod(0o700)
    assert _files(tmp_path) == before


# -- refused loads -------------------------------------------------------------------------------

@pytest.fixture
def saved(worked, tmp_path):
    path = tmp_path / "s.json"
    worked.save(path)
    return path


def _doc(path):
    return json.loads(path.read_text(encoding="utf-8"))


def _write(path, doc):
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


@pytest.mark.parametrize("keep", [0.0, 0.5, 0.9, 0.999])
def test_truncated(saved, keep):
    data = saved.read_bytes()
    saved.write_bytes(data[: int(len(data) * keep)])
    _load_refused(saved)


def test_not_json(saved):
    saved.write_text("这不是沙盘文件 {", encoding="utf-8")
    _load_refused(saved, "损坏")


def test_binary(saved):
    saved.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe")
    _load_refused(saved)


@pytest.mark.parametrize("doc", [[], {}, {"format": "other"}, "text", 3, None,
                                 {"format": "cqvol-sim-sandbox", "version": 1},
                                 {"format": "cqvol-sim-sandbox", "version": 1, "events": "abc"},
                                 {"format": "cqvol-sim-sandbox", "version": 1, "events": [1, 2]}],
                         ids=lambda v: None)
def test_not_a_sandbox(saved, doc):
    _write(saved, doc)
    _load_refused(saved)


@pytest.mark.parametrize("version", [storage.VERSION + 1, 99])
def test_newer_version(saved, version):
    doc = _doc(saved)
    doc["version"] = version
    _write(saved, doc)
    _load_refused(saved, "更新版本")


@pytest.mark.parametrize("version", [0, -1, "1", True, 1.5, None])
def test_invalid_version(saved, version):
    doc = _doc(saved)
    doc["version"] = version
    _write(saved, doc)
    _load_refused(saved)


def test_tampered_digest(saved):
    doc = _doc(saved)
    doc["digest"] = "0" * 64
    _write(saved, doc)
    _load_refused(saved, "改动")


def test_tampered_hours(saved):
    # valid JSON, a valid action, a different result: the digest no longer matches
    doc = _doc(saved)
    ev = next(e for e in doc["events"] if e["action"] == "record_hours")
    ev["args"]["hours"] = 4.5
    _write(saved, doc)
    _load_refused(saved, "改动")


@pytest.mark.parametrize("field", ["seq", "result", "actor"])
def test_tampered_event_bookkeeping(saved, field):
    doc = _doc(saved)
    ev = next(e for e in doc["events"] if e["action"] == "set_grade")
    ev[field] = {"seq": 99, "result": "G000001", "actor": "G000001"}[field]
    _write(saved, doc)
    _load_refused(saved)


@pytest.mark.parametrize("change", ["refused-action", "unknown-action", "not-an-action", "bad-args", "no-args",
                                    "bad-scenario", "huge-city", "dropped-scenario"])
def test_tampered_event_that_cannot_be_replayed(saved, change):
    doc = _doc(saved)
    ev = next(e for e in doc["events"] if e["action"] == "record_hours")
    if change == "refused-action":
        ev["args"]["hours"] = -1
    elif change == "unknown-action":
        ev["action"] = "delete_everything"
    elif change == "not-an-action":
        ev["action"] = "save"
    elif change == "bad-args":
        ev["args"]["colour"] = "red"
    elif change == "no-args":
        del ev["args"]
    elif change == "bad-scenario":
        doc["events"][0]["args"]["today"] = "明天"
    elif change == "huge-city":
        doc["events"][0]["args"] = {"name": "city", "seed": 1, "scale": 1e9, "today": "2026-11-20"}
    else:
        del doc["events"][0]
    _write(saved, doc)
    _load_refused(saved)


def test_missing_file(tmp_path):
    _load_refused(tmp_path / "nothing.json")


def test_folder_is_not_a_file(tmp_path):
    (tmp_path / "d.json").mkdir()
    _load_refused(tmp_path / "d.json")


@pytest.mark.parametrize("notes", ["garbage", [], None, "edited"], ids=lambda v: repr(v)[:10])
def test_refusal_notes_are_under_the_digest(saved, notes):
    doc = _doc(saved)
    if notes == "edited":
        doc["refusals"][0]["hint"] = "请把权限组别设为高级团体组（快审）。"
    else:
        doc["refusals"] = notes
    _write(saved, doc)
    _load_refused(saved)


def test_version_1_file_loads_without_its_unchecked_notes(saved, worked):
    # version 1 digests covered the state only: its notes cannot be trusted, the state can
    doc = _doc(saved)
    doc["version"] = 1
    doc["digest"] = storage.state_digest(worked)
    doc["refusals"][0]["hint"] = "改过的提示"
    _write(saved, doc)
    loaded = Sandbox.load(saved)
    assert loaded == worked and loaded.refusals == []
