"""Chinese text in matplotlib, offline, on a fresh machine.

``use_cjk_font()`` picks a font that has the CJK glyphs and puts it first in matplotlib's
``font.sans-serif``:

1. an installed system CJK font (Windows: Microsoft YaHei / SimHei; macOS: PingFang SC /
   Hiragino Sans GB; Linux: Noto Sans CJK SC, Source Han Sans SC, WenQuanYi), found in
   matplotlib's font list or at its usual file path (registered with ``addfont``, so a stale
   font cache does not matter);
2. else the SC face of Noto Sans CJK from the ``noto-cjk-sans-otc`` wheel (a dependency of the
   ``widgets`` extra). matplotlib >= 3.11 registers every face of the .ttc; the SC face is
   used, never face 0 (JP), so that 渝 and friends take their Simplified Chinese shapes.

Nothing is downloaded. The choice is made once per process (per ``prefer_system`` value).
"""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

__all__ = ["use_cjk_font", "cjk_font_path", "SYSTEM_FONTS", "BUNDLED_FAMILY"]

BUNDLED_FAMILY = "Noto Sans CJK SC"


def _windows_fonts() -> Path:
    return Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"


#: (family name as matplotlib reports it, usual files), in order of preference.
SYSTEM_FONTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Microsoft YaHei", ("msyh.ttc", "msyh.ttf")),
    ("SimHei", ("simhei.ttf",)),
    ("PingFang SC", ("/System/Library/Fonts/PingFang.ttc",
                     "/System/Library/AssetsV2/com_apple_MobileAsset_Font7/PingFang.ttc")),
    ("Hiragino Sans GB", ("/System/Library/Fonts/Hiragino Sans GB.ttc",)),
    ("Noto Sans CJK SC", ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
                          "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
                          "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc")),
    ("Source Han Sans SC", ("/usr/share/fonts/adobe-source-han-sans/SourceHanSansSC-Regular.otf",)),
    ("WenQuanYi Micro Hei", ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
                             "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc")),
    ("WenQuanYi Zen Hei", ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",)),
)

_chosen: dict[bool, tuple[str, str | None]] = {}


def _known_families() -> set[str]:
    from matplotlib import font_manager

    return {f.name for f in font_manager.fontManager.ttflist}


def _font_file(family: str) -> str | None:
    from matplotlib import font_manager

    for f in font_manager.fontManager.ttflist:
        if f.name == family:
            return f.fname
    return None


def _candidate_paths(files: tuple[str, ...]) -> list[Path]:
    out = []
    for f in files:
        p = Path(f)
        if not p.is_absolute():
            if sys.platform != "win32":
                continue
            p = _windows_fonts() / f
        out.append(p)
    return out


def _add_font(path: Path) -> None:
    from matplotlib import font_manager

    try:
        font_manager.fontManager.addfont(str(path))
    except (OSError, RuntimeError, ValueError):
        pass


def _system_font() -> tuple[str, str | None] | None:
    known = _known_families()
    for family, files in SYSTEM_FONTS:
        if family in known:
            return family, _font_file(family)
        for path in _candidate_paths(files):
            if path.is_file():
                _add_font(path)
                if family in _known_families():
                    return family, str(path)
    return None


def _bundled_font() -> tuple[str, str | None]:
    try:
        import noto_cjk_sans_otc
    except ImportError:  # pragma: no cover - the widgets extra installs it
        warnings.warn("没有找到中文字体：请安装 noto-cjk-sans-otc（pip install noto-cjk-sans-otc）。",
                      RuntimeWarning, stacklevel=3)
        return "DejaVu Sans", None
    path = Path(noto_cjk_sans_otc.FONT_PATH)
    _add_font(path)
    known = _known_families()
    if BUNDLED_FAMILY in known:
        return BUNDLED_FAMILY, str(path)
    # matplotlib < 3.11 registers only face 0 of a .ttc (the JP face): better than boxes
    jp = "Noto Sans CJK JP"
    if jp in known:
        warnings.warn("matplotlib < 3.11 只能使用 Noto Sans CJK 的日文字形；请升级 matplotlib。",
                      RuntimeWarning, stacklevel=3)
        return jp, str(path)
    return "DejaVu Sans", None  # pragma: no cover


def use_cjk_font(prefer_system: bool = True) -> str:
    """Make matplotlib draw Chinese: pick a CJK font, put it first in ``font.sans-serif``.

    Return the family name used. Idempotent; safe to call before every drawing.
    """
    import matplotlib

    if prefer_system not in _chosen:
        found = _system_font() if prefer_system else None
        _chosen[prefer_system] = found or _bundled_font()
    family, _ = _chosen[prefer_system]
    rc = matplotlib.rcParams
    current = [f for f in rc["font.sans-serif"] if f != family]
    if rc["font.sans-serif"][:1] != [family]:
        rc["font.sans-serif"] = [family, *current]
    if rc["font.family"] != ["sans-serif"]:
        rc["font.family"] = ["sans-serif"]
    rc["axes.unicode_minus"] = False  # some CJK fonts lack U+2212
    return family


def cjk_font_path(prefer_system: bool = True) -> str | None:
    """The file of the font ``use_cjk_font`` picked (None if none was found)."""
    use_cjk_font(prefer_system)
    return _chosen[prefer_system][1]
