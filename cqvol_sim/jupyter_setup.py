"""Preset JupyterLab for training rooms: Chinese interface, no news or update pop-ups.

Writes ``<sys.prefix>/share/jupyter/lab/settings/overrides.json`` (merging with what is
there). Run by the set-up script and by ``cqvol-sim setup-jupyter``; no network needed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .storage import atomic_write_text

OVERRIDES = {
    "@jupyterlab/translation-extension:plugin": {"locale": "zh_CN"},
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
}


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


def add_commands(sub) -> None:
    """Register ``cqvol-sim setup-jupyter``."""
    p = sub.add_parser("setup-jupyter", help="把 JupyterLab 设为中文界面并关闭新闻弹窗")
    p.set_defaults(func=lambda args: print(f"已写入 {write_overrides()}") or 0)
