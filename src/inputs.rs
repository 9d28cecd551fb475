//! Inputs as the library takes them (named bytes and options), read into one trace: each input
//! by its reader, then assembled in a stable order and linked.

use crate::error::Result;
use crate::limits::Limits;
use crate::model::{self, Input, Trace};
use crate::policy::Policy;
use crate::signals::Rules;
use crate::{correlate, formats};

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

pub(crate) fn read_inputs(inputs: &[NamedInput], options: &Options) -> Result<Trace> {
    // The same inputs give the same report in whatever order they are given.
    let mut inputs = inputs.to_vec();
    crate::sort::sort_by(&mut inputs, |a, b| a.name.cmp(b.name).then_with(|| a.bytes.cmp(b.bytes)));
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
pub(crate) fn assemble(reads: Vec<(String, Result<formats::Read>)>, partial: bool) -> Result<Trace> {
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
        crate::sort::sort_by(&mut trace.calls, |a, b| {
            a.started_ms.partial_cmp(&b.started_ms).unwrap_or(std::cmp::Ordering::Equal)
        });
    }
    if trace.inputs.is_empty() {
        if let Some(e) = first_error {
            return Err(e);
        }
    }
    correlate::link(&mut trace);
    Ok(trace)
}
