"""Proofs of service (志愿服务证明): a volunteer asks, the recording group issues (谁记录谁证明,
confirmed records only, the 2015 fields, a serial per issuer) or declines; the printable page is
marked 培训样张 and escapes every value; replay and save/load stay exact."""

from __future__ import annotations

import datetime as _dt
import shutil

import pytest

from cqvol_sim import Sandbox, storage
from cqvol_sim.model import RecordStatus, Status
from cqvol_sim.rules import load_rules
from cqvol_sim.view.proof import proof_html

from conftest import (COMMUNITY_HUB, KNIT_TEAM, ORG, TOWN_HUB, G, accepted, fresh_volunteer, html_text,
                      own_project, record_kwargs, refused, some_member)


def _knit_hours(sb: Sandbox, *hours: float, confirm: bool = True):
    """A new knit-team volunteer with records of these hours (confirmed by 黄桷渡社区志愿服务大队)."""
    knit = G(sb, KNIT_TEAM)
    v = fresh_volunteer(sb, knit)
    p = own_project(sb, knit)
    recs = [sb.record_hours(knit, v, **record_kwargs(sb, p, date=_dt.date(2026, 11, 1 + i), hours=h))
            for i, h in enumerate(hours)]
    if confirm:
        for r in recs:
            sb.confirm_hours(G(sb, COMMUNITY_HUB), r)
    return v, recs


def test_request_then_issue(demo):
    v, recs = _knit_hours(demo, 2, 3.5)
    knit = G(demo, KNIT_TEAM)
    req = accepted(demo, demo.request_proof, v, knit)
    assert req.id.startswith("Q") and demo.proof_requests_to(knit) == [req]
    proof = accepted(demo, demo.issue_proof, knit, v, handler="李明")
    assert proof.id.startswith("Z") and req.status is Status.ACTIVE and req.proof == proof.id
    # the 2015 fields (民发〔2015〕149号)
    assert (proof.volunteer_name, proof.id_type, proof.id_number, proof.volunteer_number) == (
        v.name, "居民身份证", v.id_card, v.id)
    assert proof.hours == 5.5 and "陪伴聊天" in proof.content
    assert (proof.issuer, proof.leader, proof.handler, proof.contact) == (knit.name, knit.leader, "李明", knit.liaison)
    assert proof.serial == "2026-001" and proof.date == demo.today
    assert proof.records == tuple(r.id for r in recs)


def test_a_proofs_hours_equal_its_confirmed_records(demo):
    v, recs = _knit_hours(demo, 2, 3)
    _, pending = _knit_hours(demo, 4, confirm=False)
    knit = G(demo, KNIT_TEAM)
    proof = demo.issue_proof(knit, v, handler="李明")   # by default: every confirmed record the group recorded
    assert proof.hours == sum(demo.records[r].hours for r in proof.records) == 5
    assert all(demo.records[r].status is RecordStatus.CONFIRMED for r in proof.records)


def test_serials_are_unique_per_issuer(demo):
    knit = G(demo, KNIT_TEAM)
    v, _ = _knit_hours(demo, 2)
    w, _ = _knit_hours(demo, 1)
    a = demo.issue_proof(knit, v, handler="李明")
    b = demo.issue_proof(knit, w, handler="李明")
    org = G(demo, ORG)
    c = demo.issue_proof(org, some_member(demo, org), handler="张强")
    assert (a.serial, b.serial) == ("2026-001", "2026-002")   # one issuer's numbers never repeat
    assert c.serial == "2026-001" and c.group != a.group         # each issuer counts its own


def test_decline_with_a_reason(demo):
    v, _ = _knit_hours(demo, 2)
    knit = G(demo, KNIT_TEAM)
    req = demo.request_proof(v, knit)
    refused(demo, "input.reason_missing", demo.decline_proof, knit, v, reason="")
    accepted(demo, demo.decline_proof, knit, v, reason="公示期内有异议，核实后再出具")
    assert req.status is Status.REJECTED and req.reject_reason.startswith("公示期")
    refused(demo, "proofs.no_request", demo.decline_proof, knit, v, reason="再拒绝")


def test_who_records_proves(demo):
    v, recs = _knit_hours(demo, 2)
    hub, town = G(demo, COMMUNITY_HUB), G(demo, TOWN_HUB)
    # a hub cannot issue one for another group's records (67号令 谁记录谁证明)
    refused(demo, "proofs.not_recorder", demo.issue_proof, hub, v, handler="李明", records=recs)
    refused(demo, "proofs.not_recorder", demo.issue_proof, town, v, handler="李明", records=recs)
    refused(demo, "proofs.no_records", demo.issue_proof, town, v, handler="李明")


def test_only_confirmed_records(demo):
    v, recs = _knit_hours(demo, 2, confirm=False)
    knit = G(demo, KNIT_TEAM)
    refused(demo, "proofs.not_confirmed", demo.issue_proof, knit, v, handler="李明", records=recs)
    refused(demo, "proofs.no_records", demo.issue_proof, knit, v, handler="李明")
    demo.return_hours(G(demo, COMMUNITY_HUB), recs[0], reason="时长不对")
    refused(demo, "proofs.not_confirmed", demo.issue_proof, knit, v, handler="李明", records=recs)


def test_other_refusals(demo):
    v, recs = _knit_hours(demo, 2)
    w, _ = _knit_hours(demo, 1)
    knit = G(demo, KNIT_TEAM)
    refused(demo, "proofs.not_own_record", demo.issue_proof, knit, w, handler="李明", records=recs)
    refused(demo, "input.text_missing", demo.issue_proof, knit, v, handler=" ")
    refused(demo, "input.person_name_invalid", demo.issue_proof, knit, v, handler="<b>李明</b>")
    demo.request_proof(v, knit)
    refused(demo, "proofs.already_pending", demo.request_proof, v, knit)
    refused(demo, "groups.not_active", demo.request_proof, v, "鸡冠石镇志愿服务总队")


def test_the_page_has_every_field_and_the_training_mark(demo):
    v, _ = _knit_hours(demo, 2)
    proof = demo.issue_proof(G(demo, KNIT_TEAM), v, handler="李明")
    page = proof_html(demo.rules, proof)
    text = html_text(page)
    for label in ("志愿服务证明", "证明编号", "志愿者姓名", "证件类型", "证件号码", "志愿者编号", "服务时长",
                  "服务内容", "出具单位", "负责人", "经办人", "联系方式", "出具日期"):
        assert label in text, label
    assert page.count("培训样张") >= 2 and "rotate(-30deg)" in page and "size: A4" in page
    assert "不是真实的志愿服务证明" in text and "7天" in text and proof.serial in text


def test_the_page_escapes_hostile_values(demo):
    v, _ = _knit_hours(demo, 2)
    proof = demo.issue_proof(G(demo, KNIT_TEAM), v, handler="李明")
    proof.volunteer_name = "<script>alert('x')</script>&"
    proof.content = "\"><img src=x onerror=alert(1)>"
    page = proof_html(demo.rules, proof)
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;" in page and "&amp;" in page


def test_replay_and_save_are_exact(demo, tmp_path):
    v, recs = _knit_hours(demo, 2, 3)
    w, _ = _knit_hours(demo, 1)
    knit = G(demo, KNIT_TEAM)
    demo.request_proof(v, knit)
    demo.issue_proof(knit, v, handler="李明", records=recs[:1])
    demo.request_proof(w, knit)
    demo.decline_proof(knit, w, reason="请先核对记录")
    assert Sandbox.replay(demo.events) == demo
    path = tmp_path / "p.json"
    demo.save(path)
    again = Sandbox.load(path)
    assert again == demo and storage.state_digest(again) == storage.state_digest(demo)
    assert again.proofs == demo.proofs and len(again.proofs) == 1


def test_a_proof_keeps_the_facts_of_its_day(demo):
    v, _ = _knit_hours(demo, 2)
    knit = G(demo, KNIT_TEAM)
    proof = demo.issue_proof(knit, v, handler="李明")
    demo.update_contacts(knit, liaison=("赵丽", "13912345678"))
    assert proof.contact != knit.liaison


def test_proof_rule_data_is_needed(tmp_path):
    from cqvol_sim.errors import RulesError
    from cqvol_sim.rules import _SHIPPED

    folder = tmp_path / "rules"
    shutil.copytree(_SHIPPED, folder, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    text = (folder / "violations.yaml").read_text(encoding="utf-8")
    start, end = text.index("proofs.not_recorder:"), text.index("proofs.not_confirmed:")
    (folder / "violations.yaml").write_text(text[:start] + text[end:], encoding="utf-8")
    with pytest.raises(RulesError, match="proofs.not_recorder"):
        load_rules(folder)


def test_records_given_as_something_else_than_a_list_is_a_clear_type_error(demo):
    import pytest as _pytest

    knit = demo.find_group("黄桷渡社区刘孃孃开心编织志愿服务队")
    v = next(iter(demo.volunteers.values()))
    n = len(demo.events)
    with _pytest.raises(TypeError, match="records must be a list"):
        demo.issue_proof(knit, v, handler="王芳", records=5)
    assert len(demo.events) == n
