//! Many recordings, each analyzed on its own (`callstate analyze --each`): one row per recording
//! and a summary. Rows are data; a [`Table`] draws them as a text table, JSON Lines or Markdown,
//! one at a time, so that a long run shows each row as soon as it is known.

use super::policy_result::Status;
use super::{markdown::cell, wire_name as name, Level, Report};
use crate::classify::Label;
use crate::error::Error;
use crate::redact::redact_text;
use crate::signals::StateKind;
use serde::Serialize;
use std::fmt::Write;

/// One recording and what became of it.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub file: String,
    #[serde(flatten)]
    pub outcome: Outcome,
}

#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Outcome {
    Analysed(RowVerdict),
    /// The recording could not be read; the others go on.
    Unreadable {
        error: Error,
    },
}

/// What the report of one recording says, in brief.
#[derive(Debug, Clone, Serialize)]
pub struct RowVerdict {
    pub verdict: Label,
    pub confidence: f64,
    pub level: Level,
    pub calls: usize,
    /// Every kind of server-held state a call depends on (stored resources and jobs included).
    pub state: Vec<StateKind>,
    pub explanation: String,
    /// Whether the verdict is the expected one; null when none was expected.
    pub expected: Option<bool>,
    /// The policy's result, and the rules violated, when a policy was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<Status>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub violated: Vec<String>,
}

impl Row {
    /// The row of `file` from its analysis; `expect` is the verdict it should have, if any.
    pub fn new(file: &str, result: crate::error::Result<Report>, expect: Option<&str>) -> Row {
        let outcome = match result {
            Ok(report) => {
                let mut state: Vec<StateKind> = report.calls.iter().flat_map(|c| c.state.iter().copied()).collect();
                crate::sort::sort_by(&mut state, Ord::cmp);
                state.dedup();
                let violated = report.policy.iter().flat_map(|p| &p.rules);
                let violated = violated.filter(|r| r.status == Status::Violated).map(|r| r.name.clone()).collect();
                let policy = report.policy.map(|p| p.status);
                let v = report.verdict;
                Outcome::Analysed(RowVerdict {
                    policy,
                    violated,
                    expected: expect.map(|e| e == v.label.as_str()),
                    verdict: v.label,
                    confidence: v.confidence,
                    level: v.level,
                    calls: report.summary.calls,
                    state,
                    explanation: v.explanation,
                })
            }
            Err(error) => {
                Outcome::Unreadable { error: Error { message: redact_text(&error.message).into_owned(), ..error } }
            }
        };
        Row { file: file.to_string(), outcome }
    }

    /// Analyzed, but not as expected.
    pub fn failed(&self) -> bool {
        matches!(&self.outcome, Outcome::Analysed(v) if v.expected == Some(false))
    }

    /// Analyzed, and the policy is violated.
    pub fn violates(&self) -> bool {
        matches!(&self.outcome, Outcome::Analysed(v) if v.policy == Some(Status::Violated))
    }
}

/// Counts over the rows.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub files: usize,
    pub stateless: usize,
    pub stateful: usize,
    pub layered: usize,
    pub mixed: usize,
    pub inconclusive: usize,
    pub unreadable: usize,
    /// Rows whose verdict is not the expected one.
    pub failed: usize,
    /// Rows that violate the policy.
    pub violated: usize,
}

impl Summary {
    pub fn add(&mut self, row: &Row) {
        self.files += 1;
        self.failed += usize::from(row.failed());
        self.violated += usize::from(row.violates());
        match &row.outcome {
            Outcome::Unreadable { .. } => self.unreadable += 1,
            Outcome::Analysed(v) => *self.count(v.verdict) += 1,
        }
    }

    fn count(&mut self, label: Label) -> &mut usize {
        match label {
            Label::Stateless => &mut self.stateless,
            Label::Stateful => &mut self.stateful,
            Label::Layered => &mut self.layered,
            Label::Mixed => &mut self.mixed,
            Label::Inconclusive => &mut self.inconclusive,
        }
    }

    /// "44 recordings: 20 stateless, 16 stateful; 1 could not be read; 2 not as expected."
    pub fn sentence(&self, expect: bool) -> String {
        let mut summary = self.clone();
        let labels = [Label::Stateless, Label::Stateful, Label::Layered, Label::Mixed, Label::Inconclusive];
        let counts: Vec<String> = labels
            .into_iter()
            .filter_map(|l| Some(*summary.count(l)).filter(|&n| n > 0).map(|n| format!("{n} {}", l.as_str())))
            .collect();
        let plural = if self.files == 1 { "" } else { "s" };
        let mut out = format!("{} recording{plural}", self.files);
        if !counts.is_empty() {
            let _ = write!(out, ": {}", counts.join(", "));
        }
        if self.unreadable > 0 {
            let _ = write!(out, "; {} could not be read", self.unreadable);
        }
        if expect {
            let _ = write!(out, "; {} not as expected", self.failed);
        }
        if self.violated > 0 {
            let _ = write!(out, "; {} violate the policy", self.violated);
        }
        out + "."
    }
}

/// How rows are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Text,
    JsonLines,
    Markdown,
}

/// Draws rows one at a time: `header`, then `row` for each, then `footer`.
#[derive(Debug, Clone)]
pub struct Table {
    style: Style,
    /// Width of the file column (text).
    width: usize,
    /// An expected verdict was given: rows say whether theirs is it.
    expect: bool,
    /// A policy was given: rows say its result.
    policy: bool,
}

impl Table {
    pub fn new(style: Style, files: &[String], expect: bool) -> Table {
        let width = files.iter().map(|f| f.chars().count()).max().unwrap_or(0).max(4);
        Table { style, width, expect, policy: false }
    }

    /// Rows say the policy's result too.
    pub fn with_policy(self, policy: bool) -> Table {
        Table { policy, ..self }
    }

    pub fn header(&self) -> String {
        let expect = if self.expect { "expected" } else { "" };
        match self.style {
            Style::JsonLines => String::new(),
            Style::Text => {
                let policy = if self.policy { "POLICY" } else { "" };
                self.line(["FILE", "VERDICT", "CONFIDENCE", "CALLS", "STATE", &expect.to_uppercase(), policy])
            }
            Style::Markdown => {
                let mut head = vec!["file", "verdict", "confidence", "calls", "state"];
                head.extend(self.expect.then_some(expect));
                head.extend(self.policy.then_some("policy"));
                format!("| {} |\n|{}", head.join(" | "), "---|".repeat(head.len()))
            }
        }
    }

    pub fn row(&self, row: &Row) -> String {
        let v = match (&row.outcome, self.style) {
            (_, Style::JsonLines) => return serde_json::to_string(row).unwrap_or_default(),
            (Outcome::Unreadable { error }, Style::Text) => {
                return format!("{:<w$}  error: {}", row.file, one_line(&error.to_string()), w = self.width)
            }
            (Outcome::Unreadable { error }, _) => {
                let rest = " | |".repeat(usize::from(self.expect) + usize::from(self.policy));
                return format!("| `{}` | **error** | {} | | |{rest}", cell(&row.file), cell(&error.to_string()));
            }
            (Outcome::Analysed(v), _) => v,
        };
        let state: Vec<&str> = v.state.iter().map(|k| k.as_str()).collect();
        let state = if state.is_empty() { "-".to_string() } else { state.join(", ") };
        let confidence = format!("{} {}", super::words::two_decimals(v.confidence), name(&v.level));
        let expected = match v.expected {
            Some(true) => "yes",
            Some(false) => "NO",
            None => "",
        };
        let calls = v.calls.to_string();
        let policy = v.policy.map(super::policy_text::status_name).unwrap_or_default();
        if self.style == Style::Text {
            return self.line([&row.file, v.verdict.as_str(), &confidence, &calls, &state, expected, &policy]);
        }
        let mut rest = if self.expect { format!(" {expected} |") } else { String::new() };
        if self.policy {
            let _ = write!(rest, " {policy} |");
        }
        format!("| `{}` | {} | {confidence} | {calls} | {state} |{rest}", cell(&row.file), v.verdict.as_str())
    }

    /// One line of the text table.
    fn line(&self, [file, verdict, confidence, calls, state, expected, policy]: [&str; 7]) -> String {
        let expected = if self.expect && self.policy { format!("{expected:<8}  ") } else { expected.to_string() };
        let line = format!(
            "{file:<w$}  {verdict:<12}  {confidence:<11}  {calls:>5}  {state:<32}  {expected}{policy}",
            w = self.width
        );
        line.trim_end().to_string()
    }

    pub fn footer(&self, summary: &Summary) -> String {
        match self.style {
            Style::JsonLines => {
                #[derive(Serialize)]
                struct Line<'a> {
                    summary: &'a Summary,
                }
                serde_json::to_string(&Line { summary }).unwrap_or_default()
            }
            Style::Text => summary.sentence(self.expect),
            Style::Markdown => format!("\n{}", summary.sentence(self.expect)),
        }
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{analyze_bytes, ErrorKind, Options};

    const STATELESS: &[u8] = include_bytes!("../../tests/corpus/oai-chat-tool-calls.yaml");

    fn rows() -> Vec<Row> {
        let report = analyze_bytes("a.yaml", STATELESS, &Options::default());
        let bad = Err(Error::malformed("The input ends inside an object.").in_input("b.har"));
        vec![Row::new("a.yaml", report, Some("stateful")), Row::new("b.har", bad, Some("stateful"))]
    }

    #[test]
    fn rows_say_the_verdict_or_the_error_and_the_summary_counts_them() {
        let rows = rows();
        assert!(rows[0].failed() && !rows[1].failed());
        let mut summary = Summary::default();
        rows.iter().for_each(|r| summary.add(r));
        assert_eq!(summary.sentence(true), "2 recordings: 1 stateless; 1 could not be read; 1 not as expected.");
        let table = Table::new(Style::Text, &["a.yaml".into(), "b.har".into()], true);
        assert!(table.header().starts_with("FILE    VERDICT"), "{}", table.header());
        let line = table.row(&rows[0]);
        assert!(line.starts_with("a.yaml  stateless") && line.ends_with("NO"), "{line}");
        assert_eq!(table.row(&rows[1]), "b.har   error: The input ends inside an object. (b.har)");
    }

    #[test]
    fn json_lines_and_markdown() {
        let rows = rows();
        let table = Table::new(Style::JsonLines, &[], true);
        let first: serde_json::Value = serde_json::from_str(&table.row(&rows[0])).unwrap();
        assert_eq!(first["file"], "a.yaml");
        assert_eq!(first["verdict"], "stateless");
        assert_eq!(first["expected"], false);
        let second: serde_json::Value = serde_json::from_str(&table.row(&rows[1])).unwrap();
        assert_eq!(second["error"]["kind"], serde_json::to_value(ErrorKind::Malformed).unwrap());
        let markdown = Table::new(Style::Markdown, &[], false);
        assert_eq!(markdown.header(), "| file | verdict | confidence | calls | state |\n|---|---|---|---|---|");
        assert!(markdown.row(&rows[0]).starts_with("| `a.yaml` | stateless | "), "{}", markdown.row(&rows[0]));
    }
}
