"""Preset Jupyter for training rooms: Chinese JupyterLab, and the trainee app's Voilà template.

Writes ``<sys.prefix>/share/jupyter/lab/settings/overrides.json`` (merging with what is there:
Chinese interface, no news or update pop-ups, no autosave, so opening a lesson never rewrites
it) and copies the ``cqvol`` Voilà template (Chinese loading text, nothing fetched from a CDN,
the server's address opens 培训首页) to ``<sys.prefix>/share/jupyter/voila/templates/cqvol``.
Run by the set-up scripts and by ``cqvol-sim setup-jupyter``; no network needed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..storage import atomic_write_text

__all__ = ["OVERRIDES", "TEMPLATE", "overrides_path", "write_overrides", "template_path", "install_template", "setup",
           "add_commands"]

OVERRIDES = {
    "@jupyterlab/translation-extension:plugin": {"locale": "zh_CN"},
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/docmanager-extension:plugin": {"autosave": False},
}
TEMPLATE = "cqvol"
TEMPLATE_SOURCE = Path(__file__).resolve().parents[1] / "app" / "voila_template" / TEMPLATE


def overrides_path(prefix: str | None = None) -> Path:
    """Where JupyterLab reads settings overrides for this environment."""
    return Path(prefix or sys.prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"


def write_overrides(prefix: str | None = None) -> Path:
    """Merge OVERRIDES into the overrides file and return its path."""
    path = overrides_path(prefix)
    path.parent.mkdir(parents=True, exist_ok=True)
    current = {}
    if path.exists():
        try:
            current = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            current = {}
        if not isinstance(current, dict):
            current = {}
    for plugin, settings in OVERRIDES.items():
        current.setdefault(plugin, {}).update(settings)
    atomic_write_text(path, json.dumps(current, ensure_ascii=False, indent=2) + "\n")
    return path


def template_path(prefix: str | None = None) -> Path:
    """Where Voilà finds the app's template in this environment."""
    return Path(prefix or sys.prefix) / "share" / "jupyter" / "voila" / "templates" / TEMPLATE


def install_template(prefix: str | None = None) -> Path:
    """Copy the app's Voilà template into this environment (each file atomically) and return its folder."""
    target = template_path(prefix)
    target.mkdir(parents=True, exist_ok=True)
    for src in sorted(TEMPLATE_SOURCE.iterdir()):
        if src.is_file():
            atomic_write_text(target / src.name, src.read_text(encoding="utf-8"))
    return target


def setup(prefix: str | None = None) -> list[Path]:
    """Everything ``cqvol-sim setup-jupyter`` does; returns the paths written."""
    return [write_overrides(prefix), install_template(prefix)]


def add_commands(sub) -> None:
    """Register ``cqvol-sim setup-jupyter``."""
    p = sub.add_parser("setup-jupyter", help="把 JupyterLab 设为中文界面，并安装培训网页的模板")
    p.set_defaults(func=lambda args: print("已写入 " + "、".join(str(x) for x in setup())) or 0)
