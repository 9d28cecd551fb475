//! One analysis kept resident: built once from the inputs, then asked for its report, its
//! Markdown and any call as a person reads it, without reading or analysing anything again
//! (as ruff's and biome's workspaces answer many questions about one state).

use crate::error::{Error, ErrorKind, Result};
use crate::inputs::{read_inputs, NamedInput, Options};
use crate::model::{Call, Trace};
use crate::report::{self, Exchange, Report};
use crate::{classify, signals};

/// The result of analysing some inputs, kept to be asked about. It holds the report, the
/// evidence behind it and, when the calls were read whole (`Options::keep_bodies`, which
/// [`Analysis::new`] sets), every call with its whole bodies for [`Analysis::exchange`].
///
/// Keeping the calls costs the memory of the parsed bodies (about the input's size on agent
/// traces); it buys a call view that opens at once instead of reading the inputs again.
pub struct Analysis {
    report: Report,
    evidence: Vec<signals::Evidence>,
    /// Every call with its whole bodies, or `None` when they were not kept.
    calls: Option<Vec<Call>>,
}

impl Analysis {
    /// Reads and analyses one or several inputs together, keeping every call whole.
    pub fn new(inputs: &[NamedInput], options: &Options) -> Result<Analysis> {
        Analysis::of_inputs(inputs, &Options { keep_bodies: true, ..options.clone() })
    }

    /// Like [`Analysis::new`], but the calls are kept only if `options.keep_bodies`: without,
    /// the analysis answers [`Analysis::report`] in a fraction of the memory.
    pub fn of_inputs(inputs: &[NamedInput], options: &Options) -> Result<Analysis> {
        Ok(Analysis::of_trace(read_inputs(inputs, options)?, options))
    }

    /// Analyses a trace already read. Its calls are kept for the call view if their bodies are
    /// whole (`options.keep_bodies`); slimmed ones are dropped with the trace.
    pub(crate) fn of_trace(mut trace: Trace, options: &Options) -> Analysis {
        let rules = options.rules();
        let rules = rules.as_ref();
        let apis = rules.recognize_all(&trace.calls);
        let mut evidence = signals::collect(&trace, rules, &apis);
        // Evidence in the order of the calls it starts at, so E1 is the earliest.
        crate::sort::sort_by_key(&mut evidence, |e| e.calls.first().copied().unwrap_or(usize::MAX));
        let classes = classify::classify(&trace, &evidence, &apis);
        let mut report = report::build(&trace, &evidence, &apis, classes);
        if let Some(policy) = &options.policy {
            report.policy = Some(policy.check(&report, rules));
        }
        let calls = options.keep_bodies.then(|| std::mem::take(&mut trace.calls));
        Analysis { report, evidence, calls }
    }

    /// The report (`callstate.report`), with the options' policy checked.
    pub fn report(&self) -> &Report {
        &self.report
    }

    /// The report, giving up the rest.
    pub fn into_report(self) -> Report {
        self.report
    }

    /// Whether the calls were kept whole, so that [`Analysis::exchange`] can show them.
    pub fn keeps_calls(&self) -> bool {
        self.calls.is_some()
    }

    /// The report rendered as Markdown.
    pub fn markdown(&self) -> String {
        report::to_markdown(&self.report)
    }

    /// One call (`call` counts from 1, as in the report) as a person reads it: headers and
    /// pretty-printed bodies, secrets masked, the places evidence names marked.
    pub fn exchange(&self, call: usize) -> Result<Exchange> {
        let Some(calls) = &self.calls else {
            return Err(Error::new(
                ErrorKind::Usage,
                "This analysis kept only what its report needs, not the calls' bodies: analyse again keeping them to show a call.",
            ));
        };
        let index = call.checked_sub(1).filter(|&i| i < calls.len()).ok_or_else(|| {
            Error::new(ErrorKind::Usage, format!("There is no call {call} in this trace (calls count from 1)."))
        })?;
        Ok(report::exchange::build(&calls[index], index, &self.evidence))
    }
}
