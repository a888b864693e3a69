"""The cqvol-sim command: demo --save, info, and errors in Chinese with exit code 1."""

import json
import subprocess
import sys

from cqvol_sim import Sandbox
from cqvol_sim.cli import main


def test_demo_save_then_info_reads_it_back(tmp_path, capsys):
    path = tmp_path / "demo.json"
    assert main(["demo", "--save", str(path)]) == 0
    assert Sandbox.load(path) == Sandbox.demo()
    assert main(["info", str(path)]) == 0
    out = capsys.readouterr().out
    assert "2000 条服务记录" in out
    assert "社会组织（法人）：2" in out
    assert "团体状态：正常 36，待审 5" in out


def test_info_on_a_broken_file_says_so_in_chinese_and_exits_1(tmp_path, capsys):
    path = tmp_path / "broken.json"
    path.write_text('{"format": "cqvol-sim-sandbox", "version": 1, "events": [', encoding="utf-8")
    before = path.read_bytes()
    assert main(["info", str(path)]) == 1
    err = capsys.readouterr().err
    assert "不完整或已损坏" in err and str(path) in err
    assert path.read_bytes() == before


def test_info_on_a_newer_version_file(tmp_path, capsys):
    path = tmp_path / "newer.json"
    path.write_text(json.dumps({"format": "cqvol-sim-sandbox", "version": 99, "events": []}), encoding="utf-8")
    assert main(["info", str(path)]) == 1
    assert "更新版本" in capsys.readouterr().err


def test_console_script_runs_as_a_module(tmp_path):
    path = tmp_path / "d.json"
    r = subprocess.run([sys.executable, "-m", "cqvol_sim.cli", "demo", "--save", str(path)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert path.exists()


def test_setup_jupyter_writes_chinese_locale_overrides(tmp_path):
    from cqvol_sim.authoring.jupyter_setup import write_overrides

    target = tmp_path / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    target.parent.mkdir(parents=True)
    target.write_text(json.dumps({"other": {"x": 1}}), encoding="utf-8")
    path = write_overrides(str(tmp_path))
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["@jupyterlab/translation-extension:plugin"]["locale"] == "zh_CN"
    assert data["@jupyterlab/apputils-extension:notification"]["checkForUpdates"] is False
    assert data["other"] == {"x": 1}
