-- A trainee name with a control character (openpyxl refuses it): this file is skipped.
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO meta VALUES ('format', '2');
CREATE TABLE attempts (id INTEGER PRIMARY KEY AUTOINCREMENT, trainee TEXT NOT NULL, exercise TEXT NOT NULL, variant TEXT NOT NULL DEFAULT '{}', started TEXT NOT NULL, last_check TEXT, seconds REAL NOT NULL DEFAULT 0, checks INTEGER NOT NULL DEFAULT 0, score INTEGER NOT NULL DEFAULT 0, solved INTEGER NOT NULL DEFAULT 0);
CREATE INDEX attempts_by_trainee ON attempts (trainee, exercise);
CREATE TABLE checks (id INTEGER PRIMARY KEY AUTOINCREMENT, attempt INTEGER NOT NULL REFERENCES attempts (id), time TEXT NOT NULL, seconds REAL NOT NULL, score INTEGER NOT NULL, earned INTEGER NOT NULL, max_points INTEGER NOT NULL, solved INTEGER NOT NULL, goals TEXT NOT NULL, refusals TEXT NOT NULL);
CREATE INDEX checks_by_attempt ON checks (attempt);
CREATE TABLE trainees (name TEXT PRIMARY KEY, unit TEXT, class TEXT, first_seen TEXT NOT NULL, last_seen TEXT NOT NULL);
CREATE TABLE visits (trainee TEXT NOT NULL, page TEXT NOT NULL, first TEXT NOT NULL, last TEXT NOT NULL, count INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (trainee, page));
INSERT INTO attempts (trainee, exercise, started, last_check, seconds, checks, score, solved) VALUES ('张' || char(1) || '三', 'd01-town-hub-grades', '2026-03-01T09:00:00', '2026-03-01T09:10:00', 600, 1, 50, 0);
INSERT INTO trainees VALUES ('张' || char(1) || '三', NULL, NULL, '2026-03-01T09:00:00', '2026-03-01T09:10:00');
