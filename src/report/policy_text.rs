//! A policy's result in words, for the text and Markdown renderings and the CLI's messages.

use super::policy_result::{Finding, PolicyResult, RuleResult, Status};
use super::wire_name;
use std::fmt::Write;

/// `holds`, `violated`, `warning`, `not applicable`.
pub fn status_name(status: Status) -> String {
    wire_name(&status).replace('_', " ")
}

/// One line per rule: its name, status, and what decides it.
pub fn rule_line(rule: &RuleResult) -> String {
    let mut line = format!("{}: {} ({})", rule.name, status_name(rule.status), rule.rule_type);
    match rule.status {
        Status::NotApplicable => line.push_str(" — no call it is about"),
        Status::Holds => {
            let _ = write!(line, " — calls {}", numbers(&rule.calls));
            if !rule.evidence.is_empty() {
                let _ = write!(line, "; evidence {}", rule.evidence.join(", "));
            }
        }
        Status::Violated | Status::Warning => {
            const SHOWN: usize = 4;
            let mut findings: Vec<String> =
                rule.findings.iter().take(SHOWN).map(|f| finding(&rule.rule_type, f)).collect();
            if rule.findings.len() > SHOWN {
                findings.push(format!("and calls {}", numbers(&rule.calls[SHOWN..])));
            }
            let _ = write!(line, " — {}", findings.join("; "));
        }
    }
    line
}

/// Why one call breaks a rule, in words.
pub fn finding(rule_type: &str, f: &Finding) -> String {
    let mut out = format!("call {}", f.call);
    let place = match (&f.family, &f.host) {
        (Some(family), Some(host)) => format!(" ({family} at {host})"),
        (Some(one), None) | (None, Some(one)) => format!(" ({one})"),
        (None, None) => String::new(),
    };
    out.push_str(&place);
    let kinds: Vec<&str> = f.state.iter().map(|k| k.as_str()).collect();
    let _ = match rule_type {
        "no-retention" => write!(
            out,
            " asks the server to retain conversation data ({} at {}{})",
            f.retention.map(|r| wire_name(&r).replace('_', " ")).unwrap_or_default(),
            f.at.as_deref().unwrap_or("?"),
            if f.by_default { ", by default" } else { "" }
        ),
        "stateless-only-at" => write!(out, " is a stateless model call elsewhere"),
        "evidence-strength" => write!(
            out,
            "'s {} state rests on {} evidence only",
            kinds.join(", "),
            f.strength.map(|s| wire_name(&s)).unwrap_or_default()
        ),
        _ => write!(out, " depends on server-kept {} state", kinds.join(", ")),
    };
    if !f.evidence.is_empty() {
        let _ = write!(out, " [{}]", f.evidence.join(", "));
    }
    out
}

/// The first rule that is violated, as the reason a check failed.
pub fn failure(result: &PolicyResult) -> Option<String> {
    let violated: Vec<String> = result.rules.iter().filter(|r| r.status == Status::Violated).map(rule_line).collect();
    (!violated.is_empty()).then(|| violated.join("\n  "))
}

fn numbers(calls: &[usize]) -> String {
    const SHOWN: usize = 12;
    let mut shown: Vec<String> = calls.iter().take(SHOWN).map(usize::to_string).collect();
    if calls.len() > SHOWN {
        shown.push(format!("… ({} in all)", calls.len()));
    }
    shown.join(", ")
}
