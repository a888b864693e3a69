-- Another program's SQLite file (Jupyter's nbsignatures.db): never changed, never given our tables.
CREATE TABLE nbsignatures (id integer PRIMARY KEY AUTOINCREMENT, algorithm text, signature text, path text, last_seen timestamp);
CREATE TABLE migrated (id integer PRIMARY KEY AUTOINCREMENT, ts timestamp);
INSERT INTO nbsignatures (algorithm, signature, path, last_seen) VALUES ('sha256', 'abc123', '/home/a/x.ipynb', '2026-01-01');
