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
from dataclasses import dataclass

from ..errors import ScenarioError
from ..rules import echo
from .city import build_city
from .demo import DEMO_DISTRICT, build_demo

__all__ = ["DEMO_DISTRICT", "build_demo", "build_city", "SCENARIOS", "ScenarioSpec", "check_scenario",
           "CITY_SCALE_MAX", "LOAD_SCALE_MAX"]

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
        raise _refuse(f"全市沙盘的规模不能是 {echo(scale, 20)}：规模应是大于 0、不超过 {limit:g} 的数（1 表示默认规模）。")
    return float(scale)


def check_scenario(name, params) -> dict:
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
        raise _refuse(f"{spec.label}没有参数 {'、'.join(echo(u, 20) for u in unknown[:5])}；可用的参数：{'、'.join(sorted(spec.params))}。")
    out = {}
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
