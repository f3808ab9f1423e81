//! Names in plan text: the identifiers mendb puts into SQL, and the
//! `:param` references inside expressions and statements.

/// Identifiers mendb puts into SQL: plain names only, so nothing can ride
/// along with them. They are quoted as well when used.
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name.len() <= 64
}

/// `:name` references in an expression (not `::type` casts).
pub fn param_refs(expr: &str) -> Vec<String> {
    let b = expr.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut quote: Option<u8> = None;
    while i < b.len() {
        let c = b[i];
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
            i += 1;
            continue;
        }
        if c == b'\'' || c == b'"' || c == b'`' {
            quote = Some(c);
        } else if c == b':' && b.get(i + 1) == Some(&b':') {
            i += 2;
            continue;
        } else if c == b':'
            && b.get(i + 1)
                .is_some_and(|n| n.is_ascii_alphabetic() || *n == b'_')
        {
            let start = i + 1;
            let mut end = start;
            while end < b.len() && (b[end].is_ascii_alphanumeric() || b[end] == b'_') {
                end += 1;
            }
            out.push(expr[start..end].to_string());
            i = end;
            continue;
        }
        i += 1;
    }
    out
}
