//! Recognising statements that destroy or move data.
//!
//! Pattern matching over tokens, not a parser: it recognises the common
//! spellings of drops, truncations and renames in MySQL/MariaDB, PostgreSQL
//! and SQLite, and says nothing about any other statement.

use super::split::{Flavor, Kind, Lexer, Token};

/// Something a statement does that loses data, or breaks code that uses the
/// old names.
///
/// Names are returned unquoted, as written (case kept). For qualified names
/// such as `schema.table` or `` `db`.`table` `` only the last part (the
/// table) is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    DropTable {
        table: String,
    },
    DropColumn {
        table: String,
        column: String,
    },
    RenameTable {
        from: String,
        to: String,
    },
    RenameColumn {
        table: String,
        from: String,
        to: String,
    },
    TruncateTable {
        table: String,
    },
    /// Also reported for PostgreSQL's `DROP MATERIALIZED VIEW`.
    DropView {
        view: String,
    },
}

/// What one statement destroys or renames; empty for anything else.
///
/// Keywords are case-insensitive and comments are ignored. Only the first
/// statement is looked at if the text holds several. `DROP TEMPORARY TABLE`
/// is not reported: temporary tables hold no lasting data.
pub fn statement_effects(stmt: &str, flavor: Flavor) -> Vec<Effect> {
    let tokens: Vec<Token<'_>> = Lexer::new(stmt, flavor)
        .filter(|t| !matches!(t.kind, Kind::Space | Kind::Comment))
        .take_while(|t| !t.is_punct(';'))
        .collect();
    let mut c = Cursor::new(&tokens);
    let mut out = Vec::new();
    if c.kw("DROP") {
        if c.kw("TABLE") {
            c.kws(&["IF", "EXISTS"]);
            for table in c.name_list() {
                out.push(Effect::DropTable { table });
            }
        } else if c.kw("VIEW") || c.kws(&["MATERIALIZED", "VIEW"]) {
            c.kws(&["IF", "EXISTS"]);
            for view in c.name_list() {
                out.push(Effect::DropView { view });
            }
        }
    } else if c.kw("TRUNCATE") {
        c.kw("TABLE");
        for table in c.name_list() {
            out.push(Effect::TruncateTable { table });
        }
    } else if c.kws(&["RENAME", "TABLE"]) {
        // MySQL: RENAME TABLE a TO b, c TO d
        while let (Some(from), true, Some(to)) = (c.name(), c.kw("TO"), c.name()) {
            out.push(Effect::RenameTable { from, to });
            if !c.punct(',') {
                break;
            }
        }
    } else if c.kw("ALTER") {
        // MariaDB/MySQL modifiers before TABLE.
        c.kw("ONLINE");
        c.kw("IGNORE");
        if c.kw("TABLE") {
            c.kws(&["IF", "EXISTS"]);
            c.kw("ONLY");
            if let Some(table) = c.name() {
                c.punct('*');
                for action in top_level_actions(c.rest()) {
                    alter_action(&table, &mut Cursor::new(action), &mut out);
                }
            }
        }
    }
    out
}

/// Object kinds that `ALTER TABLE ... DROP <kind>` removes without removing
/// a column.
const NOT_COLUMNS: [&str; 9] = [
    "INDEX",
    "KEY",
    "PRIMARY",
    "FOREIGN",
    "CONSTRAINT",
    "CHECK",
    "PARTITION",
    // MariaDB: DROP SYSTEM VERSIONING, DROP PERIOD FOR ...
    "SYSTEM",
    "PERIOD",
];

/// One `ALTER TABLE` action. Actions that start with anything else, such as
/// `ALTER COLUMN c DROP DEFAULT`, change no data worth reporting.
fn alter_action(table: &str, c: &mut Cursor<'_, '_>, out: &mut Vec<Effect>) {
    let table = table.to_string();
    if c.kw("DROP") {
        if NOT_COLUMNS.iter().any(|k| c.peek_kw(k)) {
            return;
        }
        c.kw("COLUMN");
        c.kws(&["IF", "EXISTS"]);
        if let Some(column) = c.name() {
            out.push(Effect::DropColumn { table, column });
        }
    } else if c.kw("RENAME") {
        if c.kw("TO") || c.kw("AS") {
            if let Some(to) = c.name() {
                out.push(Effect::RenameTable { from: table, to });
            }
            return;
        }
        if ["INDEX", "KEY", "CONSTRAINT"].iter().any(|k| c.peek_kw(k)) {
            return;
        }
        let column_keyword = c.kw("COLUMN");
        let Some(name) = c.name() else { return };
        if c.kw("TO") {
            if let Some(to) = c.name() {
                out.push(Effect::RenameColumn {
                    table,
                    from: name,
                    to,
                });
            }
        } else if !column_keyword {
            // MySQL makes TO optional: ALTER TABLE t RENAME t2
            out.push(Effect::RenameTable {
                from: table,
                to: name,
            });
        }
    } else if c.kw("CHANGE") {
        // MySQL: CHANGE [COLUMN] old new <definition>; often used to change
        // only the definition, with new == old.
        c.kw("COLUMN");
        if let (Some(from), Some(to)) = (c.name(), c.name())
            && !from.eq_ignore_ascii_case(&to)
        {
            out.push(Effect::RenameColumn { table, from, to });
        }
    }
}

/// Splits `ALTER TABLE` actions on commas that are not inside parentheses
/// (`DECIMAL(10, 2)`, `CHECK (a IN (1, 2))`).
fn top_level_actions<'t, 'a>(tokens: &'t [Token<'a>]) -> Vec<&'t [Token<'a>]> {
    let mut actions = Vec::new();
    let mut depth = 0usize;
    let mut from = 0;
    for (i, t) in tokens.iter().enumerate() {
        if t.is_punct('(') {
            depth += 1;
        } else if t.is_punct(')') {
            depth = depth.saturating_sub(1);
        } else if t.is_punct(',') && depth == 0 {
            actions.push(&tokens[from..i]);
            from = i + 1;
        }
    }
    actions.push(&tokens[from..]);
    actions
}

/// A position in a token list with the few matchers the patterns need.
/// Failed matches consume nothing.
struct Cursor<'t, 'a> {
    tokens: &'t [Token<'a>],
    pos: usize,
}

impl<'t, 'a> Cursor<'t, 'a> {
    fn new(tokens: &'t [Token<'a>]) -> Self {
        Cursor { tokens, pos: 0 }
    }

    fn rest(&self) -> &'t [Token<'a>] {
        self.tokens.get(self.pos..).unwrap_or_default()
    }

    fn peek_kw(&self, keyword: &str) -> bool {
        self.tokens
            .get(self.pos)
            .is_some_and(|t| t.is_word(keyword))
    }

    fn kw(&mut self, keyword: &str) -> bool {
        let hit = self.peek_kw(keyword);
        if hit {
            self.pos += 1;
        }
        hit
    }

    /// Consumes a keyword sequence only if all of it is there.
    fn kws(&mut self, keywords: &[&str]) -> bool {
        let hit = keywords
            .iter()
            .enumerate()
            .all(|(i, k)| self.tokens.get(self.pos + i).is_some_and(|t| t.is_word(k)));
        if hit {
            self.pos += keywords.len();
        }
        hit
    }

    fn punct(&mut self, c: char) -> bool {
        let hit = self.tokens.get(self.pos).is_some_and(|t| t.is_punct(c));
        if hit {
            self.pos += 1;
        }
        hit
    }

    /// A bare or quoted identifier, unquoted.
    fn ident(&mut self) -> Option<String> {
        let t = self.tokens.get(self.pos)?;
        let name = match t.kind {
            Kind::Word => t.text.to_string(),
            Kind::Quoted => unquote_identifier(t.text)?,
            _ => return None,
        };
        self.pos += 1;
        Some(name)
    }

    /// A possibly qualified name; only its last part is returned.
    fn name(&mut self) -> Option<String> {
        let mut name = self.ident()?;
        while self.punct('.') {
            name = self.ident()?;
        }
        Some(name)
    }

    /// `a [, b ...]`, skipping PostgreSQL's `ONLY` and `*` around each name.
    fn name_list(&mut self) -> Vec<String> {
        let mut names = Vec::new();
        loop {
            self.kw("ONLY");
            let Some(name) = self.name() else { break };
            names.push(name);
            self.punct('*');
            if !self.punct(',') {
                break;
            }
        }
        names
    }
}

/// `"a""b"` → `a"b`, `` `a``b` `` → ``a`b``; `None` for strings and
/// unterminated quotes.
fn unquote_identifier(text: &str) -> Option<String> {
    let quote = ['"', '`'].into_iter().find(|&q| text.starts_with(q))?;
    let inner = text.get(1..)?.strip_suffix(quote)?;
    Some(inner.replace(&format!("{quote}{quote}"), &quote.to_string()))
}

#[cfg(test)]
mod tests {
    use super::super::split::split_statements;
    use super::*;

    fn drop_table(table: &str) -> Effect {
        Effect::DropTable {
            table: table.into(),
        }
    }

    fn drop_column(table: &str, column: &str) -> Effect {
        Effect::DropColumn {
            table: table.into(),
            column: column.into(),
        }
    }

    fn rename_table(from: &str, to: &str) -> Effect {
        Effect::RenameTable {
            from: from.into(),
            to: to.into(),
        }
    }

    fn rename_column(table: &str, from: &str, to: &str) -> Effect {
        Effect::RenameColumn {
            table: table.into(),
            from: from.into(),
            to: to.into(),
        }
    }

    fn truncate(table: &str) -> Effect {
        Effect::TruncateTable {
            table: table.into(),
        }
    }

    fn drop_view(view: &str) -> Effect {
        Effect::DropView { view: view.into() }
    }

    fn check(stmt: &str, expected: &[Effect]) {
        assert_eq!(
            statement_effects(stmt, Flavor::Mysql),
            expected,
            "effects of {stmt:?}"
        );
    }

    #[test]
    fn drop_table_statement() {
        check("DROP TABLE trades", &[drop_table("trades")]);
        check("drop table if exists `trades`;", &[drop_table("trades")]);
        check(
            "DROP TABLE IF EXISTS \"public\".\"trades\", candles CASCADE",
            &[drop_table("trades"), drop_table("candles")],
        );
        check(
            "DROP TABLE `market`.`Trades`, `market`.candles RESTRICT",
            &[drop_table("Trades"), drop_table("candles")],
        );
        check("DROP TABLE \"we\"\"ird\"", &[drop_table("we\"ird")]);
        check("DROP TABLE `we``ird`", &[drop_table("we`ird")]);
    }

    #[test]
    fn drop_view_statement() {
        check("DROP VIEW daily", &[drop_view("daily")]);
        check(
            "DROP VIEW IF EXISTS reporting.daily, `weekly` CASCADE;",
            &[drop_view("daily"), drop_view("weekly")],
        );
        check(
            "DROP MATERIALIZED VIEW mv_candles",
            &[drop_view("mv_candles")],
        );
    }

    #[test]
    fn truncate_statement() {
        check("TRUNCATE trades", &[truncate("trades")]);
        check("truncate table `db`.`trades`;", &[truncate("trades")]);
        check(
            "TRUNCATE TABLE ONLY trades, public.candles * RESTART IDENTITY CASCADE",
            &[truncate("trades"), truncate("candles")],
        );
    }

    #[test]
    fn alter_table_drop_column() {
        check(
            "ALTER TABLE trades DROP COLUMN fee",
            &[drop_column("trades", "fee")],
        );
        check(
            "alter table `trades` drop `fee`;",
            &[drop_column("trades", "fee")],
        );
        check(
            "ALTER TABLE IF EXISTS ONLY public.trades DROP COLUMN IF EXISTS \"fee\" CASCADE",
            &[drop_column("trades", "fee")],
        );
        // MariaDB allows IF EXISTS without COLUMN.
        check(
            "ALTER TABLE trades DROP IF EXISTS fee",
            &[drop_column("trades", "fee")],
        );
        check(
            "ALTER TABLE trades ADD COLUMN px DECIMAL(18, 8) NOT NULL DEFAULT 0, DROP COLUMN fee, \
             ADD CONSTRAINT pos CHECK (side IN ('buy', 'sell')), DROP taker",
            &[drop_column("trades", "fee"), drop_column("trades", "taker")],
        );
    }

    #[test]
    fn alter_table_drops_that_are_not_columns() {
        for stmt in [
            "ALTER TABLE t DROP INDEX idx_ts",
            "ALTER TABLE t DROP KEY idx_ts",
            "ALTER TABLE t DROP PRIMARY KEY",
            "ALTER TABLE t DROP FOREIGN KEY fk_market",
            "ALTER TABLE t DROP CONSTRAINT IF EXISTS fk_market",
            "ALTER TABLE t DROP CHECK chk_price",
            "ALTER TABLE t DROP PARTITION p2019",
            "ALTER TABLE t ALTER COLUMN price DROP DEFAULT",
            "ALTER TABLE t ALTER COLUMN price DROP NOT NULL",
            "ALTER TABLE t ALTER price DROP DEFAULT",
            "ALTER TABLE t DROP SYSTEM VERSIONING",
        ] {
            check(stmt, &[]);
        }
        check(
            "ALTER TABLE t DROP INDEX a, DROP COLUMN b, ALTER c DROP DEFAULT",
            &[drop_column("t", "b")],
        );
    }

    #[test]
    fn alter_table_rename() {
        check(
            "ALTER TABLE trades RENAME COLUMN px TO price",
            &[rename_column("trades", "px", "price")],
        );
        check(
            "ALTER TABLE \"trades\" RENAME \"px\" TO \"price\"",
            &[rename_column("trades", "px", "price")],
        );
        check(
            "ALTER TABLE public.trades RENAME TO fills",
            &[rename_table("trades", "fills")],
        );
        check(
            "ALTER TABLE `trades` RENAME AS `fills`",
            &[rename_table("trades", "fills")],
        );
        check(
            "ALTER TABLE trades RENAME fills",
            &[rename_table("trades", "fills")],
        );
        check("ALTER TABLE trades RENAME INDEX a TO b", &[]);
        check("ALTER TABLE trades RENAME KEY a TO b", &[]);
        check("ALTER TABLE trades RENAME CONSTRAINT a TO b", &[]);
        check(
            "ALTER TABLE t RENAME COLUMN a TO b, RENAME INDEX i TO j, RENAME TO u",
            &[rename_column("t", "a", "b"), rename_table("t", "u")],
        );
    }

    #[test]
    fn alter_table_change_column() {
        check(
            "ALTER TABLE trades CHANGE COLUMN px price DECIMAL(18, 8) NOT NULL",
            &[rename_column("trades", "px", "price")],
        );
        check(
            "ALTER TABLE trades CHANGE `px` `price` DECIMAL(18,8)",
            &[rename_column("trades", "px", "price")],
        );
        check("ALTER TABLE trades CHANGE px px BIGINT", &[]);
        check("ALTER TABLE trades CHANGE px PX BIGINT", &[]);
        check(
            "ALTER TABLE t CHANGE a a INT, CHANGE b c INT, MODIFY d TEXT",
            &[rename_column("t", "b", "c")],
        );
    }

    #[test]
    fn rename_table_statement() {
        check("RENAME TABLE a TO b", &[rename_table("a", "b")]);
        check(
            "rename table `db`.`a` to `db`.`b`, c TO d;",
            &[rename_table("a", "b"), rename_table("c", "d")],
        );
    }

    #[test]
    fn comments_are_ignored() {
        check(
            "/* cleanup */ ALTER TABLE trades -- old fee\n DROP /* gone */ COLUMN fee # bye\n",
            &[drop_column("trades", "fee")],
        );
        check("-- DROP TABLE trades\nSELECT 1", &[]);
        check("/* DROP TABLE trades; */", &[]);
    }

    #[test]
    fn everything_else_has_no_effects() {
        for stmt in [
            "",
            ";",
            "SELECT * FROM trades",
            "INSERT INTO log VALUES ('DROP TABLE trades')",
            "DELETE FROM trades WHERE ts < '2020-01-01'",
            "CREATE TABLE trades (id BIGINT, drop_reason TEXT)",
            "DROP INDEX idx_ts ON trades",
            "DROP TEMPORARY TABLE scratch",
            "DROP TRIGGER trades_bi",
            "DROP FUNCTION touch()",
            "ALTER TABLE trades ADD COLUMN fee DECIMAL(10, 2)",
            "ALTER TABLE trades MODIFY fee DECIMAL(12, 2)",
            "ALTER VIEW v RENAME TO w",
            "\"DROP\" TABLE trades",
            "DROP TABLE",
            "ALTER TABLE",
            "ALTER TABLE t DROP",
            "ALTER TABLE t RENAME COLUMN a",
            "RENAME TABLE a",
        ] {
            check(stmt, &[]);
        }
    }

    #[test]
    fn only_the_first_statement_counts() {
        check("SELECT 1; DROP TABLE trades", &[]);
        check("DROP TABLE a; DROP TABLE b", &[drop_table("a")]);
    }

    #[test]
    fn works_on_split_statements() {
        let sql = "-- 0008\nALTER TABLE trades DROP COLUMN fee;\nCREATE TRIGGER t_bd BEFORE DELETE ON trades FOR EACH ROW BEGIN DELETE FROM fills; END;\nTRUNCATE candles\n";
        let effects: Vec<Vec<Effect>> = split_statements(sql, Flavor::Mysql)
            .unwrap()
            .iter()
            .map(|s| statement_effects(&s.text, Flavor::Mysql))
            .collect();
        assert_eq!(
            effects,
            [
                vec![drop_column("trades", "fee")],
                vec![],
                vec![truncate("candles")]
            ]
        );
    }

    /// Random concatenations of SQL fragments, including unterminated
    /// quotes and comments, never make either function panic.
    #[test]
    fn never_panics_on_noise() {
        const FRAGMENTS: &[&str] = &[
            "CREATE ",
            "TRIGGER ",
            "FUNCTION ",
            "BEGIN ",
            "END ",
            "IF ",
            "CASE ",
            "LOOP ",
            "DROP ",
            "TABLE ",
            "VIEW ",
            "ALTER ",
            "COLUMN ",
            "RENAME ",
            "TO ",
            "AS ",
            "CHANGE ",
            "TRUNCATE ",
            "ONLY ",
            "EXISTS ",
            "INDEX ",
            "t",
            "x1",
            ";",
            "'",
            "''",
            "\\",
            "\"",
            "`",
            "$$",
            "$a$",
            "$1",
            "$",
            "--",
            "#",
            "#>",
            "/*",
            "*/",
            "/*!",
            "\n",
            "\r\n",
            " ",
            ",",
            "(",
            ")",
            ".",
            "*",
            "é",
            "größe",
            "\u{feff}",
            "\t",
        ];
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as usize
        };
        for _ in 0..500 {
            let len = next() % 40;
            let sql: String = (0..len)
                .map(|_| FRAGMENTS[next() % FRAGMENTS.len()])
                .collect();
            let lines = sql.matches('\n').count() + 1;
            statement_effects(&sql, Flavor::Mysql);
            statement_effects(&sql, Flavor::Postgres);
            for stmt in split_statements(&sql, Flavor::Postgres).unwrap_or_default() {
                assert!(!stmt.text.is_empty(), "{sql:?}");
                assert_eq!(stmt.text.trim(), stmt.text, "{sql:?}");
                assert!((1..=lines).contains(&stmt.line), "{sql:?}");
                statement_effects(&stmt.text, Flavor::Postgres);
            }
        }
    }
}
