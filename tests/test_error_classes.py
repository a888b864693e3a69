"""Every error class of the exercises, widgets, view and authoring packages derives from CqvolError
(issue 11), so one ``except CqvolError`` catches every error cqvol-sim raises on purpose."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import cqvol_sim
from cqvol_sim.errors import CqvolError

PACKAGES = ("cqvol_sim.exercises", "cqvol_sim.widgets", "cqvol_sim.view", "cqvol_sim.authoring")


def _modules():
    names = ["cqvol_sim.cli", "cqvol_sim.yamlfile"]
    for package in PACKAGES:
        pkg = importlib.import_module(package)
        names += [f"{package}.{m.name}" for m in pkgutil.iter_modules(pkg.__path__) if m.name != "__main__"]
    return names


def _error_classes():
    found = {}
    for name in _modules():
        module = importlib.import_module(name)
        for obj in vars(module).values():
            if (inspect.isclass(obj) and issubclass(obj, BaseException) and obj.__module__ == name):
                found[f"{name}.{obj.__name__}"] = obj
    return found


def test_the_packages_define_error_classes_at_all():
    assert {"cqvol_sim.exercises.refs.RefError", "cqvol_sim.exercises.schema.ExerciseError",
            "cqvol_sim.authoring.quizfile.QuizError", "cqvol_sim.authoring.lessons.NotebookUnreadable"} \
        <= set(_error_classes())


@pytest.mark.parametrize("name", sorted(_error_classes()))
def test_every_error_class_derives_from_the_package_base_error(name):
    assert issubclass(_error_classes()[name], CqvolError), name


def test_the_base_error_is_the_public_one():
    assert cqvol_sim.errors.CqvolError is CqvolError
