-- A progress database written by a newer cqvol-sim (format 99): refused, not changed.
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO meta VALUES ('format', '99');
CREATE TABLE attempts (id INTEGER PRIMARY KEY AUTOINCREMENT, trainee TEXT NOT NULL, exercise TEXT NOT NULL, variant TEXT NOT NULL DEFAULT '{}', started TEXT NOT NULL, last_check TEXT, seconds REAL NOT NULL DEFAULT 0, checks INTEGER NOT NULL DEFAULT 0, score INTEGER NOT NULL DEFAULT 0, solved INTEGER NOT NULL DEFAULT 0);
CREATE INDEX attempts_by_trainee ON attempts (trainee, exercise);
CREATE TABLE checks (id INTEGER PRIMARY KEY AUTOINCREMENT, attempt INTEGER NOT NULL REFERENCES attempts (id), time TEXT NOT NULL, seconds REAL NOT NULL, score INTEGER NOT NULL, earned INTEGER NOT NULL, max_points INTEGER NOT NULL, solved INTEGER NOT NULL, goals TEXT NOT NULL, refusals TEXT NOT NULL);
CREATE INDEX checks_by_attempt ON checks (attempt);
