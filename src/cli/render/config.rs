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
        outln!("wait          {} s", e.wait_secs);
    }
}
