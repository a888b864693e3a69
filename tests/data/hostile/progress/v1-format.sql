-- A progress database of format 1 (before trainees and visits): read as it is, upgraded when opened for writing.
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO meta VALUES ('format', '1');
CREATE TABLE attempts (id INTEGER PRIMARY KEY AUTOINCREMENT, trainee TEXT NOT NULL, exercise TEXT NOT NULL, variant TEXT NOT NULL DEFAULT '{}', started TEXT NOT NULL, last_check TEXT, seconds REAL NOT NULL DEFAULT 0, checks INTEGER NOT NULL DEFAULT 0, score INTEGER NOT NULL DEFAULT 0, solved INTEGER NOT NULL DEFAULT 0);
CREATE INDEX attempts_by_trainee ON attempts (trainee, exercise);
CREATE TABLE checks (id INTEGER PRIMARY KEY AUTOINCREMENT, attempt INTEGER NOT NULL REFERENCES attempts (id), time TEXT NOT NULL, seconds REAL NOT NULL, score INTEGER NOT NULL, earned INTEGER NOT NULL, max_points INTEGER NOT NULL, solved INTEGER NOT NULL, goals TEXT NOT NULL, refusals TEXT NOT NULL);
CREATE INDEX checks_by_attempt ON checks (attempt);
INSERT INTO attempts (trainee, exercise, started, last_check, seconds, checks, score, solved) VALUES ('老学员', 'd01-town-hub-grades', '2026-03-01T09:00:00', '2026-03-01T09:10:00', 600, 1, 80, 0);
INSERT INTO checks (attempt, time, seconds, score, earned, max_points, solved, goals, refusals) VALUES (1, '2026-03-01T09:10:00', 600, 80, 80, 100, 0, '{"g1": "met"}', '[]');
