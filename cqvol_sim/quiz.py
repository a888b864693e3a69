"""Deprecated: moved to cqvol_sim.widgets.quiz. This name keeps working with a DeprecationWarning."""

from ._moved import alias_module

alias_module(__name__, "cqvol_sim.widgets.quiz")
