"""The synthetic whole city: every real place with its hub, plus synthetic teams, volunteers
and records at a chosen scale (default: 20,000 teams, 200,000 volunteers, 1,000,000 records).

Every group, volunteer and record goes through the sandbox's actions, rules and all.
"""

from __future__ import annotations

import datetime as _dt
import random

from ..model import Grade, Kind
from ..places import Level
from . import people

TEAMS = 20_000
VOLUNTEERS = 200_000
RECORDS = 1_000_000

_UNITS = ["卫生院", "中心小学", "文化站", "党群服务中心", "老年协会", "妇女之家", "青年突击", "新时代文明实践站",
          "社工站", "图书室", "应急救援", "环保", "助老", "关爱留守儿童", "法律援助", "科普"]
_TARGETS = ["社区老人", "留守儿童", "辖区居民", "残疾人家庭", "过往行人", "在校学生"]
_CONTENTS = ["陪伴聊天", "文明交通劝导", "环境清洁", "健康咨询", "课业辅导", "安全宣传"]


def build_city(sb, *, seed: int, scale: float = 1.0, progress: bool = True) -> None:
    """Fill an empty sandbox (events off) with the whole city."""
    from tqdm.auto import tqdm

    rng = random.Random(seed)
    places = sb.places
    city = sb.hub_of(places.root.code)
    n_teams = max(1, round(TEAMS * scale))
    n_vols = max(1, round(VOLUNTEERS * scale))
    n_recs = max(1, round(RECORDS * scale))
    steps = len(places) + n_teams + n_vols + n_recs
    bar = tqdm(total=steps, delay=1.0, disable=not progress, desc="生成全市沙盘", unit="项", mininterval=0.5)
    person = ("王志愿", "13900000002")

    expected = {Level.DISTRICT: Grade.ADVANCED_FAST, Level.TOWN: Grade.INTERMEDIATE_FAST,
                Level.COMMUNITY: Grade.PRIMARY_FAST}
    suffix = {Level.DISTRICT: "志愿者协会", Level.TOWN: "志愿服务总队", Level.COMMUNITY: "志愿服务大队"}
    for level in (Level.DISTRICT, Level.TOWN, Level.COMMUNITY):
        for place in places.by_level(level):
            parent_hub = sb.hub_of(place.parent)
            g = sb.register_group(None, name=place.name + suffix[level], kind=Kind.HUB, place=place.code,
                                  contact=parent_hub, leader=person, liaison=person)
            sb.approve(parent_hub, g)
            sb.set_grade(parent_hub if level > Level.DISTRICT else city, g, expected[level])
        bar.update(len(places.by_level(level)))

    # non-hub teams at towns and communities, each with one published project
    spots = places.by_level(Level.TOWN) + places.by_level(Level.COMMUNITY)
    teams = []
    projects = []
    start = _dt.date(2024, 1, 1)
    for i in range(n_teams):
        place = spots[rng.randrange(len(spots))]
        hub = sb.hub_of(place.code)
        team = sb.register_group(None, name=f"{place.name}{_UNITS[i % len(_UNITS)]}{i + 1}号志愿服务队",
                                 kind=Kind.NON_HUB, place=place.code, contact=hub, leader=person, liaison=person)
        sb.approve(hub, team)
        p = sb.publish_project(team, name=f"{_UNITS[i % len(_UNITS)]}志愿服务", start=start, end=sb.today)
        sb.approve(hub, p)
        teams.append(team)
        projects.append(p)
        bar.update()

    used: set[str] = set()
    vols = []
    for i in range(n_vols):
        k = i % len(teams)
        team = teams[k]
        region = team.place
        v = sb.register_volunteer(team, name=people.person_name(rng), id_card=people.id_card(rng, region, used),
                                  mobile=people.mobile(rng))
        vols.append((v, team, projects[k]))
        bar.update()

    span = (sb.today - start).days
    days = [start + _dt.timedelta(days=d) for d in range(span + 1)]
    evaluations = sb.rules.evaluations[:3]
    hours_choices = (1.0, 1.5, 2.0, 2.5, 3.0, 4.0)
    per_vol = n_recs // len(vols)
    extra = n_recs % len(vols)
    done = 0
    for idx, (v, team, project) in enumerate(vols):
        n = per_vol + (1 if idx < extra else 0)
        first = rng.randrange(len(days) - n) if len(days) > n else 0
        step = max(1, (len(days) - first) // max(n, 1))
        for j in range(n):
            k = (idx + j) % len(_TARGETS)
            sb.record_hours(team, v, project=project, date=days[first + j * step], venue=project.name[:2] + "服务点",
                            served=_TARGETS[k], content=_CONTENTS[k], hours=hours_choices[(idx + j) % 6],
                            evaluation=evaluations[j % 3], contact_person="王志愿")
        done += n
        if idx % 1000 == 999:
            bar.update(done)
            done = 0
    bar.update(done)
    bar.close()
