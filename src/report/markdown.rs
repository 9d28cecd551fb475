//! The report for people: verdict first, then the deciding evidence, sessions and calls.

use super::{wire_name as mode_name, Report};
use std::fmt::Write;

/// Markdown-safe text: pipes and backticks in trace-derived strings must not break tables.
pub(super) fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

pub fn to_markdown(report: &Report) -> String {
    let mut out = String::new();
    let v = &report.verdict;
    let _ = writeln!(out, "# callstate report\n");
    let _ = writeln!(
        out,
        "**Verdict: {}** (confidence {}, {})\n",
        v.label.as_str(),
        super::words::two_decimals(v.confidence),
        mode_name(&v.level)
    );
    let _ = writeln!(out, "{}\n", v.explanation);
    let inputs: Vec<String> =
        report.inputs.iter().map(|i| format!("`{}` ({}, {} calls)", i.name, mode_name(&i.format), i.calls)).collect();
    let _ = writeln!(
        out,
        "Inputs: {}. Schema `{}`, {} {}.\n",
        inputs.join(", "),
        report.schema,
        report.tool.name,
        report.tool.version
    );
    let s = &report.summary;
    let _ = writeln!(
        out,
        "{} calls: {} stateful, {} stateless, {} resource-dependent; {} session(s).\n",
        s.calls, s.stateful, s.stateless, s.resource_dependent, s.sessions
    );
    policy(&mut out, report);
    evidence(&mut out, report);
    sessions(&mut out, report);
    layers_and_retention(&mut out, report);
    calls(&mut out, report);
    if !report.diagnostics.is_empty() {
        let _ = writeln!(out, "\n## Diagnostics\n");
        for d in &report.diagnostics {
            let _ = writeln!(out, "- {}: {}", mode_name(&d.severity), d.message);
        }
    }
    out
}

fn evidence(out: &mut String, report: &Report) {
    if !report.evidence.is_empty() {
        let _ = writeln!(out, "## Evidence\n");
        let _ = writeln!(out, "| id | signal | state | strength | calls | places | explanation |");
        let _ = writeln!(out, "|---|---|---|---|---|---|---|");
        for e in &report.evidence {
            let calls: Vec<String> = e.calls.iter().map(usize::to_string).collect();
            let places: Vec<String> = e.places.iter().map(|p| format!("{}: `{}`", p.call, cell(&p.at))).collect();
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} |",
                e.id,
                mode_name(&e.signal),
                e.state.map(|k| k.as_str()).unwrap_or("—"),
                mode_name(&e.strength),
                calls.join(", "),
                places.join("<br>"),
                cell(&e.message)
            );
        }
        out.push('\n');
    }
}

fn sessions(out: &mut String, report: &Report) {
    if !report.sessions.is_empty() {
        let _ = writeln!(out, "## Sessions\n");
        for session in &report.sessions {
            let calls: Vec<String> = session.calls.iter().map(usize::to_string).collect();
            let kinds: Vec<&str> = session.state.iter().map(|k| k.as_str()).collect();
            let handles: Vec<String> =
                session.handles.iter().map(|h| format!("`{}` ({})", h.handle, h.evidence)).collect();
            let _ = writeln!(
                out,
                "- **{}** {}: calls {}{}{}",
                session.id,
                mode_name(&session.mode),
                calls.join(", "),
                if kinds.is_empty() { String::new() } else { format!("; state: {}", kinds.join(", ")) },
                if handles.is_empty() { String::new() } else { format!("; handles: {}", handles.join(", ")) }
            );
        }
        out.push('\n');
    }
}

fn layers_and_retention(out: &mut String, report: &Report) {
    if let Some(layers) = &report.layers {
        let _ = writeln!(out, "## Layers\n");
        let list = |calls: &[usize]| calls.iter().map(usize::to_string).collect::<Vec<_>>().join(", ");
        let _ = writeln!(out, "- upper layer: calls {}", list(&layers.upper));
        let _ = writeln!(out, "- lower layer (model calls made on its behalf): calls {}", list(&layers.lower));
        let _ = writeln!(out, "- the layer that keeps state: {}\n", mode_name(&layers.stateful));
    }
    if !report.retention.is_empty() {
        let _ = writeln!(out, "## Retention\n");
        for r in &report.retention {
            let default = if r.by_default { " (by default: the request did not say)" } else { "" };
            let _ = writeln!(
                out,
                "- call {}: {} at `{}`{default}",
                r.call,
                mode_name(&r.kind).replace('_', " "),
                cell(&r.at)
            );
        }
        out.push('\n');
    }
}

fn calls(out: &mut String, report: &Report) {
    let _ = writeln!(out, "## Calls\n");
    let _ = writeln!(out, "| # | request | status | API | mode | state | session | parent | evidence |");
    let _ = writeln!(out, "|---|---|---|---|---|---|---|---|---|");
    for c in &report.calls {
        let kinds: Vec<&str> = c.state.iter().map(|k| k.as_str()).collect();
        let request = match (&c.span, c.url.is_empty()) {
            (Some(span), true) => format!(
                "span `{}`{}",
                cell(&span.name),
                span.operation.as_deref().map(|o| format!(" ({o})")).unwrap_or_default()
            ),
            _ => format!("{} {}", cell(&c.method), cell(&c.url)),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            c.index,
            request.trim(),
            c.status.filter(|&s| s != 0).map(|s| s.to_string()).unwrap_or_else(|| "—".into()),
            c.api.as_ref().map(|a| cell(&a.family)).unwrap_or_else(|| "—".into()),
            mode_name(&c.mode),
            if kinds.is_empty() { "—".into() } else { kinds.join(", ") },
            c.session.as_deref().unwrap_or("—"),
            c.parent.map(|p| format!("{p} ({})", mode_name(&c.linked_by))).unwrap_or_else(|| "—".into()),
            c.evidence.join(", ")
        );
    }
}

/// The policy's result, one line per rule, when the analysis was given one.
fn policy(out: &mut String, report: &Report) {
    let Some(result) = &report.policy else { return };
    let title = result.name.as_deref().map(|n| format!(": {}", cell(n))).unwrap_or_default();
    let _ = writeln!(out, "## Policy{title}\n");
    let _ = writeln!(out, "**{}**\n", super::policy_text::status_name(result.status));
    for rule in &result.rules {
        let _ = writeln!(out, "- {}", cell(&super::policy_text::rule_line(rule)));
    }
    out.push('\n');
}
