"""The notice's rules as data: YAML files in this folder and the loader that checks them.

``default_rules()`` loads the shipped files once. ``load_rules(folder)`` loads another copy
(an instructor's edited rules); a mistake raises ``RulesError`` naming the file, the line and
the entry. Every file is read by the package's one YAML reader (``cqvol_sim.yamlfile``): what
it finds (duplicate keys, bad characters, syntax...) is reported for all files at once, each
problem with its stable id; the checks of the entries then stop at the first mistake.
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
import string
import warnings
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from collections.abc import Set as AbstractSet
from typing import Any

from .. import model as _model
from ..errors import RuleViolation, RulesError, show_sources_with
from ..places import Level, name_levels_with
from ..yamlfile import PROBLEM_IDS, Problem, YamlRead, read_yaml_file

#: The folder of the shipped rule files.
_SHIPPED = Path(str(resources.files(__name__)))
FILES = ("rights.yaml", "grades.yaml", "groups.yaml", "records.yaml", "labels.yaml", "violations.yaml")

_HUB_NAME = frozenset({"name", "place", "expected", "level"})
#: Every refusal code the simulator raises, with the fields it fills into the clause, message
#: and hint of violations.yaml (tests/test_rules_loader.py checks this against the code).
VIOLATION_FIELDS: dict[str, frozenset[str]] = {code: frozenset(fields) for code, fields in {
    "input.name_empty": (), "input.name_too_long": ("name", "length", "limit"), "input.name_bad_chars": ("name",),
    "input.person_missing": ("role",), "input.person_form": ("role", "value"),
    "input.person_name_invalid": ("name", "role"),
    "input.mobile_invalid": ("mobile",), "input.id_card_invalid": ("id_card", "why"),
    "input.unknown_place": ("place",), "input.unknown_group": ("group",), "input.unknown_item": ("item",),
    "input.ambiguous_place": ("place", "count", "matches", "example"),
    "input.place_abolished": ("place", "date", "where"), "input.place_zone": ("place", "full_name", "where"),
    "input.ambiguous_group": ("group", "count", "matches", "example"), "input.ambiguous_item": ("item", "matches"),
    "input.unknown_choice": ("what", "value", "choices"),
    "input.date_invalid": ("value",), "input.date_future": ("date", "today"),
    "input.date_too_early": ("date", "earliest"), "input.date_order": ("start", "end"),
    "input.text_missing": ("field",), "input.text_too_long": ("field", "limit"), "input.text_bad_chars": ("field",),
    "input.text_unsavable": ("field",),
    "input.reason_missing": (),
    "naming.city_hub_name": ("expected", "name"), "naming.hub_suffix": _HUB_NAME, "naming.hub_place": _HUB_NAME,
    "naming.legal_name_mismatch": ("name", "registered"), "naming.registered_name_missing": (),
    "naming.nonhub_imitates_hub": ("name", "suffix", "suggestion"), "naming.nonhub_suffix": ("name",),
    "naming.name_only_suffix": ("name",), "naming.nonhub_contains_hub": ("name", "suffix"),
    "groups.name_taken": ("name",), "groups.hub_exists": ("place", "existing"), "groups.city_hub_fixed": (),
    "groups.kind_place": ("clause", "kind", "level", "place", "why"),
    "groups.reg_status": ("clause", "kind", "expected", "given"), "groups.not_active": ("group", "status"),
    "affiliation.contact_missing": ("clause", "name", "expected"),
    "affiliation.contact_wrong": ("clause", "name", "contact", "expected"),
    "affiliation.branch_outside_parent": ("name", "parent", "area", "place"),
    "affiliation.viewing_not_active": ("viewing", "status"),
    "affiliation.contact_not_open": ("contact", "grade"), "affiliation.legal_no_contact": ("expected",),
    "affiliation.authority_missing": (), "affiliation.authority_wrong": ("authority", "name", "expected"),
    "affiliation.authority_not_for_kind": ("kind",), "affiliation.viewing_not_allowed": ("clause", "kind"),
    "affiliation.viewing_after_registration": (), "affiliation.viewing_wrong": ("viewing", "name"),
    "affiliation.viewing_self": (),
    "review.not_reviewer": ("clause", "actor", "item", "reviewer"), "review.not_pending": ("item", "status"),
    "review.authority_scope": ("actor",), "review.reviewer_no_rights": ("actor", "grade"),
    "grades.self": ("target", "setter"), "grades.not_setter": ("clause", "actor", "target", "setter"),
    "grades.exceeds_setter": ("grade", "actor", "missing"), "grades.target_not_active": ("target", "status"),
    "grades.unchanged": ("target", "grade"),
    "upgrade.not_applicable": ("setter",), "upgrade.wrong_decider": ("actor", "group", "deciders"),
    "upgrade.not_higher": ("grade", "current"), "upgrade.already_pending": ("group",),
    "rights.missing": ("group", "grade", "right", "hint"),
    "volunteers.id_card_registered": ("existing",), "volunteers.outside_region": ("group", "actor", "area"),
    "volunteers.already_member": ("volunteer", "group"), "volunteers.not_member": ("volunteer", "group"),
    "volunteers.consent_missing": ("name",),
    "joining.already_pending": ("volunteer", "group"), "joining.not_pending": ("volunteer", "group"),
    "projects.not_owner": ("project", "owner", "actor"), "projects.not_published": ("project", "status"),
    "projects.not_open": ("project", "status"), "projects.charges_fee": ("project",),
    "records.hours_invalid": ("hours", "step", "max"), "records.daily_cap": ("volunteer", "date", "total", "cap"),
    "records.duplicate": ("volunteer", "date", "record"),
    "records.date_outside_project": ("date", "project", "start", "end"),
    "records.evaluation_invalid": ("value", "choices"),
    "corrections.not_own_record": ("volunteer",), "corrections.no_change": (), "corrections.already_pending": (),
    "corrections.unknown_field": ("field", "fields"),
    "recovery.mismatch": ("role", "group"),
    "recovery.target_missing": (), "recovery.role_invalid": ("role",), "recovery.volunteer_mismatch": (),
    "input.no_actor": (),
    # -- feedback --
    "feedback.author_missing": (), "feedback.author_twice": (), "feedback.subject_missing": (),
    "feedback.not_public": ("project", "status"), "feedback.not_own_record": ("volunteer",),
    "feedback.not_concerned": ("actor", "group"), "feedback.already_answered": ("group", "status"),
    "feedback.not_pending": ("item", "status"), "feedback.not_reviewer": ("actor", "item", "reviewer"),
    # -- hours review and proofs --
    "hours.not_pending": ("status",), "hours.not_reviewer": ("actor", "group", "reviewer"),
    "hours.not_returned": ("status",), "hours.not_recorder": ("actor", "recorder"),
    "proofs.already_pending": ("volunteer", "group"), "proofs.not_recorder": ("actor", "recorder"),
    "proofs.not_confirmed": ("volunteer", "date", "status"), "proofs.not_own_record": ("volunteer",),
    "proofs.no_records": ("volunteer", "group"), "proofs.no_request": ("volunteer", "group"),
    # -- posts --
    "posts.project_not_open": ("project", "status"), "posts.wanted_invalid": ("value",),
    "posts.dates_outside_project": ("start", "end", "project", "project_start", "project_end"),
    "posts.name_taken": ("post", "project"), "posts.not_member": ("volunteer", "group"),
    "posts.already_signed_up": ("volunteer", "post", "status"), "posts.full": ("post", "wanted"),
    "posts.signup_not_pending": ("volunteer", "post"), "posts.post_required": ("project",),
    "posts.wrong_project": ("post", "project"), "posts.not_accepted": ("volunteer", "post"),
    "posts.date_outside_post": ("date", "post", "start", "end"), "posts.no_volunteers": (),
    "posts.listed_twice": ("volunteer",), "posts.rate_not_accepted": ("volunteer", "post"),
    "posts.rate_no_hours": ("volunteer", "post"), "projects.pending_on_close": ("project", "count", "pending"),
}.items()}


#: How a reader problem reads in a RulesError (English, for whoever edits the rules); the rest
#: are described by ``yamlfile.PROBLEM_IDS``. The reader's Chinese message follows.
_READER_WORDS = {
    "yaml.duplicate_key": "duplicate key",
    "yaml.syntax": "not valid YAML",
    "yaml.unreadable": "cannot read rule file",
    "yaml.empty": "empty file (expected a mapping at the top level)",
    "rules.not_a_mapping": "expected a mapping at the top level",
}
#: The problem a rule file whose top level is not a mapping gets (besides the reader's own ids).
NOT_A_MAPPING = "rules.not_a_mapping"


def _read(folder: Path, name: str) -> YamlRead:
    """Read one rule file with the package's YAML reader; a top level that is not a mapping is
    one more problem (``NOT_A_MAPPING``)."""
    path = folder / name
    read = read_yaml_file(path, str(path), what="规则文件")
    if read.ok and not isinstance(read.data, dict):
        read.problems.append(Problem(str(path), read.line(), "文件的最外层应是“字段: 值”。", NOT_A_MAPPING))
    return read


def _problem_text(problem: Problem) -> str:
    """One reader problem as a line of a RulesError: file, line, what (English), id, the Chinese."""
    what = _READER_WORDS.get(problem.id) or PROBLEM_IDS.get(problem.id, problem.id)
    if problem.subject:
        what += f" {problem.subject!r}"
    line = f" line {problem.line}:" if problem.line else ""
    return f"{problem.file}:{line} {what} [{problem.id}] {problem.message}"


def _read_all(folder: Path, names: tuple[str, ...]) -> dict[str, YamlRead]:
    """Every file of ``names`` read; RulesError listing every problem in all of them, if any."""
    reads = {name: _read(folder, name) for name in names}
    problems = [p for read in reads.values() for p in read.problems]
    if problems:
        head = [] if len(problems) == 1 else [f"{len(problems)} problems in the rule files:"]
        raise RulesError("\n".join(head + [_problem_text(p) for p in problems]))
    return reads


def _dotted_path(read: YamlRead, dotted: str) -> tuple | None:
    """The data path named by a loader message's ``grades.basic.rights`` or
    ``star_ratings.thresholds[0]`` (keys may hold dots themselves, e.g. violation codes)."""
    tokens = [t for t in dotted.replace("[", ".[").split(".") if t]
    path: tuple = ()
    node = read.data
    while tokens:
        if isinstance(node, list) and re.fullmatch(r"\[\d+\]", tokens[0]):
            i = int(tokens.pop(0)[1:-1])
            if i >= len(node):
                return path or None
            path, node = path + (i,), node[i]
            continue
        if not isinstance(node, dict):
            return path or None
        for n in range(len(tokens), 0, -1):   # the longest run of tokens that is a key
            key = ".".join(tokens[:n])
            if key in node:
                path, node, tokens = path + (key,), node[key], tokens[n:]
                break
        else:
            return path or None
    return path


def _with_line(message: str, file: str, read: YamlRead | None) -> str:
    """A loader message ``{file}: entry: what`` with the entry's line put after the file."""
    if read is None or not message.startswith(file + ": "):
        return message
    rest = message[len(file) + 2:]
    path = _dotted_path(read, rest.split(":", 1)[0].strip())
    line = read.line(*path) if path else None
    return f"{file}: line {line}: {rest}" if line else message


#: The notice every bare clause refers to.
def _shipped_notice() -> tuple[str, tuple[str, ...]]:
    """notice.yaml as shipped: the notice's name and its clauses."""
    raw = _read_all(_SHIPPED, ("notice.yaml",))["notice.yaml"].data
    return str(raw["name"]), tuple(str(c) for c in raw["clauses"])


#: The notice's name and clauses, by its own numbering (一、二、三（一）1 … 四、附件), read from
#: notice.yaml; a source citing the notice must be one of these. A Rules copy answers for its own
#: folder (``Rules.notice``, ``Rules.notice_clauses``).
NOTICE, NOTICE_CLAUSES = _shipped_notice()
#: The kinds of source a rule may have. A source is written as text and its kind is read from
#: its form: a notice clause (三（二）1; several joined by 、), a regulation in 《》 (法规),
#: or text starting with 系统规则, 假设 or 操作提示.
SOURCE_KINDS = ("通知", "法规", "系统规则", "假设", "操作提示")
_PREFIX_KINDS = ("系统规则", "假设", "操作提示")
#: How 假设 reads when no rule data is at hand (labels.yaml's ``assumption`` overrides it).
ASSUMPTION_LABEL = "本模拟器的假设（通知未作规定）"


def source_kind(source: str) -> str | None:
    """The kind (one of SOURCE_KINDS) of a written source, or None when it is none of them
    (e.g. a notice clause that does not exist)."""
    text = (source or "").strip()
    for kind in _PREFIX_KINDS:
        if text.startswith(kind):
            return kind
    if "《" in text:
        return "法规"
    clauses = text.removeprefix(NOTICE).strip()
    if clauses and all(part in NOTICE_CLAUSES for part in clauses.split("、")):
        return "通知"
    return None


def source_problem(source: Any) -> str | None:
    """Why ``source`` is not a valid source (for the loader's messages), or None."""
    if not isinstance(source, str) or not source.strip():
        return f"expected a source text, got {source!r}"
    if source_kind(source) is None:
        return (f"{source!r} is no known source: write a clause of the notice that exists "
                f"({', '.join(NOTICE_CLAUSES)}; several joined by 、), a regulation in 《》, "
                f"or text starting with {', '.join(_PREFIX_KINDS)}")
    return None


def source_text(source: str, rules: Rules | None = None) -> str:
    """A source's name as a trainee reads it: “渝民发〔2020〕17号 三（二）1”, “《重庆市志愿服务条例》第四条”,
    “系统规则（…）”, “本模拟器的假设（通知未作规定）：…” or “操作提示”; unknown text is shown as is."""
    text = (source or "").strip()
    kind = source_kind(text)
    if kind == "假设":
        rest = text[2:].lstrip("：:；; ")
        label = _assumption_label(rules)
        return label + ("：" + rest if rest else "")
    if kind == "通知":
        return f"{NOTICE} {text.removeprefix(NOTICE).strip()}"
    if kind == "系统规则":
        rest = text[4:].lstrip("：:；; ")
        return "系统规则" + (f"（{rest}）" if rest else "")
    return text


def source_line(source: str, rules: Rules | None = None) -> str:
    """The one way a source is shown on screen: “依据：…” for the notice, a regulation or a
    system rule; the assumption's own label for 假设 (no 依据); “操作提示” for an interface
    error (no 依据); "" for no source."""
    if not (source or "").strip():
        return ""
    if source_kind(source) in ("假设", "操作提示"):
        return source_text(source, rules)
    return "依据：" + source_text(source, rules)


def _assumption_label(rules: Rules | None) -> str:
    if rules is None:
        try:
            rules = default_rules()
        except RulesError:  # broken shipped data must not break showing a message
            return ASSUMPTION_LABEL
    return rules.assumption_label


#: How many characters of a value a refusal message shows (a trainee's input, a name, ...).
ECHO_MAX = 60
#: The same for placeholders the simulator composes from rule data and names (hints, lists of groups).
ECHO_MAX_COMPOSED = 400
COMPOSED_FIELDS = frozenset({"clause", "hint", "why", "expected", "deciders", "setter", "missing", "fields",
                             "choices", "where", "matches", "example"})
_SURROGATE = re.compile("[\ud800-\udfff]")


def echo(value: Any, limit: int = ECHO_MAX) -> str:
    """``value`` as text fit to show in a message: at most ``limit`` characters (then "…"),
    lone surrogates (which no file can hold) shown as U+FFFD."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 4 * limit:
        return f"（{'负' if value < 0 else ''}一个位数很多的整数）"  # str() of a huge int is slow, or refused
    text = value if isinstance(value, str) else str(value)
    if len(text) > limit:
        text = text[:limit] + "…"
    return _SURROGATE.sub("\ufffd", text)


def _keys(where: str, mapping: Any, required: AbstractSet[str], optional: AbstractSet[str] = frozenset()) -> dict:
    if not isinstance(mapping, dict):
        raise RulesError(f"{where}: expected a mapping, got {type(mapping).__name__}")
    missing = required - mapping.keys()
    unknown = mapping.keys() - required - set(optional)
    if missing:
        raise RulesError(f"{where}: missing key(s) {sorted(missing)}")
    if unknown:
        raise RulesError(f"{where}: unknown key(s) {sorted(map(str, unknown))}")
    return mapping


def _text(where: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise RulesError(f"{where}: expected non-empty text, got {value!r}")
    return value


def _list(where: str, value: Any) -> list:
    if not isinstance(value, list):
        raise RulesError(f"{where}: expected a list, got {type(value).__name__}")
    return value


def _source(where: str, value: Any) -> str:
    """A checked source text (parts joined by ； are each checked), or RulesError naming ``where``."""
    if not isinstance(value, str) or not value.strip():
        raise RulesError(f"{where}: expected a source text, got {value!r}")
    for part in value.split("；"):
        problem = source_problem(part)
        if problem:
            raise RulesError(f"{where}: {problem}")
    return value


def _date(where: str, value: Any) -> _dt.date:
    """A date the reader gave as ISO text (2000-01-01), or RulesError naming ``where``."""
    if isinstance(value, str):
        try:
            return _dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise RulesError(f"{where}: expected a date like 2000-01-01, got {value!r}")


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@dataclass(frozen=True)
class ViolationText:
    clause: str
    message: str
    hint: str

    @property
    def source_kind(self) -> str | None:
        """The kind of the clause (SOURCE_KINDS); None for a clause the simulator fills in
        (``{clause}``, taken from a checked source in groups.yaml)."""
        return None if "{" in self.clause else source_kind(self.clause)


#: A record field's old name -> its name now (records.yaml of older copies; ``cqvol_sim.legacy``
#: translates old keyword arguments and events with it).
RENAMED_RECORD_FIELDS = {"place": "venue", "target": "served", "contact": "contact_person"}


def _renamed_record_keys(fields: Any) -> Any:
    """records.yaml's fields with the old names (place, target, contact) read as the new ones."""
    if not isinstance(fields, dict):
        return fields
    return {RENAMED_RECORD_FIELDS.get(k, k) if isinstance(k, str) else k: v for k, v in fields.items()}


class RecordFieldLabels(dict):
    """A record field's Chinese label by its name; the old names (place, target, contact) still
    look up their field's label, with a DeprecationWarning, but are never listed."""

    def __missing__(self, key: str) -> str:
        new = RENAMED_RECORD_FIELDS.get(key)
        if new is None:
            raise KeyError(key)
        warnings.warn(f"record field {key!r} is now {new!r}", DeprecationWarning, stacklevel=3)
        return self[new]

    def get(self, key: Any, default: Any = None) -> Any:
        """The label of ``key`` (an old name too), or ``default``."""
        try:
            return self[key]
        except KeyError:
            return default

    def __contains__(self, key: object) -> bool:
        return super().__contains__(key) or (isinstance(key, str) and RENAMED_RECORD_FIELDS.get(key) in self)


class Rules:
    """Every rule of the simulator, checked on load. Immutable once built."""

    def __init__(self, folder: Path):
        self.folder = folder
        has_notice = (folder / "notice.yaml").is_file()  # older copies of the rules have none
        reads = _read_all(folder, FILES + (("notice.yaml",) if has_notice else ()))
        raw = {name: read.data for name, read in reads.items()}
        self._file = str(folder)
        try:
            self._load(folder, raw)
        except RulesError as exc:   # name the line of the entry the message names
            raise RulesError(_with_line(str(exc), self._file, reads.get(Path(self._file).name))) from None
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            # a shape the checks below did not foresee: still name the file
            raise RulesError(f"{self._file}: malformed entry ({type(exc).__name__}: {exc})") from None

    def _load(self, folder: Path, raw: dict) -> None:
        from ..model import Grade, Kind, ProjectStatus, RecordStatus, RegStatus, Right, Role, Status

        # notice.yaml (older copies of the rules have none: the shipped notice)
        f: str = f"{folder / 'notice.yaml'}"
        self._file = f
        self.notice, self.notice_clauses = NOTICE, NOTICE_CLAUSES
        if "notice.yaml" in raw:
            n = _keys(f, raw["notice.yaml"], {"name", "clauses"})
            self.notice = _text(f + ": name", n["name"])
            self.notice_clauses = tuple(_text(f + ": clauses", c) for c in _list(f + ": clauses", n["clauses"]))

        # rights.yaml
        f = f"{folder / 'rights.yaml'}"
        self._file = f
        rights = _keys(f, raw["rights.yaml"], {"source", "rights"})["rights"]
        self._check_enum_keys(f + ": rights", rights, Right)
        self.right_labels: dict[Right, str] = {}
        self.right_meanings: dict[Right, str] = {}
        self.right_missing_hints: dict[Right, str] = {}
        for key, entry in rights.items():
            where = f"{f}: rights.{key}"
            _keys(where, entry, {"label", "meaning", "when_missing"}, {"assumption"})
            self.right_labels[Right(key)] = _text(where + ".label", entry["label"])
            self.right_meanings[Right(key)] = _text(where + ".meaning", entry["meaning"])
            self.right_missing_hints[Right(key)] = _text(where + ".when_missing", entry["when_missing"])
        self.rights_source = _source(f + ": source", raw["rights.yaml"]["source"])

        # grades.yaml
        f = f"{folder / 'grades.yaml'}"
        self._file = f
        grades = _keys(f, raw["grades.yaml"], {"source", "grades"})["grades"]
        self._check_enum_keys(f + ": grades", grades, Grade)
        self.grade_labels: dict[Grade, str] = {}
        self.grade_rights: dict[Grade, frozenset[Right]] = {}
        self.grade_order: tuple[Grade, ...] = tuple(Grade(k) for k in grades)
        seen_sets: dict[frozenset, str] = {}
        for key, entry in grades.items():
            where = f"{f}: grades.{key}"
            _keys(where, entry, {"label", "rights"})
            if not isinstance(entry["rights"], list):
                raise RulesError(f"{where}.rights: expected a list")
            bad = [r for r in entry["rights"] if r not in Right._value2member_map_]
            if bad:
                raise RulesError(f"{where}.rights: unknown right(s) {bad}")
            if len(set(entry["rights"])) != len(entry["rights"]):
                raise RulesError(f"{where}.rights: a right is listed twice")
            rset = frozenset(Right(r) for r in entry["rights"])
            if rset in seen_sets:
                raise RulesError(f"{where}: same rights as grades.{seen_sets[rset]}")
            seen_sets[rset] = key
            self.grade_labels[Grade(key)] = _text(where + ".label", entry["label"])
            self.grade_rights[Grade(key)] = rset
        self.grades_source = _source(f + ": source", raw["grades.yaml"]["source"])

        # groups.yaml
        f = f"{folder / 'groups.yaml'}"
        self._file = f
        g = _keys(f, raw["groups.yaml"], {
            "kinds", "registration_statuses", "hub_names", "hub_suffixes", "non_hub_suffix",
            "name_max_length", "person_name_max_length", "responsible_units", "contact_rule",
            "viewing_rule", "default_grades", "grade_setters", "upgrade_by_application"},
            {"traditional_forms"})
        self._check_enum_keys(f + ": kinds", g["kinds"], Kind)
        self.kind_labels: dict[Kind, str] = {}
        self.kind_reg_status: dict[Kind, RegStatus] = {}
        self.kind_sources: dict[Kind, str] = {}
        for key, entry in g["kinds"].items():
            where = f"{f}: kinds.{key}"
            _keys(where, entry, {"label", "registration_status", "source"})
            if entry["registration_status"] not in RegStatus._value2member_map_:
                raise RulesError(f"{where}.registration_status: unknown {entry['registration_status']!r}")
            self.kind_labels[Kind(key)] = _text(where + ".label", entry["label"])
            self.kind_reg_status[Kind(key)] = RegStatus(entry["registration_status"])
            self.kind_sources[Kind(key)] = _source(where + ".source", entry["source"])
        self._check_enum_keys(f + ": registration_statuses", g["registration_statuses"], RegStatus)
        self.reg_status_labels = {RegStatus(k): _text(f"{f}: registration_statuses.{k}", v)
                                  for k, v in g["registration_statuses"].items()}
        levels = ("city", "district", "town", "community")
        hub_names = _keys(f + ": hub_names", g["hub_names"], set(levels))
        _keys(f"{f}: hub_names.city", hub_names["city"], {"exact", "source"})
        _source(f"{f}: hub_names.city.source", hub_names["city"]["source"])
        self.city_hub_name = _text(f"{f}: hub_names.city.exact", hub_names["city"]["exact"])
        self.hub_name_patterns: dict[int, tuple[str, ...]] = {}
        for lvl, key in enumerate(levels[1:], start=2):
            where = f"{f}: hub_names.{key}"
            entry = _keys(where, hub_names[key], {"patterns", "source"})
            _source(where + ".source", entry["source"])
            pats = entry["patterns"]
            if not isinstance(pats, list) or not pats:
                raise RulesError(f"{where}.patterns: expected a non-empty list")
            for p in pats:
                if _fields(_text(where + ".patterns", p)) != {"place"}:
                    raise RulesError(f"{where}.patterns: {p!r} must contain {{place}} and nothing else")
            self.hub_name_patterns[lvl] = tuple(pats)
        self.hub_suffixes = tuple(_text(f"{f}: hub_suffixes", s)
                                  for s in _list(f"{f}: hub_suffixes", g["hub_suffixes"]))
        self.non_hub_suffix = _text(f"{f}: non_hub_suffix", g["non_hub_suffix"])
        trad = g.get("traditional_forms", {})
        if not isinstance(trad, dict) or not all(
                isinstance(k, str) and isinstance(v, str) and len(k) == len(v) == 1 for k, v in trad.items()):
            raise RulesError(f"{f}: traditional_forms: expected single characters mapped to single characters")
        self.traditional_forms: dict[str, str | int | None] = dict(trad)
        self.name_max_length = self._positive_int(f"{f}: name_max_length", g["name_max_length"])
        self.person_name_max_length = self._positive_int(f"{f}: person_name_max_length", g["person_name_max_length"])
        ru = _keys(f + ": responsible_units", g["responsible_units"], set(levels) | {"source"})
        _source(f + ": responsible_units.source", ru["source"])
        self.responsible_units = {1: ru["city"], 2: ru["district"], 3: dict(ru["town"]), 4: dict(ru["community"])}
        self.contact_rule = self._kind_rule(f + ": contact_rule", g["contact_rule"], Kind,
                                            {"hub_one_level_up", "hub_same_place", "none", "parent_org"})
        self.viewing_rule = self._kind_rule(f + ": viewing_rule", g["viewing_rule"], Kind,
                                            {"never", "upper_business_unit", "any_after_registration"})
        self._check_enum_keys(f + ": default_grades", g["default_grades"], Kind)
        self.default_grade: dict[Kind, Grade] = {}
        for key, entry in g["default_grades"].items():
            where = f"{f}: default_grades.{key}"
            _keys(where, entry, {"grade", "source"})
            _source(where + ".source", entry["source"])
            if entry["grade"] not in Grade._value2member_map_:
                raise RulesError(f"{where}.grade: unknown grade {entry['grade']!r}")
            self.default_grade[Kind(key)] = Grade(entry["grade"])
        setter_keys = {"hub_district", "hub_town", "hub_community", "non_hub", "legal_person", "branch"}
        gs = _keys(f + ": grade_setters", g["grade_setters"], setter_keys)
        self.grade_setters: dict[str, tuple[str, ...]] = {}
        self.expected_grade: dict[str, Grade] = {}
        self.grade_setter_sources: dict[str, str] = {}
        for key, entry in gs.items():
            where = f"{f}: grade_setters.{key}"
            _keys(where, entry, {"set_by", "source"}, {"expected"})
            by = entry["set_by"]
            if not isinstance(by, list) or not by or not set(by) <= {"city_hub", "contact", "district_hub"}:
                raise RulesError(f"{where}.set_by: expected a list of city_hub / contact / district_hub, got {by!r}")
            self.grade_setters[key] = tuple(by)
            self.grade_setter_sources[key] = _source(where + ".source", entry["source"])
            if "expected" in entry:
                if entry["expected"] not in Grade._value2member_map_:
                    raise RulesError(f"{where}.expected: unknown grade {entry['expected']!r}")
                self.expected_grade[key] = Grade(entry["expected"])
        ub = g["upgrade_by_application"]
        if not isinstance(ub, list) or not set(ub) <= set(Kind._value2member_map_):
            raise RulesError(f"{f}: upgrade_by_application: expected a list of kinds, got {ub!r}")
        self.upgrade_by_application = frozenset(Kind(k) for k in ub)

        # records.yaml
        f = f"{folder / 'records.yaml'}"
        self._file = f
        r = _keys(f, raw["records.yaml"], {"fields", "evaluations", "daily_cap_hours", "hours", "earliest_date",
                                            "text_max_length", "star_ratings", "correction"},
                {"hours_review", "proofs"})
        record_fields = ("project", "date", "venue", "served", "content", "hours", "evaluation", "contact_person")
        r["fields"] = _renamed_record_keys(r["fields"])
        _keys(f + ": fields", r["fields"], set(record_fields))
        self.record_field_labels = RecordFieldLabels(
            (k, _text(f"{f}: fields.{k}.label", _keys(f"{f}: fields.{k}", v, {"label", "source"})["label"]))
            for k, v in r["fields"].items())
        for k, v in r["fields"].items():
            _source(f"{f}: fields.{k}.source", v["source"])
        for key in ("evaluations", "daily_cap_hours", "hours", "earliest_date", "text_max_length", "star_ratings",
                    "correction"):
            if isinstance(r[key], dict) and "source" in r[key]:
                _source(f"{f}: {key}.source", r[key]["source"])
        ev = _keys(f + ": evaluations", r["evaluations"], {"values", "source"})
        if not isinstance(ev["values"], list) or not ev["values"]:
            raise RulesError(f"{f}: evaluations.values: expected a non-empty list")
        self.evaluations = tuple(_text(f"{f}: evaluations.values", v) for v in ev["values"])
        cap = _keys(f + ": daily_cap_hours", r["daily_cap_hours"], {"value", "source"})
        if not isinstance(cap["value"], (int, float)) or not 0 < cap["value"] <= 24:
            raise RulesError(f"{f}: daily_cap_hours.value: expected a number in (0, 24], got {cap['value']!r}")
        self.daily_cap_hours = float(cap["value"])
        self.daily_cap_source = cap["source"]
        hrs = _keys(f + ": hours", r["hours"], {"step", "max", "source"})
        step, most = hrs["step"], hrs["max"]
        if isinstance(step, bool) or not isinstance(step, (int, float)) or not 0 < step <= 1:
            raise RulesError(f"{f}: hours.step: expected a number in (0, 1], e.g. 0.01, got {step!r}")
        if isinstance(most, bool) or not isinstance(most, (int, float)) or not step <= most <= 24:
            raise RulesError(f"{f}: hours.max: expected a number from hours.step to 24, got {most!r}")
        self.hours_step = float(step)
        self.hours_max = float(most)
        self.hours_source = _text(f"{f}: hours.source", hrs["source"])
        early = _keys(f + ": earliest_date", r["earliest_date"], {"value", "source"})
        self.earliest_date: _dt.date = _date(f + ": earliest_date.value", early["value"])
        tl = _keys(f + ": text_max_length", r["text_max_length"], {"value", "source"})
        self.text_max_length = self._positive_int(f"{f}: text_max_length.value", tl["value"])
        st = _keys(f + ": star_ratings", r["star_ratings"], {"source", "thresholds"})
        self.star_source = st["source"]
        thresholds = []
        for i, t in enumerate(st["thresholds"]):
            where = f"{f}: star_ratings.thresholds[{i}]"
            _keys(where, t, {"stars", "label", "hours"})
            if isinstance(t["hours"], bool) or not isinstance(t["hours"], (int, float)):
                raise RulesError(f"{where}.hours: expected a number, got {t['hours']!r}")
            stars = self._positive_int(where + ".stars", t["stars"])
            thresholds.append((stars, _text(where + ".label", t["label"]), float(t["hours"])))
        if [t[0] for t in thresholds] != list(range(1, len(thresholds) + 1)):
            raise RulesError(f"{f}: star_ratings.thresholds: stars must be 1, 2, 3, ... in order")
        if any(a[2] >= b[2] for a, b in zip(thresholds, thresholds[1:])) or (thresholds and thresholds[0][2] <= 0):
            raise RulesError(f"{f}: star_ratings.thresholds: hours must be positive and increasing")
        self.star_thresholds: tuple[tuple[int, str, float], ...] = tuple(thresholds)
        corr = _keys(f + ": correction", r["correction"], {"source", "fields"})
        if isinstance(corr["fields"], list):
            corr["fields"] = [RENAMED_RECORD_FIELDS.get(k, k) if isinstance(k, str) else k for k in corr["fields"]]
        if not set(corr["fields"]) <= set(record_fields) - {"project"}:
            raise RulesError(f"{f}: correction.fields: unknown field(s) in {corr['fields']!r}")
        self.correction_fields = tuple(corr["fields"])
        self.correction_source = corr["source"]
        self._hours_review_and_proofs(f, r)

        # labels.yaml
        f = f"{folder / 'labels.yaml'}"
        self._file = f
        lab = _keys(f, raw["labels.yaml"], {"status", "project_status", "choice_names", "name_checked_as"},
                    {"assumption", "role", "level", "texts"})
        self.texts = self._texts(f + ": texts", lab.get("texts"))
        # role and level came later: a copy of older rules gets the shipped words
        lab.setdefault("role", _shipped_labels()["role"])
        self._check_enum_keys(f + ": role", lab["role"], Role)
        self.role_labels = {Role(k): _text(f"{f}: role.{k}", v) for k, v in lab["role"].items()}
        self.level_labels, self.level_words = self._levels(f + ": level", lab.get("level", _shipped_labels()["level"]))
        self._check_enum_keys(f + ": status", lab["status"], Status)
        self._check_enum_keys(f + ": project_status", lab["project_status"], ProjectStatus)
        self.status_labels = {Status(k): _text(f"{f}: status.{k}", v) for k, v in lab["status"].items()}
        self.project_status_labels = {ProjectStatus(k): _text(f"{f}: project_status.{k}", v)
                                      for k, v in lab["project_status"].items()}
        #: how "假设" (the simulator's own assumption) reads on screen; older rule copies lack it
        self.assumption_label = _text(f"{f}: assumption", lab.get("assumption", "假设"))
        enums = {"kind": Kind, "reg_status": RegStatus, "grade": Grade, "right": Right, "status": Status,
                 "project_status": ProjectStatus, "role": Role, "record_status": RecordStatus}
        shipped_names = _shipped_labels()["choice_names"]
        names = _keys(f + ": choice_names", {"role": shipped_names["role"],
                                             "record_status": shipped_names["record_status"], **lab["choice_names"]},
                      set(enums))
        self.choice_names: dict[type, str] = {enums[k]: _text(f"{f}: choice_names.{k}", v) for k, v in names.items()}
        self.name_checked_as = _text(f + ": name_checked_as", lab["name_checked_as"])
        if _fields(self.name_checked_as) != {"name"}:
            raise RulesError(f"{f}: name_checked_as: must contain {{name}} and nothing else")

        # violations.yaml
        f = f"{folder / 'violations.yaml'}"
        self._file = f
        self.violations: dict[str, ViolationText] = {}
        for code, entry in raw["violations.yaml"].items():
            where = f"{f}: {code}"
            if not isinstance(code, str) or code.count(".") != 1:
                raise RulesError(f"{where}: a code is family.name, e.g. naming.hub_suffix")
            if code not in VIOLATION_FIELDS:
                raise RulesError(f"{where}: unknown code (the simulator never raises it); known codes: "
                                 f"{', '.join(sorted(VIOLATION_FIELDS))}")
            _keys(where, entry, {"clause", "message", "hint"})
            parts = {k: _text(f"{where}.{k}", entry[k]) for k in ("clause", "message", "hint")}
            for k, template in parts.items():
                try:
                    used = _fields(template)
                except ValueError as exc:
                    raise RulesError(f"{where}.{k}: bad {{...}} placeholder ({exc})") from None
                unknown = used - VIOLATION_FIELDS[code]
                if unknown:
                    raise RulesError(f"{where}.{k}: unknown placeholder(s) {sorted(unknown)}; this code can use "
                                     f"{sorted(VIOLATION_FIELDS[code]) or 'none'}")
            if parts["clause"] != "{clause}":  # a filled-in clause comes from a checked source
                problem = source_problem(parts["clause"])
                if problem:
                    raise RulesError(f"{where}.clause: {problem}")
            self.violations[code] = ViolationText(parts["clause"], parts["message"], parts["hint"])
        missing = sorted(set(VIOLATION_FIELDS) - set(self.violations))
        if missing:
            raise RulesError(f"{f}: missing code(s) {missing}: every refusal needs its clause, message and hint")

        # keyed by (enum class, value): str enums of different classes compare equal
        # (Status.PENDING == Grade.PENDING == "pending"), so the class must be part of the key
        self._labels: dict[tuple[type, str], str] = {
            (type(m), m.value): text
            for table in (self.right_labels, self.grade_labels, self.kind_labels, self.reg_status_labels,
                          self.status_labels, self.project_status_labels, self.role_labels,
                          self.record_status_labels)
            for m, text in table.items()}

    def _hours_review_and_proofs(self, f: str, r: dict) -> None:
        """records.yaml's hours_review and proofs (a copy of older rules gets the shipped ones)."""
        from ..model import RecordStatus, Status
        shipped = _shipped_records()
        hr = _keys(f + ": hours_review", r.get("hours_review", shipped["hours_review"]),
                   {"source", "statuses", "resubmit_source"})
        self._check_enum_keys(f + ": hours_review.statuses", hr["statuses"], RecordStatus)
        self.record_status_labels = {RecordStatus(k): _text(f"{f}: hours_review.statuses.{k}", v)
                                     for k, v in hr["statuses"].items()}
        self.hours_review_source = _source(f + ": hours_review.source", hr["source"])
        self.resubmit_source = _source(f + ": hours_review.resubmit_source", hr["resubmit_source"])
        pr = _keys(f + ": proofs", r.get("proofs", shipped["proofs"]),
                   {"source", "id_type", "fields", "request_statuses", "watermark", "not_real", "notice_period",
                    "notice_source"})
        self.proof_source = _source(f + ": proofs.source", pr["source"])
        self.proof_notice_source = _source(f + ": proofs.notice_source", pr["notice_source"])
        fields = _keys(f + ": proofs.fields", pr["fields"], set(shipped["proofs"]["fields"]))
        self.proof_labels = {k: _text(f"{f}: proofs.fields.{k}", v) for k, v in fields.items()}
        self._check_enum_keys(f + ": proofs.request_statuses", pr["request_statuses"], Status)
        self.proof_request_labels = {Status(k): _text(f"{f}: proofs.request_statuses.{k}", v)
                                     for k, v in pr["request_statuses"].items()}
        self.proof_texts = {k: _text(f"{f}: proofs.{k}", pr[k])
                            for k in ("id_type", "watermark", "not_real", "notice_period")}

    @staticmethod
    def _positive_int(where: str, value: Any) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise RulesError(f"{where}: expected a positive whole number, got {value!r}")
        return value

    @staticmethod
    def _check_enum_keys(where: str, mapping: Any, enum_cls) -> None:
        if not isinstance(mapping, dict):
            raise RulesError(f"{where}: expected a mapping")
        known = set(enum_cls._value2member_map_)
        unknown = set(mapping) - known
        missing = known - set(mapping)
        if unknown:
            raise RulesError(f"{where}: unknown entr(y/ies) {sorted(map(str, unknown))}; known: {sorted(known)}")
        if missing:
            raise RulesError(f"{where}: missing entr(y/ies) {sorted(missing)}")

    @classmethod
    def _kind_rule(cls, where: str, mapping: Any, kind_cls, allowed: set[str]) -> dict:
        cls._check_enum_keys(where, mapping, kind_cls)
        out = {}
        for key, entry in mapping.items():
            _keys(f"{where}.{key}", entry, {"rule", "source"})
            if entry["rule"] not in allowed:
                raise RulesError(f"{where}.{key}.rule: {entry['rule']!r} is not one of {sorted(allowed)}")
            out[kind_cls(key)] = (entry["rule"], _source(f"{where}.{key}.source", entry["source"]))
        return out

    def _texts(self, where: str, mapping: Any) -> dict[str, str]:
        """labels.yaml's texts; a copy of older rules without some gets the shipped ones."""
        shipped = _shipped_labels()["texts"]
        if mapping is None:
            mapping = {}
        if not isinstance(mapping, dict) or set(mapping) - set(shipped):
            raise RulesError(f"{where}: expected a mapping with keys among {sorted(shipped)}")
        out = {k: _text(f"{where}.{k}", v) for k, v in {**shipped, **mapping}.items()}
        for key, text in out.items():
            try:
                if _fields(text) != _fields(shipped[key]):
                    raise RulesError(f"{where}.{key}: placeholders must be {sorted(_fields(shipped[key])) or 'none'}")
            except ValueError as exc:
                raise RulesError(f"{where}.{key}: bad {{...}} placeholder ({exc})") from None
        return out

    def text(self, key: str, **params: Any) -> str:
        """A sentence of labels.yaml's texts with its placeholders filled in."""
        return self.texts[key].format(**params)

    @staticmethod
    def _levels(where: str, mapping: Any) -> tuple[dict[Level, str], dict[Level, str]]:
        names = {level.name.lower(): level for level in Level}
        _keys(where, mapping, set(names))
        labels, words = {}, {}
        for key, entry in mapping.items():
            _keys(f"{where}.{key}", entry, {"label", "word"})
            labels[names[key]] = _text(f"{where}.{key}.label", entry["label"])
            words[names[key]] = _text(f"{where}.{key}.word", entry["word"])
        return labels, words

    # -- queries -----------------------------------------------------------------------
    def label(self, member) -> str:
        """The Chinese label of a Grade, Right, Kind, RegStatus, Status, ProjectStatus, Role or
        Level (区县, 镇街...)."""
        if isinstance(member, Level):
            return self.level_labels[member]
        return self._labels[(type(member), member.value)]

    def level_word(self, level: Level) -> str:
        """A level as a group's level is said (e.g. 市级), from labels.yaml's ``level``."""
        return self.level_words[Level(level)]

    def violation(self, code: str, **params: Any) -> RuleViolation:
        """Build the RuleViolation for ``code`` with its texts filled in from ``params``.

        Every value is shown through ``echo``: a pasted megabyte, a 5,000-digit number or a
        lone surrogate never reaches the message (nor the refusal notes a save writes).
        """
        params = {k: echo(v, ECHO_MAX_COMPOSED if k in COMPOSED_FIELDS else ECHO_MAX) for k, v in params.items()}
        text = self.violations[code]
        clause = text.clause.format(**params) if "{" in text.clause else text.clause
        return RuleViolation(code, clause, text.message.format(**params), text.hint.format(**params))

    def stars_for(self, hours: float) -> int:
        """How many stars ``hours`` of recorded service earn (0 to 5)."""
        stars = 0
        for n, _, need in self.star_thresholds:
            if hours >= need:
                stars = n
        return stars


@functools.cache
def _shipped_records() -> dict:
    """records.yaml as shipped: what a copy of older rules lacks (hours review, proofs) comes from it."""
    return _read_all(_SHIPPED, ("records.yaml",))["records.yaml"].data


@functools.cache
def _shipped_labels() -> dict:
    """labels.yaml as shipped: what a copy of older rules lacks (roles, levels, texts) comes from it."""
    return _read_all(_SHIPPED, ("labels.yaml",))["labels.yaml"].data


def load_rules(folder: str | Path) -> Rules:
    """Load and check the rule files in ``folder`` (all of FILES must be there)."""
    return Rules(Path(folder))


@functools.cache
def default_rules() -> Rules:
    """The rules shipped with the package, loaded once."""
    return Rules(_SHIPPED)


_model.use_shipped_rules(default_rules)
show_sources_with(source_line)
name_levels_with(lambda level: default_rules().label(level))
