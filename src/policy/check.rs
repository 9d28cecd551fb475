//! A policy checked against a report: for each rule, whether it holds, is violated, warns or does
//! not apply, and the calls and evidence that decide it.

use super::{Policy, Rule, Scope};
use crate::classify::Mode;
use crate::report::policy_result::{Finding, PolicyResult, RuleResult, Status};
use crate::report::{CallReport, Layer, Report};
use crate::signals::{Rules, StateKind, Strength};

pub(crate) use crate::signals::declared::glob;

/// APIs the fingerprint table gives a default mode to that are not model APIs.
const NOT_MODEL: &[&str] = &[
    "langgraph.stateless_runs",
    "bedrock.knowledge_bases.retrieve",
    "gemini.file_search_stores",
    "bedrock.agentcore.runtime_ws",
];
/// Model APIs that keep the conversation and so have no default mode in the table.
const MODEL: &[&str] = &[
    "openai.assistants.runs",
    "openai.assistants.threads",
    "azure.assistants",
    "openai.realtime.calls",
    "azure.realtime.calls",
];

pub fn check(policy: &Policy, report: &Report, table: &Rules) -> PolicyResult {
    let facts = Facts { report, table };
    let rules: Vec<RuleResult> = policy.rules.iter().map(|rule| facts.rule(rule)).collect();
    let status = rules.iter().map(|r| r.status).max().unwrap_or(Status::NotApplicable);
    PolicyResult { name: policy.name.clone(), status, rules }
}

struct Facts<'a> {
    report: &'a Report,
    table: &'a Rules,
}

impl Facts<'_> {
    fn rule(&self, rule: &Rule) -> RuleResult {
        let calls = &self.report.calls;
        let (subjects, findings, warn): (Vec<&CallReport>, Vec<Finding>, bool) = match rule {
            Rule::Stateless { scope, kinds, .. } => {
                let subjects: Vec<_> = calls.iter().filter(|c| *scope == Scope::All || self.is_model(c)).collect();
                let findings = subjects.iter().filter_map(|c| self.stateful_in(c, kinds)).collect();
                (subjects, findings, false)
            }
            Rule::StatelessOnlyAt { hosts, families, .. } => {
                let subjects: Vec<_> = calls.iter().filter(|c| self.is_model(c) && c.mode != Mode::Stateful).collect();
                let findings = subjects.iter().filter(|c| !at(c, hosts, families)).map(|c| self.finding(c)).collect();
                (subjects, findings, false)
            }
            Rule::StateOnlyAt { kinds, hosts, families, .. } => {
                let subjects: Vec<_> = calls.iter().filter(|c| c.state.iter().any(|k| kinds.contains(k))).collect();
                let findings = subjects
                    .iter()
                    .filter(|c| !at(c, hosts, families))
                    .filter_map(|c| self.stateful_in(c, kinds))
                    .collect();
                (subjects, findings, false)
            }
            Rule::NoRetention { .. } => (calls.iter().collect(), self.retained(), false),
            Rule::EvidenceStrength { at_least, .. } => {
                let subjects: Vec<_> = calls.iter().filter(|c| !c.state.is_empty()).collect();
                let findings = subjects.iter().filter_map(|c| self.weaker(c, *at_least)).collect();
                (subjects, findings, true)
            }
        };
        let status = match (subjects.is_empty(), findings.is_empty(), warn) {
            (true, _, _) => Status::NotApplicable,
            (false, true, _) => Status::Holds,
            (false, false, true) => Status::Warning,
            (false, false, false) => Status::Violated,
        };
        self.result(rule, status, &subjects, findings)
    }

    fn result(&self, rule: &Rule, status: Status, subjects: &[&CallReport], findings: Vec<Finding>) -> RuleResult {
        let (calls, mut evidence): (Vec<usize>, Vec<String>) = if findings.is_empty() {
            let evidence = subjects.iter().flat_map(|c| self.support(rule, c)).collect();
            (subjects.iter().map(|c| c.index).collect(), evidence)
        } else {
            (
                findings.iter().map(|f| f.call).collect(),
                findings.iter().flat_map(|f| f.evidence.iter().cloned()).collect(),
            )
        };
        // Evidence ids in report order (E2 before E10), once each.
        crate::sort::sort_by_key(&mut evidence, |id| id[1..].parse::<usize>().unwrap_or(usize::MAX));
        evidence.dedup();
        RuleResult {
            name: rule.name().to_string(),
            rule_type: rule.type_name().to_string(),
            description: rule.description().map(str::to_string),
            status,
            calls,
            evidence,
            findings,
        }
    }

    /// The evidence that shows a call keeps a rule: the replays that show it stateless, or the
    /// evidence its state rests on; none where the rule is about where calls go or what they ask.
    fn support<'r>(&'r self, rule: &Rule, call: &'r CallReport) -> Vec<String> {
        let report = self.report;
        let found = call.evidence.iter().filter_map(move |id| report.evidence.iter().find(|e| &e.id == id));
        match rule {
            Rule::Stateless { .. } => {
                found.filter(|e| e.signal == crate::signals::Signal::ContextReplay).map(|e| e.id.clone()).collect()
            }
            Rule::EvidenceStrength { .. } | Rule::StateOnlyAt { .. } => {
                self.state_evidence(call).map(|e| e.id.clone()).collect()
            }
            _ => Vec::new(),
        }
    }

    /// A model call: to an API the fingerprint table knows as a model API, or beneath a runtime
    /// in a layered trace.
    fn is_model(&self, call: &CallReport) -> bool {
        if call.layer == Some(Layer::Lower) {
            return true;
        }
        let Some(api) = &call.api else { return false };
        let Some(fp) = self.table.fingerprints().iter().find(|fp| fp.id == api.id) else { return false };
        let id = fp.id.as_str();
        MODEL.contains(&id) || (fp.default_mode().is_some() && !NOT_MODEL.contains(&id))
    }

    fn finding(&self, call: &CallReport) -> Finding {
        Finding {
            call: call.index,
            host: host(call).map(str::to_string),
            family: call.api.as_ref().map(|a| a.family.clone()),
            state: Vec::new(),
            evidence: Vec::new(),
            retention: None,
            at: None,
            by_default: false,
            strength: None,
        }
    }

    /// The call depends on state of these kinds: a finding with the evidence that shows it.
    fn stateful_in(&self, call: &CallReport, kinds: &[StateKind]) -> Option<Finding> {
        let state: Vec<StateKind> = call.state.iter().copied().filter(|k| kinds.contains(k)).collect();
        if state.is_empty() {
            return None;
        }
        let evidence = self.state_evidence(call).filter(|e| e.state.is_some_and(|k| state.contains(&k)));
        let evidence = evidence.map(|e| e.id.clone()).collect();
        Some(Finding { state, evidence, ..self.finding(call) })
    }

    /// The call's evidence that shows a kind of state it depends on.
    fn state_evidence<'r>(&'r self, call: &'r CallReport) -> impl Iterator<Item = &'r crate::report::EvidenceReport> {
        let report = self.report;
        call.evidence
            .iter()
            .filter_map(move |id| report.evidence.iter().find(|e| &e.id == id))
            .filter(|e| e.state.is_some_and(|k| call.state.contains(&k)))
    }

    fn retained(&self) -> Vec<Finding> {
        let calls = &self.report.calls;
        let retention = self.report.retention.iter();
        retention
            .filter_map(|r| {
                let call = calls.get(r.call.checked_sub(1)?)?;
                Some(Finding {
                    retention: Some(r.kind),
                    at: Some(r.at.clone()),
                    by_default: r.by_default,
                    ..self.finding(call)
                })
            })
            .collect()
    }

    /// The call's state rests only on evidence weaker than `at_least`.
    fn weaker(&self, call: &CallReport, at_least: Strength) -> Option<Finding> {
        let strongest = self.state_evidence(call).map(|e| e.strength).max()?;
        if strongest >= at_least {
            return None;
        }
        let evidence = self.state_evidence(call).map(|e| e.id.clone()).collect();
        Some(Finding { state: call.state.clone(), evidence, strength: Some(strongest), ..self.finding(call) })
    }
}

/// The call's host name, from the report's URL.
fn host(call: &CallReport) -> Option<&str> {
    let rest = call.url.split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit('@').next()?;
    let host = if host.starts_with('[') { host } else { host.split(':').next()? };
    (!host.is_empty()).then_some(host)
}

/// Whether the call is at one of the hosts or one of the families.
fn at(call: &CallReport, hosts: &[String], families: &[String]) -> bool {
    let host_ok = host(call).is_some_and(|h| hosts.iter().any(|p| glob(p, h)));
    let family_ok = call.api.as_ref().is_some_and(|a| families.iter().any(|p| glob(p, &a.family)));
    host_ok || family_ok
}
