"""The panels' Session finds who the trainee acts as through the sandbox's one resolver (issue 11)."""

from __future__ import annotations

import pytest

pytest.importorskip("ipywidgets")

from cqvol_sim import Sandbox  # noqa: E402
from cqvol_sim.widgets import Session  # noqa: E402


def test_identity_is_resolved_by_sandbox_resolve(monkeypatch):
    sb = Sandbox.demo()
    asked = []
    real = sb.resolve
    monkeypatch.setattr(sb, "resolve", lambda ref, kind: asked.append(kind.value) or real(ref, kind))
    s = Session(sb)
    town = sb.find_group("南坪街道志愿服务总队")
    assert s.resolve(town.name) == town.id
    assert asked == ["actor"]


def test_a_volunteer_or_an_unknown_name_is_no_identity_and_says_why_in_chinese():
    sb = Sandbox.demo()
    s = Session(sb)
    volunteer = next(iter(sb.volunteers))
    with pytest.raises(ValueError, match="不是团体或登记机关"):
        s.resolve(volunteer)
    with pytest.raises(ValueError) as info:
        s.resolve("没有这个团体")
    assert "没有这个团体" in str(info.value) and "Error" not in str(info.value)
