//! callstate: tells, with evidence, whether recorded traffic is stateless API calls or a stateful
//! runtime.
//!
//! The pipeline is pure Rust and knows nothing of WebAssembly:
//! `formats` (readers) → [`model::Trace`] → `signals` → `classify` → `report`.
//! `wasm.rs` and the CLI are thin adapters over [`Analysis`] and [`analyze`].

pub mod analysis;
pub mod classify;
pub mod correlate;
pub mod error;
pub mod excerpt;
pub mod facts;
pub mod formats;
pub mod inputs;
pub mod json;
mod lex;
pub mod lexicon;
pub mod limits;
pub mod model;
pub mod names;
pub mod policy;
pub mod redact;
pub mod report;
pub mod signals;
mod sort;

// Two WebAssembly modules from this crate: the analyser, and (built with `yaml-module`) the
// YAML module it reads YAML through.
#[cfg(all(target_arch = "wasm32", not(feature = "yaml-module")))]
pub mod wasm;
#[cfg(target_arch = "wasm32")]
mod yaml_js;

#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

pub use analysis::Analysis;
pub use error::{Error, ErrorKind, Help, LimitName, Location, Result};
pub use inputs::{read_trace, NamedInput, Options};
pub use limits::Limits;
pub use policy::{Policy, PolicyResult};
pub use report::{to_markdown, to_text, Exchange, Report, SCHEMA};
pub use signals::{Rules, UserRules};

use inputs::assemble;
use serde::Deserialize;

/// The options of `analyze` as JavaScript passes them (and as `callstate schema options`
/// describes them).
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct AnalyzeOptions {
    /// The input's name, used in messages and in the report (one input only).
    pub name: Option<String>,
    pub limits: Option<Limits>,
    /// Extra fingerprints and names, in the format of `callstate schema rules`.
    pub rules: Option<UserRules>,
    /// With several inputs, analyze the good ones when some are bad.
    pub partial: bool,
    /// A policy to check (in the format of `callstate schema policy`, or its JSON or YAML
    /// text); its result is the report's `policy`.
    // Kept as its JSON text, read when the options are checked.
    #[schemars(with = "Option<PolicyOption>")]
    pub policy: Option<json::de::Raw>,
}

/// How the `policy` option may be given: as an object, or as the text of a policy file.
#[derive(schemars::JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum PolicyOption {
    Policy(Policy),
    /// JSON or YAML text (errors then give its line and column).
    Text(String),
}

impl AnalyzeOptions {
    /// The options for the core, with user rules and the policy validated.
    pub fn into_options(self) -> Result<Options> {
        let rules = self.rules.map(Rules::with).transpose()?;
        let table = || rules.clone().unwrap_or_else(Rules::builtin);
        let policy = self.policy.map(|raw| Policy::from_json(&raw.0, &table())).transpose()?;
        Ok(Options {
            limits: self.limits.unwrap_or_default(),
            rules,
            partial: self.partial,
            keep_bodies: false,
            policy,
        })
    }
}

/// JSON Schemas of what callstate reads and writes: `report`, `exchange` and `error` (as written: every
/// field present), `options` and `rules` (as read: optional fields may be left out).
pub fn schema(which: &str) -> Option<String> {
    use schemars::generate::SchemaSettings;
    let written = || SchemaSettings::draft2020_12().for_serialize().into_generator();
    let read = || SchemaSettings::draft2020_12().for_deserialize().into_generator();
    let schema = match which {
        "report" => written().into_root_schema_for::<Report>(),
        "error" => written().into_root_schema_for::<Error>(),
        "options" => read().into_root_schema_for::<AnalyzeOptions>(),
        "rules" => read().into_root_schema_for::<UserRules>(),
        "policy" => read().into_root_schema_for::<Policy>(),
        "exchange" => written().into_root_schema_for::<Exchange>(),
        _ => return None,
    };
    serde_json::to_string_pretty(&schema).ok()
}

/// Analyzes one or several inputs together and returns the report. Calls keep only what the
/// signals read, so the memory is a fraction of the bodies'; [`Analysis::new`] keeps them whole.
pub fn analyze(inputs: &[NamedInput], options: &Options) -> Result<Report> {
    Analysis::of_inputs(inputs, options).map(Analysis::into_report)
}

/// One call of the analyzed inputs (`call` counts from 1, as in the report) as a person reads
/// it: headers and pretty-printed bodies, secrets masked, the places evidence names marked.
/// To show several calls, make one [`Analysis`] and ask it.
pub fn exchange(inputs: &[NamedInput], options: &Options, call: usize) -> Result<Exchange> {
    Analysis::new(inputs, options)?.exchange(call)
}

/// Inputs larger than this are best streamed through an [`Analyzer`]: the CLI and the wasm
/// `analyze` do, so that memory follows the calls, not the file. Smaller ones are read whole,
/// for errors that quote the line they point at.
pub const STREAM_OVER: usize = 8 << 20;

/// Analysis of inputs that arrive in pieces: a file read as a stream, too large to hold whole.
/// HAR and JSON Lines inputs are read entry by entry as the bytes come, and each call keeps only
/// what the signals read, so memory follows the calls, not the file. The report is the one
/// [`analyze`] gives for the same inputs.
pub struct Analyzer {
    options: Options,
    done: Vec<(String, Result<formats::Read>)>,
    current: Option<(String, formats::StreamReader)>,
    bytes: usize,
    /// The current input failed (with `partial`): the rest of its bytes are skipped.
    skipping: bool,
}

impl Analyzer {
    pub fn new(options: Options) -> Analyzer {
        Analyzer { options, done: Vec::new(), current: None, bytes: 0, skipping: false }
    }

    /// Starts the next input (the one before it is complete).
    pub fn begin(&mut self, name: &str) {
        self.end_input();
        self.skipping = false;
        let index = self.done.len();
        let reader = formats::StreamReader::new(index, &self.options.limits, self.options.keep_bodies);
        self.current = Some((name.to_string(), reader));
    }

    /// The next bytes of the current input (`begin` it first).
    /// With `partial`, an input that turns out bad is set aside (its error goes in the report)
    /// and the rest of its bytes are skipped; without, its error is returned.
    pub fn push(&mut self, chunk: &[u8]) -> Result<()> {
        self.bytes += chunk.len();
        let Some((name, reader)) = &mut self.current else {
            if self.skipping {
                return Ok(());
            }
            return Err(Error::new(ErrorKind::Usage, "No input has begun: call begin(name) before push(bytes)."));
        };
        if let Err(e) = reader.push(chunk) {
            let e = e.in_input(name);
            if !self.options.partial {
                return Err(e);
            }
            let name = std::mem::take(name);
            self.current = None;
            self.done.push((name, Err(e)));
            self.skipping = true;
        }
        Ok(())
    }

    /// Bytes pushed so far, over all inputs.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Calls read so far, over all inputs.
    pub fn calls(&self) -> usize {
        let done: usize = self.done.iter().filter_map(|(_, r)| r.as_ref().ok()).map(|r| r.calls.len()).sum();
        done + self.current.as_ref().map_or(0, |(_, reader)| reader.calls())
    }

    fn end_input(&mut self) {
        if let Some((name, reader)) = self.current.take() {
            let read = reader.finish();
            self.done.push((name, read));
        }
    }

    /// The report over every input.
    pub fn finish(self) -> Result<Report> {
        self.analysis().map(Analysis::into_report)
    }

    /// The analysis of every input, to ask for its report and, if the options kept the bodies
    /// (`Options::keep_bodies`), for any call.
    pub fn analysis(mut self) -> Result<Analysis> {
        self.end_input();
        if self.done.is_empty() {
            return Err(Error::new(ErrorKind::Usage, "No input was given."));
        }
        // The same canonical order as `analyze`: by name.
        let mut reads = self.done;
        sort::sort_by(&mut reads, |a, b| a.0.cmp(&b.0));
        let trace = assemble(reads, self.options.partial)?;
        Ok(Analysis::of_trace(trace, &self.options))
    }
}

/// Analyzes one input.
pub fn analyze_bytes(name: &str, bytes: &[u8], options: &Options) -> Result<Report> {
    analyze(&[NamedInput { name, bytes }], options)
}
