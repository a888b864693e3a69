"""The hours sheet's optional 岗位 column: a row goes under the named post through the same
record_hours check (only accepted volunteers); an unknown post name is a row problem; a sheet
made before the column still imports."""

from __future__ import annotations

import io

import openpyxl

from cqvol_sim import Sandbox, sheets

KNIT = "黄桷渡社区刘孃孃开心编织志愿服务队"


def _xlsx(header, rows) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _row(v, post=None, with_post=True):
    row = [v.name, v.id_card, "2026-11-18", "黄桷渡社区图书角", "社区居民", "整理图书", 2, "良好", "刘孃孃"]
    return row + [post] if with_post else row


def _setup():
    sb = Sandbox.demo()
    knit = sb.find_group(KNIT)
    projects = [p for p in sb.projects.values() if p.group == knit.id]
    post = sb.add_post(knit, projects[0], name="周末图书整理", wanted=2)
    a, b, c = (sb.volunteers[v] for v in sorted(knit.members)[:3])
    for v in (a, b):
        sb.sign_up(v, post)
    sb.accept_signup(knit, post, a)   # b signed up, not accepted; c never signed up
    return sb, knit, projects, post, (a, b, c)


def test_the_template_has_the_post_column_and_says_how_to_fill_it():
    k = sheets.sheet_kinds()["hours"]
    assert k.labels[-1] == "岗位" and k.columns[-1].optional
    assert any("岗位" in line for line in sheets.guide())


def test_rows_go_under_the_post_through_the_same_checks():
    sb, knit, projects, post, (a, b, c) = _setup()
    header = list(sheets.sheet_kinds()["hours"].labels)
    rows = sheets.read_sheet(_xlsx(header, [_row(a, "周末图书整理"), _row(b, "周末图书整理"), _row(c, "编织"),
                                            _row(a, None)]), "hours")
    report = sheets.import_rows(sb, knit, "hours", rows, mode=sheets.GOOD_ROWS, project=projects[0])
    assert [r.ok for r in report.rows] == [True, False, False, False]
    assert [r.code for r in report.rows[1:]] == ["posts.not_accepted", None, "posts.post_required"]
    assert "没有名为“编织”的岗位" in report.rows[2].message
    recs = [r for r in sb.records.values() if r.post == post.id]
    assert [r.volunteer for r in recs] == [a.id]
    assert Sandbox.replay(sb.events) == sb


def test_a_sheet_without_the_post_column_still_imports_on_a_project_without_posts():
    sb, knit, projects, post, (a, b, c) = _setup()
    header = list(sheets.sheet_kinds()["hours"].labels)[:-1]
    rows = sheets.read_sheet(_xlsx(header, [_row(c, with_post=False)]), "hours")
    report = sheets.import_rows(sb, knit, "hours", rows, mode=sheets.ALL_OR_NOTHING, project=projects[1])
    assert report.rows[0].ok and report.imported == 1
    assert sb.records_of(c)[-1].post is None
