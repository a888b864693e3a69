"""Every refusal code in violations.yaml is reached by a test, and every one teaches in Chinese.

``test_every_violation_code_is_exercised`` runs last (conftest moves it) and only when the
whole core suite runs: it reads the codes the story tests asserted through
``conftest.refused`` / ``saw_code``.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest
import yaml

from cqvol_sim.rules import VIOLATION_FIELDS, default_rules, source_line
from conftest import SEEN_CODES

VIOLATIONS_YAML = Path(str(resources.files("cqvol_sim.rules"))) / "violations.yaml"

#: Codes no test can reach, each with the reason. Empty: every code is reachable.
UNREACHABLE: dict[str, str] = {}

HAN = re.compile(r"[\u4e00-\u9fff]")


def _codes() -> list[str]:
    return sorted(yaml.safe_load(VIOLATIONS_YAML.read_text(encoding="utf-8")))


def test_every_violation_code_is_exercised():
    codes = set(_codes())
    assert set(UNREACHABLE) <= codes, "UNREACHABLE lists codes that are gone"
    missing = sorted(codes - set(UNREACHABLE) - SEEN_CODES)
    assert not missing, f"no test reaches {missing}"
    assert not set(UNREACHABLE) & SEEN_CODES, "a code listed as unreachable was reached"
    assert SEEN_CODES <= codes, f"tests saw codes not in violations.yaml: {sorted(SEEN_CODES - codes)}"


@pytest.mark.parametrize("code", _codes())
def test_code_teaches_in_chinese(code):
    rules = default_rules()
    params = {f: "某某" for f in VIOLATION_FIELDS[code]}
    if "clause" in params:
        params["clause"] = "三（二）1"
    exc = rules.violation(code, **params)
    assert exc.code == code
    assert exc.clause and "{" not in exc.clause
    assert HAN.search(exc.message) and HAN.search(exc.hint)
    assert "{" not in exc.message + exc.hint
    assert not re.search(r"[A-Za-z]{4,}", exc.message + exc.hint), "trainee-facing text is Chinese"
    assert exc.message in str(exc) and source_line(exc.clause) in str(exc)
