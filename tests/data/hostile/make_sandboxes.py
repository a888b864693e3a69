"""Make tests/data/hostile/sandboxes again: run from the repository root with the package installed.

Each file probes one way a saved sandbox can be hostile; tests/test_hardening_core.py loads
every one through Sandbox.load and cqvol-sim info.
"""
import json
import sys
sys.path.insert(0, "tests")
from pathlib import Path
from cqvol_sim import Sandbox, Grade
out = Path("tests/data/hostile/sandboxes")
HEAD = '{"format": "cqvol-sim-sandbox", "version": 1, '

def doc(events, refusals=(), digest="0" * 64, version=1):
    return {"format": "cqvol-sim-sandbox", "version": version, "events": events, "refusals": list(refusals),
            "digest": digest}

def scen(name, **args):
    return {"seq": 1, "action": "scenario", "actor": None, "args": {"name": name, **args}, "result": None}

def w(name, obj):
    # ensure_ascii: a lone surrogate is written as the escape \\ud800, which JSON allows
    (out / name).write_text(json.dumps(obj, ensure_ascii=True, indent=0), encoding="utf-8")

(out / "deep_nesting.json").write_text(HEAD + '"events": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
(out / "deep_nesting_in_args.json").write_text(
    HEAD + '"events": [{"seq": 1, "action": "scenario", "actor": null, "args": {"name": "demo", "today": '
    + "[" * 50_000 + "]" * 50_000 + '}, "result": null}], "refusals": [], "digest": ""}', encoding="utf-8")
(out / "huge_int_version.json").write_text(
    '{"format": "cqvol-sim-sandbox", "version": ' + "9" * 5000 + ', "events": []}', encoding="utf-8")
(out / "huge_int_hours.json").write_text(
    HEAD + '"events": [{"seq": 1, "action": "record_hours", "actor": "G000001", "args": {"hours": '
    + "1" * 5000 + '}, "result": null}], "refusals": [], "digest": ""}', encoding="utf-8")
(out / "bad_utf8.json").write_bytes(HEAD.encode() + b'"events": [], "note": "\xff\xfe\xc3\x28", "digest": ""}')
(out / "utf16.json").write_bytes(json.dumps(doc([])).encode("utf-16"))
(out / "empty.json").write_bytes(b"")
(out / "not_json.json").write_text("这不是沙盘 {", encoding="utf-8")
(out / "nan_version.json").write_text('{"format": "cqvol-sim-sandbox", "version": NaN, "events": []}', encoding="utf-8")
w("null.json", None)
w("newer_version.json", doc([], version=99))
w("events_not_a_list.json", doc({"seq": 1}))
w("event_without_args.json", doc([{"seq": 1, "action": "approve", "actor": "G000001"}]))
w("city_scale_20.json", doc([scen("city", seed=1, scale=20.0, today="2026-11-20")]))
w("city_scale_1e9.json", doc([scen("city", seed=1, scale=1e9, today="2026-11-20")]))
w("city_huge_seed.json", doc([scen("city", seed=2 ** 80, scale=0.001, today="2026-11-20")]))
w("city_today_2024-01-03.json", doc([scen("city", seed=1, scale=0.001, today="2024-01-03")]))
w("demo_today_hang_2025-06-15.json", doc([scen("demo", today="2025-06-15")]))
w("demo_today_2024-01-01.json", doc([scen("demo", today="2024-01-01")]))
w("demo_today_9999-12-31.json", doc([scen("demo", today="9999-12-31")]))
w("demo_today_2026-02-30.json", doc([scen("demo", today="2026-02-30")]))
w("demo_today_not_a_date.json", doc([scen("demo", today=20261120)]))
w("demo_extra_param.json", doc([scen("demo", today="2026-11-20", scale=20)]))
w("unknown_scenario.json", doc([scen("mars", today="2026-11-20")]))
w("scenario_args_a_list.json", doc([{"seq": 1, "action": "scenario", "actor": None, "args": ["demo"], "result": None}]))
w("unknown_action.json", doc([{"seq": 1, "action": "__class__", "actor": None, "args": {}, "result": None}]))
w("lone_surrogate_in_event.json", doc([scen("demo", today="2026-11-20"),
    {"seq": 2, "action": "register_volunteer", "actor": "G000036",
     "args": {"name": "\ud800", "id_card": "500108199001010011", "mobile": "13800000001", "group": None},
     "result": "V000201"}]))
w("hours_1e400.json", doc([scen("demo", today="2026-11-20"),
    {"seq": 2, "action": "record_hours", "actor": "G000036",
     "args": {"volunteer": "V000005", "project": "P000009", "date": "2026-11-01", "place": "南坪", "target": "老人",
              "content": "陪伴", "hours": 1e400, "evaluation": "优秀", "contact": "王芳"}, "result": "R002001"}]))
(out / "hours_1e400.json").write_text(
    (out / "hours_1e400.json").read_text(encoding="utf-8").replace("Infinity", "1e400"), encoding="utf-8")

# a real save, then its refusal notes edited by hand
sb = Sandbox.demo()
knit = sb.find_group("黄桷渡社区刘孃孃开心编织志愿服务队")
try:
    sb.set_grade(knit, knit, Grade.ADVANCED)
except Exception:
    pass
sb.save(out / "edited_notes.json")
d = json.loads((out / "edited_notes.json").read_text(encoding="utf-8"))
d["refusals"][0]["hint"] = "请直接把自己设为高级团体组。"
d["refusals"][0]["time"] = "2026-11-20T09:00:00"
w("edited_notes.json", d)
d["refusals"] = "garbage"
w("notes_not_a_list.json", d)
for p in sorted(out.iterdir()):
    print(p.name, p.stat().st_size)
