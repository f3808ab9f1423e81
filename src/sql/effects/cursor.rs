//! Walking a statement's tokens, and reading names from them as each
//! dialect quotes and escapes them.

use super::{Ident, ObjectName};
use crate::sql::lexer::{Flavor, Kind, Token};

/// A position in a token list with the few matchers the patterns need.
/// Failed matches consume nothing.
pub(super) struct Cursor<'t, 'a> {
    tokens: &'t [Token<'a>],
    pos: usize,
    flavor: Flavor,
}

impl<'t, 'a> Cursor<'t, 'a> {
    pub(super) fn new(tokens: &'t [Token<'a>], flavor: Flavor) -> Self {
        Cursor {
            tokens,
            pos: 0,
            flavor,
        }
    }

    pub(super) fn rest(&self) -> &'t [Token<'a>] {
        self.tokens.get(self.pos..).unwrap_or_default()
    }

    pub(super) fn peek_kw(&self, keyword: &str) -> bool {
        self.tokens
            .get(self.pos)
            .is_some_and(|t| t.is_word(keyword))
    }

    pub(super) fn kw(&mut self, keyword: &str) -> bool {
        let hit = self.peek_kw(keyword);
        if hit {
            self.pos += 1;
        }
        hit
    }

    /// Consumes a keyword sequence only if all of it is there.
    pub(super) fn kws(&mut self, keywords: &[&str]) -> bool {
        let hit = keywords
            .iter()
            .enumerate()
            .all(|(i, k)| self.tokens.get(self.pos + i).is_some_and(|t| t.is_word(k)));
        if hit {
            self.pos += keywords.len();
        }
        hit
    }

    pub(super) fn punct(&mut self, c: char) -> bool {
        let hit = self.tokens.get(self.pos).is_some_and(|t| t.is_punct(c));
        if hit {
            self.pos += 1;
        }
        hit
    }

    /// A bare or quoted identifier.
    pub(super) fn ident(&mut self) -> Option<Ident> {
        let t = self.tokens.get(self.pos)?;
        if self.flavor == Flavor::Postgres
            && let Some(ident) = self.unicode_ident()
        {
            return Some(ident);
        }
        let (text, quoted) = match t.kind {
            Kind::Word => (t.text.to_string(), false),
            Kind::Quoted => (unquote_identifier(t.text, self.flavor)?, true),
            _ => return None,
        };
        self.pos += 1;
        Some(Ident {
            raw: t.text.to_string(),
            text,
            quoted,
        })
    }

    /// PostgreSQL's `U&"d\0061ta"`, optionally followed by `UESCAPE '!'`:
    /// a quoted name spelled with Unicode escapes.
    fn unicode_ident(&mut self) -> Option<Ident> {
        let at = |i: usize| self.tokens.get(self.pos + i);
        let (u, amp, quoted) = (at(0)?, at(1)?, at(2)?);
        let adjacent = amp.start == u.start + 1 && quoted.start == amp.start + 1;
        if !(u.is_word("U") && amp.is_punct('&') && adjacent && quoted.text.starts_with('"')) {
            return None;
        }
        let body = unquote_identifier(quoted.text, self.flavor)?;
        let mut raw = format!("{}&{}", u.text, quoted.text);
        let mut used = 3;
        let mut escape = '\\';
        if let (Some(kw), Some(lit)) = (at(3), at(4))
            && kw.is_word("UESCAPE")
        {
            let mut chars = lit.text.strip_prefix('\'')?.strip_suffix('\'')?.chars();
            escape = chars.next().filter(|_| chars.next().is_none())?;
            raw = format!("{raw} {} {}", kw.text, lit.text);
            used = 5;
        }
        let text = unicode_unescape(&body, escape)?;
        self.pos += used;
        Some(Ident {
            raw,
            text,
            quoted: true,
        })
    }

    /// A possibly qualified name.
    pub(super) fn name(&mut self) -> Option<ObjectName> {
        let start = self.pos;
        let mut parts = vec![self.ident()?];
        while self.punct('.') {
            let Some(part) = self.ident() else {
                self.pos = start;
                return None;
            };
            parts.push(part);
        }
        Some(ObjectName { parts })
    }

    /// `a [, b ...]`, skipping PostgreSQL's `ONLY` and `*` around each name.
    pub(super) fn name_list(&mut self) -> Vec<ObjectName> {
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

/// Decodes `\XXXX`, `\+XXXXXX` and a doubled escape character; `None` for
/// an escape PostgreSQL would reject.
fn unicode_unescape(body: &str, escape: char) -> Option<String> {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != escape {
            out.push(c);
            continue;
        }
        let mut ahead = chars.clone();
        let digits = match ahead.next()? {
            e if e == escape => {
                out.push(escape);
                chars = ahead;
                continue;
            }
            '+' => 6,
            _ => 4,
        };
        if digits == 4 {
            ahead = chars.clone();
        }
        let hex: String = ahead.by_ref().take(digits).collect();
        if hex.len() != digits || !hex.chars().all(|h| h.is_ascii_hexdigit()) {
            return None;
        }
        out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
        chars = ahead;
    }
    Some(out)
}

/// The name a quoted token spells where the dialect takes it for an
/// identifier; `None` for strings, unterminated quotes and quote marks the
/// dialect does not use for names.
///
/// `"a""b"` is `a"b` and `` `a``b` `` is ``a`b``. MySQL's `"..."` counts
/// as a name, as under ANSI_QUOTES: a file may turn that mode on, and a
/// string where a name belongs would only fail. SQLite also reads `[a]`
/// (no escapes inside) and, where only a name can go, `'a'`.
pub(super) fn unquote_identifier(text: &str, flavor: Flavor) -> Option<String> {
    let quotes: &[char] = match flavor {
        Flavor::Mysql => &['`', '"'],
        Flavor::Postgres => &['"'],
        Flavor::Sqlite => &['"', '`', '\'', '['],
    };
    let open = quotes.iter().copied().find(|&q| text.starts_with(q))?;
    let close = if open == '[' { ']' } else { open };
    let inner = text.get(1..)?.strip_suffix(close)?;
    if open == '[' {
        return (!inner.is_empty()).then(|| inner.to_string());
    }
    // A lone quote inside means the token ran past its real end
    // (unterminated), not a name.
    let doubled = format!("{open}{open}");
    let unescaped = inner.replace(&doubled, "");
    (!inner.is_empty() && !unescaped.contains(open))
        .then(|| inner.replace(&doubled, &open.to_string()))
}
