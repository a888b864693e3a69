"""A proof of service (志愿服务证明) as one printable page of Chinese HTML.

The page carries every field of 民发〔2015〕149号, a large diagonal 培训样张 mark and a note that
it is not a real proof, and fits one A4 page when printed. Every value is escaped: a name with
``<``, ``>``, ``&`` or quotes shows as text and never becomes markup.
"""

from __future__ import annotations

from html import escape

from ..model import Proof
from ..rules import Rules, source_line

_STYLE = """
@page { size: A4; margin: 18mm; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif; color: #222;
       margin: 0; }
.page { position: relative; max-width: 170mm; margin: 0 auto; padding: 10mm 0; overflow: hidden; }
h1 { text-align: center; font-size: 26px; letter-spacing: 8px; margin: 0 0 6px; }
.serial { text-align: right; font-size: 13px; color: #555; margin-bottom: 14px; }
table { width: 100%; border-collapse: collapse; font-size: 15px; }
th, td { border: 1px solid #444; padding: 8px 10px; text-align: left; vertical-align: top; }
th { width: 26%; background: #f3f3f3; font-weight: normal; }
.body { font-size: 15px; line-height: 1.9; margin: 14px 0; text-indent: 2em; }
.sign { margin-top: 24px; text-align: right; font-size: 15px; line-height: 2; }
.note { margin-top: 18px; padding: 8px 10px; border: 2px solid #c62828; color: #c62828; font-size: 13px; }
.small { margin-top: 8px; font-size: 12px; color: #555; }
.mark { position: absolute; top: 38%; left: -10%; width: 120%; text-align: center; transform: rotate(-30deg);
        font-size: 120px; font-weight: bold; letter-spacing: 24px; color: rgba(198, 40, 40, 0.18);
        pointer-events: none; white-space: nowrap; }
"""


def proof_html(rules: Rules, proof: Proof) -> str:
    """The whole page (a complete HTML document) for ``proof``, labels from ``rules``."""
    label = rules.proof_labels
    texts = rules.proof_texts
    rows = [
        (label["volunteer_name"], proof.volunteer_name),
        (label["id_type"], proof.id_type),
        (label["id_number"], proof.id_number),
        (label["volunteer_number"], proof.volunteer_number),
        (label["hours"], f"{proof.hours:g} 小时"),
        (label["content"], proof.content),
        (label["issuer"], proof.issuer),
        (label["leader"], proof.leader.name),
        (label["handler"], proof.handler),
        (label["contact"], f"{proof.contact.name} {proof.contact.mobile}"),
    ]
    table = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
    day = f"{proof.date.year}年{proof.date.month}月{proof.date.day}日"
    body = (f"兹证明志愿者 {escape(proof.volunteer_name)}（{escape(proof.id_type)}：{escape(proof.id_number)}）"
            f"参加{escape(proof.issuer)}组织的志愿服务，经记录并审核确认的服务时长共计 {proof.hours:g} 小时。")
    return (
        "<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'>"
        f"<title>{escape(label['title'])}（{escape(texts['watermark'])}）</title><style>{_STYLE}</style></head><body>"
        f"<div class='page'><div class='mark' aria-hidden='true'>{escape(texts['watermark'])}</div>"
        f"<h1>{escape(label['title'])}</h1>"
        f"<div class='serial'>{escape(label['serial'])}：{escape(proof.serial)}</div>"
        f"<div class='body'>{body}</div><table>{table}</table>"
        f"<div class='sign'>{escape(label['issuer'])}：{escape(proof.issuer)}<br>{escape(label['seal'])}<br>"
        f"{escape(label['date'])}：{day}</div>"
        f"<div class='note'><b>{escape(texts['watermark'])}</b>：{escape(texts['not_real'])}</div>"
        f"<div class='small'>{escape(texts['notice_period'])}<br>{escape(source_line(rules.proof_source, rules))}</div>"
        "</div></body></html>")
