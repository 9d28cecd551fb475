//! callstate: tells, with evidence, whether recorded traffic is stateless API calls or a stateful
//! runtime.
//!
//! The pipeline is pure Rust and knows nothing of WebAssembly:
//! `formats` (readers) → [`model::Trace`] → `signals` → `classify` → `report`.
//! `wasm.rs` and the CLI are thin adapters over [`analyze`].

pub mod classify;
pub mod correlate;
pub mod error;
pub mod excerpt;
pub mod formats;
pub mod limits;
pub mod model;
pub mod names;
pub mod policy;
pub mod redact;
pub mod report;
pub mod signals;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use error::{Error, ErrorKind, Location, Result};
pub use limits::Limits;
pub use policy::{Policy, PolicyResult};
pub use report::{to_markdown, to_text, Exchange, Report, SCHEMA};
pub use signals::{Rules, UserRules};

use model::{Input, Trace};
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
    #[schemars(with = "Option<PolicyOption>")]
    pub policy: Option<serde_json::Value>,
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
        let policy = match self.policy {
            Some(serde_json::Value::String(text)) => Some(Policy::from_slice(text.as_bytes(), &table())?),
            Some(value) => Some(Policy::from_value(value, &table())?),
            None => None,
        };
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

/// One input to analyze: a name (a file name, or `-` for stdin) and its bytes.
#[derive(Debug, Clone, Copy)]
pub struct NamedInput<'a> {
    pub name: &'a str,
    pub bytes: &'a [u8],
}

#[derive(Debug, Clone, Default)]
pub struct Options {
    pub limits: Limits,
    pub rules: Option<Rules>,
    /// With several inputs, analyze the good ones when some are bad, and report each bad one as
    /// an error diagnostic naming it (the page does this; the CLI does not).
    pub partial: bool,
    /// Keep every body whole, as the call view needs. By default calls keep only what the
    /// signals read, which gives the same report in a fraction of the memory.
    pub keep_bodies: bool,
    /// A policy to check; its result becomes the report's `policy`.
    pub policy: Option<Policy>,
}

impl Options {
    /// The fingerprint table in use: the user's rules, or the built-in ones.
    pub fn rules(&self) -> std::borrow::Cow<'_, Rules> {
        match &self.rules {
            Some(rules) => std::borrow::Cow::Borrowed(rules),
            None => std::borrow::Cow::Owned(Rules::builtin()),
        }
    }
}

/// Reads inputs into one trace. Calls keep input order, and across several inputs they are
/// ordered by start time where every call has one.
/// Every body is kept whole.
pub fn read_trace(inputs: &[NamedInput], limits: &Limits) -> Result<Trace> {
    read_inputs(inputs, &Options { limits: limits.clone(), keep_bodies: true, ..Options::default() })
}

fn read_inputs(inputs: &[NamedInput], options: &Options) -> Result<Trace> {
    // The same inputs give the same report in whatever order they are given.
    let mut inputs = inputs.to_vec();
    inputs.sort_by(|a, b| a.name.cmp(b.name).then_with(|| a.bytes.cmp(b.bytes)));
    let reads = inputs
        .iter()
        .enumerate()
        .map(|(index, input)| {
            (input.name.to_string(), formats::read(input.bytes, index, &options.limits, options.keep_bodies))
        })
        .collect();
    assemble(reads, options.partial)
}

/// One trace from what each input yielded, in input order: calls keep input order, and across
/// several inputs they are ordered by start time where every call has one; then calls are linked.
fn assemble(reads: Vec<(String, Result<formats::Read>)>, partial: bool) -> Result<Trace> {
    let several = reads.len() > 1;
    let mut trace = Trace::default();
    let mut first_error = None;
    for (name, read) in reads {
        let index = trace.inputs.len();
        let read = match read {
            Ok(read) => read,
            Err(e) => {
                let e = e.in_input(&name);
                if !partial {
                    return Err(e);
                }
                trace.diagnostics.push(model::Diagnostic {
                    severity: model::Severity::Error,
                    message: format!("{name} was not analysed: {}", e.message),
                    location: Some((*e.location).clone()),
                });
                first_error.get_or_insert(e);
                continue;
            }
        };
        trace.inputs.push(Input { name: name.clone(), format: read.format, calls: read.calls.len() });
        trace.calls.extend(read.calls.into_iter().map(|mut call| {
            call.source.input = index;
            call
        }));
        let (warnings, suppressed) = read.warnings.into_parts();
        trace.diagnostics.extend(warnings.into_iter().map(|mut d| {
            if let Some(location) = &mut d.location {
                location.input = Some(name.clone());
            }
            d
        }));
        if suppressed > 0 {
            trace.diagnostics.push(model::Diagnostic {
                severity: model::Severity::Warning,
                message: format!(
                    "{name}: {} more warnings like those above are not listed (the first {} are).",
                    suppressed,
                    formats::MAX_WARNINGS
                ),
                location: None,
            });
        }
    }
    if several && trace.calls.iter().all(|c| c.started_ms.is_some()) {
        trace.calls.sort_by(|a, b| a.started_ms.partial_cmp(&b.started_ms).unwrap_or(std::cmp::Ordering::Equal));
    }
    if trace.inputs.is_empty() {
        if let Some(e) = first_error {
            return Err(e);
        }
    }
    correlate::link(&mut trace);
    Ok(trace)
}

/// Runs the pipeline and hands its results to `render`: the trace, the evidence in report order
/// (E1 first), the API each call was recognized as, and the classification.
fn with_analysis<R>(
    inputs: &[NamedInput],
    options: &Options,
    render: impl FnOnce(Trace, &[signals::Evidence], &[Option<&signals::Fingerprint>], classify::Classification) -> R,
) -> Result<R> {
    Ok(analyze_trace(read_inputs(inputs, options)?, options, render))
}

fn analyze_trace<R>(
    trace: Trace,
    options: &Options,
    render: impl FnOnce(Trace, &[signals::Evidence], &[Option<&signals::Fingerprint>], classify::Classification) -> R,
) -> R {
    let rules = options.rules();
    let rules = rules.as_ref();
    let apis: Vec<_> = trace.calls.iter().map(|c| rules.recognize(c)).collect();
    let mut evidence = signals::collect(&trace, rules, &apis);
    // Evidence in the order of the calls it starts at, so E1 is the earliest.
    evidence.sort_by_key(|e| e.calls.first().copied().unwrap_or(usize::MAX));
    let classes = classify::classify(&trace, &evidence, &apis);
    render(trace, &evidence, &apis, classes)
}

/// Analyzes one or several inputs together and returns the report.
pub fn analyze(inputs: &[NamedInput], options: &Options) -> Result<Report> {
    Ok(checked(with_analysis(inputs, options, report::build)?, options))
}

/// The report with the result of the options' policy, if they have one.
fn checked(mut report: Report, options: &Options) -> Report {
    if let Some(policy) = &options.policy {
        report.policy = Some(policy.check(&report, options.rules().as_ref()));
    }
    report
}

/// One call of the analyzed inputs (`call` counts from 1, as in the report) as a person reads
/// it: headers and pretty-printed bodies, secrets masked, the places evidence names marked.
pub fn exchange(inputs: &[NamedInput], options: &Options, call: usize) -> Result<Exchange> {
    let options = Options { keep_bodies: true, ..options.clone() };
    let found = with_analysis(inputs, &options, |trace, evidence, _, _| {
        let index = call.checked_sub(1).filter(|&i| i < trace.calls.len())?;
        Some(report::exchange::build(&trace.calls[index], index, evidence))
    })?;
    found.ok_or_else(|| {
        Error::new(ErrorKind::Usage, format!("There is no call {call} in this trace (calls count from 1)."))
    })
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
        self.current = Some((name.to_string(), formats::StreamReader::new(index, &self.options.limits, false)));
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
    pub fn finish(mut self) -> Result<Report> {
        self.end_input();
        if self.done.is_empty() {
            return Err(Error::new(ErrorKind::Usage, "No input was given."));
        }
        // The same canonical order as `analyze`: by name.
        let mut reads = self.done;
        reads.sort_by(|a, b| a.0.cmp(&b.0));
        let trace = assemble(reads, self.options.partial)?;
        Ok(checked(analyze_trace(trace, &self.options, report::build), &self.options))
    }
}

/// Analyzes one input.
pub fn analyze_bytes(name: &str, bytes: &[u8], options: &Options) -> Result<Report> {
    analyze(&[NamedInput { name, bytes }], options)
}
