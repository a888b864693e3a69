"""Ready-made sandboxes: the demo district and the synthetic whole city.

Both are built through the sandbox's own actions (every rule is checked); the builders run
with events switched off, and the sandbox records one ``scenario`` event instead, so that
``Sandbox.replay`` rebuilds them from their parameters.

``SCENARIOS`` holds every scenario's allowed parameters in one place, and ``check_scenario``
checks a scenario request (from the API, an exercise file or a saved sandbox) against them
before anything is built, so a bad ``today`` or an absurd scale is refused up front, in
Chinese, with the allowed range.
"""

from __future__ import annotations

import datetime as _dt
import functools
import pickle
from dataclasses import dataclass
from typing import Any

from ..errors import ScenarioError
from ..rules import echo
from .city import build_city
from .demo import DEMO_DISTRICT, build_demo

__all__ = ["DEMO_DISTRICT", "DEFAULT_TODAY", "build_demo", "build_city", "build", "SCENARIOS", "ScenarioSpec",
           "check_scenario", "check_city_types", "CITY_SCALE_MAX", "LOAD_SCALE_MAX"]

#: "Today" of the ready-made sandboxes, fixed so lessons show the same results every run.
DEFAULT_TODAY = _dt.date(2026, 11, 20)
#: The latest "today" of any scenario: later dates leave no room for the builders' date sums.
LATEST_TODAY = _dt.date(2099, 12, 31)
#: The largest city ``Sandbox.city`` builds (20 times the default: about 14 GiB of memory).
CITY_SCALE_MAX = 20.0
#: The largest city a saved file may ask ``Sandbox.load`` to rebuild unless the caller allows
#: more: the default city (about 16 s and 0.75 GiB); a 500-byte file must not cost minutes and GiBs.
LOAD_SCALE_MAX = 1.0


@dataclass(frozen=True)
class ScenarioSpec:
    """One scenario: its Chinese label, the ``today`` it can be built for, and its parameters."""

    label: str
    earliest_today: _dt.date
    latest_today: _dt.date
    params: frozenset[str]


SCENARIOS: dict[str, ScenarioSpec] = {
    "empty": ScenarioSpec("空白沙盘", _dt.date(2000, 1, 1), LATEST_TODAY, frozenset({"today"})),
    # the demo's projects start from 2025-03-01 to 2025-06-16 and each needs weeks of service
    # days before "today" (measured: the build works from 2025-07-02; a margin is kept)
    "demo": ScenarioSpec("示范区县沙盘", _dt.date(2025, 9, 1), LATEST_TODAY, frozenset({"today"})),
    # the city's projects start on 2024-01-01 and each volunteer needs up to 7 distinct days
    "city": ScenarioSpec("全市沙盘", _dt.date(2024, 2, 1), LATEST_TODAY, frozenset({"today", "seed", "scale"})),
}


def _refuse(text: str) -> ScenarioError:
    return ScenarioError(text)


def check_today(name: str, today: _dt.date) -> None:
    """Refuse (ScenarioError) a ``today`` outside the range scenario ``name`` can be built for."""
    spec = SCENARIOS[name]
    if not spec.earliest_today <= today <= spec.latest_today:
        raise _refuse(f"{spec.label}中的“今天”不能是 {today.isoformat()}：请选择 {spec.earliest_today.isoformat()} "
                      f"至 {spec.latest_today.isoformat()} 之间的日期。")


def check_scale(scale, limit: float = CITY_SCALE_MAX) -> float:
    """A city scale as a float in (0, ``limit``], or ScenarioError saying what is allowed."""
    # plain comparisons: NaN fails them, and a huge int is compared without float overflow
    if not (isinstance(scale, (int, float)) and not isinstance(scale, bool) and 0 < scale <= limit):
        raise _refuse(f"全市沙盘的规模不能是 {echo(scale, 20)}："
                      f"规模应是大于 0、不超过 {limit:g} 的数（1 表示默认规模）。")
    return float(scale)


def check_scenario(name, params) -> dict[str, Any]:
    """Check a scenario request before building it; return its parameters as a clean dict.

    ``params`` is what a scenario event holds: ``today`` as ISO text, and for the city an int
    ``seed`` and a number ``scale`` (at most ``CITY_SCALE_MAX``). Raise ScenarioError (Chinese,
    saying what is allowed) for an unknown scenario, a missing or unknown parameter, a
    parameter of the wrong kind or out of range.
    """
    if not isinstance(name, str) or name not in SCENARIOS:
        raise _refuse(f"没有名为“{echo(name, 40)}”的起始沙盘；可用的有：" + "、".join(
            f"{k}（{s.label}）" for k, s in SCENARIOS.items()) + "。")
    spec = SCENARIOS[name]
    if not isinstance(params, dict):
        raise _refuse(f"{spec.label}的参数应是一组“名称: 值”。")
    unknown = sorted(map(str, set(params) - spec.params))
    if unknown:
        raise _refuse(f"{spec.label}没有参数 {'、'.join(echo(u, 20) for u in unknown[:5])}；"
                      f"可用的参数：{'、'.join(sorted(spec.params))}。")
    out: dict[str, Any] = {}
    today = params.get("today")
    if not isinstance(today, str) or len(today) != 10:
        raise _refuse(f"{spec.label}的“今天”应是一个日期，例如 2026-11-20。")
    try:
        day = _dt.date.fromisoformat(today)
    except ValueError:
        raise _refuse(f"{spec.label}的“今天”“{echo(today, 10)}”不是有效的日期，例如 2026-11-20。") from None
    check_today(name, day)
    out["today"] = day.isoformat()
    if name == "city":
        seed = params.get("seed")
        if not isinstance(seed, int) or isinstance(seed, bool) or not -2 ** 63 < seed < 2 ** 63:
            raise _refuse("全市沙盘的随机种子（seed）应是一个整数（绝对值小于 2⁶³），例如 1。")
        out["seed"] = seed
        out["scale"] = check_scale(params.get("scale", 1.0))
    return out


def check_city_types(seed: Any, scale: Any) -> None:
    """Python types of ``Sandbox.city``'s arguments (their values: ``check_scenario``)."""
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise TypeError("seed must be an int")
    if isinstance(scale, bool) or not isinstance(scale, (int, float)):
        raise TypeError(f"scale must be a number, not {type(scale).__name__}")


def build(cls: Any, name: str, params: dict, *, progress: bool = False, rules: Any = None) -> Any:
    """A sandbox of class ``cls`` built by scenario ``name`` under ``rules`` (default: shipped),
    ``params`` already checked by ``check_scenario``; its log holds no event yet.

    The demo under the shipped rules is built once per process, then copied: lessons and tests
    make many demo sandboxes.
    """
    if name == "demo" and rules is None:
        return pickle.loads(_demo_blob(cls, tuple(sorted(params.items()))))
    return _build(cls, name, dict(params), progress, rules)


def _build(cls: Any, name: str, params: dict, progress: bool, rules: Any) -> Any:
    today = _dt.date.fromisoformat(params.pop("today"))
    sb = cls(today=today, rules=rules)
    sb.events.clear()
    sb._building_scenario = True
    if name == "empty":
        if params:
            raise TypeError(f"unexpected scenario parameters {sorted(params)}")
    elif name == "demo":
        build_demo(sb, **params)
    elif name == "city":
        build_city(sb, progress=progress, **params)
    else:
        raise ValueError(f"unknown scenario {name!r}")
    sb._building_scenario = False
    sb.refusals.clear()
    return sb


@functools.lru_cache(maxsize=4)
def _demo_blob(cls: Any, params: tuple) -> bytes:
    return pickle.dumps(_build(cls, "demo", dict(params), False, None), protocol=pickle.HIGHEST_PROTOCOL)
