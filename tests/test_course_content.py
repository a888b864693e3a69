"""What the course teaches (issue 9, "Wrong answers and contradictions" and "Habits a trainee must
not learn"): each test reads the lesson notebooks, quizzes, exercises or rule texts a trainee sees,
or runs a lesson's story, and fails if a wrong answer or a bad habit comes back."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
import yaml

from cqvol_sim import Kind, RuleViolation, Sandbox, Status
from cqvol_sim.widgets.quiz import load_quiz
from cqvol_sim.sandbox import DEFAULT_TODAY

ROOT = Path(__file__).resolve().parent.parent
NB_DIR = ROOT / "notebooks"
QUIZ_DIR = NB_DIR / "quizzes"
EX_DIR = ROOT / "exercises"
ASSUMPTION = "本模拟器的假设（通知未作规定）"
#: Calls, not nicknames, in a record's 联系人.
NICKNAME = re.compile(r"孃孃|嬢嬢|大姐|阿姨|师傅|老师$")


def cells(name: str) -> list[dict]:
    return json.loads((NB_DIR / f"{name}.ipynb").read_text(encoding="utf-8"))["cells"]


def source(cell: dict) -> str:
    s = cell["source"]
    return s if isinstance(s, str) else "".join(s)


def text(name: str, kind: str | None = None) -> str:
    """All the cell sources of a notebook (of one kind: "markdown" or "code")."""
    return "\n".join(source(c) for c in cells(name) if kind is None or c["cell_type"] == kind)


def questions(name: str):
    return load_quiz(QUIZ_DIR / f"{name}.yaml")[1]


def exercise(path: str) -> dict:
    return yaml.safe_load((EX_DIR / path).read_text(encoding="utf-8"))


def goal(ex: dict, gid: str) -> dict:
    return next(g for g in ex["goals"] if g["id"] == gid)


def record_steps(ex: dict) -> list[dict]:
    """Every record_hours action of an exercise: setup, solution and mistakes."""
    steps = list(ex.get("setup", [])) + list(ex.get("solution", []))
    for m in ex.get("mistakes", []):
        steps += m["steps"]
    return [s["args"] for s in steps if s.get("action") == "record_hours"]


@pytest.fixture
def demo():
    return Sandbox.demo()


def refusal(action, *args, **kwargs) -> RuleViolation:
    with pytest.raises(RuleViolation) as info:
        action(*args, **kwargs)
    return info.value


# -- wrong answers and contradictions -------------------------------------------------------------------
def test_disabled_team_upgrade_is_for_publishing_not_for_being_a_contact_group(demo):
    app = next(a for a in demo.applications.values() if a.status is Status.PENDING)
    assert "直接发布助残项目" in app.reason and "吸纳" not in app.reason and "联络团体" not in app.reason
    for name in ("04_grades", "10_track_district"):
        body = text(name)
        assert "直接发布助残项目" in body and "初级团体组（项目）" in body
        assert "吸纳下属单位的团队挂靠" not in body
        assert "Grade.PRIMARY_PROJECT" in text(name, "code")  # the decision grants what is needed
    d03 = exercise("district/d03-upgrade-decisions.yaml")
    assert "直接发布助残项目" in d03["task"] and "作联络团体" not in d03["task"]
    assert goal(d03, "disabled-grade")["group"]["grade"] == "初级团体组（项目）"
    assert goal(d03, "disabled-not-intermediate")["application"]["status"] == "已驳回"


def test_d01_does_not_say_villages_register_under_a_basic_town_hub():
    unmet = goal(exercise("district/d01-town-hub-grades.yaml"), "gy-grade")["unmet"]
    assert "代为审核" not in unmet and "允许下级团体注册" in unmet


def test_quiz_08_q4_has_one_right_answer():
    q = questions("08_recovery")[3]
    wrong = [c for i, c in enumerate(q.choices) if i != q.answer]
    assert not any("志愿者" in c for c in wrong)  # volunteer recovery is simulated: never a wrong answer
    assert "志愿者" in q.choices[q.answer]
    assert "志愿者个人账号的找回没有模拟" not in q.explanation


def test_v01_dates_agree_with_the_sandbox_today():
    v01 = exercise("village/v01-record-target.yaml")
    day = goal(v01, "recorded")["record"]["date"]
    assert isinstance(day, dt.date) and day == DEFAULT_TODAY - dt.timedelta(days=2)
    assert "昨天" not in v01["task"] and "前天" in v01["task"] and str(DEFAULT_TODAY) in v01["task"]


def test_v04_asks_whether_it_is_a_volunteer_team_not_only_about_its_name():
    v04 = exercise("village/v04-review-registrations.yaml")
    assert ASSUMPTION in v04["task"]
    assert "名称不符合" not in goal(v04, "rejected")["unmet"]
    reason = goal(v04, "reason")["group"]["reject_reason"]["contains"]
    assert "志愿服务队" not in reason and "志愿服务" in reason
    assert "不是驳回的理由" in text("05_review") and ASSUMPTION in text("05_review")


def test_grade_lesson_explains_who_answers_an_application_and_who_may_adjust():
    body = text("04_grades", "markdown")
    assert "一份申请只由收到它的那一家答复" in body
    assert ("模拟器也允许区县志愿者协会（联合会）和市志愿服务联合会直接调整非枢纽型团体的组别，"
            "不一定要等申请") not in body


def test_quiz_01_q4_counts_hubs_per_level():
    q = next(q for q in questions("01_group_kinds") if "几个" in q.question and "枢纽型团体" in q.question)
    assert "街道级" in q.question and "社区志愿服务大队" in q.explanation


def test_start_lesson_maps_every_part_of_the_notice():
    table = next(source(c) for c in cells("00_start") if "| 通知条款 | 内容 | 本工具包的课程 |" in source(c))
    rows = {line.split("|")[1].strip(): line for line in table.splitlines() if line.startswith("| ")}
    assert {"一", "二", "四"} <= set(rows)
    assert "系统管理员" in rows["四"] and "本课" in rows["二"]


@pytest.mark.parametrize("name", ["00_start", "01_group_kinds"])
def test_hierarchy_chart_is_read_as_places_not_contacts(name):
    body = text(name, "markdown")
    assert "连线表示团体**在哪个地方**，不都表示联络团体" in body and "没有联络团体" in body


def test_recovery_goes_through_the_leaders_own_mobile():
    for name in ("08_recovery", "12b_track_village"):
        code = text(name, "code")
        update = code.index("sb.update_contacts(")
        assert code.rfind('recover("负责人"', 0, update) > code.rfind("\n\n", 0, update)  # recovered just before
        assert "用负责人的账号登录" not in text(name) and "请团队负责人贺春梅登录团队账号" not in text(name)
    body = text("08_recovery", "markdown")
    assert "“志愿云”微信公众号" in body and "“志愿云自助服务”小程序" in body
    assert "都已经停用" in body and ASSUMPTION in body
    q = next(q for q in questions("12b_track_village") if "找回" in q.question)
    assert "负责人" in q.choices[q.answer] and "自己登记的手机号" in q.choices[q.answer]


def test_community_hub_is_the_residents_committees_own_team():
    body = text("01_group_kinds", "markdown")
    assert "居委会、村委会自己" in body
    assert "| 党政机关、企事业单位、学校、医院、社区里的志愿服务团队 |" not in body


def test_one_stated_rule_for_the_same_level():
    body = text("03_affiliation", "markdown")
    assert body.count("**“本级”怎样定？** " + ASSUMPTION) == 1
    # the school (run by the district's education board) works in its street; the hospital serves the district
    assert "南坪实验小学" in body and "区人民医院" in body
    assert "本级" in questions("05_review")[0].explanation
    assert "面向全区服务" in questions("03_affiliation")[1].explanation
    assert "本级是南坪街道" in exercise("town/t04-review-school-project.yaml")["task"]
    assert "本级是街道" in exercise("town/t05-apply-upgrade.yaml")["task"]
    assert "本级是区县" in exercise("district/d06-review-projects.yaml")["task"]


def test_branch_contact_hint_does_not_send_a_branch_by_place(demo):
    org = demo.find_group("重庆市南岸区邻里守望志愿服务中心")
    exc = refusal(demo.register_group, None, name=f"{org.name}南坪站志愿服务队", kind=Kind.BRANCH, place="南岸区",
                  contact=demo.find_group("南岸区志愿者协会"), leader=("王小红", "13812345678"),
                  liaison=("李明", "13987654321"))
    assert exc.code == "affiliation.contact_wrong"
    assert "分支（代表）机构不按所在地选" in exc.hint and "所属的社会组织" in exc.hint
    assert "不按属地化" in text("03_affiliation", "markdown")


def test_name_hints_do_not_suggest_a_near_copy_of_a_hub_or_drop_the_city(demo):
    errors, _ = demo.check_name(Kind.NON_HUB, "黄桷渡社区", "黄桷渡社区志愿服务大队")
    assert "“黄桷渡社区志愿服务队”" not in errors[0].hint and "邢孃孃开心编织" in errors[0].hint
    errors, _ = demo.check_name(Kind.NON_HUB, "南岸区", "南岸区残疾人联合会志愿者协会")
    assert "“南岸区残疾人联合会志愿服务队”" not in errors[0].hint
    errors, _ = demo.check_name(Kind.HUB, "南岸区", "重庆市南岸区志愿者协会")
    assert "中的地名与该团体所在的" not in errors[0].message and "多了“重庆市”" in errors[0].message
    lesson = text("02_names", "markdown")
    assert "南坪街道志愿服务总队青年志愿服务队" in lesson and "**重庆市**南岸区残疾人联合会志愿服务队" in lesson


def test_review_lesson_says_what_is_reviewed():
    body = text("05_review", "markdown")
    assert "志愿者管理和日常的时长记录由团体自己办理，不送审" in body
    assert "本模拟器模拟了其中的团体注册、项目发布、提高权限申请、志愿者管理和服务记录（含更正）的审核管理" not in body


# -- habits ------------------------------------------------------------------------------------------
def test_no_padded_hours_in_lesson_07_or_v06():
    code = text("07_stars", "code")
    assert [float(h) for h in re.findall(r"hours=([\d.]+)", code)] and all(
        float(h) <= 3 for h in re.findall(r"hours=([\d.]+)", code))
    body = text("07_stars", "markdown")
    assert "不为凑星级多录、补录" in body and "真实、准确、完整、无偿、及时" in body
    v06 = exercise("village/v06-star-rating.yaml")
    setup_days = [a["date"] for a in record_steps(v06)[:-3]]
    assert len(setup_days) >= 20  # the star story's service days (54 records when this was written)
    assert all(a["hours"] <= 3 for a in record_steps(v06))
    assert len(setup_days) == len(set(setup_days))  # one session a day
    days = sorted(setup_days)
    runs = [1]
    for a, b in zip(days, days[1:]):
        runs.append(runs[-1] + 1 if (b - a).days == 1 else 1)
    assert max(runs) <= 2  # a weekend at most, never a run of service days to top up a star
    assert "不为凑星级多录" in v06["task"]
    q = next(q for q in questions("07_stars") if "凑" in q.explanation)
    assert "如实" in q.choices[q.answer]


def _run_story(name: str, tracked: str):
    """Run a lesson's story cells; after each, note (today, status of project ``tracked``, record dates)."""
    snapshots = []
    ns: dict = {}
    for c in cells(name):
        src = source(c)
        if c["cell_type"] != "code" or "cqvol_sim.app import" in src or "quiz_file" in src:
            continue
        exec(compile(src, f"{name}.ipynb", "exec"), ns)  # noqa: S102 - our own lesson code
        sb = ns.get("sb")
        project = next((p for p in sb.projects.values() if p.name == tracked), None) if sb else None
        if project is not None:
            dates = [r.date for r in sb.records.values() if r.project == project.id]
            snapshots.append((sb.today, project, project.status.value, dates))
    return snapshots


def test_village_week_publishes_and_approves_before_the_service(capsys):
    snaps = _run_story("12a_track_village", "黄桷渡社区敬老助餐")
    today, project, _, _ = snaps[0]
    assert today < project.start  # published before the service starts
    approved = next(s for s in snaps if s[2] == "published")
    assert not approved[3] and approved[0] < project.start  # approved before any service
    records = snaps[-1][3]
    assert records and min(records) >= project.start and max(records) <= snaps[-1][0]


def test_no_nickname_as_a_records_contact(demo):
    contacts = 0
    for path in sorted(EX_DIR.glob("*/*.yaml")):
        for args in record_steps(yaml.safe_load(path.read_text(encoding="utf-8"))):
            contacts += "contact_person" in args
            assert not NICKNAME.search(str(args.get("contact_person", ""))), (path.name, args)
    assert contacts >= 30, contacts  # the bank's records were read, with their 联系人 field (61 when written)
    liaison = demo.find_group("黄桷渡社区刘孃孃开心编织志愿服务队").liaison.name
    for path in ("village/v01-record-target.yaml", "village/v06-star-rating.yaml"):
        assert {a["contact_person"] for a in record_steps(exercise(path))} == {liaison}


def test_no_volunteer_enrolled_by_a_district_hub_for_someone_else():
    code = text("10_track_district", "code")
    assert not re.search(r"sb\.(register|admit)_volunteer\(\s*me\b", code)
    q = next(q for q in questions("10_track_district") if "老师" in q.question)
    right = q.choices[q.answer]
    assert "本人" in right and "直接替她注册" not in right
    assert any("直接替她注册" in c for i, c in enumerate(q.choices) if i != q.answer)
    t07 = exercise("town/t07-town-records.yaml")
    assert "她本人报名" in t07["task"] and "同意加入" in t07["task"]


def test_records_page_lists_only_the_volunteers_an_identity_may_see():
    pytest.importorskip("ipywidgets")
    from cqvol_sim.widgets.common import Session
    from cqvol_sim.widgets.projects import ProjectsPanel

    sb = Sandbox.demo()
    knit = sb.find_group("黄桷渡社区刘孃孃开心编织志愿服务队")
    school = sb.find_group("南坪实验小学志愿服务队")
    outsider = next(v for v in sorted(school.members) if v not in knit.members)

    def listed(identity) -> set[str]:
        panel = ProjectsPanel(Session(sb, identity))
        panel.section.value = "records"
        return {v for _, v in panel.l_volunteer.dropdown.options if v}

    assert listed(knit.name) == set(knit.members) and outsider not in listed(knit.name)
    assert outsider in listed("南岸区志愿者协会")  # 区域内志愿者管理
    assert listed(None) == set()
