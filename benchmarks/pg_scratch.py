"""A scratch PostgreSQL database for one benchmark run (bench_progress, bench_classview).

On the server named by ``$CQVOL_TEST_PG_URL`` (its superuser's URL, as tools/test.sh sets it), or
else on a throwaway cluster started here (tools/pg_throwaway.sh) and stopped afterwards. The
database is new and empty, and dropped at the end, also after an error.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
THROWAWAY = ["bash", str(ROOT / "tools" / "pg_throwaway.sh")]


@contextlib.contextmanager
def scratch_database():
    """Yield the URL of a new empty database; drop it (and stop a cluster started here) afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    admin_url = os.environ.get("CQVOL_TEST_PG_URL", "").strip()
    started = None
    if not admin_url:
        started = subprocess.run([*THROWAWAY, "start"], check=True, capture_output=True, text=True,
                                 timeout=300).stdout.strip().splitlines()[-1]
        admin_url = started
    admin = create_engine(make_url(admin_url).set(drivername="postgresql+psycopg"), poolclass=NullPool,
                          isolation_level="AUTOCOMMIT")
    database = f"cqvol_bench_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{database}"'))
        yield urlunsplit(urlsplit(admin_url)._replace(path=f"/{database}"))
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()
        if started:
            subprocess.run([*THROWAWAY, "stop", started], timeout=120)
