"""cqvol_sim.yamlfile: the one YAML reader with line numbers, every problem at once, stable ids."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from cqvol_sim import yamlfile
from cqvol_sim.yamlfile import PROBLEM_IDS, parse_yaml, read_yaml_file


def ids(read):
    return [p.id for p in read.problems]


def test_plain_data_and_the_line_of_every_key_and_item():
    read = parse_yaml("a: 1\nb:\n  - x\n  - {c: 2026-11-18}\n", "f.yaml")
    assert read.ok and read.data == {"a": 1, "b": ["x", {"c": "2026-11-18"}]}
    assert read.lines[("b", 1, "c")] == 4 and read.line("b", 0, "missing") == 3


def test_every_problem_is_collected_not_only_the_first():
    text = "a: 1\na: 2\nb: !!python/object x\nc: 2026-02-30\nd: 123456789012345678901234\ne: .inf\n<<: {f: 1}\n"
    read = parse_yaml(text, "f.yaml", what="测验文件")
    assert [(p.line, p.id) for p in read.problems] == [
        (2, "yaml.duplicate_key"), (3, "yaml.tag"), (4, "yaml.bad_date"), (5, "yaml.number_too_long"),
        (6, "yaml.not_finite"), (7, "yaml.merge_key")]
    assert all(str(p).startswith(f"f.yaml 第 {p.line} 行：") for p in read.problems)
    assert "测验文件" in read.problems[1].message


@pytest.mark.parametrize("text, problem_id, line", [
    ("a: [1\n", "yaml.syntax", 2),
    ("", "yaml.empty", 1),
    ("a: \x07\n", "yaml.control_char", 1),
    ("a:" + " [" * 60 + "\n", "yaml.too_deep", 1),
    ("? [a]\n: 1\n", "yaml.key_not_text", 1),
    ("a: &x [*x]\n", "yaml.alias_loop", 1),
])
def test_a_broken_file_gets_one_problem_with_its_id(text, problem_id, line):
    read = parse_yaml(text, "f.yaml")
    assert ids(read)[:1] == [problem_id]
    if line is not None:
        assert read.problems[0].line == line


def test_billion_laughs_is_refused_with_its_id():
    text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(6))
    assert ids(parse_yaml(text, "f.yaml")) == ["yaml.too_many_values"]


def test_files_that_cannot_be_read_get_their_own_ids(tmp_path):
    (tmp_path / "latin.yaml").write_bytes("a: é\n".encode("latin-1"))
    assert ids(read_yaml_file(tmp_path / "latin.yaml")) == ["yaml.not_utf8"]
    assert ids(read_yaml_file(tmp_path / "none.yaml")) == ["yaml.unreadable"]
    assert ids(parse_yaml("a" * (yamlfile.MAX_FILE_CHARS + 1), "f.yaml")) == ["yaml.file_too_big"]


def test_every_id_the_reader_uses_is_in_the_catalogue_and_the_other_way_round():
    source = Path(yamlfile.__file__).read_text(encoding="utf-8")
    used = set(re.findall(r'"(yaml\.[a-z0-9_]+)"', source.split("PROBLEM_IDS = {")[1].split("\n}\n", 1)[1]))
    assert used == set(PROBLEM_IDS)


def test_exercise_files_are_read_by_it_and_every_problem_has_an_id(tmp_path):
    from cqvol_sim.exercises.loader import load_exercise
    from cqvol_sim.exercises.schema import ExerciseError

    path = tmp_path / "x01.yaml"
    path.write_text("id: x01\nid: x02\ntitle: !!python/none t\n", encoding="utf-8")
    with pytest.raises(ExerciseError) as info:
        load_exercise(path)
    assert [(p.line, p.id) for p in info.value.problems] == [(2, "yaml.duplicate_key"), (3, "yaml.tag")]
    assert "不像是练习文件" not in str(info.value) and "练习文件只用普通的文字" in str(info.value)
    path.write_text("id: x01\n", encoding="utf-8")
    with pytest.raises(ExerciseError) as info:
        load_exercise(path)
    assert info.value.problems and all(p.id == "exercise.schema" for p in info.value.problems)


def _every_yaml_file() -> list[Path]:
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run(["git", "ls-files", "*.yaml", "*.yml"], cwd=root, capture_output=True, text=True)
    files = [root / f for f in out.stdout.split()] if out.returncode == 0 else list(root.glob("exercises/**/*.yaml"))
    return [f for f in files if f.is_file()]


def test_libyaml_reads_every_file_of_the_project_as_the_python_reader_does(monkeypatch):
    """The fast path (libyaml composes, the project's converter reads the nodes) gives the same data,
    lines and problems as PyYAML's Python composer, for well-formed and broken files alike."""
    files = _every_yaml_file()
    assert len(files) > 50
    texts = {f: f.read_text(encoding="utf-8", errors="replace") for f in files}
    fast = {f: yamlfile.parse_yaml(t, f.name) for f, t in texts.items()}
    assert sum(yamlfile._compose_fast(t) is not None for t in texts.values()) > 50   # used for the bank
    monkeypatch.setattr(yamlfile, "_compose_fast", lambda text: None)
    for f, t in texts.items():
        slow = yamlfile.parse_yaml(t, f.name)
        assert (fast[f].data, fast[f].lines, fast[f].problems) == (slow.data, slow.lines, slow.problems), f
