"""Issue 11: the exercises package says no fact the rules or the sandbox already say."""

from __future__ import annotations

from cqvol_sim import rules
from cqvol_sim.exercises import schema


def test_the_clauses_an_exercise_may_cite_are_the_rules_packages_list():
    assert schema.KNOWN_CLAUSES is rules.NOTICE_CLAUSES
    assert schema.clause_problem("三（四）") is None and schema.clause_problem("三（九）") is not None
    assert set(schema.REQUIRED_CLAUSES) <= set(rules.NOTICE_CLAUSES)
