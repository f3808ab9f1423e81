//! Rendering of `config`: one setting per line with where it came from,
//! or the JSON object.

use super::Output;
use crate::cli::opt::Format;
use crate::cli::settings::Effective;

impl Output {
    pub fn config(&self, e: &Effective) {
        if self.format == Format::Json {
            return self.json(e);
        }
        outln!(
            "config_file   {}",
            e.config_file.as_deref().unwrap_or("(none)")
        );
        match (&e.database_url, &e.from) {
            (Some(url), Some(from)) => {
                outln!("database_url  {url}");
                outln!("  from        {from}");
            }
            _ => {
                outln!("database_url  (none)");
                outln!("  looked at   {}", e.looked_at.join(", "));
            }
        }
        for (key, setting) in [
            ("migrations", &e.migrations),
            ("contracts", &e.contracts),
            ("plans", &e.plans),
            ("snapshots", &e.snapshots),
            ("lock_timeout", &e.lock_timeout),
            ("format", &e.format),
        ] {
            let from = match setting.from {
                "config_file" => "mendb.toml",
                other => other,
            };
            outln!("{key:<13} {} ({from})", setting.value);
        }
        outln!("wait          {}s", e.wait_secs);
    }
}
