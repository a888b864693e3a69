"""The package's errors: one base class, refusals that teach, and storage failures."""

from __future__ import annotations

from collections.abc import Callable


def _clause_as_is(clause: str) -> str:
    return clause


#: How a refusal's clause reads on screen (``rules.source_line``): the rules set it when they are
#: imported, so this module, below them, never imports them.
_source_line: Callable[[str], str] = _clause_as_is


def show_sources_with(render: Callable[[str], str]) -> None:
    """Tell the errors how a clause reads on screen (called once by ``cqvol_sim.rules``)."""
    global _source_line
    _source_line = render


class CqvolError(Exception):
    """Base class of every error cqvol-sim raises on purpose."""


class RuleViolation(CqvolError):
    """A refused action: the sandbox is exactly as it was before the call.

    ``code`` is stable (tests and exercises key on it), ``clause`` is the refusal's source
    (a notice clause such as ``三（一）1``, a regulation in 《》, 系统规则…, 假设… or 操作提示;
    see cqvol_sim/rules/violations.yaml and ``cqvol_sim.rules.source_line``), ``message``
    says in Chinese what was wrong and ``hint`` what would be right.
    """

    def __init__(self, code: str, clause: str, message: str, hint: str = ""):
        super().__init__(message)
        self.code = code
        self.clause = clause
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        line = _source_line(self.clause)
        text = f"{self.message}（{line}）" if line else self.message
        if self.hint:
            text += f" {self.hint}"
        return text

    def __repr__(self) -> str:
        return f"RuleViolation({self.code!r}, {self.clause!r}, {self.message!r})"


class RulesError(CqvolError):
    """The rule data (YAML) is malformed; the message names the file and the entry."""


class StorageError(CqvolError):
    """A saved sandbox or progress file cannot be read or written; names the file."""


class ScenarioError(CqvolError, ValueError):
    """A ready-made sandbox (scenario) asked for with parameters it cannot be built with.

    The message says in Chinese what is allowed (e.g. the range of ``today``). A ValueError
    too, so code that checked parameters with ``except ValueError`` keeps working.
    """
