"""The package's one YAML reader, for every YAML file it reads (rules, exercises, quizzes, the
shipped data files): plain data, the line of every key and list item, and every problem at
once, each with a stable id. No other module calls ``yaml.safe_load`` (tests/test_yaml_reader.py).

As Django's system checks do, the reader does not stop at the first mistake: ``parse_yaml`` and
``read_yaml_file`` return a ``YamlRead`` whose ``problems`` list every mistake the reader can
see (a file that cannot be parsed at all has one). Each ``Problem`` names the file, the line, a
plain Chinese message and a stable ``id`` (``PROBLEM_IDS``), so that tests and tools key on the
id, never on the wording. Callers turn problems into their own error (``ExerciseError``,
``QuizError``, ``RulesError``) and add their own checks of the data's shape, with ids of their
own; ``load_yaml_data`` serves files that need no more (it raises ``YamlFileError``).

The reader is safe against hostile files: no custom tags or merge keys, no duplicate keys, no
impossible dates, no huge integers, no nesting deeper than ``MAX_DEPTH``, no aliases that
expand past ``MAX_VALUES`` values ("billion laughs"), no file larger than ``MAX_FILE_CHARS``.
Dates become ISO text so that the data stays plain.
"""

from __future__ import annotations

import datetime as _dt
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import CqvolError

__all__ = ["Problem", "YamlRead", "parse_yaml", "read_yaml_file", "load_yaml_data", "YamlFileError",
           "PROBLEM_IDS", "MAX_FILE_CHARS", "MAX_DEPTH", "MAX_VALUES", "MAX_DIGITS", "cut_text", "os_reason",
           "syntax_message"]

#: Limits that keep a hostile file from hanging the check or filling the memory. A real exercise
#: or quiz file is a few kilobytes, nests about 7 levels and has a few hundred values.
MAX_FILE_CHARS = 1_000_000
MAX_DEPTH = 50
MAX_VALUES = 50_000          # values after expanding every alias (*name): stops "billion laughs"
MAX_DIGITS = 20              # longer integers are a mistake (an 18-digit ID number still fits)

#: Every problem the reader reports, by its stable id (what it means, in English for developers).
PROBLEM_IDS = {
    "yaml.file_too_big": "the file is larger than any hand-written file (MAX_FILE_CHARS)",
    "yaml.unreadable": "the file cannot be opened or read",
    "yaml.not_utf8": "the file is not UTF-8 text",
    "yaml.control_char": "a character YAML does not allow (a control character)",
    "yaml.syntax": "not valid YAML (indentation, colons, quotes...)",
    "yaml.too_deep": "nested deeper than MAX_DEPTH",
    "yaml.too_many_values": "aliases expand to more than MAX_VALUES values",
    "yaml.empty": "the file holds nothing",
    "yaml.merge_key": "a merge key (<<), which hides where a value comes from",
    "yaml.key_not_text": "a mapping key that is a list or a mapping",
    "yaml.duplicate_key": "the same key twice in one mapping (YAML would keep the last silently)",
    "yaml.tag": "a custom tag (!!python/..., !foo)",
    "yaml.alias_loop": "an alias that contains itself",
    "yaml.number_too_long": "an integer longer than MAX_DIGITS digits",
    "yaml.bad_date": "a date that does not exist",
    "yaml.bad_value": "a scalar the safe loader cannot construct",
    "yaml.not_finite": "a number that is infinite or not a number",
}


def cut_text(text: Any, limit: int = 40) -> str:
    """``text`` shortened for a message (a hostile value may be megabytes long)."""
    text = str(text)
    return text if len(text) <= limit else text[:limit] + f"……（共 {len(text)} 个字符）"


@dataclass(frozen=True)
class Problem:
    """One mistake in a file: where (file, line), what (Chinese) and its stable ``id``."""

    file: str
    line: int | None
    message: str
    id: str = ""
    #: the key or value the problem is about (e.g. the duplicated key), "" when none
    subject: str = ""

    def __str__(self) -> str:
        where = f"{self.file} 第 {self.line} 行" if self.line else f"{self.file}"
        return f"{where}：{self.message}"


def line_of(lines: dict, path: tuple, *, whole: bool = False) -> int | None:
    """The line of ``path`` in ``lines`` (as the reader records them), or of its nearest
    enclosing key or item; with ``whole``, the document's own line when nothing encloses it."""
    path = tuple(path)
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return lines.get(()) if whole else None


@dataclass
class YamlRead:
    """What the reader found: the data (None if unreadable), the line of every key and item
    by its path (``("goals", 0, "clause")``), and every problem."""

    data: Any = None
    lines: dict[tuple, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def line(self, *path) -> int | None:
        """The line of ``path``, or of its nearest enclosing key or item."""
        return line_of(self.lines, path, whole=True)


# Common PyYAML complaints in plain Chinese, for people who have never heard of YAML.
_SYNTAX_TIPS = [
    ("found character '\\t'", "不能用 Tab 键缩进，请改用空格。"),
    ("mapping values are not allowed here",
     "这里不能出现英文冒号“:”。文字中有冒号时，请给整段文字加上引号，或改用中文冒号“：”；"
     "也可能是上一行的缩进不对。"),
    ("could not find expected ':'", "缺少英文冒号“:”，或者上一行的引号没有配对。"),
    ("did not find expected key", "缩进没有对齐：同一层的字段要对齐（用空格缩进）。"),
    ("did not find expected '-' indicator", "列表没有对齐：每一项前面的“-”要对齐。"),
    ("did not find expected node content", "这里缺少内容。"),
    ("expected <block end>", "缩进没有对齐：同一层的字段要对齐（用空格缩进）。"),
    ("found unexpected end of stream", "文件意外结束：可能有引号没有配对。"),
    ("found undefined alias", "引用了没有定义的锚点（*名称）。"),
    ("found unknown escape character", "双引号里的反斜杠“\\”用法不对；请改用单引号。"),
    ("found unexpected ':'", "这里不能出现英文冒号“:”；请给文字加上引号。"),
    ("expected ',' or '}'", "花括号 { } 里的内容写错了：各项之间用英文逗号分隔，文字中有逗号或冒号时要加引号。"),
    ("expected ',' or ']'", "方括号 [ ] 里的内容写错了：各项之间用英文逗号分隔。"),
    ("found character '@'", "文字不能以“@”或“`”开头；请加上引号。"),
    ("found character '%'", "文字不能以“%”开头；请加上引号。"),
]


def syntax_message(exc: yaml.YAMLError) -> str:
    """A PyYAML error in plain Chinese."""
    problem = str(getattr(exc, "problem", "") or exc)
    for key, text in _SYNTAX_TIPS:
        if key in problem:
            return f"YAML 格式错误：{text}"
    return f"YAML 格式错误（{problem}）。请检查这一行的缩进、冒号和引号。"


_TAG = "tag:yaml.org,2002:"
_PLAIN_TAGS = {_TAG + t for t in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")}
_REFUSED = object()          # a value refused with a problem (the file is refused as a whole)


class _TooDeep(CqvolError):
    """Internal signal: the composer met nesting deeper than MAX_DEPTH at ``mark``."""

    def __init__(self, mark):
        super().__init__("too deep")
        self.mark = mark


class _TooBig(CqvolError):
    """Internal signal: aliases expand past MAX_VALUES values."""


class _Loader(yaml.SafeLoader):
    """The safe loader, refusing to nest deeper than ``MAX_DEPTH`` (the composer recurses)."""

    _depth = 0

    def compose_node(self, parent, index):
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _TooDeep(self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _FastLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """libyaml's safe loader (PyYAML's C extension), for ``_compose_fast``."""


_OPEN = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_CLOSE = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


def _compose_fast(text: str):
    """``(loader, node)`` composed by libyaml, about 15 times faster than PyYAML's Python composer (a
    page kernel reads all the bank's exercises for the home page: ~0.2 CPU-s saved on each), or None
    to leave the text to the Python loader, whose messages and lines are the ones users see: without
    libyaml, with a character the Python reader refuses, with deep nesting, or on any error."""
    if not getattr(yaml, "__with_libyaml__", False) or yaml.reader.Reader.NON_PRINTABLE.search(text):
        return None
    try:
        events = _FastLoader(text)
        try:      # the depth first, without recursion (the C composer recurses)
            depth = 0
            while events.check_event():
                event = events.get_event()
                if isinstance(event, _OPEN):
                    depth += 1
                    if depth >= MAX_DEPTH:
                        return None
                elif isinstance(event, _CLOSE):
                    depth -= 1
        finally:
            events.dispose()
        loader = _FastLoader(text)
        return loader, loader.get_single_node()
    except yaml.YAMLError:
        return None


def parse_yaml(text: str, file: str, *, what: str = "这类文件") -> YamlRead:
    """Parse ``text`` (from ``file``, as shown in messages); never raises for bad input.

    ``what`` names the kind of file in messages (“不像是{what}”), e.g. "练习文件", "测验文件".
    """
    if len(text) > MAX_FILE_CHARS:
        return _failed(file, None, "yaml.file_too_big",
                       f"文件太大（{len(text)} 个字符，{what}一般只有几千个字符），不像是{what}。")
    loader = None
    try:
        try:
            fast = _compose_fast(text)
            if fast is not None:
                loader, node = fast
            else:
                loader = _Loader(text)
                node = loader.get_single_node()
        except _TooDeep as exc:
            return _failed(file, exc.mark.line + 1, "yaml.too_deep", f"内容嵌套太深（超过 {MAX_DEPTH} 层），"
                                                                     f"不像是{what}。")
        except RecursionError:
            return _failed(file, None, "yaml.too_deep", f"内容嵌套太深，不像是{what}。")
        except yaml.reader.ReaderError as exc:
            line = text.count("\n", 0, exc.position) + 1 if isinstance(exc.position, int) else None
            return _failed(file, line, "yaml.control_char",
                           f"文件中有不能出现的控制字符（U+{exc.character:04X}），请删去它。")
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            return _failed(file, mark.line + 1 if mark else None, "yaml.syntax", syntax_message(exc))
        except yaml.YAMLError as exc:
            return _failed(file, None, "yaml.syntax", syntax_message(exc))
        if node is None:
            return _failed(file, 1, "yaml.empty", "文件是空的。")
        conv = _Converter(loader, file, what)
        conv.lines[()] = node.start_mark.line + 1
        try:
            data = conv.convert(node, ())
        except _TooBig:
            return _failed(file, None, "yaml.too_many_values",
                           f"文件中的锚点和引用（& 和 *）展开后内容太多（超过 {MAX_VALUES} 项），不像是"
                           f"{what}。请不要用引用。")
    finally:
        if loader is not None:
            loader.dispose()
    return YamlRead(data, conv.lines, conv.problems)


def read_yaml_file(path: str | os.PathLike, file: str | None = None, *, what: str = "这类文件") -> YamlRead:
    """Read and parse the file at ``path`` (``file``: its name in messages; default the path)."""
    path = Path(path)
    file = str(path) if file is None else file
    try:
        size = path.stat().st_size
        if size > 4 * MAX_FILE_CHARS:      # do not even read it (4: the longest UTF-8 character)
            return _failed(file, None, "yaml.file_too_big", f"文件太大（{size} 字节），不像是{what}。")
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return _failed(file, None, "yaml.not_utf8", "文件不是 UTF-8 编码的文字；请用 UTF-8 编码保存。")
    except OSError as exc:
        return _failed(file, None, "yaml.unreadable", f"无法读取文件（{os_reason(exc)}）。")
    return parse_yaml(text, file, what=what)


class YamlFileError(CqvolError):
    """A data file has problems: the message lists each (file, line, Chinese message, id);
    ``problems`` holds them."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(f"{p}（{p.id}）" for p in problems))
        self.problems = problems


_NOT_GIVEN: Any = object()


def load_yaml_data(path: str | os.PathLike, file: str | None = None, *, what: str = "数据文件",
                   empty: Any = _NOT_GIVEN) -> Any:
    """The data of the file at ``path`` (a file the package ships or scans, read like any other);
    YamlFileError listing every problem when it has any. ``empty``: what an empty file stands
    for (by default an empty file is a problem)."""
    read = read_yaml_file(path, file, what=what)
    if empty is not _NOT_GIVEN and [p.id for p in read.problems] == ["yaml.empty"]:
        return empty
    if read.problems:
        raise YamlFileError(read.problems)
    return read.data


_OS_REASONS = {
    "ENOENT": "文件或文件夹不存在", "EACCES": "没有权限", "EPERM": "不允许这样操作", "EROFS": "文件系统是只读的",
    "ENOSPC": "磁盘已满", "EDQUOT": "磁盘配额已用完", "EISDIR": "这是一个文件夹", "ENOTDIR": "路径中有一段不是文件夹",
    "ENAMETOOLONG": "文件名太长", "EEXIST": "已有同名的文件", "EBUSY": "正被占用", "EIO": "读写出错（磁盘或网络故障）",
}


def os_reason(exc: OSError) -> str:
    """Why a file operation failed, in plain Chinese (the system's own words in brackets)."""
    import errno

    name = errno.errorcode.get(exc.errno or 0, "")
    plain = _OS_REASONS.get(name)
    own = exc.strerror or str(exc)
    return f"{plain}：{own}" if plain else own


def _failed(file: str, line: int | None, problem_id: str, message: str) -> YamlRead:
    return YamlRead(None, {}, [Problem(file, line, message, problem_id)])


class _Converter:
    """YAML nodes → plain data, noting the line of every key and item and every problem."""

    def __init__(self, loader, file: str, what: str):
        self.loader = loader
        self.file = file
        self.what = what
        self.lines: dict[tuple, int] = {}
        self.problems: list[Problem] = []
        self.values = 0
        self.open: set[int] = set()     # collection nodes being converted: meeting one again is a loop

    def problem(self, node, problem_id: str, message: str, subject: str = "") -> None:
        self.problems.append(Problem(self.file, node.start_mark.line + 1, message, problem_id, subject))

    def convert(self, node, path: tuple):
        self.values += 1
        if self.values > MAX_VALUES:
            raise _TooBig()
        if len(path) > MAX_DEPTH:
            self.problem(node, "yaml.too_deep", f"内容嵌套太深（超过 {MAX_DEPTH} 层），不像是{self.what}。")
            return _REFUSED
        if node.tag not in _PLAIN_TAGS:
            self.problem(node, "yaml.tag",
                         f"不支持标签“{cut_text(node.tag)}”：{self.what}只用普通的文字、数字、列表和“字段: 值”。")
            return _REFUSED
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node)
        if id(node) in self.open:
            self.problem(node, "yaml.alias_loop", "引用（*名称）指向了包含它自己的内容，会无限展开。"
                                                  "请不要用这样的引用。")
            return _REFUSED
        self.open.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self.mapping(node, path)
            return self.sequence(node, path)
        finally:
            self.open.discard(id(node))

    def mapping(self, node, path: tuple) -> dict:
        out = {}
        for key_node, value_node in node.value:
            if key_node.tag == _TAG + "merge":
                self.problem(key_node, "yaml.merge_key", "不支持合并键“<<”：请把字段直接写出来。")
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.problem(key_node, "yaml.key_not_text", "字段名应是一段文字。")
                continue
            key = self.convert(key_node, path)
            if key is _REFUSED:
                continue
            if key in out:
                self.problem(key_node, "yaml.duplicate_key",
                             f"字段“{cut_text(key)}”重复了（第 {self.lines[path + (key,)]} 行已经有了）。",
                             cut_text(key))
                continue
            self.lines[path + (key,)] = key_node.start_mark.line + 1
            out[key] = self.convert(value_node, path + (key,))
        return out

    def sequence(self, node, path: tuple) -> list:
        out = []
        for i, item in enumerate(node.value):
            self.lines[path + (i,)] = item.start_mark.line + 1
            out.append(self.convert(item, path + (i,)))
        return out

    def scalar(self, node):
        if node.tag == _TAG + "int" and len(node.value.lstrip("+-").replace("_", "")) > MAX_DIGITS:
            self.problem(node, "yaml.number_too_long",
                         f"数字“{cut_text(node.value, 24)}”太大了：{self.what}中的数字不会超过 {MAX_DIGITS} 位。")
            return _REFUSED
        try:
            value = self.loader.construct_object(node)
        except (yaml.YAMLError, ValueError, OverflowError):
            if node.tag == _TAG + "timestamp":
                self.problem(node, "yaml.bad_date", f"日期“{cut_text(node.value)}”不存在（请检查月份和日期）。")
            else:
                self.problem(node, "yaml.bad_value", f"“{cut_text(node.value)}”无法读取。如果是文字，请加上引号。")
            return _REFUSED
        if isinstance(value, float) and not math.isfinite(value):
            self.problem(node, "yaml.not_finite", f"数字“{cut_text(node.value)}”不是一个有限的数。")
            return _REFUSED
        if isinstance(value, (_dt.date, _dt.datetime)):
            return value.isoformat()
        return value
