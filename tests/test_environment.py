"""environment.yml (conda, training rooms) must stay in step with pyproject.toml."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _norm(req: str) -> tuple[str, str]:
    m = re.fullmatch(r"\s*([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?\s*(.*?)\s*", req)
    assert m, req
    return m.group(1).lower().replace("_", "-"), m.group(2).replace(" ", "")


def _pyproject_runtime() -> dict[str, str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    project = data["project"]
    reqs = list(project["dependencies"])
    for extra in ("widgets", "lessons"):
        reqs += [r for r in project["optional-dependencies"][extra] if not r.startswith("cqvol-sim")]
    return dict(_norm(r) for r in reqs)


def _environment() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    out = {}
    for dep in env["dependencies"]:
        items = dep["pip"] if isinstance(dep, dict) else [dep]
        for item in items:
            if item.startswith("-e") or item in ("pip",) or item.startswith("python"):
                continue
            name, spec = _norm(item)
            out[name] = spec
    return out


def test_environment_yml_lists_exactly_the_runtime_dependencies_with_the_same_versions():
    runtime = _pyproject_runtime()
    assert {"pyyaml", "ipywidgets", "matplotlib"} <= set(runtime), runtime  # both files were read
    assert _environment() == runtime


def test_environment_yml_installs_the_package_itself_and_python_311():
    text = (ROOT / "environment.yml").read_text(encoding="utf-8")
    assert "- -e ." in text
    assert re.search(r"- python>=3\.11", text)


def test_extras_chain_widgets_into_lessons_into_test():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    extras = data["project"]["optional-dependencies"]
    assert "cqvol-sim[widgets]" in extras["lessons"]
    assert "cqvol-sim[lessons]" in extras["test"]
