"""The real systems and their menus: said once, in data/real_system.yaml, each with a source."""

from __future__ import annotations

import json
from pathlib import Path

from cqvol_sim import real_system

LESSON = Path(__file__).parent.parent / "notebooks" / "09_system_versions.ipynb"


def test_one_system_is_followed_and_every_fact_has_a_source():
    systems = real_system.systems()
    assert len(systems) >= 3 and [s.id for s in systems if s.followed] == [real_system.followed().id]
    menus = real_system.menus()
    assert len(menus) >= 8
    assert all(x.source.strip() for x in [*systems, *menus])
    assert all(m.sim.strip() and m.real.strip() for m in menus)


def test_the_lesson_shows_every_menu_from_the_data():
    nb = json.loads(LESSON.read_text(encoding="utf-8"))
    shown = "".join("".join(o.get("data", {}).get("text/html", "")) + "".join(o.get("text", ""))
                    for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", []))
    for m in real_system.menus():
        assert m.real in shown, m.real
    for s in real_system.systems():
        assert s.name in shown, s.name
