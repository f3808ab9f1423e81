//! A small, stable digest (FNV-1a, 64 bits) for checksums mendb stores or
//! prints: statement texts of a half-applied migration, plan files. Stable
//! across Rust releases and platforms, unlike `DefaultHasher`; not
//! cryptographic, which none of these uses need.

/// Digest of a sequence of texts; each text is delimited, so `["ab", "c"]`
/// and `["a", "bc"]` differ.
#[derive(Debug, Clone, Copy)]
pub struct Digest(u64);

impl Default for Digest {
    fn default() -> Digest {
        Digest(0xcbf2_9ce4_8422_2325)
    }
}

impl Digest {
    pub fn add(&mut self, text: &str) {
        self.add_bytes(text.as_bytes());
        self.add_bytes(&[0]);
    }

    pub fn add_bytes(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    pub fn hex(&self) -> String {
        format!("{:016x}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimits_texts() {
        let digest = |parts: &[&str]| {
            let mut d = Digest::default();
            parts.iter().for_each(|p| d.add(p));
            d.hex()
        };
        assert_ne!(digest(&["ab", "c"]), digest(&["a", "bc"]));
        assert_eq!(digest(&["x"]), digest(&["x"]));
        assert_eq!(digest(&[]), "cbf29ce484222325");
    }
}
