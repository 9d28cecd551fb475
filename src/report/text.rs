//! The report for a CI log: the verdict first, then the evidence that decides it, one line each.

use super::{wire_name as name, Report};
use std::fmt::Write;

pub fn to_text(report: &Report) -> String {
    let mut out = String::new();
    let v = &report.verdict;
    let s = &report.summary;
    let inputs: Vec<String> = report.inputs.iter().map(|i| format!("{} ({})", i.name, name(&i.format))).collect();
    let _ = writeln!(
        out,
        "verdict: {} (confidence {}, {}) — {} calls: {} stateful, {} stateless, {} resource-dependent; {} session(s) — {}",
        v.label.as_str(),
        super::words::two_decimals(v.confidence),
        name(&v.level),
        s.calls,
        s.stateful,
        s.stateless,
        s.resource_dependent,
        s.sessions,
        inputs.join(", ")
    );
    let _ = writeln!(out, "{}", v.explanation);
    let deciding: Vec<&super::EvidenceReport> =
        v.evidence.iter().filter_map(|id| report.evidence.iter().find(|e| &e.id == id)).collect();
    if !deciding.is_empty() {
        let _ = writeln!(out, "deciding evidence:");
        for e in deciding {
            let places: Vec<String> = e.places.iter().map(|p| format!("call {}: {}", p.call, p.at)).collect();
            let _ = writeln!(
                out,
                "  {} {} {} [{}] {}",
                e.id,
                name(&e.signal),
                e.state.map(|k| k.as_str()).unwrap_or("-"),
                name(&e.strength),
                places.join("; ")
            );
        }
    }
    if let Some(policy) = &report.policy {
        let name = policy.name.as_deref().map(|n| format!(" ({n})")).unwrap_or_default();
        let _ = writeln!(out, "policy{name}: {}", super::policy_text::status_name(policy.status));
        for rule in &policy.rules {
            let _ = writeln!(out, "  {}", super::policy_text::rule_line(rule));
        }
    }
    for d in &report.diagnostics {
        let _ = writeln!(out, "{}: {}", name(&d.severity), d.message);
    }
    out
}
