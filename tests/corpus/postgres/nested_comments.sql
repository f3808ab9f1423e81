/* Corpus: block comments nest in PostgreSQL.
   Exercises: /* a nested comment */ inside the header comment itself;
   nested comments that hold ';', quotes (' and "), $$ and -- and that
   continue after the inner comment closes; a comment nested three deep;
   comments between the tokens of a statement; a string and a dollar
   quote that contain comment markers (they are text, not comments); and
   an identifier with a comment marker in it. Rows show what was parsed. */

CREATE TABLE note (
  note_id integer PRIMARY KEY,
  body text NOT NULL /* the text; /* may be long */ really; */,
  "weird/*name" text /* a quoted identifier with /* inside */ */
);

/* outer /* inner */ still comment; */
INSERT INTO note VALUES (1, 'first', 'a');

/* one /* two /* three; */ two again ' */ one again " */
INSERT INTO note VALUES (2, 'second', 'b');

/*
 * Disabled on purpose:
 *   /* DROP TABLE note; */
 *   DELETE FROM note;  -- would empty it
 *   $$ not a dollar quote here $$
 */
INSERT INTO note VALUES (3, /* inline /* nested */ comment */ 'third', 'c');

INSERT INTO note VALUES (4, '/* not a comment */ -- nor this; ', $$/* still text */$$);
INSERT INTO note (note_id, body, "weird/*name") VALUES (5, $tag$ /* a; b */ $tag$, '*/');

-- a line comment /* does not open a block comment
INSERT INTO note VALUES (6, 'sixth', 'f');

CREATE VIEW note_view AS
  SELECT note_id, /* nested /* in a view */ definition */ upper(body) AS body
    FROM note;
