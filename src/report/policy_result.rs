//! What a policy check gives: the report carries it and every renderer shows it, so it lives
//! with the report (the policy module, which reads reports, produces it).

use crate::signals::retention::RetentionKind;
use crate::signals::{StateKind, Strength};
use schemars::JsonSchema;
use serde::Serialize;

/// The result of a policy: `violated` when a rule is, else `warning` when a rule warns, else
/// `holds` (`not_applicable` when no rule applies).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PolicyResult {
    pub name: Option<String>,
    pub status: Status,
    pub rules: Vec<RuleResult>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    NotApplicable,
    Holds,
    Warning,
    Violated,
}

/// One rule's result.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RuleResult {
    pub name: String,
    /// The rule's type, as the policy gives it (`stateless`, `no-retention`…).
    #[serde(rename = "type")]
    pub rule_type: String,
    pub description: Option<String>,
    pub status: Status,
    /// The calls (from 1) that decide it: those that break it, or those it was checked on.
    pub calls: Vec<usize>,
    /// The evidence ids that decide it.
    pub evidence: Vec<String>,
    /// One per call that breaks the rule (or, for `evidence-strength`, rests on weaker evidence).
    pub findings: Vec<Finding>,
}

/// A call that breaks a rule, and what about it does.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Finding {
    /// Call index (from 1).
    pub call: usize,
    pub host: Option<String>,
    pub family: Option<String>,
    /// The kinds of server-kept state the rule objects to.
    pub state: Vec<StateKind>,
    pub evidence: Vec<String>,
    /// What the call asks the server to retain, and where (`no-retention`).
    pub retention: Option<RetentionKind>,
    pub at: Option<String>,
    /// The request did not say; the API retains unless told not to.
    pub by_default: bool,
    /// The strongest evidence for the call's state (`evidence-strength`).
    pub strength: Option<Strength>,
}
