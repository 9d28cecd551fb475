//! Policy: a contract's terms as named rules over what the report knows (each call's layer,
//! mode, kinds of state, API family and host, what it asks the server to retain, and the
//! strength of the evidence), checked against a report. The result is data; sentences are made
//! by the renderers.

mod check;
mod tagged;

pub use crate::report::policy_result::{Finding, PolicyResult, RuleResult, Status};

use crate::error::{Error, ErrorKind, Location, Result};
use crate::json::de::{self, Order};
use crate::json::{Doc, Node};
use crate::signals::{Rules, StateKind, Strength};
use schemars::JsonSchema;
use serde::Deserialize;

/// A policy document (`callstate schema policy`), in JSON or YAML.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// What the policy is called (printed with its result).
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// The rules, each with a unique `name`; all must hold.
    pub rules: Vec<Rule>,
}

/// One rule. `hosts` are host name patterns (`*.openai.azure.com`: `*` matches any run of
/// characters); `families` are API family patterns (`Azure OpenAI*`), as `callstate families`
/// names them. A call is at a place when it matches one of the hosts or one of the families.
// Read with its `type` first (tagged.rs); the derive reads each variant's fields.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(remote = "Self", rename_all = "kebab-case", deny_unknown_fields)]
#[schemars(!remote, tag = "type")]
pub enum Rule {
    /// No call in scope depends on server-kept state of these kinds (by default: conversation,
    /// session, connection or sandbox state).
    Stateless {
        name: String,
        #[serde(default)]
        description: Option<String>,
        /// `model` (default): calls to model APIs and the model calls of a layered trace; `all`:
        /// every call.
        #[serde(default)]
        scope: Scope,
        #[serde(default = "stateful_kinds")]
        kinds: Vec<StateKind>,
    },
    /// Model calls that keep no server state go only to these hosts or API families.
    StatelessOnlyAt {
        name: String,
        #[serde(default)]
        description: Option<String>,
        #[serde(default)]
        hosts: Vec<String>,
        #[serde(default)]
        families: Vec<String>,
    },
    /// Calls depend on server-kept state of these kinds only at these hosts or API families
    /// (neither given: nowhere).
    StateOnlyAt {
        name: String,
        #[serde(default)]
        description: Option<String>,
        kinds: Vec<StateKind>,
        #[serde(default)]
        hosts: Vec<String>,
        #[serde(default)]
        families: Vec<String>,
    },
    /// No call asks the server to retain conversation data (a stored response, a conversation
    /// or thread created, messages added to one), whether or not a later call depends on it.
    NoRetention {
        name: String,
        #[serde(default)]
        description: Option<String>,
    },
    /// No call's state is decided by evidence weaker than this: a call whose state rests only on
    /// weaker evidence (a declared field, say) is a warning, not a pass.
    EvidenceStrength {
        name: String,
        #[serde(default)]
        description: Option<String>,
        at_least: Strength,
    },
}

/// Which calls a `stateless` rule is about.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    #[default]
    Model,
    All,
}

fn stateful_kinds() -> Vec<StateKind> {
    vec![StateKind::Conversation, StateKind::Session, StateKind::Connection, StateKind::Sandbox]
}

impl Rule {
    pub fn name(&self) -> &str {
        self.common().0
    }

    pub fn description(&self) -> Option<&str> {
        self.common().1
    }

    /// The rule's type as the policy names it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Rule::Stateless { .. } => "stateless",
            Rule::StatelessOnlyAt { .. } => "stateless-only-at",
            Rule::StateOnlyAt { .. } => "state-only-at",
            Rule::NoRetention { .. } => "no-retention",
            Rule::EvidenceStrength { .. } => "evidence-strength",
        }
    }

    fn common(&self) -> (&str, Option<&str>) {
        match self {
            Rule::Stateless { name, description, .. }
            | Rule::StatelessOnlyAt { name, description, .. }
            | Rule::StateOnlyAt { name, description, .. }
            | Rule::NoRetention { name, description }
            | Rule::EvidenceStrength { name, description, .. } => (name, description.as_deref()),
        }
    }

    /// The hosts and families a rule names, if it names any.
    fn places(&self) -> (&[String], &[String]) {
        match self {
            Rule::StatelessOnlyAt { hosts, families, .. } | Rule::StateOnlyAt { hosts, families, .. } => {
                (hosts, families)
            }
            _ => (&[], &[]),
        }
    }
}

impl Policy {
    /// A policy file's bytes (JSON, or YAML), checked against the fingerprint table in use.
    pub fn from_slice(bytes: &[u8], rules: &Rules) -> Result<Policy> {
        let text =
            std::str::from_utf8(bytes).map_err(|_| usage("The policy is not valid: it is not UTF-8 text.".into()))?;
        // Told as inputs are (so that JavaScript knows when to load the YAML module): `{` or `[`
        // first, after a byte order mark, is JSON; a list is then refused as not an object.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        if crate::formats::starts_yaml(text.as_bytes()) == Some(false) {
            // Offsets in `text` are past the byte order mark.
            let at = |offset: usize| Location::at_offset(bytes, offset + bytes.len() - text.len());
            let doc = Doc::parse(text, de::DEPTH, usize::MAX)
                .map_err(|e| usage(format!("The policy is not valid JSON: {}.", e.detail())).at(at(e.offset)))?;
            return read(doc.root(), rules).map_err(|(e, offset)| match offset {
                Some(offset) => e.at(at(offset)),
                None => e,
            });
        }
        let json = crate::formats::yaml::policy(text).map_err(usage)?;
        // The YAML parser allows one level more than a JSON document.
        let doc = Doc::parse(&json, crate::formats::MAX_DEPTH + 1, usize::MAX)
            .map_err(|e| usage(format!("The YAML module wrote invalid JSON: {}.", e.detail())))?;
        read(doc.root(), rules).map_err(|(e, _)| match yaml_location(&e.message, bytes) {
            Some(location) => e.at(location),
            None => e,
        })
    }

    /// A policy given as JSON text (the `policy` option): an object, or a string that holds the
    /// text of a policy file (whose errors then give its line and column), checked.
    pub fn from_json(text: &str, rules: &Rules) -> Result<Policy> {
        let doc = Doc::parse(text, de::DEPTH, usize::MAX)
            .map_err(|e| usage(format!("The policy is not valid JSON: {}.", e.detail())))?;
        match doc.root().as_str() {
            Some(file) => Policy::from_slice(file.as_bytes(), rules),
            None => read(doc.root(), rules).map_err(|(e, _)| e),
        }
    }

    /// Checks the policy against a report; `rules` is the fingerprint table the report was made with.
    pub fn check(&self, report: &crate::report::Report, rules: &Rules) -> PolicyResult {
        check::check(self, report, rules)
    }

    fn validate(&self, table: &Rules) -> Result<()> {
        if self.rules.is_empty() {
            return Err(usage("The policy is not valid: `rules` is empty.".into()));
        }
        for (i, rule) in self.rules.iter().enumerate() {
            let at = |field: &str, problem: String| {
                usage(format!("Policy rule `{}` (rules[{i}]), field `{field}`: {problem}", rule.name()))
            };
            if rule.name().trim().is_empty() {
                return Err(at("name", "a rule needs a name.".into()));
            }
            if self.rules[..i].iter().any(|r| r.name() == rule.name()) {
                return Err(at("name", "another rule has this name.".into()));
            }
            validate_rule(rule, table, at)?;
        }
        Ok(())
    }
}

fn usage(message: String) -> Error {
    Error::new(ErrorKind::Usage, message)
}

// A policy in JSON nests as deep as the readers' documents.
const _: () = assert!(de::DEPTH == crate::formats::MAX_DEPTH);

/// A policy document's root, checked: or the error, with the offset in the document of the
/// node it is about where it is about one.
fn read(root: Node, rules: &Rules) -> std::result::Result<Policy, (Error, Option<usize>)> {
    if !root.is_object() {
        return Err((usage("The policy is not valid: it must be an object with `rules`.".into()), Some(root.offset())));
    }
    let rules_member = root.get("rules");
    let Some(items) = rules_member.filter(Node::is_list) else {
        let at = rules_member.unwrap_or(root).offset();
        return Err((usage("The policy is not valid: it has no `rules` list.".into()), Some(at)));
    };
    // Members in key order, a repeated key once (last): as the policy's tree was read. The head
    // is read with no rules: each rule is read on its own, for an error that names it.
    let head = Policy::deserialize(de::Deserializer::new(root, Order::Keys).emptying("rules"))
        .map_err(|e| (usage(format!("The policy is not valid: {}.", e.message)), e.offset))?;
    let rules_read =
        items.items().enumerate().map(|(i, item)| read_rule(i, item)).collect::<std::result::Result<_, _>>()?;
    let policy = Policy { rules: rules_read, ..head };
    policy.validate(rules).map_err(|e| (e, None))?;
    Ok(policy)
}

/// Where in a YAML policy an error points: the unknown field it names (the JSON the YAML
/// module wrote has no offsets in the YAML).
fn yaml_location(message: &str, bytes: &[u8]) -> Option<Location> {
    let field = message.split("unknown field `").nth(1).and_then(|rest| rest.split('`').next())?;
    let at = memchr::memmem::find(bytes, format!("{field}:").as_bytes())?;
    Some(Location::at_offset(bytes, at))
}

/// One rule of the `rules` list, with an error that names it and the field.
fn read_rule(index: usize, item: Node) -> std::result::Result<Rule, (Error, Option<usize>)> {
    let name =
        item.get("name").and_then(|name| name.as_str()).map_or_else(|| format!("#{}", index + 1), str::to_string);
    tagged::read(item, Order::Keys).map_err(|e| {
        let message = &e.message;
        let problem =
            message.strip_prefix("unknown variant").map_or(message.clone(), |rest| format!("unknown rule type{rest}"));
        (usage(format!("Policy rule `{name}` (rules[{index}]): {problem}.")), e.offset)
    })
}

/// What a rule needs beyond its shape: something to check, and patterns that can match.
fn validate_rule(rule: &Rule, table: &Rules, at: impl Fn(&str, String) -> Error) -> Result<()> {
    let (hosts, families) = rule.places();
    match rule {
        Rule::Stateless { kinds, .. } | Rule::StateOnlyAt { kinds, .. } if kinds.is_empty() => {
            return Err(at("kinds", "no kinds of state are named, so the rule could never be violated.".into()));
        }
        Rule::StatelessOnlyAt { .. } if hosts.is_empty() && families.is_empty() => {
            return Err(at("hosts", "name the `hosts` or the `families` where stateless model calls may go.".into()));
        }
        _ => {}
    }
    for host in hosts {
        if host.is_empty() || host.contains(|c: char| !(c.is_ascii_alphanumeric() || "-.*_".contains(c))) {
            return Err(at(
                "hosts",
                format!("`{host}` cannot match a host: give a host name pattern such as `*.openai.azure.com`, without scheme, port or path."),
            ));
        }
    }
    for family in families {
        if !table.fingerprints().iter().any(|fp| check::glob(family, &fp.family)) {
            return Err(at(
                "families",
                format!("`{family}` matches no API family (`callstate families` lists them; `*` matches any run of characters)."),
            ));
        }
    }
    Ok(())
}
