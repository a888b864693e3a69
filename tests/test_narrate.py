"""cqvol_sim.view.narrate: every event as a Chinese sentence (pure; no Jupyter imports)."""

from __future__ import annotations

import datetime as _dt
import pickle
import re
import subprocess
import sys

import pytest

from cqvol_sim import Grade, Sandbox
from cqvol_sim.view.narrate import actor_name, describe, describe_all, item_name
from cqvol_sim.validate import id_card_check_digit

TOWN = "南坪街道志愿服务总队"
DISTRICT = "南岸区志愿者协会"
_ID = re.compile(r"\b[GVPRCAM]\d{6,}\b")


def card(serial: int) -> str:
    first17 = f"50010819900101{serial:03d}"
    return first17 + id_card_check_digit(first17)


@pytest.fixture(scope="module")
def story():
    """A demo sandbox after one of every action, and the sentences of its events."""
    sb = Sandbox.demo()
    town = sb.find_group(TOWN)
    district = sb.find_group(DISTRICT)
    people = dict(leader=("王芳", "13812345678"), liaison=("李强", "13812345679"))
    g = sb.register_group(None, name="星光社区志愿服务大队", kind="hub", place="500108003013", contact=town, **people)
    sb.approve(town, g)
    sb.set_grade(town, g, Grade.PRIMARY_FAST)
    sb.reject(district, sb.find_group("鸡冠石镇志愿服务总队"), reason="负责人信息不全")
    hospital = sb.find_group("重庆市南岸区人民医院志愿服务队")
    sb.apply_upgrade(hospital, grade=Grade.PRIMARY_PROJECT, to=district, reason="需要直接发布义诊项目")
    edu = sb.find_group("重庆市南岸区教育委员会志愿服务队")
    sb.set_viewing(edu, None)
    sb.update_contacts(town, liaison=("赵敏", "13700000000"))
    sb.recover_account(None, group=town, role="负责人", name=town.leader.name, mobile=town.leader.mobile)
    v = sb.register_volunteer(town, name="赵小红", id_card=card(7), mobile="13912345678")
    other = next(x for x in sb.volunteers.values() if town.id not in x.groups)
    sb.admit_volunteer(town, other)
    sb.remove_volunteer(town, other)
    p = sb.publish_project(town, name="冬季送温暖", start=_dt.date(2026, 11, 1), end=_dt.date(2026, 12, 31))
    rec = sb.record_hours(town, v, project=p, date=_dt.date(2026, 11, 18), venue="南坪广场", served="社区老人",
                          content="陪伴聊天", hours=2.5, evaluation="优秀", contact_person="赵敏")
    c = sb.request_correction(v, rec, reason="少记了一小时", hours=3.5)
    sb.approve(town, c)
    sb.close_project(town, p)
    return sb, {ev["action"]: describe(sb, ev) for ev in sb.events}, describe_all(sb)


def test_every_event_is_one_chinese_sentence(story):
    sb, _, sentences = story
    assert len(sentences) == len(sb.events)
    for _seq, s in sentences:
        assert s.endswith("。"), s
        assert re.search(r"[\u4e00-\u9fff]", s)
        assert not _ID.search(s), s  # names, never internal ids
        assert "None" not in s and "{" not in s


@pytest.mark.parametrize("action, words", [
    ("scenario", ["载入演示沙盘", "南岸区", "2026-11-20"]),
    ("register_group", ["新团体申请人提交了枢纽型团体“星光社区志愿服务大队”的注册", "南岸区 › 南坪街道 › 星光社区",
                        "联络团体“南坪街道志愿服务总队”"]),
    ("set_grade", ["南坪街道志愿服务总队把“星光社区志愿服务大队”的权限组别设为“初级团体组（快审）”"]),
    ("reject", ["南岸区志愿者协会驳回了“鸡冠石镇志愿服务总队”的注册", "理由：负责人信息不全"]),
    ("apply_upgrade", ["重庆市南岸区人民医院志愿服务队向“南岸区志愿者协会”申请", "初级团体组（项目）",
                       "需要直接发布义诊项目"]),
    ("set_viewing", ["取消了查看团体"]),
    ("update_contacts", ["联系人改为赵敏（137****0000）"]),
    ("recover_account", ["有人通过自助服务，以负责人身份找回了“南坪街道志愿服务总队”的账号"]),
    ("register_volunteer", ["注册了志愿者赵小红（手机 139****5678）", "本团体"]),
    ("remove_volunteer", ["移出了本团体", "服务记录保留"]),
    ("publish_project", ["发布了项目“冬季送温暖”（2026-11-01 至 2026-12-31）", "目前状态：已结项"]),
    ("record_hours", ["为志愿者赵小红记录了 2.5 小时服务", "冬季送温暖", "2026-11-18", "社区老人", "评价：优秀"]),
    ("request_correction", ["志愿者赵小红申请更正“冬季送温暖”2026-11-18的记录", "服务时长改为“3.5小时”",
                            "少记了一小时"]),
    ("close_project", ["结项了项目“冬季送温暖”"]),
])
def test_sentence_of_each_action(story, action, words):
    _, by_action, _ = story
    for w in words:
        assert w in by_action[action], (w, by_action[action])


def test_approvals_say_what_was_approved(story):
    sb, _, sentences = story
    approvals = [s for _, s in sentences if "审核通过了" in s]
    assert any("“星光社区志愿服务大队”的注册" in s for s in approvals)
    assert any("志愿者赵小红对“冬季送温暖”2026-11-18的记录的更正申请" in s for s in approvals)


def test_newest_first_by_default(story):
    sb, _, sentences = story
    assert [seq for seq, _ in sentences] == [ev["seq"] for ev in reversed(sb.events)]
    assert describe_all(sb, newest_first=False)[0][1].startswith("载入演示沙盘")


def test_describe_is_pure(story):
    sb = story[0]
    before = pickle.dumps(sb)
    describe_all(sb)
    assert pickle.dumps(sb) == before


def test_unknown_ids_and_actions_still_make_a_sentence(story):
    sb = story[0]
    assert describe(sb, {"seq": 99, "action": "approve", "actor": "G999999", "args": {"item": "X1"}}) == \
        "G999999审核通过了“X1”。"
    unknown = {"seq": 99, "action": "teleport", "actor": None, "args": {}}
    assert describe(sb, unknown) == "新团体申请人执行了操作“teleport”。"
    assert describe(sb, {"action": "record_hours", "actor": None, "args": None}).endswith("。")
    assert actor_name(sb, "M500108000000") == "南岸区民政局"
    assert item_name(sb, "nothing") == "“nothing”"


def test_a_replayed_step_is_described_from_that_step(story):
    sb = story[0]
    k = next(i for i, ev in enumerate(sb.events) if ev["action"] == "set_grade") + 1
    earlier = Sandbox.replay(sb.events[:k])
    assert describe(earlier, sb.events[k - 1]) == story[1]["set_grade"]


def test_narrate_imports_nothing_from_jupyter():
    code = ("import sys, cqvol_sim.view.narrate; "
            "print([m for m in ('ipywidgets', 'IPython', 'matplotlib', 'networkx') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"
