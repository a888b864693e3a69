"""Deprecated: the grade-setter rules are ``cqvol_sim.grades``, the reviewer rules ``cqvol_sim.review``.

Kept importable so older code keeps working; the names below are the new modules' own.
"""

from __future__ import annotations

import warnings

from .grades import grade_setters, hubs_upward, setter_key, setters_text
from .review import reviewer_of_group

__all__ = ["grade_setters", "hubs_upward", "setter_key", "setters_text", "reviewer_of_group"]

warnings.warn("cqvol_sim.reviewers is now cqvol_sim.grades (setters) and cqvol_sim.review (reviewers)",
              DeprecationWarning, stacklevel=2)
