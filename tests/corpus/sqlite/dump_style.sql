PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
-- Corpus: the output of the sqlite3 shell's .dump command.
-- Exercises: the PRAGMA foreign_keys=OFF / BEGIN TRANSACTION ... COMMIT
-- frame .dump writes around everything; a self-referencing foreign key
-- whose child row comes before its parent (loadable only because the
-- dump turns foreign keys off); INSERT ... VALUES(...) rows as .dump
-- prints them (doubled quotes, X'..' blobs, replace('..\n..','\n',
-- char(10)) for newlines); a WITHOUT ROWID table; then the indexes,
-- views and triggers that .dump writes after all the tables.
CREATE TABLE employee (id INTEGER PRIMARY KEY, name TEXT NOT NULL, manager_id INTEGER REFERENCES employee(id), hired TEXT);
INSERT INTO employee VALUES(1,'Ada',3,'2021-03-01');
INSERT INTO employee VALUES(2,'Bob''s twin',3,'2022-07-15');
INSERT INTO employee VALUES(3,'Carol',NULL,'2019-01-07');
CREATE TABLE setting (k TEXT PRIMARY KEY, v BLOB) WITHOUT ROWID;
INSERT INTO setting VALUES('logo',X'89504e470d0a1a0a');
INSERT INTO setting VALUES('motd',replace('line one\nline two; with a semicolon','\n',char(10)));
INSERT INTO setting VALUES('empty','');
CREATE TABLE employee_log (id INTEGER PRIMARY KEY, employee_id INTEGER NOT NULL, note TEXT);
INSERT INTO employee_log VALUES(1,1,'hired');
CREATE INDEX employee_manager ON employee(manager_id);
CREATE UNIQUE INDEX employee_name ON employee(name COLLATE NOCASE);
CREATE VIEW org_chart AS SELECT e.name AS employee, m.name AS manager FROM employee e LEFT JOIN employee m ON m.id = e.manager_id;
CREATE TRIGGER employee_hired AFTER INSERT ON employee BEGIN INSERT INTO employee_log (employee_id, note) VALUES (new.id, 'hired; welcome'); END;
COMMIT;
