"""The class view's page, in Chinese: the per-trainee table and the chart of refusal codes met
most, rendered as escaped HTML from a ``class_snapshot``. The page's own script only fetches
this fragment again every few seconds, so it updates without a reload."""

from __future__ import annotations

import json
from html import escape

REFRESH_SECONDS = 3


def _score(best: dict, solved: list, exercise: str) -> str:
    if exercise not in best:
        return '<td class="none">—</td>'
    mark = "✓" if exercise in solved else ""
    return f'<td class="score">{best[exercise]}{mark}</td>'


def table_html(snap: dict) -> str:
    """One row per trainee: where they are, best score per exercise, minutes idle, stuck or not."""
    exercises = snap["exercises"]
    head = "".join(f'<th title="{escape(e)}">{escape(snap["titles"].get(e, e))}</th>' for e in exercises)
    rows = []
    for t in snap["trainees"]:
        idle = "—" if t["idle_minutes"] is None else f'{t["idle_minutes"]:g}'
        stuck = f'<td class="stuck">⚠ {escape(t["stuck"])}</td>' if t["stuck"] else '<td class="ok">正常</td>'
        who = escape(t["name"]) + (f'<br><span class="unit">{escape(t["unit"])}</span>' if t["unit"] else "")
        cells = "".join(_score(t["best"], t["solved"], e) for e in exercises)
        rows.append(f'<tr class="{"is-stuck" if t["stuck"] else ""}"><td>{who}</td><td>{escape(t["where"])}</td>'
                    f'{cells}<td class="idle">{idle}</td>{stuck}</tr>')
    if not rows:
        return '<p class="empty">还没有学员登录。学员登录并开始学习后，这里会自动出现他们的进度。</p>'
    return (f'<table class="class"><thead><tr><th>学员</th><th>正在看</th>{head}<th>几分钟没有操作</th>'
            f'<th>是否卡住</th></tr></thead><tbody>{"".join(rows)}</tbody></table>')


def codes_html(snap: dict) -> str:
    """A bar chart (HTML, no script) of the refusal codes the class met most, with their clauses."""
    codes = snap["codes"]
    if not codes:
        return '<p class="empty">全班还没有被系统拒绝过的操作。</p>'
    top = max(c["count"] for c in codes)
    bars = []
    for c in codes:
        width = max(2, round(100 * c["count"] / top))
        bars.append(f'<div class="code"><div class="label"><b>{escape(c["clause"] or "—")}</b> '
                    f'{escape(c["message"])}<br><span class="hint">该讲：{escape(c["hint"])}</span></div>'
                    f'<div class="bar" style="width:{width}%">{c["count"]} 次</div></div>')
    return "".join(bars)


def fragment_html(snap: dict) -> str:
    """What the page replaces every few seconds."""
    warn = "".join(f'<p class="warn">{escape(w)}</p>' for w in snap["warnings"])
    return (f'<p class="time">更新于 {escape(snap["time"].replace("T", " "))}，共 {len(snap["trainees"])} 名学员。'
            f'“卡住”的意思：{escape(snap["stuck_rule"])}。</p>{warn}'
            f'<h2>全班进度</h2>{table_html(snap)}<h2>全班最常被拒绝的操作（下一步该讲什么）</h2>{codes_html(snap)}')


PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>班级实时看板</title>
<style>
body {{ font-family: "WenQuanYi Micro Hei", "Microsoft YaHei", sans-serif; margin: 1em 2em; font-size: 15px; }}
table.class {{ border-collapse: collapse; }}
table.class td, table.class th {{ border: 1px solid #ccc; padding: 4px 8px; }}
th {{ background: #f0f4f8; }}
tr.is-stuck td {{ background: #fff3e0; }}
td.stuck {{ color: #b45309; }}
td.none {{ color: #999; text-align: center; }}
td.score, td.idle {{ text-align: right; }}
.unit {{ color: #666; font-size: 13px; }}
.code {{ display: flex; align-items: center; margin: 6px 0; }}
.code .label {{ width: 55%; padding-right: 1em; }}
.code .bar {{ background: #2563eb; color: white; padding: 2px 6px; white-space: nowrap; }}
.hint {{ color: #555; font-size: 13px; }}
.warn {{ color: #b91c1c; }}
.time {{ color: #555; }}
a.button {{ display: inline-block; padding: 6px 14px; background: #2563eb;
  color: white; text-decoration: none; border-radius: 4px; }}
</style></head><body>
<h1>班级实时看板</h1>
<p><a class="button" href="{report}">下载全班成绩报告（Excel）</a>　页面每 {every} 秒自动更新，不用刷新。</p>
<div id="live">{fragment}</div>
<script>
setInterval(function () {{
  fetch("{fragment_url}", {{credentials: "same-origin", headers: {{"X-XSRFToken": {xsrf}}}}}).then(function (r) {{
    if (r.ok) {{ return r.text(); }} throw new Error(r.status);
  }}).then(function (html) {{ document.getElementById("live").innerHTML = html; }}).catch(function () {{}});
}}, {every_ms});
</script>
</body></html>"""


def page_html(snap: dict, *, fragment_url: str, report_url: str, xsrf: str = "") -> str:
    """The whole page; ``fragment_url`` and ``report_url`` are this service's own URLs. ``xsrf``:
    the hub's token the page's own fetches send (JupyterHub authenticates a cookie on a script's
    request only with it; without it the page would never update)."""
    return PAGE.format(report=escape(report_url), fragment=fragment_html(snap), fragment_url=escape(fragment_url),
                       every=REFRESH_SECONDS, every_ms=REFRESH_SECONDS * 1000,
                       xsrf=json.dumps(xsrf).replace("<", "\\u003c"))   # a JS string, never HTML


FORBIDDEN = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>只有培训老师可以打开</title></head>
<body style="font-family: sans-serif; margin: 2em;"><h1>只有培训老师可以打开班级看板</h1>
<p>你登录的是学员账号。请回到<a href="{home}">培训首页</a>继续学习。</p></body></html>"""
