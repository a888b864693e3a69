"""The demo district: 南岸区, a real district with 街道 and 镇, 社区 and 村, ready for every lesson.

Contents (all made through the sandbox's actions, so all of it obeys the rules):
- the city hub, two city bureaux' teams (市教委, 市卫生健康委);
- 南岸区志愿者协会 (高级团体组（快审）) and all 15 town hubs: 13 set to 中级团体组（快审）,
  广阳镇志愿服务总队 approved but its grade not yet set, 鸡冠石镇志愿服务总队 still pending;
- 12 community hubs in 南坪街道, 峡口镇 and 迎龙镇: 大田村志愿服务大队 pending, 北斗村志愿服务大队
  approved but not yet graded, the rest 初级团体组（快审）;
- non-hub teams of a district bureau (viewing group: the 市教委 team), a hospital, the
  disabled persons' federation (with a pending upgrade application), a school, a community
  interest team like the notice's 编织 team, and two pending ones (a village team, a health centre);
- a legal-person social organisation with a branch, and a second one pending at 南岸区民政局;
- about 200 volunteers, 24 projects (some pending) and about 2,000 service records.
"""

from __future__ import annotations

import datetime as _dt
import random

from ..model import Grade, Kind
from . import people

DEMO_DISTRICT = "南岸区"

TOWN_PENDING = "鸡冠石镇"
TOWN_UNGRADED = "广阳镇"
COMMUNITIES = {
    "南坪街道": ["黄桷渡社区", "阳光社区", "东路社区", "响水路社区", "正街社区"],
    "峡口镇": ["大兴场社区", "西流村", "大石村", "大田村"],
    "迎龙镇": ["倒座庙社区", "蹇家边村", "北斗村"],
}
COMMUNITY_PENDING = "大田村"
COMMUNITY_UNGRADED = "北斗村"
#: Draws of a free service day before giving up (a plain ``while`` loop never ends when none is left).
_MAX_DRAWS = 10_000


def _contacts(rng: random.Random) -> dict:
    return {"leader": (people.person_name(rng), people.mobile(rng)),
            "liaison": (people.person_name(rng), people.mobile(rng))}


def build_demo(sb) -> None:
    """Fill an empty sandbox (events off) with the demo district."""
    rng = random.Random(2020)
    places = sb.places
    city = sb.hub_of(places.root.code)
    district = places.find(DEMO_DISTRICT)[0]

    def reg(name, kind, place, contact=None, **kw):
        return sb.register_group(None, name=name, kind=kind, place=place.code if hasattr(place, "code") else place,
                                 contact=contact, **_contacts(rng), **kw)

    def approve(g):
        sb.approve(sb.reviewer(g), g)
        return g

    # city-level teams
    edu_city = approve(reg("重庆市教育委员会志愿服务队", Kind.NON_HUB, places.root, city))
    approve(reg("重庆市卫生健康委员会志愿服务队", Kind.NON_HUB, places.root, city))

    # the district hub and its towns
    dhub = approve(reg(f"{DEMO_DISTRICT}志愿者协会", Kind.HUB, district, city))
    sb.set_grade(city, dhub, Grade.ADVANCED_FAST)
    towns = {}
    for town in places.children(district.code):
        t = reg(f"{town.name}志愿服务总队", Kind.HUB, town, dhub)
        towns[town.name] = t
        if town.name == TOWN_PENDING:
            continue
        approve(t)
        if town.name != TOWN_UNGRADED:
            sb.set_grade(dhub, t, Grade.INTERMEDIATE_FAST)

    comm = {}
    for town_name, names in COMMUNITIES.items():
        town = places.find(town_name, within=district.code)[0]
        for cname in names:
            place = places.find(cname, within=town.code)[0]
            c = reg(f"{cname}志愿服务大队", Kind.HUB, place, towns[town_name])
            comm[cname] = c
            if cname == COMMUNITY_PENDING:
                continue
            approve(c)
            if cname != COMMUNITY_UNGRADED:
                sb.set_grade(towns[town_name], c, Grade.PRIMARY_FAST)

    def town_place(name):
        return places.find(name, within=district.code)[0]

    def comm_place(name):
        return next(p for p in places.descendants(district.code) if p.name == name)

    # non-hub teams
    edu = approve(reg(f"重庆市{DEMO_DISTRICT}教育委员会志愿服务队", Kind.NON_HUB, district, dhub, viewing=edu_city))
    hospital = approve(reg(f"重庆市{DEMO_DISTRICT}人民医院志愿服务队", Kind.NON_HUB, district, dhub))
    disabled = approve(reg(f"重庆市{DEMO_DISTRICT}残疾人联合会志愿服务队", Kind.NON_HUB, district, dhub))
    school = approve(reg("南坪实验小学志愿服务队", Kind.NON_HUB, town_place("南坪街道"), towns["南坪街道"]))
    knit = approve(reg("黄桷渡社区刘孃孃开心编织志愿服务队", Kind.NON_HUB, comm_place("黄桷渡社区"),
                       comm["黄桷渡社区"]))
    reg("西流村乡村振兴志愿服务队", Kind.NON_HUB, comm_place("西流村"), comm["西流村"])
    reg("峡口镇卫生院志愿服务队", Kind.NON_HUB, town_place("峡口镇"), towns["峡口镇"])
    sb.apply_upgrade(disabled, grade=Grade.INTERMEDIATE, to=dhub,
                     reason="助残项目多、常年开展，需要直接发布助残项目，不必每次等审核")

    # social organisations
    authority = sb.authority_for(district)
    org_name = f"重庆市{DEMO_DISTRICT}邻里守望志愿服务中心"
    org = approve(reg(org_name, Kind.LEGAL_PERSON, district, authority=authority, registered_name=org_name))
    branch = approve(reg(f"{org_name}弹子石分中心志愿服务队", Kind.BRANCH, district, org))
    pending_org = f"重庆市{DEMO_DISTRICT}春晖助老服务中心"
    reg(pending_org, Kind.LEGAL_PERSON, district, authority=authority, registered_name=pending_org)

    # volunteers, projects and records
    teams = [edu, hospital, disabled, school, knit, org, branch,
             comm["黄桷渡社区"], comm["阳光社区"], comm["西流村"], towns["南坪街道"], towns["峡口镇"]]
    used: set[str] = set()
    members: dict[str, list] = {t.id: [] for t in teams}
    for i in range(200):
        team = teams[i % len(teams)]
        v = sb.register_volunteer(team, name=people.person_name(rng),
                                  id_card=people.id_card(rng, district.code, used), mobile=people.mobile(rng))
        members[team.id].append(v)

    project_names = ["关爱空巢老人", "文明交通劝导", "社区环境清洁", "助残陪伴", "图书角整理",
                     "防溺水宣传", "健康义诊进社区", "垃圾分类宣传"]
    start0 = _dt.date(2025, 3, 1)
    published = []
    for i, team in enumerate(teams):
        for k in range(2):
            name = f"{project_names[(i + k) % len(project_names)]}（{sb.places[team.place].name}）"
            start = start0 + _dt.timedelta(days=30 * k + 7 * i)
            p = sb.publish_project(team, name=name, start=start, end=sb.today + _dt.timedelta(days=40))
            if p.status.value == "pending":
                sb.approve(sb.reviewer(p), p)
            published.append(p)
    # projects left pending, for the review lessons
    sb.publish_project(hospital, name="健康义诊进社区（2027年春季）", start=_dt.date(2027, 3, 1),
                       end=_dt.date(2027, 5, 31))
    sb.publish_project(comm["阳光社区"], name="阳光社区邻里互助日", start=sb.today,
                       end=sb.today + _dt.timedelta(days=60))

    evaluations = sb.rules.evaluations[:3]
    targets = ["社区老人", "残疾人家庭", "过往行人", "辖区居民", "在校学生", "留守儿童"]
    contents = ["陪伴聊天、代购生活用品", "路口文明交通劝导", "清扫楼道和公共区域", "健康咨询和量血压",
                "整理图书、辅导阅读", "宣传防溺水知识"]
    by_team = {t.id: [p for p in published if p.group == t.id] for t in teams}
    # a few long-serving volunteers so that star ratings show
    veterans = [members[knit.id][0], members[edu.id][0], members[org.id][0]]
    plan = [(v, 80) for v in veterans] + [(v, 0) for vs in members.values() for v in vs if v not in veterans]
    remaining = 2000 - 80 * len(veterans)
    others = len(plan) - len(veterans)
    for idx, (v, n) in enumerate(plan):
        if not n:
            n = remaining // others + (1 if idx - len(veterans) < remaining % others else 0)
        team_id = next(iter(v.groups))
        projects = by_team[team_id]
        days: set[_dt.date] = set()
        for j in range(n):
            p = projects[j % len(projects)]
            span = (min(p.end, sb.today) - p.start).days
            day = p.start + _dt.timedelta(days=rng.randrange(span + 1))
            for _ in range(_MAX_DRAWS):
                if day not in days:
                    break
                day = p.start + _dt.timedelta(days=rng.randrange(span + 1))
            else:
                # the projects are too short for this many days: ``today`` is too early (the
                # scenario's range in scenarios/__init__.py keeps callers from getting here)
                raise RuntimeError(f"demo scenario: no free day left for {v.id} in {p.name}")
            days.add(day)
            k = rng.randrange(len(targets))
            sb.record_hours(team_id, v, project=p, date=day, venue=sb.places[p.place].name, served=targets[k],
                            content=contents[k], hours=8 if n == 80 else rng.choice((1, 1.5, 2, 2.5, 3, 4)),
                            evaluation=rng.choice(evaluations), contact_person=sb.groups[team_id].liaison.name)
