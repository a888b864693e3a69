"""Pieces every page of the trainee app shares: the page box, the top bar, problem lines.

Presentation only. The page box's plain-text form is a Chinese sentence, so a notebook opened
before it runs shows that sentence, never ``VBox(children=…)``.
"""

from __future__ import annotations

import html

import ipywidgets as W

from .catalogue import catalogue
from .context import PageContext, logout_url
from .trainee import page_url

NOTICE = "渝民发〔2020〕17号"
_BAR = ("display:flex;gap:18px;align-items:center;flex-wrap:wrap;background:#1f5f8b;color:#fff;"
        "padding:8px 14px;border-radius:4px;font-size:15px")
_LINK = "color:#fff;text-decoration:underline"


def esc(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


class PageBox(W.VBox):
    """A page (or part of one) of the trainee app; ``placeholder`` is what plain text shows."""

    placeholder = "（这里是培训页面的互动内容：请从培训首页打开本页，或者运行本单元格。）"

    def __repr__(self) -> str:
        return self.placeholder


LINK_STYLE = "color:#1155aa;text-decoration:underline"


def link(page: str, text: str, ctx: PageContext | None, style: str = "", **params) -> str:
    """An HTML link to another page of the app, carrying the trainee's name (blue and underlined,
    so that it looks clickable; ``style`` adds to that)."""
    style = f"{LINK_STYLE};{style}" if style else LINK_STYLE
    trainee = params.pop("trainee", None) or (ctx.name if ctx else None)
    href = page_url(page, trainee, **params)
    return f"<a href='{esc(href)}' style='{style}'>{esc(text)}</a>"


def top_bar(ctx: PageContext, page_id: str, title: str | None = None) -> str:
    """The bar at the top of every page: back to 培训首页, where you are (``title``, else the
    catalogue's title of ``page_id``) and who you are."""
    cat = catalogue()
    parts = []
    if page_id != cat.home.id:
        parts.append(link(cat.home.id, "← 返回培训首页", ctx, _LINK + ";font-weight:bold"))
    page = cat.page(page_id)
    parts.append(f"<span>{esc(title or (page.title if page else ''))}</span>")
    if ctx.trainee:
        who = ctx.trainee.name + (f"（{ctx.trainee.unit}）" if ctx.trainee.unit else "")
        parts.append(f"<span style='margin-left:auto'>学员：<b>{esc(who)}</b></span>")
        if logout_url():     # a training room: the next person at this computer must not land here
            parts.append(f"<a href='{esc(logout_url())}' target='_top' style='{_LINK}'>退出登录</a>")
    elif page_id != cat.home.id:
        parts.append("<span style='margin-left:auto'>" +
                     link(cat.home.id, "还没有填写姓名：点这里去培训首页填写", None, _LINK) + "</span>")
    return f"<div style='{_BAR}'>{''.join(parts)}</div>"


def next_bar(ctx: PageContext, page_id: str) -> str:
    """The line at the bottom of a lesson: the next page in the self-study order, and home."""
    cat = catalogue()
    nxt = cat.next_page(page_id)
    items = [link(cat.home.id, "← 返回培训首页", ctx)]
    if nxt is not None:
        items.append("下一课：" + link(nxt.id, nxt.title, ctx, "font-weight:bold"))
    return ("<div style='margin:16px 0;padding:10px 14px;background:#eef5fb;border-radius:4px;"
            "display:flex;gap:24px;font-size:15px'>" + "".join(f"<span>{i}</span>" for i in items) + "</div>")


def problems_html(ctx: PageContext) -> str:
    """The page's problems (e.g. progress cannot be saved) as yellow lines; '' if none."""
    if not ctx.problems:
        return ""
    rows = "".join(f"<div>⚠ {esc(p)}</div>" for p in ctx.problems)
    return (f"<div style='background:#fff8e1;border:1px solid #f0c36d;padding:6px 12px;border-radius:4px;"
            f"margin:6px 0'>{rows}</div>")
