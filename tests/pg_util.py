"""The progress stores of one test: SQLite files in its tmp_path, or fresh PostgreSQL databases.

The PostgreSQL server is the throwaway cluster that tools/test.sh starts (tools/pg_throwaway.sh)
and names in ``CQVOL_TEST_PG_URL`` (its superuser's URL). Each store is a database of its own,
created for the test and dropped after it. Without the variable the PostgreSQL variants skip,
except in CI (``CI=true`` or ``CQVOL_REQUIRE_PG=1``), where that is a failure.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ENV_TEST_PG = "CQVOL_TEST_PG_URL"
ENV_REQUIRE_PG = "CQVOL_REQUIRE_PG"
KINDS = ("sqlite", "postgresql")
HOSTILE_SQL = Path(__file__).resolve().parent / "data" / "hostile" / "progress"


def pg_admin_url() -> str:
    """The test server's superuser URL; skip without one (fail in CI)."""
    url = os.environ.get(ENV_TEST_PG, "").strip()
    if url:
        return url
    why = f"{ENV_TEST_PG} is not set (tools/test.sh starts a throwaway PostgreSQL and sets it)"
    if os.environ.get(ENV_REQUIRE_PG) == "1" or os.environ.get("CI") == "true":
        pytest.fail(f"the PostgreSQL progress tests must run in CI, but {why}")
    pytest.skip(why)


def with_database(url: str, database: str) -> str:
    """``url`` with another database name (everything else kept as written)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


def sa_engine(url: str, **kw):
    """A SQLAlchemy engine for test-side SQL on a PostgreSQL URL (psycopg, no pool)."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    return create_engine(make_url(url).set(drivername="postgresql+psycopg"), poolclass=NullPool, **kw)


def sqlite_script_for_postgresql(script: str) -> list[str]:
    """The statements of a SQLite script (tests/data/hostile/progress/*.sql) as PostgreSQL runs them."""
    script = re.sub(r"(?i)\binteger\s+primary\s+key\s+autoincrement\b", "SERIAL PRIMARY KEY", script)
    script = "\n".join(line for line in script.splitlines() if not line.lstrip().startswith("--"))
    return [s for s in script.split(";") if s.strip()]


class Stores:
    """Where a progress test keeps its stores: ``new()`` gives a SQLite path or a PostgreSQL URL."""

    def __init__(self, kind: str, tmp_path: Path):
        self.kind = kind
        self.tmp_path = tmp_path
        self._databases: list[str] = []
        self._admin = None
        if kind == "postgresql":
            self.admin_url = pg_admin_url()
            self._admin = sa_engine(self.admin_url, isolation_level="AUTOCOMMIT")

    @property
    def is_pg(self) -> bool:
        return self.kind == "postgresql"

    def new(self, name: str = "p") -> str | Path:
        """A store nobody has used: ``tmp_path/NAME.sqlite3``, or a new empty database's URL."""
        if not self.is_pg:
            return self.tmp_path / f"{name}.sqlite3"
        from sqlalchemy import text

        database = f"cqvol_test_{uuid.uuid4().hex[:16]}"
        with self._admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{database}"'))
        self._databases.append(database)
        return with_database(self.admin_url, database)

    def run_sql(self, location, statements: list[str]) -> None:
        """Run raw SQL statements on a store (one transaction)."""
        if not self.is_pg:
            con = sqlite3.connect(location)
            con.executescript(";\n".join(statements) + ";")
            con.close()
            return
        from sqlalchemy import text

        engine = sa_engine(str(location))
        with engine.begin() as conn:
            for statement in statements:
                conn.execute(text(statement))
        engine.dispose()

    def from_sql(self, sql_name: str, name: str = "p") -> str | Path:
        """A new store holding ``tests/data/hostile/progress/SQL_NAME.sql`` (made for PostgreSQL too)."""
        location = self.new(name)
        script = (HOSTILE_SQL / f"{sql_name}.sql").read_text(encoding="utf-8")
        if self.is_pg:
            self.run_sql(location, sqlite_script_for_postgresql(script))
        else:
            con = sqlite3.connect(location)
            con.executescript(script)
            con.close()
        return location

    def fingerprint(self, location) -> object:
        """What the store holds: the file's bytes (sha256), or every table with all its rows."""
        if not self.is_pg:
            return hashlib.sha256(Path(location).read_bytes()).hexdigest()
        from sqlalchemy import MetaData

        engine = sa_engine(str(location))
        meta = MetaData()
        with engine.connect() as conn:
            meta.reflect(conn)
            got = {name: sorted(map(tuple, conn.execute(table.select()).all()), key=repr)
                   for name, table in meta.tables.items()}
        engine.dispose()
        return got

    def tables(self, location) -> set[str]:
        """The names of the store's tables."""
        from sqlalchemy import create_engine, inspect

        engine = sa_engine(str(location)) if self.is_pg else create_engine(f"sqlite:///{location}")
        with engine.connect() as conn:
            names = set(inspect(conn).get_table_names())
        engine.dispose()
        return names

    def close(self) -> None:
        """Drop the test's databases (even if something still holds a connection)."""
        if self._admin is None:
            return
        from sqlalchemy import text

        with self._admin.connect() as conn:
            for database in self._databases:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        self._admin.dispose()
