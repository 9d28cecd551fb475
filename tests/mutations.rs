//! Every corpus and format test file truncated at many points and with bytes flipped: each variant must give a
//! report or an error value, never a panic (in WebAssembly a panic kills the instance). A cheap,
//! deterministic complement to fuzzing, run on every `cargo test`.
// Reads files: a native test.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use callstate::{analyze_bytes, Options};
use common::rng::Rng;

#[test]
fn truncated_and_corrupted_corpus_files_never_panic() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut runs = 0;
    let mut errors = 0;
    let mut names: Vec<_> = ["tests/corpus", "tests/corpus/runtimes", "tests/formats"]
        .iter()
        .flat_map(|dir| std::fs::read_dir(root.join(dir)).unwrap().map(|e| e.unwrap().path()))
        .collect();
    names.sort();
    for path in names {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !(name.ends_with(".yaml") || name.ends_with(".har") || name.ends_with(".json") || name.ends_with(".jsonl")) {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let mut variants = Vec::new();
        for i in 0..24 {
            variants.push(bytes[..bytes.len() * i / 24].to_vec());
        }
        for _ in 0..24 {
            let mut flipped = bytes.clone();
            for _ in 0..1 + rng.below(4) {
                let at = rng.below(flipped.len());
                flipped[at] = match rng.below(4) {
                    0 => b'"',
                    1 => b'{',
                    2 => b'\n',
                    _ => rng.next() as u8,
                };
            }
            variants.push(flipped);
        }
        for variant in variants {
            let result = std::panic::catch_unwind(|| analyze_bytes(&name, &variant, &Options::default()));
            let outcome = result.unwrap_or_else(|_| panic!("{name}: panicked on a variant of {} bytes", variant.len()));
            if let Err(error) = outcome {
                errors += 1;
                assert!(!error.message.is_empty());
            }
            runs += 1;
        }
    }
    assert!(runs > 1500, "{runs}");
    assert!(errors > 0);
}
