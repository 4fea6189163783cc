//! `nines lint`: design-review rules over a validated model. Each finding names its rule, its
//! severity, the line of the model it is about and a hint for the fix.
//!
//! The rules that talk about probabilities (an SLO's ceiling, the extra nine) read exact
//! results; the rules about single points of failure read [`Structure::single_points`], or for
//! N004 the basic events that alone take a component down (those `explain` lists), both exact for
//! the monotone gates the structure is made of. Nothing here samples.
//!
//! A component's `lint: { allow: [...] }` drops the findings about it; [`lint_ignoring_allows`]
//! gives everything.
//!
//! [`Structure::single_points`]: crate::structure::Structure::single_points

mod rules;

use serde::Serialize;

use crate::exact::EngineError;
use crate::model::Model;
use crate::system::System;

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The model promises something it cannot keep: always fails `lint`.
    Error,
    /// A design weakness a review should look at: fails `lint --deny warnings`.
    Warning,
}

impl Severity {
    /// The severity in lower case, as the outputs write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A lint rule: a stable id for CI configuration, a readable name, its severity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// The stable id CI configuration names it by: `N001`…
    pub id: &'static str,
    /// Its readable name: `unattainable-slo`…
    pub name: &'static str,
    /// How serious its findings are.
    pub severity: Severity,
    /// One sentence: what the rule looks for.
    pub summary: &'static str,
}

/// N001: an slo above what the component's dependencies allow, even with its own replicas perfect.
pub const UNATTAINABLE_SLO: Rule = Rule {
    id: "N001",
    name: "unattainable-slo",
    severity: Severity::Error,
    summary: "an slo above what the component's dependencies allow, even with its own replicas perfect",
};
/// N002: a hard dependency of a component with an slo has fewer nines than the slo plus one.
pub const EXTRA_NINE: Rule = Rule {
    id: "N002",
    name: "extra-nine",
    severity: Severity::Warning,
    summary: "a hard dependency of a component with an slo has fewer nines than the slo plus one",
};
/// N003: a call to a component that can hang, without a timeout shorter than the caller's deadline
/// or a breaker.
pub const FAIL_OPEN_WITHOUT_TIMEOUT: Rule = Rule {
    id: "N003",
    name: "fail-open-without-timeout",
    severity: Severity::Warning,
    summary: "a call to a component that can hang, without a `timeout` shorter than the caller's `deadline` or a `breaker`: the hang climbs to the caller whatever on_failure says; the finding gives the downtime a year protecting it saves",
};
/// N004: one component failure or one domain outage alone takes a component with an slo down.
pub const SINGLE_POINT_OF_FAILURE: Rule = Rule {
    id: "N004",
    name: "single-point-of-failure",
    severity: Severity::Warning,
    summary: "one component failure or one domain outage alone takes a component with an slo down",
};
/// N005: one domain of a component's spread holds so many of its replicas that its outage alone
/// takes the component down.
pub const REPLICAS_SHARE_DOMAIN: Rule = Rule {
    id: "N005",
    name: "replicas-share-domain",
    severity: Severity::Warning,
    summary: "one domain of a component's spread holds so many of its replicas that its outage alone takes the component down",
};
/// N006: a component with several replicas and no `spread`, assumed never to fail together.
pub const REPLICAS_WITHOUT_DOMAIN: Rule = Rule {
    id: "N006",
    name: "replicas-without-domain",
    severity: Severity::Warning,
    summary: "a component with several replicas and no `spread`: they are assumed never to fail together",
};
/// N007: a redundant group whose members share a dependency or a domain that alone takes the group
/// down.
pub const GROUP_SHARES_FAILURE: Rule = Rule {
    id: "N007",
    name: "group-shares-failure",
    severity: Severity::Warning,
    summary: "a redundant group whose members share a dependency or a domain that alone takes the group down",
};
/// N008: a fallback that is down whenever the dependency it stands in for is down.
pub const FALLBACK_FAILS_WITH_TARGET: Rule = Rule {
    id: "N008",
    name: "fallback-fails-with-target",
    severity: Severity::Error,
    summary: "a fallback that is down whenever the dependency it stands in for is down (the same component, or one that depends on it)",
};

/// Every rule, by id.
pub const RULES: &[Rule] = &[
    UNATTAINABLE_SLO,
    EXTRA_NINE,
    FAIL_OPEN_WITHOUT_TIMEOUT,
    SINGLE_POINT_OF_FAILURE,
    REPLICAS_SHARE_DOMAIN,
    REPLICAS_WITHOUT_DOMAIN,
    GROUP_SHARES_FAILURE,
    FALLBACK_FAILS_WITH_TARGET,
];

/// A rule by id (`N004`) or name (`single-point-of-failure`), case-insensitive.
pub fn find_rule(text: &str) -> Option<Rule> {
    RULES
        .iter()
        .find(|r| r.id.eq_ignore_ascii_case(text) || r.name.eq_ignore_ascii_case(text))
        .copied()
}

/// What a rule found in a model: where, and what to do about it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    /// The rule's id, `N001`…
    pub rule: &'static str,
    /// The rule's name, `unattainable-slo`…
    pub name: &'static str,
    /// How serious it is.
    pub severity: Severity,
    /// The line in the model file the finding is about (1-based; 0 when unknown).
    pub line: usize,
    /// The component or domain the finding is placed at.
    pub subject: String,
    /// What was found, one sentence.
    pub message: String,
    /// How to fix it.
    pub hint: String,
    /// The components with an slo it takes down (single points of failure only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<String>,
}

impl Finding {
    fn new(rule: Rule, line: usize, subject: &str, message: String, hint: String) -> Finding {
        Finding {
            rule: rule.id,
            name: rule.name,
            severity: rule.severity,
            line,
            subject: subject.to_string(),
            message,
            hint,
            components: Vec::new(),
        }
    }
}

/// Every finding of every rule on a model, by line, then rule, except those the model allows
/// where they stand (`lint: { allow: [...] }` on a component).
pub fn lint(model: &Model, system: &System) -> Result<Vec<Finding>, EngineError> {
    sorted(rules::run(model, system, true)?)
}

/// Every finding, allowed or not: what the model would be told without its `lint:` keys.
pub fn lint_ignoring_allows(model: &Model, system: &System) -> Result<Vec<Finding>, EngineError> {
    sorted(rules::run(model, system, false)?)
}

fn sorted(mut findings: Vec<Finding>) -> Result<Vec<Finding>, EngineError> {
    findings.sort_by(|a, b| {
        (a.line, a.rule, &a.subject, &a.message).cmp(&(b.line, b.rule, &b.subject, &b.message))
    });
    Ok(findings)
}
