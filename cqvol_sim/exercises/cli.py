"""Command-line commands for instructors (messages in Chinese).

``add_commands(subparsers)`` registers, on the ``cqvol-sim`` command's subparsers:

* ``exercise check [PATH] [--variants N] [--verbose]``: validate every exercise file under PATH
  (default: the bank's folders) and prove each exercise sound (see ``verify``). Every file is
  checked, whatever the others hold; each problem is printed with file and line. Exit 0 if all
  passed, 1 if any file has a problem (or none was found), 2 if PATH does not exist;
* ``exercise new --from FILE [--out FILE] [--force]``: a draft exercise from a saved sandbox
  (exit 1 if it cannot be made or written);
* ``report DIR --xlsx OUT [--exercises PATH]``: the class report from the trainees' progress
  databases (titles from the bank, and from PATH for exercises kept outside it). Warnings go to
  stderr; exit 1 if the workbook cannot be written or no progress database could be read.

``command("cqvol-sim exercise check 我的练习")`` runs any ``cqvol-sim`` command line from a
notebook, printing what the terminal would print.

Each subcommand sets ``func`` (``args.func(args) -> int`` exit code); ``python -m
cqvol_sim.exercises.cli`` runs the whole ``cqvol-sim`` command.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from .schema import LEVELS, REQUIRED_CLAUSES, ExerciseError, cut_text, normalise_clause, os_reason


def add_commands(subparsers) -> None:
    """Register ``exercise`` (check, new) and ``report`` on an argparse subparsers object."""
    ex = subparsers.add_parser("exercise", help="练习：检查练习文件，从沙盘记录生成练习草稿",
                               description="练习文件的检查和生成。")
    exsub = ex.add_subparsers(dest="exercise_command", metavar="命令")
    exsub.required = True

    chk = exsub.add_parser("check", help="检查练习文件（格式、参考答案、每个目标的反馈）",
                           description="检查 PATH（文件或文件夹，默认是练习库）中的每个练习文件：格式是否正确；"
                                       "练习开始时是否尚未完成；参考答案能否完成练习；每个目标的“未达成”反馈能否出现。")
    chk.add_argument("path", nargs="?", default=None, metavar="PATH", help="练习文件或文件夹（默认：练习库）")
    chk.add_argument("--variants", type=int, default=12, metavar="N", help="每个练习最多检查的变体数（默认 12）")
    chk.add_argument("-v", "--verbose", action="store_true", help="列出每个目标在哪种做法下未达成")
    chk.set_defaults(func=cmd_check)

    new = exsub.add_parser("new", help="从保存的沙盘生成练习草稿",
                           description="把保存的沙盘（sb.save(...) 的文件）变成练习草稿：参考答案是沙盘里的操作，"
                                       "目标是操作的结果。")
    new.add_argument("--from", dest="source", required=True, metavar="FILE", help="保存的沙盘文件")
    new.add_argument("--out", default=None, metavar="FILE", help="练习草稿文件（默认：输出到屏幕）")
    new.add_argument("--force", action="store_true", help="覆盖已有的文件")
    new.set_defaults(func=cmd_new)

    rep = subparsers.add_parser("report", help="生成全班成绩报告（Excel）",
                                description="读取 DIR 中学员的进度数据库（*.sqlite3，或 PostgreSQL 进度数据库的地址），"
                                            "生成 Excel 成绩报告。")
    rep.add_argument("dir", metavar="DIR",
                     help="存放学员进度数据库的文件夹（或一个数据库文件，或 postgresql://… 地址）")
    rep.add_argument("--xlsx", required=True, metavar="OUT", help="要生成的 Excel 文件")
    rep.add_argument("--exercises", action="append", default=[], metavar="PATH",
                     help="练习库以外的练习文件或文件夹（用来读取练习的标题；可以写多次）")
    rep.set_defaults(func=cmd_report)


def _print(text: str = "", *, err: bool = False) -> None:
    stream = sys.stderr if err else sys.stdout
    try:
        print(text, file=stream)
    except UnicodeEncodeError:   # a console that cannot show Chinese
        enc = stream.encoding or "ascii"
        print(text.encode(enc, "replace").decode(enc), file=stream)


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root if root.is_dir() else root.parent))
    except ValueError:
        return str(path)


@dataclass
class _Tally:
    """What ``exercise check`` found so far, over every file."""

    total: int = 0
    failed: int = 0
    problems: int = 0
    coverage: dict = field(default_factory=dict)      # clause → ids of the exercises citing it
    per_level: dict = field(default_factory=dict)
    seen_ids: dict = field(default_factory=dict)      # id → (root, file) of the first file that has it


def cmd_check(args) -> int:
    from .loader import bank_paths, exercise_files

    roots = [Path(args.path)] if args.path else bank_paths()
    if not roots:
        _print("没有找到练习文件夹：请指定 PATH，或设置环境变量 CQVOL_EXERCISES。", err=True)
        return 2
    if args.variants < 1:
        _print("--variants 至少为 1。", err=True)
        return 2
    missing = [r for r in roots if not r.exists()]
    if missing:
        _print(f"找不到 {missing[0]}。", err=True)
        return 2
    tally = _Tally()
    for root in roots:
        try:
            files = exercise_files(root)
        except OSError as exc:
            _print(f"无法读取文件夹 {root}（{os_reason(exc)}）。", err=True)
            return 1
        _print(f"检查练习文件：{root}（{len(files)} 个文件）")
        for f in files:
            _check_one(f, root, args, tally)
    if tally.total and tally.coverage:
        levels = "，".join(f"{lv} {tally.per_level.get(lv, 0)} 个" for lv in LEVELS)
        _print(f"层级：{levels}")
        shown = "；".join(f"{c} {len(ids)} 个"
                         for c, ids in sorted(tally.coverage.items(), key=lambda kv: _clause_order(kv[0])))
        _print(f"条款覆盖：{shown}")
        missing_clauses = [c for c in REQUIRED_CLAUSES if c not in tally.coverage]
        if missing_clauses and tally.total > 1:     # a bank (or folder) should cover the notice; one file need not
            _print(f"尚未覆盖的条款：{'、'.join(missing_clauses)}")
    if not tally.total:
        _print("没有找到练习文件（*.yaml）。")
        return 1
    if tally.failed:
        _print(f"结果：{tally.total} 个练习中 {tally.total - tally.failed} 个通过，{tally.failed} 个有问题"
               f"（共 {tally.problems} 处）。")
        return 1
    _print(f"结果：{tally.total} 个练习全部通过。")
    return 0


def _check_one(f: Path, root: Path, args, tally: _Tally) -> None:
    """Check one exercise file and print its verdict; a broken file never stops the others."""
    from ..errors import CqvolError
    from .loader import display_path, load_exercise
    from .schema import Problem
    from .verify import verify_exercise

    tally.total += 1
    name = _rel(f, root)
    try:
        ex = load_exercise(f)
        verdict = verify_exercise(ex, max_variants=args.variants)
    except ExerciseError as exc:
        _fail(tally, name, exc.problems)
        return
    except CqvolError as exc:            # e.g. the simulator cannot build the starting sandbox
        _fail(tally, name, [Problem(display_path(f), None, f"无法检查这个练习：{exc}", "exercise.uncheckable")])
        return
    except Exception as exc:   # a file crafted to break the checker: report it, check the other files
        _fail(tally, name, [Problem(display_path(f), None, f"无法检查这个练习（{type(exc).__name__}："
                                                           f"{cut_text(exc, 200)}）。"
                                                   "请检查文件内容；如果文件没有问题，"
                                                   "请把这条信息告诉软件维护人员。", "exercise.uncheckable")])
        return
    problems = list(verdict.problems)
    notes = list(verdict.notes)
    first = tally.seen_ids.setdefault(ex.id, (root, ex.file))
    if first[1] != ex.file and first[0] == root:
        problems.append(Problem(ex.file, ex.line("id"), f"练习编号“{ex.id}”与"
                                                        f" {first[1]} 重复了。", "exercise.duplicate_id"))
    elif first[1] != ex.file:       # an instructor's exercise replaces the bank's one of the same id
        notes.append(f"练习编号“{ex.id}”与 {first[1]} 相同：学员打开的是 {first[1]}。")
    info = f"{ex.title}（{ex.level}，{len(ex.data['goals'])} 个目标，检查了 {verdict.variants} 个变体）"
    if problems:
        _fail(tally, f"{name}：{info}", problems)
    else:
        _print(f"【通过】{name}：{info}")
        tally.per_level[ex.level] = tally.per_level.get(ex.level, 0) + 1
        for g in ex.data["goals"]:
            for part in normalise_clause(g["clause"]).split("、"):
                tally.coverage.setdefault(part, set()).add(ex.id)
    for note in notes:
        _print(f"    注意：{note}")
    if args.verbose and verdict.exercise is not None:
        for gid, run in verdict.witnesses.items():
            _print(f"    目标 {gid}：{run}时未达成")
        for title, codes in verdict.mistake_codes.items():
            _print(f"    常见错误“{title}”：{'、'.join(codes) if codes else '没有被拒绝'}")


def _fail(tally: _Tally, heading: str, problems) -> None:
    tally.failed += 1
    tally.problems += len(problems)
    _print(f"【有问题】{heading}")
    for p in problems:
        _print(f"    {p}")


def _clause_order(clause: str):
    from ..rules import NOTICE_CLAUSES as KNOWN_CLAUSES

    return (KNOWN_CLAUSES.index(clause) if clause in KNOWN_CLAUSES else len(KNOWN_CLAUSES), clause)


def cmd_new(args) -> int:
    from ..errors import StorageError
    from .draft import write_draft

    try:
        text = write_draft(args.source, args.out, force=args.force)
    except (StorageError, ValueError, FileExistsError) as exc:
        _print(f"无法生成练习草稿：{exc}", err=True)
        return 1
    if args.out:
        _print(f"已生成练习草稿 {args.out}。请修改标题、任务说明和反馈，再运行 cqvol-sim exercise check {args.out}。")
    else:
        _print(text)
    return 0


def cmd_report(args) -> int:
    from ..errors import StorageError
    from .report import write_report

    try:
        info = write_report(args.dir, args.xlsx, exercises=args.exercises)
    except StorageError as exc:
        _print(f"无法生成成绩报告：{exc}", err=True)
        return 1
    for w in info["warnings"]:
        _print(f"注意：{w}", err=True)
    _print(f"已生成成绩报告 {args.xlsx}：{info['count']} 名学员，{len(info['exercises'])} 个练习。")
    return 0


def command(line) -> int | None:
    """Run a ``cqvol-sim`` command line from a notebook, exactly as typed in a terminal.

    ``line`` is the command as one string (``"cqvol-sim exercise check 我的练习/t20.yaml"``;
    the leading ``cqvol-sim`` may be left out; write paths with ``/``) or a list of arguments.
    The command prints what it prints in a terminal. Returns None when it succeeded (so a
    notebook shows only the command's own output), else its exit code (1: a problem was
    found, 2: the command was written wrong).
    """
    import shlex

    from ..cli import main as cqvol_sim_main

    argv = shlex.split(line) if isinstance(line, str) else [str(a) for a in line]
    if argv and argv[0] in ("cqvol-sim", "cqvol_sim"):
        argv = argv[1:]
    try:
        code = cqvol_sim_main(argv)
    except SystemExit as exc:        # argparse: a usage error, or --help
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    sys.stdout.flush()
    return None if code == 0 else code


def main(argv=None) -> int:
    """``python -m cqvol_sim.exercises.cli ...`` (the same commands as ``cqvol-sim``)."""
    from ..cli import main as cqvol_sim_main

    return cqvol_sim_main(argv)


if __name__ == "__main__":
    sys.exit(main())
