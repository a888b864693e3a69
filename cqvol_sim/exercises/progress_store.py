"""Where the progress database lives, and the connections to it: a SQLite file or a PostgreSQL server.

``progress.ProgressDB`` writes its SQL once, in SQLAlchemy Core; this module holds the little
that differs between the two stores:

* ``locate(target)``: a path (a SQLite file, as always) or a URL — ``postgresql://…``
  (``postgres://`` and ``postgresql+psycopg://`` too; the driver is always psycopg 3) or
  ``sqlite:///path``. The ``Location`` names the store for messages without its password;
* ``sqlite_engine`` / ``postgresql_engine``: engines without a pool (every operation opens a
  connection and closes it, as the SQLite store always did: no idle connections held by 1,000
  kernels, and a SQLite file's WAL is checkpointed when the last writer closes). SQLite write
  transactions are ``BEGIN IMMEDIATE``;
* ``explain(exc, location)``: a Chinese sentence for any SQLite or PostgreSQL failure (damaged
  file, server down, wrong password, missing database...), never with the password in it.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import StorageError

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
CONNECT_TIMEOUT_S = 10
PG_SCHEMA_LOCK = 0x6371766F        # pg_advisory_xact_lock key of schema creation/upgrade ("cqvo")
WRITE_OPTION = "cqvol_write"       # execution option: this SQLite transaction writes (BEGIN IMMEDIATE)

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")
_PG_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")


@dataclass(frozen=True)
class Location:
    """A progress store: ``kind`` is SQLITE (``path`` set) or POSTGRESQL (``url`` set).

    ``shown`` names it in messages: the path, or the URL without its password.
    """

    kind: str
    shown: str
    path: Path | None = None
    url: object = None              # a sqlalchemy.engine.URL (postgresql+psycopg)

    @property
    def secret(self) -> str | None:
        """The password in the URL (never shown: messages are scrubbed of it), or None."""
        if self.url is None:
            return None
        return self.url.password or self.url.query.get("password") or None


def is_url(target) -> bool:
    """Whether ``target`` is a URL (``scheme://…``) rather than a path."""
    return isinstance(target, str) and bool(_URL.match(target.strip()))


def locate(target: str | os.PathLike) -> Location:
    """The store ``target`` names: a SQLite file path, or a ``postgresql://`` / ``sqlite:///`` URL.

    StorageError (Chinese) for a URL that cannot be read or names another kind of database.
    """
    if not is_url(target):
        path = Path(target).expanduser()
        return Location(SQLITE, str(path), path=path)
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    text = str(target).strip()
    scheme = text.split("://", 1)[0].lower()
    try:
        url = make_url(text)
    except (ArgumentError, ValueError):
        raise StorageError(f"进度数据库的地址“{_scrub_url_text(text)[:80]}”写得不对，"
                           "应像 postgresql://用户名@服务器/数据库。") from None
    if scheme == "sqlite":
        if not url.database or url.database == ":memory:":
            raise StorageError("进度数据库的地址应写出 SQLite 文件的位置，例如 sqlite:///C:/培训/progress.sqlite3。")
        path = Path(url.database).expanduser()
        return Location(SQLITE, str(path), path=path)
    if scheme not in _PG_SCHEMES:
        raise StorageError(f"不支持这种进度数据库（{scheme}）：只能用 SQLite 文件或 PostgreSQL 服务器。")
    url = url.set(drivername="postgresql+psycopg")
    if not url.database:
        raise StorageError(f"进度数据库的地址 {_shown_url(url)} 没有写数据库名，"
                           "应像 postgresql://用户名@服务器/数据库。")
    return Location(POSTGRESQL, _shown_url(url), url=url)


def _shown_url(url) -> str:
    """``postgresql://user@host:port/db?host=…``: readable (no %2F), without any password."""
    who = f"{url.username}@" if url.username else ""
    where = (url.host or "") + (f":{url.port}" if url.port else "")
    query = "&".join(f"{k}={'***' if k == 'password' else v}" for k, v in sorted(url.query.items()))
    return f"postgresql://{who}{where}/{url.database or ''}" + (f"?{query}" if query else "")


def _scrub_url_text(text: str) -> str:
    """A URL as typed, with whatever stands between ``user:`` and ``@`` (a password) hidden."""
    text = re.sub(r"(://[^/:@]*:)[^@/]*@", r"\1***@", text)
    return re.sub(r"(password=)[^&]*", r"\1***", text)


# -- engines -------------------------------------------------------------------------------------

def sqlite_engine(connect: Callable[[], sqlite3.Connection]):
    """An engine over ``connect()`` (a sqlite3 connection with ``isolation_level=None``).

    Transactions begin with ``BEGIN IMMEDIATE`` on connections given the execution option
    ``WRITE_OPTION`` (writers queue instead of failing), with a plain ``BEGIN`` otherwise.
    """
    from sqlalchemy import create_engine, event
    from sqlalchemy.pool import NullPool

    engine = create_engine("sqlite://", creator=connect, poolclass=NullPool)

    @event.listens_for(engine, "begin")
    def _begin(conn):       # the documented recipe: pysqlite's own BEGIN is turned off
        write = conn.get_execution_options().get(WRITE_OPTION)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


_PG_ENGINES: dict[tuple[str, bool], object] = {}


def postgresql_engine(location: Location, *, readonly: bool):
    """The engine of a PostgreSQL store (one per URL and mode in a process; no pool).

    ``readonly``: every transaction is READ ONLY on the server as well.
    """
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    key = (location.url.render_as_string(hide_password=False), readonly)
    engine = _PG_ENGINES.get(key)
    if engine is None:
        connect_args = {} if "connect_timeout" in location.url.query else {"connect_timeout": CONNECT_TIMEOUT_S}
        options = {"postgresql_readonly": True} if readonly else {}
        engine = create_engine(location.url, poolclass=NullPool, connect_args=connect_args,
                               execution_options=options)
        _PG_ENGINES[key] = engine
    return engine


# -- errors --------------------------------------------------------------------------------------

def explain(exc: BaseException, location: Location) -> str:
    """A Chinese sentence naming the store for a SQLAlchemy/driver failure (no password in it)."""
    orig = getattr(exc, "orig", None) or exc
    detail = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    why = _why_postgresql(orig, detail) if location.kind == POSTGRESQL else _why_sqlite(detail)
    text = f"进度数据库 {location.shown} {why}（{detail[:200]}）。"
    secret = location.secret
    return text.replace(secret, "***") if secret else text


def _why_sqlite(text: str) -> str:
    if any(word in text for word in ("malformed", "not a database", "corrupt")):
        return "文件已损坏"
    if "locked" in text or "busy" in text:
        return "文件正被其他程序占用，请稍后再试"
    if "readonly" in text or "read-only" in text:
        return "文件是只读的"
    if "disk" in text or "full" in text:
        return "磁盘已满或无法写入"
    return "无法读写"


def _why_postgresql(orig: BaseException, text: str) -> str:
    state = getattr(orig, "sqlstate", None) or ""
    lower = text.lower()
    if state in ("28P01", "28000") or "password" in lower or "authentication failed" in lower:
        return "拒绝登录：用户名或密码不对"
    if state == "3D000" or ("database" in lower and "does not exist" in lower):
        return "所在的数据库不存在，请管理员先在 PostgreSQL 服务器上创建它"
    if "role" in lower and "does not exist" in lower:
        return "拒绝登录：没有这个用户名"
    if state == "42501" or "permission denied" in lower:
        return "不允许这个用户名读写，请管理员授予权限"
    if state == "25006" or "read-only transaction" in lower:
        return "是以只读方式打开的，不能写入"
    if state.startswith("53") or "no space" in lower or "disk full" in lower:
        return "所在的服务器磁盘已满或资源不足"
    if state.startswith("08") or state.startswith("57P") or any(
            w in lower for w in ("connection", "could not connect", "no such file", "refused", "timeout",
                                 "could not translate host", "server closed")):
        return "无法连接：PostgreSQL 服务器没有启动、连不上，或地址写错了"
    return "无法读写"
