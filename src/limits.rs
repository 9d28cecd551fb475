//! Limits that protect memory and time (a browser tab's, in particular). Readers take them from
//! here, not from the crate root, so that no reader depends on the assembly in `lib.rs`.

use crate::error::{Error, LimitName, Result};
use serde::{Deserialize, Serialize};

/// Limits that protect memory and time (a browser tab's, in particular). Each error that hits
/// one names it, and says which one to raise in its `help`.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct Limits {
    pub max_input_bytes: usize,
    /// Largest body kept after decoding.
    pub max_body_bytes: usize,
    /// Largest expansion of a compressed body relative to its compressed size.
    pub max_inflate_ratio: usize,
    pub max_calls: usize,
    /// Largest document tree (nodes plus string bytes) a cassette may expand to.
    pub max_tree_size: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_input_bytes: 1 << 30,
            max_body_bytes: 64 << 20,
            max_inflate_ratio: 1000,
            max_calls: 1_000_000,
            max_tree_size: 1 << 31,
        }
    }
}

impl Limits {
    /// The one check of `maxCalls`: an error when `count` items are more than the limit. `input`
    /// names the input as the sentence starts ("The HAR") and `items` what it holds ("entries").
    pub fn check_calls(&self, count: usize, input: &str, items: &str) -> Result<()> {
        if count <= self.max_calls {
            return Ok(());
        }
        let message = format!("{input} has more than {} {items}, the limit `maxCalls`.", self.max_calls);
        Err(Error::over_limit(LimitName::MaxCalls, self.max_calls, message))
    }
}
