//! Limits that protect memory and time (a browser tab's, in particular). Readers take them from
//! here, not from the crate root, so that no reader depends on the assembly in `lib.rs`.

use serde::{Deserialize, Serialize};

/// Limits that protect memory and time (a browser tab's, in particular). Each error that hits
/// one names it and how to raise it.
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
