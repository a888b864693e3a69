"""The ``cqvol-sim`` command: make and inspect saved sandboxes, and the instructors' tools.

    cqvol-sim demo --save FILE        save the demo district as a sandbox file
    cqvol-sim city --seed N --scale S --save FILE
    cqvol-sim info FILE               what a saved sandbox holds
    cqvol-sim exercise check [PATH]   (instructors) check exercise files
    cqvol-sim exercise new --from FILE
    cqvol-sim report DIR --xlsx OUT
    cqvol-sim lessons refresh         (authors) re-run the lesson notebooks in place
    cqvol-sim setup-jupyter           Chinese JupyterLab, no pop-ups (done by the set-up script)
    cqvol-sim room [--ip IP] [--port N]   a training room's JupyterHub (bash tools/room.sh)

Messages are Chinese and no bad input ends in a Python traceback. Exit codes: 0 success; 1 a
refusal, a bad or unreadable file, or a problem found (``exercise check``, ``report``); 2 the
command was written wrong (unknown command, missing or malformed argument); 130 interrupted
(Ctrl+C). ``CQVOL_DEBUG=1`` shows the traceback of an unexpected error instead of a one-line message.
"""

from __future__ import annotations

import argparse
import importlib
import math
import os
import re
import sys
from collections import Counter

from .errors import CqvolError

# Sub-packages that add their own commands: module name -> function taking the subparsers.
_PLUGINS = ("cqvol_sim.authoring.jupyter_setup", "cqvol_sim.exercises.cli", "cqvol_sim.authoring.lessons",
            "cqvol_sim.room.cli")


def _cmd_demo(args) -> int:
    from .sandbox import Sandbox

    sb = Sandbox.demo()
    sb.save(args.save)
    print(f"已保存示范区县沙盘到 {args.save}：{_summary(sb)}")
    return 0


#: the largest --scale ``Sandbox.city`` accepts (a scale-20 city is already about 20 times the real one)
CITY_SCALE_MAX = 20


def _scale(text: str) -> float:
    """``--scale``: a number in (0, CITY_SCALE_MAX] (argparse type; a usage error otherwise)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"规模应是一个数，例如 1 或 0.5，现在是“{text[:20]}”") from None
    if not math.isfinite(value) or not 0 < value <= CITY_SCALE_MAX:
        raise argparse.ArgumentTypeError(f"规模应大于 0、不超过 {CITY_SCALE_MAX}，现在是“{text[:20]}”")
    return value


def _cmd_city(args) -> int:
    from .sandbox import Sandbox

    try:
        sb = Sandbox.city(seed=args.seed, scale=args.scale)
    except (TypeError, ValueError) as exc:     # a bound of the core narrower than the check above
        print(f"错误：无法生成全市沙盘（--seed {args.seed} --scale {args.scale}）：{exc}", file=sys.stderr)
        return 2
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
    by_value = sorted(statuses.items(), key=lambda kv: kv[0].value)
    print("  团体状态：" + "，".join(f"{rules.label(s)} {n}" for s, n in by_value))
    stars = Counter(sb.star_ratings().values())
    print("  星级志愿者：" + "，".join(f"{k}星 {stars.get(k, 0)}" for k in range(1, 6)))
    if sb.refusals:
        print(f"  被拒绝的操作：{len(sb.refusals)} 次")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``cqvol-sim`` with every sub-command."""
    parser = ChineseArgumentParser(prog="cqvol-sim", description="志愿重庆信息系统培训沙盘")
    sub = parser.add_subparsers(dest="command", required=True, metavar="命令")
    p = sub.add_parser("demo", help="保存示范区县沙盘")
    p.add_argument("--save", required=True, metavar="FILE", help="保存到的文件")
    p.set_defaults(func=_cmd_demo)
    p = sub.add_parser("city", help="生成并保存全市沙盘")
    p.add_argument("--seed", type=int, default=1, help="随机种子（整数，默认 1）")
    p.add_argument("--scale", type=_scale, default=1.0, help=f"规模：大于 0、不超过 {CITY_SCALE_MAX}（默认 1）")
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


class ChineseArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are Chinese (sub-commands' parsers are of this class too)."""

    _MESSAGES = (
        (re.compile(r"the following arguments are required: (.*)"), "缺少参数：{0}"),
        (re.compile(r"argument (\S+): invalid choice: '(.*)' \(choose from (.*)\)"), "参数 {0}：没有“{1}”这一项"
                                                                                     "（可选：{2}）"),
        (re.compile(r"argument (\S+): invalid (\w+) value: '(.*)'"), "参数 {0}：“{2}”的写法不对（应是{1}）"),
        (re.compile(r"argument (\S+): expected one argument"), "参数 {0} 后面要写一个值"),
        (re.compile(r"unrecognized arguments: (.*)"), "无法识别的参数：{0}"),
        (re.compile(r"argument (\S+): (.*)"), "参数 {0}：{1}"),
    )
    _KINDS = {"int": "整数", "float": "数字"}

    def error(self, message: str):
        for pattern, text in self._MESSAGES:
            m = pattern.fullmatch(message)
            if m:
                groups = [self._KINDS.get(g, g) for g in m.groups()]
                message = text.format(*groups)
                break
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}：错误：{message}\n")


def _can_show_chinese(stream) -> bool:
    try:
        "中文".encode(stream.encoding or "ascii")
    except (LookupError, UnicodeEncodeError):
        return False
    return True


def _prepare_streams() -> None:
    """Make Chinese output safe on a console that cannot show it: replace what cannot be shown
    (instead of a UnicodeEncodeError) and say once, in ASCII, how to see it."""
    bad = False
    for stream in (sys.stdout, sys.stderr):
        if stream is not None and hasattr(stream, "reconfigure") and not _can_show_chinese(stream):
            stream.reconfigure(errors="replace")
            bad = True
    if bad and sys.stderr is not None:
        print("cqvol-sim: this console cannot show Chinese text; set PYTHONIOENCODING=utf-8 "
              "or use a UTF-8 terminal.", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (see the module docstring)."""
    _prepare_streams()
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args) or 0
    except CqvolError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130
    except BrokenPipeError:      # output piped into a program that stopped reading (e.g. `| head`)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:
        from .exercises.schema import os_reason

        where = f" {exc.filename}" if exc.filename else ""
        print(f"错误：无法读写{where}（{os_reason(exc)}）。", file=sys.stderr)
        return 1
    except Exception as exc:
        if os.environ.get("CQVOL_DEBUG"):
            raise
        print(f"错误：出现了意外的问题（{type(exc).__name__}：{str(exc)[:200]}）。"
              "请检查输入的文件；如果文件没有问题，请把这条信息告诉软件维护人员。", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
