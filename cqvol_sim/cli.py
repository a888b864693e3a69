"""The ``cqvol-sim`` command: make and inspect saved sandboxes, and the instructors' tools.

    cqvol-sim demo --save FILE        save the demo district as a sandbox file
    cqvol-sim city --seed N --scale S --save FILE
    cqvol-sim info FILE               what a saved sandbox holds
    cqvol-sim exercise check [PATH]   (instructors) check exercise files
    cqvol-sim exercise new --from FILE
    cqvol-sim report DIR --xlsx OUT
    cqvol-sim lessons refresh         (authors) re-run the lesson notebooks in place
    cqvol-sim setup-jupyter           Chinese JupyterLab, no pop-ups (done by the set-up script)

Messages are Chinese; the exit code is 0 on success, 1 on a refusal or bad file, 2 on bad usage.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections import Counter

from .errors import CqvolError

# Sub-packages that add their own commands: module name -> function taking the subparsers.
_PLUGINS = ("cqvol_sim.jupyter_setup", "cqvol_sim.exercises.cli", "cqvol_sim.lessons")


def _cmd_demo(args) -> int:
    from .sandbox import Sandbox

    sb = Sandbox.demo()
    sb.save(args.save)
    print(f"已保存示范区县沙盘到 {args.save}：{_summary(sb)}")
    return 0


def _cmd_city(args) -> int:
    from .sandbox import Sandbox

    sb = Sandbox.city(seed=args.seed, scale=args.scale)
    sb.save(args.save)
    print(f"已保存全市沙盘到 {args.save}：{_summary(sb)}")
    return 0


def _summary(sb) -> str:
    return (f"{len(sb.groups)} 个团体，{len(sb.volunteers)} 名志愿者，{len(sb.projects)} 个项目，"
            f"{len(sb.records)} 条服务记录，{len(sb.events)} 条操作记录")


def _cmd_info(args) -> int:
    from .sandbox import Sandbox

    sb = Sandbox.load(args.file)
    rules = sb.rules
    print(f"沙盘文件：{args.file}")
    print(f"沙盘中的今天：{sb.today.isoformat()}")
    print(_summary(sb))
    kinds = Counter(g.kind for g in sb.groups.values())
    for kind, n in sorted(kinds.items(), key=lambda kv: kv[0].value):
        print(f"  {rules.label(kind)}：{n}")
    statuses = Counter(g.status for g in sb.groups.values())
    print("  团体状态：" + "，".join(f"{rules.label(s)} {n}" for s, n in sorted(statuses.items(), key=lambda kv: kv[0].value)))
    stars = Counter(sb.star_ratings().values())
    print("  星级志愿者：" + "，".join(f"{k}星 {stars.get(k, 0)}" for k in range(1, 6)))
    if sb.refusals:
        print(f"  被拒绝的操作：{len(sb.refusals)} 次")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``cqvol-sim`` with every sub-command."""
    parser = argparse.ArgumentParser(prog="cqvol-sim", description="志愿重庆信息系统培训沙盘")
    sub = parser.add_subparsers(dest="command", required=True, metavar="命令")
    p = sub.add_parser("demo", help="保存示范区县沙盘")
    p.add_argument("--save", required=True, metavar="FILE", help="保存到的文件")
    p.set_defaults(func=_cmd_demo)
    p = sub.add_parser("city", help="生成并保存全市沙盘")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--save", required=True, metavar="FILE")
    p.set_defaults(func=_cmd_city)
    p = sub.add_parser("info", help="查看沙盘文件的内容")
    p.add_argument("file", metavar="FILE")
    p.set_defaults(func=_cmd_info)
    for name in _PLUGINS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name and name.startswith(exc.name):
                continue
            raise
        add = getattr(module, "add_commands", None)
        if add is not None:
            add(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args) or 0
    except CqvolError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
