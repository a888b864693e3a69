"""One YAML reader in the package (cqvol_sim.yamlfile): no other module loads YAML by itself, and
the data files the package ships are read by it, problems and all."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import cqvol_sim
from cqvol_sim import clausemap, places, real_system, sheets
from cqvol_sim.app import catalogue
from cqvol_sim.yamlfile import YamlFileError, load_yaml_data

PACKAGE = Path(cqvol_sim.__file__).parent
#: PyYAML's ways of turning text into data; only the reader may use them.
LOADING = {"load", "safe_load", "full_load", "unsafe_load", "load_all", "safe_load_all", "full_load_all",
           "unsafe_load_all", "compose", "compose_all", "parse", "scan", "Loader", "SafeLoader", "FullLoader",
           "UnsafeLoader", "BaseLoader", "CLoader", "CSafeLoader", "CFullLoader", "CUnsafeLoader", "CBaseLoader"}
#: Modules that may load YAML themselves, each with its reason. Empty: there is one reader.
ALLOWED: dict[str, str] = {
    "yamlfile.py": "the reader itself",
}


def yaml_loads(tree: ast.AST) -> list[int]:
    """The lines of ``tree`` that load YAML with PyYAML (``yaml.safe_load(...)``, ``from yaml import
    SafeLoader``, ``import yaml as y; y.load(...)``)."""
    aliases = {a.asname or a.name for node in ast.walk(tree) if isinstance(node, ast.Import)
               for a in node.names if a.name == "yaml"}
    lines = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases
                and node.attr in LOADING):
            lines.append(node.lineno)
        if isinstance(node, ast.ImportFrom) and node.module == "yaml" and any(
                a.name in LOADING or a.name == "*" for a in node.names):
            lines.append(node.lineno)
    return lines


def test_the_finder_sees_every_way_of_loading_yaml():
    code = ("import yaml\nimport yaml as y\nfrom yaml import SafeLoader\n"
            "a = yaml.safe_load(t)\nb = y.load(t, Loader=y.SafeLoader)\nc = yaml.safe_dump(a)\n")
    assert sorted(yaml_loads(ast.parse(code))) == [3, 4, 5, 5]


def test_no_module_but_the_reader_loads_yaml():
    files = sorted(PACKAGE.rglob("*.py"))
    assert len(files) > 50
    found = {f"{path.relative_to(PACKAGE)}:{line}" for path in files
             if str(path.relative_to(PACKAGE)) not in ALLOWED
             for line in yaml_loads(ast.parse(path.read_text(encoding="utf-8")))}
    assert not found, f"YAML loaded outside cqvol_sim.yamlfile (use read_yaml_file or load_yaml_data): {found}"
    assert yaml_loads(ast.parse((PACKAGE / "yamlfile.py").read_text(encoding="utf-8")))


def test_load_yaml_data_reports_every_problem_with_its_line_and_id(tmp_path):
    path = tmp_path / "data.yaml"
    path.write_text("a: 1\na: 2\nb: !!python/name:os.system\nc: 2026-11-18\n", encoding="utf-8")
    with pytest.raises(YamlFileError) as info:
        load_yaml_data(path, "data.yaml")
    assert [(p.line, p.id) for p in info.value.problems] == [(2, "yaml.duplicate_key"), (3, "yaml.tag")]
    assert str(info.value).splitlines()[0].startswith("data.yaml 第 2 行：") and "yaml.tag" in str(info.value)
    path.write_text("c: 2026-11-18\n", encoding="utf-8")
    assert load_yaml_data(path) == {"c": "2026-11-18"}


def test_an_empty_file_is_a_problem_unless_the_caller_says_what_it_stands_for(tmp_path):
    path = tmp_path / "empty.yaml"
    path.write_text("# nothing yet\n", encoding="utf-8")
    assert load_yaml_data(path, empty={}) == {}
    with pytest.raises(YamlFileError) as info:
        load_yaml_data(path)
    assert [p.id for p in info.value.problems] == ["yaml.empty"]
    path.write_text("a: [\n", encoding="utf-8")
    with pytest.raises(YamlFileError):
        load_yaml_data(path, empty={})


def test_the_clause_map_reads_quizzes_and_exercises_with_the_reader(tmp_path):
    (tmp_path / "q.yaml").write_text("questions:\n  - question: 问\n    question: 又问\n", encoding="utf-8")
    with pytest.raises(YamlFileError) as info:
        clausemap.quiz_questions(tmp_path)
    assert [(p.line, p.id) for p in info.value.problems] == [(3, "yaml.duplicate_key")]
    with pytest.raises(YamlFileError):
        clausemap.exercise_goals(tmp_path)
    with pytest.raises(YamlFileError):
        clausemap.rule_entries(tmp_path)


def test_the_shipped_data_files_are_read_by_the_reader(monkeypatch):
    seen: list[str] = []

    def spy(path, *args, **kwargs):
        seen.append(Path(path).name)
        return load_yaml_data(path, *args, **kwargs)

    for module in (clausemap, places, real_system, sheets, catalogue):
        monkeypatch.setattr(module, "load_yaml_data", spy)
    for cached in (clausemap.clauses, places.place_notes, real_system._data, sheets._data, catalogue.catalogue):
        cached.cache_clear()
    try:
        assert clausemap.clauses() and clausemap.exemptions() is not None
        assert places.place_notes()["江北区"].abolished == "2025-11-06"
        assert real_system.systems() and sheets.sheet_kinds() and catalogue.catalogue().lessons
    finally:
        for cached in (clausemap.clauses, places.place_notes, real_system._data, sheets._data, catalogue.catalogue):
            cached.cache_clear()
    assert set(seen) >= {"clauses.yaml", "clause_exemptions.yaml", "place_notes.yaml", "real_system.yaml",
                         "sheets.yaml", "pages.yaml"}
