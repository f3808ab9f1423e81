//! Positions in text: the line of a byte offset (in SQL files, plans,
//! contracts), and a TOML parse error turned into a line and a message
//! that names its key. A leaf: it depends on nothing in the crate.

/// Where a TOML document went wrong and why, naming the key of that line
/// (`key `chunk_size`: invalid type: ...`) when the message does not.
pub fn toml_error(source: &str, e: &toml::de::Error) -> (Option<usize>, String) {
    let message = e.message().trim().to_string();
    let Some(span) = e.span() else {
        return (None, message);
    };
    let line = line_of(source, span.start);
    let text = source.lines().nth(line - 1).unwrap_or_default();
    let key = text.split_once('=').map(|(k, _)| k.trim()).filter(|k| {
        !k.is_empty()
            && k.chars()
                .all(|c| c.is_ascii_alphanumeric() || "_-.\"".contains(c))
    });
    match key {
        Some(k) if !message.contains(k) => (Some(line), format!("`{k}`: {message}")),
        _ => (Some(line), message),
    }
}

/// The 1-based line of a byte offset into a text; an offset past the end
/// is the last line. Counts bytes, so an offset inside a multi-byte
/// character is fine.
pub fn line_of(source: &str, offset: usize) -> usize {
    1 + source.as_bytes()[..offset.min(source.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
}
