"""The instructors' commands: exercise check, exercise new, report (messages in Chinese)."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from cqvol_sim import RuleViolation, Sandbox
from cqvol_sim.exercises import cli
from cqvol_sim.exercises.draft import draft_from_session
from cqvol_sim.exercises.loader import load_exercise, parse_exercise
from cqvol_sim.exercises.progress import ProgressDB
from cqvol_sim.exercises.verify import verify_exercise
from test_progress import FakeResult

ROOT = Path(__file__).resolve().parents[1]
BANK = ROOT / "exercises"
BROKEN = Path(__file__).parent / "data" / "exercises_broken"


def run(*args, cwd=ROOT, env=None):
    """``python -m cqvol_sim.exercises.cli ARGS`` in a subprocess: (exit code, stdout, stderr)."""
    e = dict(os.environ, PYTHONIOENCODING="utf-8", **(env or {}))
    p = subprocess.run([sys.executable, "-m", "cqvol_sim.exercises.cli", *map(str, args)], cwd=cwd,
                       capture_output=True, text=True, encoding="utf-8", env=e, timeout=300)
    return p.returncode, p.stdout, p.stderr


def test_check_the_bank():
    code, out, err = run("exercise", "check", "exercises", "--variants", "3")
    assert code == 0, out + err
    n = len(list(BANK.rglob("*.yaml")))
    assert f"检查练习文件：exercises（{n} 个文件）" in out
    assert out.count("【通过】") == n and "【有问题】" not in out
    assert "【通过】district/d01-town-hub-grades.yaml：审核镇街枢纽型团体并设置权限组别（区县，3 个目标" in out
    assert "条款覆盖：三（一）1" in out and "尚未覆盖" not in out
    assert out.strip().endswith(f"结果：{n} 个练习全部通过。")


def test_check_one_good_file_verbose(capsys):
    code = cli.main(["exercise", "check", str(BANK / "town" / "t02-not-district-grade.yaml"), "-v"])
    out = capsys.readouterr().out
    assert code == 0
    assert "目标 not-district：常见错误“顺手去改区县志愿者协会的组别”时未达成" in out
    assert "常见错误“顺手去改区县志愿者协会的组别”：grades.not_setter" in out
    assert "结果：1 个练习全部通过。" in out


def test_check_broken_files_names_file_and_line():
    code, out, err = run("exercise", "check", BROKEN)
    assert code == 1
    n = len(list(BROKEN.glob("*.yaml")))
    assert out.count("【有问题】") == n and "【通过】" not in out
    rel = "tests/data/exercises_broken/"
    for line in (f"{rel}bad-tab.yaml 第 8 行：YAML 格式错误：不能用 Tab 键缩进",
                 f"{rel}bad-colon.yaml 第 6 行：YAML 格式错误：这里不能出现英文冒号",
                 f"{rel}bad-fields.yaml 第 14 行：“中级团体”不是权限组别",
                 f"{rel}bad-fields.yaml 第 21 行：没有“aprove”这个操作。是不是“approve”？",
                 f"{rel}bad-refused.yaml 第 16 行：参考答案第 2 步被系统拒绝",
                 f"{rel}bad-loose.yaml 第 14 行：目标 g2 的“未达成”反馈无法出现",
                 f"{rel}bad-solved.yaml 第 8 行：练习一开始就已经完成了",
                 f"{rel}bad-param.yaml 第 8 行：文字中的“{{twon}}”不是已定义的参数"):
        assert line in out, line
    assert f"结果：{n} 个练习中 0 个通过，{n} 个有问题" in out


def test_check_with_the_bank_env_and_a_missing_path(tmp_path, capsys):
    assert cli.main(["exercise", "check", str(tmp_path / "nowhere")]) == 2
    assert "找不到" in capsys.readouterr().err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert cli.main(["exercise", "check", str(empty)]) == 1
    assert "没有找到练习文件" in capsys.readouterr().out


def test_duplicate_ids_in_one_check(tmp_path, capsys):
    for sub in ("a", "b"):
        (tmp_path / sub / "district").mkdir(parents=True)
        shutil.copy(BANK / "district" / "d04-authority-review.yaml", tmp_path / sub / "district")
    code = cli.main(["exercise", "check", str(tmp_path)])
    assert code == 1
    assert "练习编号“d04-authority-review”与" in capsys.readouterr().out


def test_add_commands_on_the_main_cli_parser():
    """How the lead's cqvol_sim/cli.py registers the commands."""
    parser = argparse.ArgumentParser(prog="cqvol-sim")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("demo")                            # the lead's own commands live beside ours
    cli.add_commands(sub)
    args = parser.parse_args(["exercise", "check", "x.yaml", "--variants", "2"])
    assert args.func is cli.cmd_check and args.path == "x.yaml" and args.variants == 2
    args = parser.parse_args(["exercise", "new", "--from", "s.json", "--out", "d.yaml"])
    assert args.func is cli.cmd_new and (args.source, args.out, args.force) == ("s.json", "d.yaml", False)
    args = parser.parse_args(["report", "班级", "--xlsx", "成绩.xlsx"])
    assert args.func is cli.cmd_report and (args.dir, args.xlsx) == ("班级", "成绩.xlsx")
    with pytest.raises(SystemExit):
        parser.parse_args(["exercise"])               # a subcommand is required


# -- exercise new --------------------------------------------------------------------------

def test_new_from_a_session_writes_a_draft_that_passes_check(tmp_path, capsys):
    src = tmp_path / "记录.json"
    sb = Sandbox.demo()
    town = sb.find_group("迎龙镇志愿服务总队")
    beidou = sb.find_group("北斗村志愿服务大队")
    sb.set_grade(town, beidou, "primary_fast")
    with pytest.raises(RuleViolation):
        sb.set_grade(town, sb.find_group("南岸区志愿者协会"), "advanced")
    place = sb.places.find("北斗村", within=sb.places.find("迎龙镇")[0].code)[0].code
    team = sb.register_group(None, name="北斗村乡贤志愿服务队", kind="non_hub", place=place, contact=beidou,
                             leader=("余德才", "13983205501"), liaison=("余小凤", "13983205502"))
    sb.approve(beidou, team)
    sb.save(src)

    out = tmp_path / "town" / "t90-from-session.yaml"
    assert cli.main(["exercise", "new", "--from", str(src), "--out", str(out)]) == 0
    assert f"已生成练习草稿 {out}" in capsys.readouterr().out
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# 练习草稿：由沙盘记录 记录.json 生成")
    ex = load_exercise(out)
    assert ex.id == "t90-from-session" and ex.level == "镇街"
    v = ex.variant()
    assert v.identity == "迎龙镇志愿服务总队"
    assert [s.action for s in v.solution] == ["set_grade", "register_group", "approve"]
    assert v.solution[1].actor is None and v.solution[2].actor == "北斗村志愿服务大队"
    kinds = [(g.type, g.conditions.get("name") or g.conditions.get("target")) for g in v.goals]
    team = "北斗村乡贤志愿服务队"
    assert kinds == [("event", "北斗村志愿服务大队"), ("group", team), ("group", team)]
    assert v.goals[1].conditions == {"name": "北斗村乡贤志愿服务队", "kind": "非枢纽型团体", "place": "北斗村",
                                     "contact": "北斗村志愿服务大队"}
    assert sum(g.points for g in v.goals) == 100
    assert "grades.not_setter" in v.hints                  # the refusal met in the session
    assert verify_exercise(ex).problems == []

    # an existing file is kept unless --force
    assert cli.main(["exercise", "new", "--from", str(src), "--out", str(out)]) == 1
    assert "已经存在" in capsys.readouterr().err
    assert cli.main(["exercise", "new", "--from", str(src), "--out", str(out), "--force"]) == 0


def test_new_to_the_screen_and_errors(tmp_path, capsys):
    src = tmp_path / "s.json"
    sb = Sandbox.demo()
    hub = sb.find_group("黄桷渡社区刘孃孃开心编织志愿服务队")
    v = sb.register_volunteer(hub, name="严小梅", id_card="500108200106187071", mobile="13983209999")
    sb.record_hours(hub, v, project=sb.project("P000009"), date="2026-11-19", venue="图书角", served="社区居民",
                    content="整理图书", hours=2, evaluation="良好", contact_person="刘孃孃")
    sb.save(src)
    assert cli.main(["exercise", "new", "--from", str(src)]) == 0
    text = capsys.readouterr().out
    ex = parse_exercise(text, "screen.yaml")
    assert ex.level == "村社" and ex.id == "draft-s"
    assert verify_exercise(ex).problems == []

    empty = tmp_path / "empty.json"
    Sandbox.demo().save(empty)
    assert cli.main(["exercise", "new", "--from", str(empty)]) == 1
    assert "还没有任何操作" in capsys.readouterr().err
    assert cli.main(["exercise", "new", "--from", str(tmp_path / "missing.json")]) == 1
    assert "无法读取沙盘文件" in capsys.readouterr().err


def test_draft_skips_goals_undone_later():
    sb = Sandbox.demo()
    hub = sb.find_group("黄桷渡社区刘孃孃开心编织志愿服务队")
    v = sb.register_volunteer(hub, name="严小梅", id_card="500108200106187071", mobile="13983209999")
    sb.remove_volunteer(hub, v)
    text = draft_from_session(sb, ex_id="undo")
    goals = parse_exercise(text, "undo.yaml").variant().goals
    assert [g.type for g in goals] == ["event"]                         # the removal; not the registration
    assert goals[0].conditions == {"action": "remove_volunteer", "by": "黄桷渡社区刘孃孃开心编织志愿服务队",
                                   "volunteer": "严小梅"}


# -- report -------------------------------------------------------------------------------

def test_report_command(tmp_path, capsys):
    folder = tmp_path / "班级"
    folder.mkdir()
    for name, score in (("甲", 100), ("乙", 60), ("丙", 0)):
        db = ProgressDB(folder / f"{name}.sqlite3")
        db.record_check(db.start_attempt(name, "d01-town-hub-grades"), FakeResult(score, solved=score == 100),
                        seconds=120)
    out = tmp_path / "成绩.xlsx"
    assert cli.main(["report", str(folder), "--xlsx", str(out)]) == 0
    assert f"已生成成绩报告 {out}：3 名学员，1 个练习。" in capsys.readouterr().out
    ws = load_workbook(out)["成绩"]
    assert ws["D1"].value == "d01-town-hub-grades 审核镇街枢纽型团体并设置权限组别"     # after 学员, 单位, 班级
    assert [ws.cell(row=r, column=1).value for r in (3, 4, 5)] == ["丙", "乙", "甲"]   # by code point
    assert [ws.cell(row=r, column=4).value for r in (3, 4, 5)] == [0, 60, 100]
    assert cli.main(["report", str(tmp_path / "nowhere"), "--xlsx", str(out)]) == 1
    assert "无法生成成绩报告" in capsys.readouterr().err


def test_module_main_runs():
    code, out, _ = run("--help")
    assert code == 0 and "exercise" in out and "report" in out
    p = subprocess.run([sys.executable, "-m", "cqvol_sim.exercises", "exercise", "check",
                        str(BANK / "village" / "v02-volunteer-join.yaml")], capture_output=True, text=True,
                       encoding="utf-8", cwd=ROOT, env=dict(os.environ, PYTHONIOENCODING="utf-8"))
    assert p.returncode == 0 and "结果：1 个练习全部通过。" in p.stdout


def test_report_reads_titles_of_exercises_kept_outside_the_bank(tmp_path, capsys):
    mine = tmp_path / "我的练习"
    mine.mkdir()
    text = (BANK / "town" / "t02-not-district-grade.yaml").read_text(encoding="utf-8")
    (mine / "t99-my-copy.yaml").write_text(text.replace("id: t02-not-district-grade", "id: t99-my-copy")
                                           .replace("title: 谁来设置权限组别", "title: 我自己的练习"), encoding="utf-8")
    folder = tmp_path / "班级"
    folder.mkdir()
    db = ProgressDB(folder / "甲.sqlite3")
    db.record_check(db.start_attempt("甲", "t99-my-copy"), FakeResult(100, solved=True), seconds=60)
    out = tmp_path / "成绩.xlsx"
    assert cli.main(["report", str(folder), "--xlsx", str(out)]) == 0
    assert load_workbook(out)["成绩"]["D1"].value == "t99-my-copy"              # unknown to the bank: id only
    assert cli.main(["report", str(folder), "--xlsx", str(out), "--exercises", str(mine)]) == 0
    assert load_workbook(out)["成绩"]["D1"].value == "t99-my-copy 我自己的练习"
    assert load_workbook(out)["按练习"]["C2"].value == "镇街"
    capsys.readouterr()


# -- command(): a cqvol-sim command line run from a notebook ------------------------------------

def test_command_runs_a_command_line_as_typed(tmp_path, capsys, monkeypatch):
    from cqvol_sim.exercises import command

    monkeypatch.chdir(tmp_path)
    shutil.copy(BANK / "town" / "t02-not-district-grade.yaml", tmp_path)
    assert command("cqvol-sim exercise check t02-not-district-grade.yaml") is None   # success: no Out[] value
    out = capsys.readouterr().out
    assert out.startswith("检查练习文件：t02-not-district-grade.yaml（1 个文件）")
    assert "结果：1 个练习全部通过。" in out
    assert "尚未覆盖" not in out                       # one file need not cover the whole notice
    assert command(["exercise", "check", "t02-not-district-grade.yaml"]) is None  # a list, no program name
    capsys.readouterr()
    assert command("cqvol-sim exercise check 没有这个文件.yaml") == 2
    assert "找不到" in capsys.readouterr().err
    assert command("cqvol-sim exercise chekc") == 2   # argparse's usage error is returned, not raised
    assert "没有“chekc”这一项" in capsys.readouterr().err
    sb = Sandbox.demo()
    sb.set_grade(sb.find_group("南岸区志愿者协会"), sb.find_group("广阳镇志愿服务总队"), "intermediate_fast")
    sb.save(tmp_path / "记录.json")
    assert command("cqvol-sim exercise new --from 记录.json --out 草稿/d99-draft.yaml") is None
    assert "已生成练习草稿 草稿/d99-draft.yaml" in capsys.readouterr().out
    assert command("cqvol-sim exercise new --from 记录.json --out 草稿/d99-draft.yaml") == 1   # exists
    assert "--force" in capsys.readouterr().err
