"""Each trainee's autosaved work: one sandbox file per free-practice page and per exercise.

Layout under ``paths.trainees_home()``::

    <folder_key>/profile.json             {"name": ..., "unit": ..., "klass": ...}
    <folder_key>/practice/<page>.json     a saved sandbox (storage format), after every accepted action
    <folder_key>/exercises/<id>.json      likewise, for an exercise
    <folder_key>/exercises/<id>.meta.json the exercise's attempt id and time spent

Every write is atomic (``storage.atomic_write_text`` / ``Sandbox.save``): a crash leaves the old
file or the new one. Nothing here imports Jupyter.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from .. import paths
from ..errors import CqvolError, StorageError
from ..storage import atomic_write_text
from .trainee import Trainee

_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,80}$")


def _safe_key(key: str) -> str:
    if not isinstance(key, str) or not _KEY.match(key) or ".." in key:
        raise StorageError(f"“{key}”不能用作文件名。")
    return key


@dataclass
class Slot:
    """One autosave slot: a sandbox file (and, for exercises, a small meta file beside it)."""

    path: Path

    @property
    def meta_path(self) -> Path:
        return self.path.with_suffix(".meta.json")

    def exists(self) -> bool:
        return self.path.is_file()

    def save(self, sandbox, meta: dict | None = None) -> None:
        """Save the sandbox (and meta) atomically, creating the folder on first use."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"无法创建文件夹 {self.path.parent}：{exc.strerror}") from None
        sandbox.save(self.path)
        if meta is not None:
            atomic_write_text(self.meta_path, json.dumps(meta, ensure_ascii=False))

    def load(self):
        """The saved sandbox; StorageError (Chinese) if it cannot be read."""
        from ..sandbox import Sandbox

        try:
            return Sandbox.load(self.path)
        except CqvolError:
            raise
        except Exception as exc:  # a damaged file must never show a traceback to the trainee
            raise StorageError(f"上次保存的练习 {self.path.name} 无法读取（{type(exc).__name__}）。") from None

    def meta(self) -> dict:
        """The meta saved with the sandbox ({} if none or unreadable)."""
        try:
            data = json.loads(self.meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def saved_at(self) -> float | None:
        """When the slot was last saved (seconds since the epoch), or None."""
        try:
            return self.path.stat().st_mtime
        except OSError:
            return None

    def discard(self) -> None:
        """Forget the saved work (the trainee chose 重新开始)."""
        for p in (self.path, self.meta_path):
            try:
                p.unlink()
            except FileNotFoundError:
                pass
            except OSError as exc:
                raise StorageError(f"无法删除 {p}：{exc.strerror}") from None


class TraineeFiles:
    """The folder of one trainee's autosaved work."""

    def __init__(self, trainee: Trainee, root: Path | None = None):
        self.trainee = trainee
        self.folder = (root or paths.trainees_home()) / trainee.folder_key

    def write_profile(self) -> None:
        """Record who this folder belongs to (so an instructor can tell the folders apart)."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"无法创建文件夹 {self.folder}：{exc.strerror}") from None
        profile = {"name": self.trainee.name, "unit": self.trainee.unit, "klass": self.trainee.klass}
        atomic_write_text(self.folder / "profile.json", json.dumps(profile, ensure_ascii=False))

    def practice(self, page: str) -> Slot:
        """The free-practice slot of a page (e.g. "sandbox", "04_grades")."""
        return Slot(self.folder / "practice" / f"{_safe_key(page)}.json")

    def exercise(self, ex_id: str) -> Slot:
        """The slot of an exercise."""
        return Slot(self.folder / "exercises" / f"{_safe_key(ex_id)}.json")


def slot_label(path: Path, trainees_root: Path | None = None) -> str | None:
    """A Chinese label for an autosaved file ("学员 张三：自由练习"), or None if ``path`` is not one."""
    from .catalogue import catalogue

    root = trainees_root or paths.trainees_home()
    try:
        key, kind, *rest = path.relative_to(root).parts
    except ValueError:
        return None
    if len(rest) != 1 or kind not in ("practice", "exercises"):
        return None
    try:
        name = json.loads((root / key / "profile.json").read_text(encoding="utf-8")).get("name") or "（未署名）"
    except (OSError, ValueError, AttributeError):
        name = "（未署名）"
    stem = Path(rest[0]).stem
    if kind == "practice":
        page = catalogue().page(stem)
        what = page.title.split("：")[0] + "的练习面板" if page and stem != catalogue().practice.id else "自由练习"
    else:
        what = f"练习《{_exercise_title(stem)}》"
    return f"学员 {name}：{what}"


def _exercise_title(ex_id: str) -> str:
    """The exercise's title, or “编号为 … 的练习” if it cannot be found."""
    from ..exercises.loader import find_exercise

    try:
        return find_exercise(ex_id).title
    except Exception:   # a deleted or broken exercise still gets a label
        return f"编号为 {ex_id} 的练习"
