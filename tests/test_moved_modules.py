"""Modules that left the package's top level (issue 11): the old paths still work, with a warning."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

MOVED = {
    "cqvol_sim.quiz": "cqvol_sim.widgets.quiz",
    "cqvol_sim.narrate": "cqvol_sim.view.narrate",
    "cqvol_sim.lessons": "cqvol_sim.authoring.lessons",
    "cqvol_sim.jupyter_setup": "cqvol_sim.authoring.jupyter_setup",
}


@pytest.mark.parametrize("old,new", sorted(MOVED.items()))
def test_the_old_path_is_the_new_module_with_a_deprecation_warning(old, new, monkeypatch):
    module = importlib.import_module(new)
    monkeypatch.delitem(sys.modules, old, raising=False)
    with pytest.warns(DeprecationWarning, match=new):
        shim = importlib.import_module(old)
    assert shim is module
    assert set(module.__all__) <= set(dir(shim))


def test_a_lesson_that_imports_an_old_path_prints_no_warning():
    """IPython shows DeprecationWarnings raised in __main__: a stored lesson output must stay clean."""
    code = ("from IPython.testing.globalipapp import start_ipython\n"
            "ip = start_ipython()\n"
            "ip.run_cell('from cqvol_sim.quiz import quiz_file\\nfrom cqvol_sim.lessons import table')\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "Deprecation" not in out.stdout + out.stderr


def test_the_old_lessons_command_still_runs():
    out = subprocess.run([sys.executable, "-m", "cqvol_sim.lessons", "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "refresh" in out.stdout
