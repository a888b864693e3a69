"""Every action a trainee can take has its page (where an exercise opens) and its Chinese words
on the instructor page: a new verb without them would show its English name."""

from __future__ import annotations

from cqvol_sim.params import action_specs


def test_every_action_has_a_page_and_instructor_words():
    from cqvol_sim.app.instructor import _ACTION_WORDS
    from cqvol_sim.exercises.widget import TAB_OF_ACTION

    actions = set(action_specs())
    assert len(actions) >= 18
    assert actions - set(TAB_OF_ACTION) == set()
    assert actions - set(_ACTION_WORDS) == set()
