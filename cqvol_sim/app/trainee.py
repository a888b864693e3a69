"""Who is training: a person's name (not the computer's login), with an optional unit and class.

The trainee app asks the name on the first visit and then carries it in every page address
(``?trainee=张三``), so a reload keeps it and a room of laptops that share one Windows login still
gives one person per name. Nothing here imports Jupyter.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode

from ..errors import CqvolError

MAX_NAME = 40   # = progress.MAX_NAME_CHARS (a test checks they agree)
MAX_EXTRA = 40
_ZERO_WIDTH = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}


class TraineeError(CqvolError):
    """A trainee's name, unit or class that cannot be used; the message is Chinese."""


@dataclass(frozen=True)
class Trainee:
    """A trainee as they introduced themselves."""

    name: str
    unit: str = ""
    klass: str = ""

    @property
    def folder_key(self) -> str:
        """A folder-safe key for this trainee's files (the name itself may hold any character)."""
        return hashlib.sha256(self.name.encode("utf-8")).hexdigest()[:16]


def _clean(text, what: str, limit: int, *, required: bool) -> str:
    if text is None:
        text = ""
    if not isinstance(text, str):
        raise TraineeError(f"{what}应当是文字。")
    text = "".join(ch for ch in unicodedata.normalize("NFKC", text) if ch not in _ZERO_WIDTH)
    text = " ".join(text.split())
    if not text:
        if required:
            raise TraineeError(f"请填写{what}。")
        return ""
    if len(text) > limit:
        raise TraineeError(f"{what}太长了：最多 {limit} 个字，现在是 {len(text)} 个字。")
    for ch in text:
        cat = unicodedata.category(ch)
        if cat.startswith("C"):
            raise TraineeError(f"{what}里有不可见的控制字符，请重新输入。")
    return text


def clean_name(text) -> str:
    """The trainee's name as the progress store keeps it (one rule: ``progress.check_trainee_name``);
    TraineeError (Chinese) if it cannot be used."""
    from ..exercises.progress import check_trainee_name

    try:
        return check_trainee_name(text)
    except ValueError as exc:
        raise TraineeError(str(exc)) from None


def make_trainee(name, unit=None, klass=None) -> Trainee:
    """A Trainee from what was typed; TraineeError (Chinese) names the first field that is wrong."""
    return Trainee(clean_name(name), _clean(unit, "单位", MAX_EXTRA, required=False),
                   _clean(klass, "班级", MAX_EXTRA, required=False))


def query_params(query: str | None) -> dict[str, str]:
    """The parameters of a page address's query string (the first value of each), decoded."""
    if not query:
        return {}
    try:   # a damaged byte spoils only its own value (shown as U+FFFD, which the name check refuses)
        parsed = parse_qs(query, keep_blank_values=True, max_num_fields=20, errors="replace")
    except ValueError:
        return {}
    return {k: v[0] for k, v in parsed.items() if v}


def page_url(page: str, trainee: str | None = None, **params) -> str:
    """The relative address of an app page (a notebook next to the current one) for ``trainee``."""
    query = {}
    if trainee:
        query["trainee"] = trainee
    query.update({k: v for k, v in params.items() if v not in (None, "")})
    return f"{page}.ipynb" + (f"?{urlencode(query)}" if query else "")
