"""Typed action parameters (cqvol_sim.params) and the one resolver (Sandbox.kind_of / resolve)."""

from __future__ import annotations

import inspect

import pytest

from cqvol_sim import RuleViolation, Sandbox
from cqvol_sim.params import ActionSpec, ActorRef, Ref, action_specs, spec_of

#: Every action parameter's kind, written out by hand: removing or changing an annotation on a
#: verb makes this differ from what action_specs() reads.
EXPECTED = {
    "register_group": {"actor": Ref.ACTOR, "name": Ref.NAME, "kind": Ref.KIND, "place": Ref.PLACE,
                       "leader": Ref.PERSON, "liaison": Ref.PERSON, "contact": Ref.GROUP, "viewing": Ref.GROUP,
                       "reg_status": Ref.REG_STATUS, "authority": Ref.AUTHORITY, "registered_name": Ref.TEXT,
                       "admin": Ref.PERSON},
    "approve": {"actor": Ref.ACTOR, "item": Ref.ITEM},
    "reject": {"actor": Ref.ACTOR, "item": Ref.ITEM, "reason": Ref.TEXT},
    "set_grade": {"actor": Ref.ACTOR, "target": Ref.GROUP, "grade": Ref.GRADE},
    "apply_upgrade": {"actor": Ref.ACTOR, "grade": Ref.GRADE, "to": Ref.GROUP, "reason": Ref.TEXT},
    "set_viewing": {"actor": Ref.ACTOR, "viewing": Ref.GROUP},
    "update_contacts": {"actor": Ref.ACTOR, "leader": Ref.PERSON, "liaison": Ref.PERSON, "admin": Ref.PERSON},
    "recover_account": {"actor": Ref.ACTOR, "group": Ref.GROUP, "role": Ref.ROLE, "name": Ref.PERSON_NAME,
                        "mobile": Ref.MOBILE, "id_card": Ref.ID_CARD},
    "register_volunteer": {"actor": Ref.ACTOR, "name": Ref.PERSON_NAME, "id_card": Ref.ID_CARD,
                           "mobile": Ref.MOBILE, "group": Ref.GROUP, "on_behalf": Ref.BOOL, "consent": Ref.TEXT},
    "request_join": {"actor": Ref.VOLUNTEER, "group": Ref.GROUP},
    "accept_join": {"actor": Ref.ACTOR, "volunteer": Ref.VOLUNTEER},
    "decline_join": {"actor": Ref.ACTOR, "volunteer": Ref.VOLUNTEER, "reason": Ref.TEXT},
    "admit_volunteer": {"actor": Ref.ACTOR, "volunteer": Ref.VOLUNTEER, "group": Ref.GROUP},
    "remove_volunteer": {"actor": Ref.ACTOR, "volunteer": Ref.VOLUNTEER, "group": Ref.GROUP},
    "publish_project": {"actor": Ref.ACTOR, "name": Ref.NAME, "start": Ref.DATE, "end": Ref.DATE,
                        "place": Ref.PLACE, "charges_fee": Ref.BOOL},
    "close_project": {"actor": Ref.ACTOR, "project": Ref.PROJECT},
    "record_hours": {"actor": Ref.ACTOR, "volunteer": Ref.VOLUNTEER, "project": Ref.PROJECT, "date": Ref.DATE,
                     "venue": Ref.TEXT, "served": Ref.TEXT, "content": Ref.TEXT, "hours": Ref.HOURS,
                     "evaluation": Ref.EVALUATION, "contact_person": Ref.TEXT, "post": Ref.POST},
    "request_correction": {"actor": Ref.VOLUNTEER, "record": Ref.RECORD, "reason": Ref.TEXT,
                           "changes": Ref.CHANGES},
    # -- feedback --
    "file_complaint": {"actor": Ref.VOLUNTEER, "kind": Ref.TEXT, "text": Ref.TEXT, "project": Ref.PROJECT,
                       "record": Ref.RECORD, "by_name": Ref.TEXT},
    "answer_complaint": {"actor": Ref.ACTOR, "complaint": Ref.COMPLAINT, "answer": Ref.TEXT},
    "approve_answer": {"actor": Ref.ACTOR, "complaint": Ref.COMPLAINT},
    "return_answer": {"actor": Ref.ACTOR, "complaint": Ref.COMPLAINT, "reason": Ref.TEXT},
    "submit_article": {"actor": Ref.ACTOR, "title": Ref.TEXT, "body": Ref.TEXT, "project": Ref.PROJECT},
    "approve_article": {"actor": Ref.ACTOR, "article": Ref.ARTICLE},
    "return_article": {"actor": Ref.ACTOR, "article": Ref.ARTICLE, "reason": Ref.TEXT},
    # hours review and proofs
    "confirm_hours": {"actor": Ref.ACTOR, "record": Ref.RECORD},
    "return_hours": {"actor": Ref.ACTOR, "record": Ref.RECORD, "reason": Ref.TEXT},
    "resubmit_hours": {"actor": Ref.ACTOR, "record": Ref.RECORD, "changes": Ref.CHANGES},
    "request_proof": {"actor": Ref.VOLUNTEER, "group": Ref.GROUP},
    "issue_proof": {"actor": Ref.ACTOR, "volunteer": Ref.VOLUNTEER, "handler": Ref.PERSON_NAME,
                    "records": Ref.RECORDS},
    "decline_proof": {"actor": Ref.ACTOR, "volunteer": Ref.VOLUNTEER, "reason": Ref.TEXT},
    # -- posts --
    "add_post": {"actor": Ref.ACTOR, "project": Ref.PROJECT, "name": Ref.NAME, "wanted": Ref.COUNT,
                 "start": Ref.DATE, "end": Ref.DATE, "shifts": Ref.TEXT},
    "sign_up": {"actor": Ref.VOLUNTEER, "post": Ref.POST},
    "accept_signup": {"actor": Ref.ACTOR, "post": Ref.POST, "volunteer": Ref.VOLUNTEER},
    "decline_signup": {"actor": Ref.ACTOR, "post": Ref.POST, "volunteer": Ref.VOLUNTEER, "reason": Ref.TEXT},
    "record_post_hours": {"actor": Ref.ACTOR, "post": Ref.POST, "volunteers": Ref.VOLUNTEERS, "date": Ref.DATE,
                          "venue": Ref.TEXT, "served": Ref.TEXT, "content": Ref.TEXT, "hours": Ref.HOURS,
                          "evaluation": Ref.EVALUATION, "contact_person": Ref.TEXT},
    "rate_service": {"actor": Ref.ACTOR, "post": Ref.POST, "volunteer": Ref.VOLUNTEER, "evaluation": Ref.EVALUATION},
}


def _actions() -> set[str]:
    return {name for name in dir(Sandbox) if getattr(getattr(Sandbox, name), "is_action", False)}


def test_action_specs_cover_every_action():
    assert len(_actions()) >= 15
    assert set(action_specs()) == _actions()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_parameter_has_its_kind(name):
    spec = action_specs()[name]
    assert isinstance(spec, ActionSpec) and spec.name == name
    assert spec.refs() == EXPECTED[name]
    # the spec lists the parameters in the signature's order
    assert [p.name for p in spec.params] == list(inspect.signature(getattr(Sandbox, name)).parameters)[1:]


def test_every_expected_action_is_listed():
    assert set(EXPECTED) == _actions()


def test_required_defaults_and_nullable_come_from_the_signature():
    spec = action_specs()["register_group"]
    assert spec.param("name").required and not spec.param("name").positional
    contact = spec.param("contact")
    assert not contact.required and contact.default is None and contact.nullable
    assert action_specs()["apply_upgrade"].param("reason").default == "工作需要"
    assert action_specs()["set_grade"].param("target").positional
    assert action_specs()["request_correction"].param("changes").variadic
    assert spec.returns.__name__ == "Group"
    assert action_specs()["approve"].returns is None


def test_a_parameter_without_its_kind_is_refused():
    def verb(self, actor: ActorRef, item: str) -> None:
        """Raise RuleViolation if never."""

    with pytest.raises(TypeError, match="item"):
        spec_of(verb)


def test_every_verb_says_when_it_refuses():
    for name, spec in action_specs().items():
        assert "Raise RuleViolation if" in spec.doc, name


# -- the resolver ----------------------------------------------------------------------------

def test_kind_of_names_the_table(demo):
    sb = demo
    g = next(iter(sb.groups.values()))
    v = next(iter(sb.volunteers.values()))
    assert sb.kind_of(g.id) == "group" and sb.kind_of(g) == "group"
    assert sb.kind_of(v.id) == "volunteer"
    assert sb.kind_of(next(iter(sb.projects))) == "project"
    assert sb.kind_of(next(iter(sb.records))) == "record"
    assert sb.kind_of(next(iter(sb.applications))) == "application"
    assert sb.kind_of(next(iter(sb.authorities))) == "authority"
    assert sb.kind_of(sb.places.root.code) == "place"
    assert sb.kind_of("no such id") is None and sb.kind_of(3) is None


def test_resolve_names_and_ids(demo):
    sb = demo
    team = sb.find_group("阳光社区志愿服务队") or next(g for g in sb.groups.values() if g.kind.value == "non_hub")
    assert sb.resolve(team.name, Ref.GROUP) == team.id
    assert sb.resolve(team.id, Ref.GROUP) == team.id
    assert sb.resolve(team, Ref.ACTOR) == team.id
    assert sb.resolve(None, Ref.ACTOR) is None
    assert sb.resolve("南岸区民政局", Ref.AUTHORITY).startswith("M")
    assert sb.resolve("南岸区民政局", Ref.ACTOR) == sb.resolve("南岸区民政局", Ref.AUTHORITY)
    assert sb.resolve("南岸区", Ref.PLACE) == sb.places.find("南岸区")[0].code
    v = next(iter(sb.volunteers.values()))
    assert sb.resolve(v.id_card, Ref.VOLUNTEER) == v.id
    assert sb.resolve(v.id_card, Ref.ACTOR) == v.id
    p = next(iter(sb.projects.values()))
    assert sb.resolve(p.name, Ref.PROJECT) == p.id
    assert sb.resolve("中级团体组", Ref.GRADE) == "intermediate"
    assert sb.resolve("联系人", Ref.ROLE) == "liaison"


def test_resolve_refuses_unknown_and_ambiguous_in_chinese(demo):
    sb = demo
    with pytest.raises(RuleViolation) as exc:
        sb.resolve("没有这个团体", Ref.GROUP)
    assert exc.value.code == "input.unknown_group"
    with pytest.raises(RuleViolation) as exc:
        sb.resolve("没有这个人", Ref.VOLUNTEER)
    assert exc.value.code == "input.unknown_item"
    v = next(iter(sb.volunteers.values()))
    team = next(iter(sb.groups[g] for g in v.groups))
    sb.register_volunteer(team, name=v.name, id_card="500108199001011234" if v.id_card != "500108199001011234"
                          else "500108199001011250", mobile="13800000000")
    with pytest.raises(RuleViolation) as exc:
        sb.resolve(v.name, Ref.VOLUNTEER)
    assert exc.value.code == "input.ambiguous_item" and v.id in exc.value.message
    with pytest.raises(TypeError):
        sb.resolve("文字", Ref.TEXT)
