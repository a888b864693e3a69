"""The core's shape: no import cycle in the package, enums that never compare equal across
classes, labels and replays that follow the sandbox's own rules."""

from __future__ import annotations

import ast
import datetime as _dt
import shutil
from pathlib import Path

import pytest

import cqvol_sim
from cqvol_sim import Grade, Kind, ProjectStatus, RegStatus, Right, RuleViolation, Sandbox, Status
from cqvol_sim.model import Role
from cqvol_sim.rules import default_rules, load_rules

from conftest import G, KNIT_TEAM

PACKAGE = Path(cqvol_sim.__file__).parent


def _module_name(path: Path) -> str:
    parts = ["cqvol_sim", *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts}


def import_graph() -> dict[str, set[str]]:
    """Module -> the package modules it imports, anywhere in it (module level, inside functions,
    under TYPE_CHECKING alike: a cycle hidden in a function is still a cycle)."""
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        out: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                out |= {a.name for a in node.names if a.name in modules}
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                    target = f"{base}.{node.module}" if node.module else base
                else:
                    target = node.module or ""
                for alias in node.names:
                    sub = f"{target}.{alias.name}"
                    out.add(sub if sub in modules else target)
        graph[name] = {m for m in out if m in modules and m != name}
    return graph


def find_cycle(graph: dict[str, set[str]], within: set[str] | None = None) -> list[str] | None:
    """One import cycle among ``within`` (default: every module), as a list of modules, or None."""
    nodes = set(graph) if within is None else within
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n: str) -> list[str] | None:
        state[n] = 1
        stack.append(n)
        for m in sorted(graph[n] & nodes):
            if state.get(m) == 1:
                return stack[stack.index(m):] + [m]
            if m not in state and (found := visit(m)):
                return found
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(nodes):
        if n not in state and (found := visit(n)):
            return found
    return None


def test_the_import_graph_sees_imports():
    graph = import_graph()
    assert len(graph) > 40
    assert "cqvol_sim.grades" in graph["cqvol_sim.sandbox"]
    assert "cqvol_sim.rules" in graph["cqvol_sim.grades"]
    assert find_cycle({"a": {"b"}, "b": {"a"}}) == ["a", "b", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_rule_module_imports_the_sandbox():
    graph = import_graph()
    for name in graph:
        if name not in ("cqvol_sim", "cqvol_sim.sandbox") and not name.startswith(
                ("cqvol_sim.widgets", "cqvol_sim.exercises", "cqvol_sim.app", "cqvol_sim.view", "cqvol_sim.cli")):
            assert "cqvol_sim.sandbox" not in graph[name], name


def test_the_core_has_no_import_cycle():
    """Every module but the exercises package (owned and being reshaped elsewhere)."""
    graph = import_graph()
    core = {m for m in graph if not m.startswith("cqvol_sim.exercises")}
    assert len(core) > 30
    assert find_cycle(graph, core) is None


def test_the_package_has_no_import_cycle():
    assert find_cycle(import_graph()) is None


# -- enums ---------------------------------------------------------------------------------------

def test_enums_of_two_classes_never_compare_equal():
    assert Grade.PENDING != Status.PENDING and not Grade.PENDING == Status.PENDING
    assert Status.PENDING != ProjectStatus.PENDING
    assert Kind.LEGAL_PERSON != RegStatus.LEGAL_PERSON
    assert len({Grade.PENDING, Status.PENDING, ProjectStatus.PENDING}) == 3
    # a member still equals its stored value, and is its own
    assert Grade.PENDING == "pending" and Grade.PENDING.value == "pending" and Grade.PENDING == Grade.PENDING
    assert {Right.FAST_REVIEW_SUBS: 1}.get("fast_review_subs") == 1


def test_recover_account_takes_a_role(demo):
    g = G(demo, KNIT_TEAM)
    text = demo.recover_account(None, group=g, role=Role.LIAISON, name=g.liaison.name, mobile=g.liaison.mobile)
    assert "联系人手机" in text
    assert demo.events[-1]["args"]["role"] == "liaison"
    # the Chinese literals of older code are the roles' labels, still accepted
    demo.recover_account(None, group=g, role="负责人", name=g.leader.name, mobile=g.leader.mobile)
    assert demo.events[-1]["args"]["role"] == "leader"
    with pytest.raises(RuleViolation) as exc:
        demo.recover_account(None, group=g, role="会计", name=g.leader.name, mobile=g.leader.mobile)
    assert exc.value.code == "recovery.role_invalid"
    with pytest.raises(RuleViolation) as exc:
        demo.recover_account(None, group=g, role=Role.LEADER, name=g.liaison.name, mobile=g.liaison.mobile)
    assert exc.value.code == "recovery.mismatch" and "负责人" in exc.value.message


def test_a_file_saved_with_an_old_recovery_role_loads(tmp_path):
    import json

    sb = Sandbox.demo()
    g = G(sb, KNIT_TEAM)
    sb.recover_account(None, group=g, role=Role.LEADER, name=g.leader.name, mobile=g.leader.mobile)
    path = tmp_path / "old.json"
    sb.save(path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["events"][-1]["args"]["role"] == "leader"
    doc["events"][-1]["args"]["role"] = "负责人"   # as the code before Role wrote it
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert Sandbox.load(path) == sb


# -- the sandbox's own rules ------------------------------------------------------------------------

@pytest.fixture
def renamed_rules(tmp_path):
    """A copy of the rules in which 基本团体组 reads 基础团体组 and the recovery text differs."""
    folder = tmp_path / "rules"
    shutil.copytree(default_rules().folder, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    grades = folder / "grades.yaml"
    grades.write_text(grades.read_text(encoding="utf-8").replace("label: 基本团体组", "label: 基础团体组"),
                      encoding="utf-8")
    labels = folder / "labels.yaml"
    labels.write_text(labels.read_text(encoding="utf-8").replace("  pending: 待审\n", "  pending: 等待审核\n", 1)
                      .replace("验证通过：“{group}”", "核验无误：“{group}”"), encoding="utf-8")
    return load_rules(folder)


def test_labels_and_texts_come_from_the_sandboxs_rules(renamed_rules):
    sb = Sandbox.demo(rules=renamed_rules)
    assert sb.rules is renamed_rules
    assert sb.rules.label(Grade.BASIC) == "基础团体组" and sb.rules.label(Status.PENDING) == "等待审核"
    g = G(sb, KNIT_TEAM)
    assert sb.recover_account(None, group=g, role=Role.LEADER, name=g.leader.name,
                              mobile=g.leader.mobile).startswith("核验无误")
    # parse knows the sandbox's own labels
    assert Grade.parse("基础团体组", renamed_rules) is Grade.BASIC


def test_replay_and_load_rebuild_with_the_sandboxs_rules(renamed_rules, tmp_path):
    sb = Sandbox.demo(rules=renamed_rules)
    g = G(sb, KNIT_TEAM)
    sb.recover_account(None, group=g, role=Role.LEADER, name=g.leader.name, mobile=g.leader.mobile)
    again = Sandbox.replay(sb.events, rules=renamed_rules)
    assert again == sb and again.rules is renamed_rules
    sb.save(tmp_path / "s.json")
    loaded = Sandbox.load(tmp_path / "s.json", rules=renamed_rules)
    assert loaded == sb and loaded.rules is renamed_rules
    assert Sandbox.replay(sb.events).rules is default_rules()


def test_an_empty_sandbox_replays_with_its_rules(renamed_rules):
    sb = Sandbox(rules=renamed_rules, today=_dt.date(2026, 3, 1))
    assert Sandbox.replay(sb.events, rules=renamed_rules).rules is renamed_rules


def test_level_words_live_in_the_rule_data():
    from cqvol_sim.places import Level

    rules = default_rules()
    assert [rules.level_word(lv) for lv in Level] == ["市级", "区县级", "镇街级", "村社级"]
    assert rules.label(Level.TOWN) == "镇街"


# -- sandbox.py holds the verbs and the state, each verb short --------------------------------------

VERB_FILES = ["sandbox.py", *sorted(p.name for p in PACKAGE.glob("*_actions.py"))]


def _verbs() -> dict[str, int]:
    """Each action's body length in lines (its docstring left out), in sandbox.py and the verb mixins."""
    out = {}
    for name in VERB_FILES:
        out.update(_verbs_in(name))
    return out


def _verbs_in(name: str) -> dict[str, int]:
    tree = ast.parse((PACKAGE / name).read_text(encoding="utf-8"))
    out = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and any(getattr(d, "id", None) == "action" for d in node.decorator_list):
            body = node.body[1:] if isinstance(node.body[0], ast.Expr) else node.body
            out[node.name] = body[-1].end_lineno - body[0].lineno + 1
    return out


def test_sandbox_reads_in_one_sitting():
    for name in VERB_FILES:
        assert len((PACKAGE / name).read_text(encoding="utf-8").splitlines()) <= 500, name
    verbs = _verbs()
    assert len(verbs) >= 18
    assert set(verbs) == {n for n in dir(Sandbox) if getattr(getattr(Sandbox, n), "is_action", False)}
    assert {name: n for name, n in verbs.items() if not 5 <= n <= 15} == {}


def test_each_verb_mixin_is_a_sandbox_base_and_adds_its_tables():
    from cqvol_sim.people_actions import PeopleActions
    assert issubclass(Sandbox, PeopleActions)
    sb = Sandbox()
    assert sb.extra_tables()["join_request"] == "join_requests" and sb.join_requests == {}


# -- each fact once: in the rule data, with accessors on Rules --------------------------------------

def test_the_notice_and_its_clauses_live_in_the_rule_data(tmp_path):
    from cqvol_sim.rules import NOTICE, NOTICE_CLAUSES

    rules = default_rules()
    assert rules.notice == NOTICE == "渝民发〔2020〕17号"
    assert rules.notice_clauses == NOTICE_CLAUSES and "三（二）1" in NOTICE_CLAUSES and len(NOTICE_CLAUSES) == 14
    folder = tmp_path / "rules"
    shutil.copytree(rules.folder, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    notice = folder / "notice.yaml"
    notice.write_text(notice.read_text(encoding="utf-8").replace("name: 渝民发〔2020〕17号", "name: 某通知"),
                      encoding="utf-8")
    assert load_rules(folder).notice == "某通知"
    notice.unlink()   # a copy of older rules without the file: the shipped notice
    assert load_rules(folder).notice == NOTICE


CORE = ("cqvol_sim.errors", "cqvol_sim.model", "cqvol_sim.places", "cqvol_sim.rules", "cqvol_sim.params",
        "cqvol_sim.sandbox", "cqvol_sim.storage", "cqvol_sim.validate", "cqvol_sim.naming", "cqvol_sim.legacy",
        "cqvol_sim.affiliation", "cqvol_sim.registration", "cqvol_sim.grades", "cqvol_sim.review",
        "cqvol_sim.volunteers", "cqvol_sim.records", "cqvol_sim.recovery", "cqvol_sim.permissions",
        "cqvol_sim.lookups", "cqvol_sim.queries", "cqvol_sim.building", "cqvol_sim.events", "cqvol_sim.projects",
        "cqvol_sim.formcheck", "cqvol_sim.scenarios")


def test_every_core_error_derives_from_the_package_error():
    import importlib

    from cqvol_sim.errors import CqvolError

    found = []
    for name in CORE:
        module = importlib.import_module(name)
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, BaseException) and value.__module__ == name:
                found.append(value)
                assert issubclass(value, CqvolError), value
    assert {c.__name__ for c in found} >= {"CqvolError", "RuleViolation", "RulesError", "StorageError"}


def test_no_core_module_keeps_level_words():
    for name in CORE:
        path = PACKAGE / (name.removeprefix("cqvol_sim.").replace(".", "/") + ".py")
        path = path if path.exists() else path.with_suffix("") / "__init__.py"
        text = path.read_text(encoding="utf-8")
        assert not any(w in text for w in ("区县级", "镇街级", "村社级")), name


def test_a_copy_of_older_rules_without_roles_levels_texts_or_notice_loads(tmp_path):
    folder = tmp_path / "rules"
    shutil.copytree(default_rules().folder, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    labels = folder / "labels.yaml"
    text = labels.read_text(encoding="utf-8")
    start, end = text.index("# the two people"), text.index("# How a source reads")
    text = text[:start] + text[end:]
    text = text[:text.index("\n# Sentences the simulator")] + "\n"
    text = text.replace("  role: 验证身份\n", "")
    assert "texts:" not in text and "level:" not in text and "leader" not in text
    labels.write_text(text, encoding="utf-8")
    (folder / "notice.yaml").unlink()
    rules = load_rules(folder)
    shipped = default_rules()
    assert rules.texts == shipped.texts and rules.level_words == shipped.level_words
    assert rules.label(Role.LIAISON) == "联系人" and rules.notice == shipped.notice


def test_reviewers_is_a_deprecated_alias_of_grades_and_review():
    import importlib
    import sys

    from cqvol_sim import grades, review

    sys.modules.pop("cqvol_sim.reviewers", None)
    with pytest.warns(DeprecationWarning, match="cqvol_sim.grades"):
        old = importlib.import_module("cqvol_sim.reviewers")
    assert old.grade_setters is grades.grade_setters and old.setter_key is grades.setter_key
    assert old.reviewer_of_group is review.reviewer_of_group


def test_can_explain_and_the_refusal_make_one_decision(demo, monkeypatch):
    """Changing the one decision (permissions.holds) changes can, explain and the refusal alike."""
    from cqvol_sim import permissions

    team = G(demo, KNIT_TEAM)
    assert demo.can(team, Right.MANAGE_OWN_VOLUNTEERS)
    monkeypatch.setattr(permissions, "holds", lambda rules, group, right: False)
    assert not demo.can(team, Right.MANAGE_OWN_VOLUNTEERS)
    assert "没有" in demo.explain(team, Right.MANAGE_OWN_VOLUNTEERS)
    with pytest.raises(RuleViolation) as exc:
        demo.register_volunteer(team, name="邢桂芳", id_card="500108199001011234", mobile="15912345678")
    assert exc.value.code == "rights.missing"
