"""No ``cqvol-sim`` command prints a Python traceback for bad input; exit codes as documented.

Exit codes (``cqvol_sim.cli``): 0 success, 1 a bad or unreadable file / a problem found, 2 the
command written wrong. Each case runs the real command in a subprocess.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CJK = re.compile(r"[\u4e00-\u9fff]")


def _run(*args, cwd: Path, env: dict | None = None, encoding: str = "utf-8") -> subprocess.CompletedProcess:
    full_env = {**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})}
    full_env.pop("CQVOL_DEBUG", None)
    p = subprocess.run([sys.executable, "-m", "cqvol_sim.cli", *map(str, args)], capture_output=True, cwd=cwd,
                       env=full_env, timeout=300)
    out = subprocess.CompletedProcess(p.args, p.returncode, p.stdout.decode(encoding, "replace"),
                                      p.stderr.decode(encoding, "replace"))
    assert "Traceback" not in out.stdout + out.stderr, out.stdout + out.stderr
    return out


@pytest.mark.parametrize("scale", ["0", "-1", "21", "nan", "inf", "-inf", "abc", "1e400"])
def test_city_scale_out_of_range(scale, tmp_path):
    p = _run("city", f"--scale={scale}", "--save", "c.json", cwd=tmp_path)
    assert p.returncode == 2 and "规模" in p.stderr
    assert not (tmp_path / "c.json").exists()


@pytest.fixture(scope="module")
def session_file(tmp_path_factory):
    """A saved demo sandbox with one action and one refusal."""
    from cqvol_sim import Sandbox, RuleViolation

    folder = tmp_path_factory.mktemp("sessions")
    sb = Sandbox.demo()
    sb.set_grade(sb.find_group("南岸区志愿者协会"), sb.find_group("广阳镇志愿服务总队"), "intermediate_fast")
    with pytest.raises(RuleViolation):
        sb.set_grade(sb.find_group("广阳镇志愿服务总队"), sb.find_group("南岸区志愿者协会"), "basic")
    sb.save(folder / "记录.json")
    return folder / "记录.json"


def test_exercise_new_onto_a_folder_even_with_force(session_file, tmp_path):
    (tmp_path / "草稿").mkdir()
    p = _run("exercise", "new", "--from", session_file, "--out", "草稿", "--force", cwd=tmp_path)
    assert p.returncode == 1 and "是一个文件夹" in p.stderr
    assert list((tmp_path / "草稿").iterdir()) == [] and sorted(x.name for x in tmp_path.iterdir()) == ["草稿"]


def test_exercise_new_where_nothing_can_be_written(session_file, tmp_path):
    (tmp_path / "占位").write_text("a file, not a folder", encoding="utf-8")
    p = _run("exercise", "new", "--from", session_file, "--out", "占位/草稿.yaml", cwd=tmp_path)
    assert p.returncode == 1 and "同名的文件" in p.stderr
    assert p.stderr.startswith("无法生成练习草稿：无法创建文件夹 占位")


def test_exercise_new_onto_a_read_only_file_system(session_file, tmp_path, monkeypatch, capsys):
    """EROFS, as a read-only mount gives it (simulated: root may write anywhere here)."""
    import errno

    from cqvol_sim import cli, storage

    def read_only(path, text):
        raise OSError(errno.EROFS, "Read-only file system", str(path))

    monkeypatch.setattr(storage, "atomic_write_text", read_only)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["exercise", "new", "--from", str(session_file), "--out", "d.yaml"]) == 1
    err = capsys.readouterr().err
    assert "文件系统是只读的" in err and "d.yaml" in err


def test_exercise_new_from_a_file_whose_refusal_code_is_a_list(session_file, tmp_path):
    data = json.loads(session_file.read_text(encoding="utf-8"))
    data["refusals"][0]["code"] = ["grades.not_setter", "x"]
    (tmp_path / "改过.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    p = _run("exercise", "new", "--from", "改过.json", cwd=tmp_path)
    assert p.returncode in (0, 1) and (p.returncode == 0 or CJK.search(p.stderr))
    if p.returncode == 0:
        assert "solution:" in p.stdout and "['grades" not in p.stdout


@pytest.mark.parametrize("out", ["", ".", "占位/x.xlsx"])
def test_report_into_a_place_that_cannot_be_written(out, tmp_path):
    (tmp_path / "班级").mkdir()
    (tmp_path / "占位").write_text("a file", encoding="utf-8")
    p = _run("report", "班级", "--xlsx", out, cwd=tmp_path)
    assert p.returncode == 1 and p.stderr.startswith("无法生成成绩报告：")


@pytest.mark.parametrize("content", ["not json", "[]", "{}", '{"cells": 5}'])
def test_lessons_refresh_of_a_file_that_is_no_notebook(content, tmp_path):
    nb = tmp_path / "坏的.ipynb"
    nb.write_text(content, encoding="utf-8")
    p = _run("lessons", "refresh", nb.name, cwd=tmp_path)
    assert p.returncode == 1 and "未更新 坏的.ipynb" in p.stdout and "笔记本文件" in p.stdout
    assert nb.read_text(encoding="utf-8") == content


@pytest.mark.parametrize("env", [{"PYTHONIOENCODING": "ascii"}, {"PYTHONIOENCODING": "latin-1"},
                                 {"PYTHONIOENCODING": "", "LANG": "C", "LC_ALL": "C"}])
def test_info_on_a_console_that_cannot_show_chinese(env, tmp_path):
    assert _run("demo", "--save", "d.json", cwd=tmp_path).returncode == 0
    p = _run("info", "d.json", cwd=tmp_path, env=env, encoding="latin-1")
    assert p.returncode == 0 and "d.json" in p.stdout


def test_usage_errors_are_chinese(tmp_path):
    p = _run("exercise", "chekc", cwd=tmp_path)
    assert p.returncode == 2 and "没有“chekc”这一项" in p.stderr
    p = _run("info", cwd=tmp_path)
    assert p.returncode == 2 and "缺少参数" in p.stderr
    p = _run("city", "--seed", "x", "--save", "c.json", cwd=tmp_path)
    assert p.returncode == 2 and "整数" in p.stderr


def test_info_of_a_file_that_is_not_a_sandbox(tmp_path):
    (tmp_path / "x.json").write_text("[[[[", encoding="utf-8")
    p = _run("info", "x.json", cwd=tmp_path)
    assert p.returncode == 1 and CJK.search(p.stderr)
    p = _run("info", "没有这个文件.json", cwd=tmp_path)
    assert p.returncode == 1 and CJK.search(p.stderr)


def test_an_unexpected_error_is_one_chinese_line(monkeypatch, capsys):
    from cqvol_sim import cli

    def broken(args):
        raise AttributeError("boom")

    parser = cli.build_parser()
    monkeypatch.setattr(cli, "build_parser", lambda: parser)
    parser._subparsers._group_actions[0].choices["demo"].set_defaults(func=broken)
    monkeypatch.delenv("CQVOL_DEBUG", raising=False)
    assert cli.main(["demo", "--save", "x.json"]) == 1
    assert "出现了意外的问题（AttributeError：boom）" in capsys.readouterr().err


# -- packaging --------------------------------------------------------------------------------

def test_the_license_is_an_spdx_string_with_its_file():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert meta["project"]["license"] == "MIT"                       # not the deprecated {text = ...} table
    assert meta["project"]["license-files"] == ["LICENSE"]
    assert "Permission is hereby granted" in (ROOT / "LICENSE").read_text(encoding="utf-8")
    [setuptools] = [r for r in meta["build-system"]["requires"] if r.startswith("setuptools")]
    assert int(re.search(r">=(\d+)", setuptools).group(1)) >= 77      # the first setuptools with PEP 639
