//! The comparisons every kind of object is made of, and how each
//! difference is worded.

use std::collections::BTreeMap;

use super::{Difference, keys, literal};

/// Texts longer than this are shown around their first difference.
const SHOWN: usize = 80;
/// How much of a long text is shown, and how much of it before the first
/// difference.
const EXCERPT: usize = 60;
const BEFORE: usize = 20;

/// `text` from char `from`, at most EXCERPT chars, with `…` where cut.
fn excerpt(text: &str, from: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    let end = (from + EXCERPT).min(chars.len());
    let mut s = String::new();
    if from > 0 {
        s.push('…');
    }
    s.extend(&chars[from.min(end)..end]);
    if end < chars.len() {
        s.push('…');
    }
    if s.is_empty() { "nothing".into() } else { s }
}

/// The differences found so far, and what the two schemas are called in
/// them.
pub(super) struct Differ<'a> {
    expected: &'a str,
    actual: &'a str,
    out: Vec<Difference>,
}

impl<'a> Differ<'a> {
    pub(super) fn new(expected: &'a str, actual: &'a str) -> Self {
        Differ {
            expected,
            actual,
            out: Vec::new(),
        }
    }

    pub(super) fn finish(self) -> Vec<Difference> {
        self.out
    }

    fn push(&mut self, object: &str, change: String) {
        self.out.push(Difference {
            object: object.to_string(),
            change,
        });
    }

    pub(super) fn only(&mut self, object: &str, in_expected: bool) {
        let name = if in_expected {
            self.expected
        } else {
            self.actual
        };
        self.push(object, format!("only in {name}"));
    }

    /// `phrase: <expected> has e, <actual> has a`, when they differ.
    pub(super) fn value(&mut self, object: &str, phrase: &str, e: &str, a: &str) {
        if e != a {
            let shown = |v: &str| if v.is_empty() { "none" } else { v }.to_string();
            let (e, a) = (shown(e), shown(a));
            let change = format!(
                "{phrase}: {} has {e}, {} has {a}",
                self.expected, self.actual
            );
            self.push(object, change);
        }
    }

    pub(super) fn opt(
        &mut self,
        object: &str,
        phrase: &str,
        e: &Option<String>,
        a: &Option<String>,
        none: &str,
    ) {
        let shown = |v: &Option<String>| v.clone().unwrap_or_else(|| none.to_string());
        if e != a {
            self.value(object, phrase, &shown(e), &shown(a));
        }
    }

    pub(super) fn comment(&mut self, object: &str, e: &Option<String>, a: &Option<String>) {
        let shown = |v: &Option<String>| v.as_deref().map_or("no comment".into(), literal);
        if e != a {
            self.value(object, "comment differs", &shown(e), &shown(a));
        }
    }

    pub(super) fn list(&mut self, object: &str, phrase: &str, e: &[String], a: &[String]) {
        let shown = |l: &[String]| {
            if l.is_empty() {
                "none".to_string()
            } else {
                format!("({})", l.join(", "))
            }
        };
        if e != a {
            self.value(object, phrase, &shown(e), &shown(a));
        }
    }

    /// A body or definition: short ones whole, long ones from a little
    /// before where they part.
    pub(super) fn long(&mut self, object: &str, phrase: &str, e: &str, a: &str) {
        if e == a {
            return;
        }
        if e.chars().count() <= SHOWN && a.chars().count() <= SHOWN {
            return self.value(object, phrase, e, a);
        }
        let at = e.chars().zip(a.chars()).take_while(|(x, y)| x == y).count();
        // From the start of a word, so the excerpt reads as SQL.
        let mut from = at.saturating_sub(BEFORE);
        let chars: Vec<char> = e.chars().collect();
        if from > 0
            && let Some(space) = chars[from..at].iter().position(|c| *c == ' ')
        {
            from += space + 1;
        }
        self.value(object, phrase, &excerpt(e, from), &excerpt(a, from));
    }

    /// Each key of either map: only in one, or compared by `same`.
    pub(super) fn map<V>(
        &mut self,
        e: &BTreeMap<String, V>,
        a: &BTreeMap<String, V>,
        object: impl Fn(&str) -> String,
        mut same: impl FnMut(&mut Self, &str, &V, &V),
    ) {
        for key in keys(e, a) {
            match (e.get(key), a.get(key)) {
                (Some(ev), Some(av)) => same(self, key, ev, av),
                (ev, _) => self.only(&object(key), ev.is_some()),
            }
        }
    }

    /// Objects keyed by the relation they are on, then by name.
    pub(super) fn nested<V>(
        &mut self,
        e: &BTreeMap<String, BTreeMap<String, V>>,
        a: &BTreeMap<String, BTreeMap<String, V>>,
        object: impl Fn(&str, &str) -> String,
        mut same: impl FnMut(&mut Self, &str, &V, &V),
    ) {
        let empty = BTreeMap::new();
        for rel in keys(e, a) {
            let (en, an) = (e.get(rel).unwrap_or(&empty), a.get(rel).unwrap_or(&empty));
            for name in keys(en, an) {
                let object = object(rel, name);
                match (en.get(name), an.get(name)) {
                    (Some(ev), Some(av)) => same(self, &object, ev, av),
                    (ev, _) => self.only(&object, ev.is_some()),
                }
            }
        }
    }

    /// `phrase` when both lists hold the same names in another order; a
    /// name in one list only is reported on its own.
    pub(super) fn order(&mut self, object: &str, phrase: &str, e: Vec<String>, a: Vec<String>) {
        let (mut es, mut aset) = (e.clone(), a.clone());
        es.sort();
        aset.sort();
        if es == aset {
            self.list(object, phrase, &e, &a);
        }
    }
}
