"""Re-run the lesson notebooks in place, so their stored outputs match the code (for authors).

    python -m cqvol_sim.authoring.lessons refresh [NOTEBOOK...]
    cqvol-sim lessons refresh [NOTEBOOK...]

Each notebook runs top to bottom in a fresh kernel of the current Python environment (the
one running this command, whatever kernelspec the notebook names), with the notebook's folder
as working directory. A notebook that runs cleanly is written back atomically; one that
fails or writes to stderr is left untouched and reported. nbclient and nbformat are imported
inside the functions, so ``import cqvol_sim`` never needs them.

The kernel never touches the author's own progress database: it runs with
``CQVOL_PROGRESS_DB`` pointing into a temporary folder (removed afterwards) and with
``CQVOL_TRAINEE=示例学员``, so exercise variants and stored outputs are the same on every
machine (``LESSON_ENV``). The nbval test command must export the same two variables.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Iterable, Sequence

from ..errors import CqvolError

__all__ = ["NOTEBOOK_DIR", "LESSON_ENV", "LESSON_TRAINEE", "notebooks", "run_notebook", "refresh", "add_commands",
           "main", "LessonResult",
           "Table", "table"]

#: The lesson notebooks of a source checkout.
NOTEBOOK_DIR = Path(__file__).resolve().parents[2] / "notebooks"

#: The kernelspec stored in every refreshed notebook (what Jupyter users get by default).
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}

#: The trainee name lesson kernels run as (exercise variants are chosen from it).
LESSON_TRAINEE = "示例学员"
#: Environment variables of a lesson kernel; ``{tmp}`` is a fresh temporary folder.
#: (``CQVOL_PROGRESS_URL`` emptied: a room server's PostgreSQL store never gets lesson runs)
LESSON_ENV = {"CQVOL_PROGRESS_DB": "{tmp}/progress.sqlite3", "CQVOL_PROGRESS_URL": "", "CQVOL_TRAINEE": LESSON_TRAINEE}

_CURRENT_ENV = "cqvol-current-env"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass
class LessonResult:
    """What happened to one notebook."""

    path: Path
    seconds: float
    ok: bool
    error: str = ""
    stderr: list[str] = field(default_factory=list)
    peak_rss_kib: int | None = None


class Table:
    """A small table for lesson outputs: HTML in Jupyter, tab-separated text elsewhere."""

    def __init__(self, rows: Iterable[Sequence], header: Sequence[str] | None = None):
        self.header = None if header is None else [str(h) for h in header]
        self.rows = [["" if c is None else str(c) for c in row] for row in rows]

    def _repr_html_(self) -> str:
        import html

        head = ""
        if self.header:
            head = "<thead><tr>" + "".join(f"<th style='text-align:left'>{html.escape(h)}</th>"
                                           for h in self.header) + "</tr></thead>"
        body = "".join("<tr>" + "".join(f"<td style='text-align:left'>{html.escape(c)}</td>" for c in row) + "</tr>"
                       for row in self.rows)
        return f"<table>{head}<tbody>{body}</tbody></table>"

    def __repr__(self) -> str:
        lines = (["\t".join(self.header)] if self.header else []) + ["\t".join(r) for r in self.rows]
        return "\n".join(lines)


def table(rows: Iterable[Sequence], header: Sequence[str] | None = None) -> Table:
    """A table to show as the last expression of a lesson cell."""
    return Table(rows, header)


def notebooks(folder: str | os.PathLike | None = None) -> list[Path]:
    """The lesson notebooks in ``folder`` (default: the checkout's notebooks/), sorted by name."""
    folder = Path(folder) if folder is not None else NOTEBOOK_DIR
    return sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("."))


def _kernel_manager():
    """A KernelManager that starts an ipykernel of this very Python, whatever the notebook says."""
    from ipykernel.kernelspec import RESOURCES, get_kernel_dict
    from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
    from jupyter_client.manager import KernelManager

    class _Specs(KernelSpecManager):
        def get_kernel_spec(self, kernel_name, *args, **kwargs):
            if kernel_name == _CURRENT_ENV:
                return KernelSpec(resource_dir=RESOURCES, **get_kernel_dict())
            return super().get_kernel_spec(kernel_name, *args, **kwargs)

    return KernelManager(kernel_name=_CURRENT_ENV, kernel_spec_manager=_Specs())


_RSS_PROBE = ("import os as _o\n"
              "print([l.split()[1] for l in open(f'/proc/{_o.getpid()}/status') if l.startswith('VmHWM')][0])")


def run_notebook(path: str | os.PathLike, *, timeout: int = 120, measure_rss: bool = False,
                 env: dict | None = None):
    """Execute one notebook; return (executed notebook, LessonResult). Nothing is written.

    With ``measure_rss`` a last cell reads the kernel's peak resident memory (VmHWM, Linux
    only) and is removed again before the notebook is returned. The kernel gets ``LESSON_ENV``
    (a throw-away progress database, the sample trainee), then ``env`` on top.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    path = Path(path)
    nb = read_notebook(path)
    probe = None
    if measure_rss and sys.platform.startswith("linux"):
        probe = nbformat.v4.new_code_cell(_RSS_PROBE)
        nb.cells.append(probe)
    km = _kernel_manager()
    client = NotebookClient(nb, km=km, timeout=timeout, allow_errors=False, record_timing=False,
                            store_widget_state=True,
                            resources={"metadata": {"path": str(path.parent.resolve())}})
    start = time.perf_counter()
    error = ""
    with tempfile.TemporaryDirectory(prefix="cqvol-lesson-") as tmp:
        kernel_env = {k: v.replace("{tmp}", tmp) for k, v in LESSON_ENV.items()}
        # the kernel process's own stderr (e.g. ipykernel's TCP notice) is not the notebook's: drop it
        extra = {"stderr": subprocess.DEVNULL, "env": {**os.environ, **kernel_env, **(env or {})}}
        try:
            client.execute(**extra)
        except (CellExecutionError, CellTimeoutError, DeadKernelError) as exc:
            lines = _ANSI.sub("", str(exc)).strip().splitlines()
            error = lines[-1] if lines else type(exc).__name__
        finally:
            _shutdown(km)     # nbclient leaves a kernel it did not create running
    seconds = time.perf_counter() - start
    peak = None
    if probe is not None:
        if not error:
            try:
                peak = int(probe.outputs[0]["text"].strip().strip("'[]"))
            except (IndexError, KeyError, ValueError):
                peak = None
        nb.cells.remove(probe)
    stderr = [f"cell {i}: {o.get('text', '').strip()[:200]}"
              for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
              for o in cell.get("outputs", ()) if o.get("output_type") == "stream" and o.get("name") == "stderr"]
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    ok = not error and not stderr
    return nb, LessonResult(path, seconds, ok, error, stderr, peak)


class NotebookUnreadable(CqvolError, ValueError):
    """The file cannot be read as a Jupyter notebook (the message is Chinese)."""


def read_notebook(path: str | os.PathLike):
    """The notebook at ``path`` (nbformat 4); NotebookUnreadable if it is not one."""
    import nbformat

    try:
        nb = nbformat.read(Path(path), as_version=4)
        nbformat.validate(nb)
    except UnicodeDecodeError:
        raise NotebookUnreadable("不是笔记本文件（不是 UTF-8 编码的文字）") from None
    except OSError as exc:
        raise NotebookUnreadable(f"无法读取（{exc.strerror or exc}）") from None
    except Exception as exc:  # nbformat raises NotJSONError, ValidationError, AttributeError, TypeError...
        if type(exc).__name__ == "NotJSONError":
            raise NotebookUnreadable("不是笔记本文件（内容不是 JSON）") from None
        raise NotebookUnreadable(f"不是有效的笔记本文件（"
                                 f"{str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__}）") from None
    return nb


def _shutdown(km) -> None:
    try:
        if km.has_kernel:
            km.shutdown_kernel(now=True)
    except Exception:  # pragma: no cover - a kernel that is already gone
        pass


_WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
_WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
_REF = "IPY_MODEL_"


def _refs(value):
    if isinstance(value, str):
        if value.startswith(_REF):
            yield value[len(_REF):]
    elif isinstance(value, dict):
        for v in value.values():
            yield from _refs(v)
    elif isinstance(value, list):
        for v in value:
            yield from _refs(v)


def compact_widget_state(nb) -> None:
    """Keep only the widget models the stored outputs show, without their default values.

    The saved state lets Jupyter draw the widgets before the notebook is run again (instead of
    "model not found"); dropping unreachable models and default values, as ipywidgets' own
    embedding does with ``drop_defaults``, makes it several times smaller.
    """
    widgets = nb.metadata.get("widgets", {}).get(_WIDGET_STATE)
    if not widgets or "state" not in widgets:
        return
    state = widgets["state"]
    roots = [o["data"][_WIDGET_VIEW]["model_id"] for cell in nb.cells if cell.cell_type == "code"
             for o in cell.get("outputs", ()) if _WIDGET_VIEW in o.get("data", {})]
    keep: set[str] = set()
    todo = [r for r in roots if r in state]
    while todo:
        mid = todo.pop()
        if mid in keep or mid not in state:
            continue
        keep.add(mid)
        todo.extend(_refs(state[mid].get("state", {})))
    try:
        from ipywidgets.widgets.widget import _registry
    except ImportError:  # pragma: no cover - ipywidgets is there whenever widgets were shown
        _registry = None
    compact = {}
    for mid in sorted(keep):
        model = dict(state[mid])
        s = model.get("state", {})
        cls = None
        if _registry is not None:
            try:
                cls = _registry.get(model.get("model_module"), model.get("model_module_version"),
                                    model.get("model_name"), s.get("_view_module"),
                                    s.get("_view_module_version"), s.get("_view_name"))
            except Exception:
                cls = None
        if cls is not None:
            traits = cls.class_traits()
            s = {k: v for k, v in s.items() if k not in traits or not _same(v, traits[k].default_value)}
        model["state"] = s
        compact[mid] = model
    widgets["state"] = compact


def _same(a, b) -> bool:
    try:
        return bool(a == b) or (isinstance(b, tuple) and a == list(b))
    except Exception:
        return False


def _write_atomic(nb, path: Path) -> None:
    import nbformat

    from ..storage import atomic_write_text

    atomic_write_text(path, nbformat.writes(nb))


def refresh(paths: Iterable[str | os.PathLike] | None = None, *, timeout: int = 120,
            report=print) -> list[LessonResult]:
    """Re-run each notebook (default: all lessons) and write it back if it ran cleanly.

    ``report`` gets one Chinese line per notebook (its time, or why it was not written).
    Returns the results; a failed notebook is left as it was.
    """
    targets = [Path(p) for p in paths] if paths else notebooks()
    results = []
    for path in targets:
        if not path.is_file():
            result = LessonResult(path, 0.0, False, "找不到这个文件")
        else:
            try:
                nb, result = run_notebook(path, timeout=timeout)
            except NotebookUnreadable as exc:
                nb, result = None, LessonResult(path, 0.0, False, str(exc))
            if result.ok:
                compact_widget_state(nb)
                try:
                    _write_atomic(nb, path)
                except OSError as exc:
                    result.ok, result.error = False, f"无法写回（{exc.strerror or exc}）"
        results.append(result)
        if report is not None:
            shown = _shown(path)
            if result.ok:
                report(f"已更新 {shown}（{result.seconds:.1f} 秒）")
            else:
                why = result.error or "有 stderr 输出：" + "；".join(result.stderr)
                report(f"未更新 {shown}（{result.seconds:.1f} 秒）：{why}")
    if report is not None and len(results) > 1:
        total = sum(r.seconds for r in results)
        bad = sum(not r.ok for r in results)
        report(f"共 {len(results)} 本，{total:.1f} 秒" + (f"，{bad} 本未更新" if bad else "，全部更新"))
    return results


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _cmd_refresh(args) -> int:
    results = refresh(args.notebooks or None, timeout=args.timeout)
    return 0 if all(r.ok for r in results) else 1


def _add_refresh(sub) -> None:
    r = sub.add_parser("refresh", help="重新运行课程笔记本并保存输出")
    r.add_argument("notebooks", nargs="*", metavar="NOTEBOOK", help="要更新的笔记本（默认：全部）")
    r.add_argument("--timeout", type=int, default=120, help="每个单元格的最长运行秒数")
    r.set_defaults(func=_cmd_refresh)


def add_commands(subparsers) -> None:
    """Add ``lessons refresh [NOTEBOOK...]`` to an argparse subparsers object."""
    p = subparsers.add_parser("lessons", help="（编写者）课程笔记本")
    _add_refresh(p.add_subparsers(dest="lessons_command", required=True, metavar="命令"))


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m cqvol_sim.authoring.lessons refresh [NOTEBOOK...]``."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m cqvol_sim.authoring.lessons", description="课程笔记本工具")
    _add_refresh(parser.add_subparsers(dest="command", required=True, metavar="命令"))
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
