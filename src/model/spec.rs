//! The model file as written: serde types for YAML, TOML and JSON alike. Nothing here is checked
//! beyond its type; `validate` turns a `ModelSpec` into a `System`.

use std::fmt;

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};

use super::units::{Availability, Duration, Uncertain};

/// A system of systems: failure domains and the components that live in them.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ModelSpec {
    /// The model's name; defaults to the file's stem.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The SLO window (default 30d).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<Duration>,
    /// Values assumed where a component or domain leaves them out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub defaults: Option<Defaults>,
    /// Business impact of downtime, for cost curves and reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<BusinessCost>,
    /// Shared failure domains: hosts, zones, regions, providers.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub domains: IndexMap<String, DomainSpec>,
    /// The services, databases and third parties of the system, by name.
    #[serde(default)]
    pub components: IndexMap<String, ComponentSpec>,
    /// Who repairs what a restart does not: their working hours, time zone, response time and
    /// monthly cost.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub responders: IndexMap<String, ResponderSpec>,
}

/// Values assumed where a component or domain leaves them out.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    /// Repair time assumed where a component or domain gives only its availability (default 1h).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mttr: Option<Duration>,
}

/// What downtime costs the business, per hour.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BusinessCost {
    /// Money lost per hour a component with an slo is down.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub downtime_per_hour: Option<f64>,
    /// Money lost per hour it runs degraded (on a fallback).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub degraded_per_hour: Option<f64>,
}

/// A shared failure domain. It is up when it and all its ancestors are up.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DomainSpec {
    /// The domain's availability, a fraction or a percent; or give `mttf` and `mttr`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability: Option<Uncertain<Availability>>,
    /// Mean time to failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mttf: Option<Uncertain<Duration>>,
    /// Mean time to repair.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mttr: Option<Uncertain<Duration>>,
    /// Time-to-failure distribution (timeline simulation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<Distribution>,
    /// Time-to-repair distribution (timeline simulation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repair: Option<Distribution>,
    /// The enclosing domain (a zone's region).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
}

/// The family of a distribution of times.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum DistKind {
    /// Memoryless: only the mean is needed.
    Exponential,
    /// Weibull: mean and `shape` (below 1 early failures, above 1 wear-out).
    Weibull,
    /// Lognormal: mean and `sigma` of the underlying normal.
    Lognormal,
    /// Gamma: mean and `shape`.
    Gamma,
    /// Always exactly the mean.
    Fixed,
}

/// A distribution of times to failure or to repair.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Distribution {
    /// The family of the distribution.
    pub dist: DistKind,
    /// The mean time.
    pub mean: Duration,
    /// Shape of a weibull or gamma distribution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shape: Option<f64>,
    /// Sigma of the underlying normal of a lognormal distribution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sigma: Option<f64>,
}

/// Planned downtime.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Maintenance {
    /// How often the maintenance comes round.
    pub every: Duration,
    /// How long each maintenance takes.
    pub duration: Duration,
    /// One replica at a time (true) or the whole component at once (false, the default).
    #[serde(default)]
    pub rolling: bool,
}

/// Declares the keys a component and a variant share, so that a variant can override any of them.
macro_rules! component_keys {
    ($(#[$meta:meta])* pub struct $name:ident { $($extra:tt)* }) => {
        $(#[$meta])*
        #[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $($extra)*
            /// One replica's own availability, excluding its dependencies.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub availability: Option<Uncertain<Availability>>,
            /// Mean time to failure of one replica.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub mttf: Option<Uncertain<Duration>>,
            /// Mean time to repair of one replica.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub mttr: Option<Uncertain<Duration>>,
            /// Number of replicas (default 1).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub replicas: Option<u32>,
            /// Replicas that must be up (k of n; default 1).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub min_available: Option<u32>,
            /// Replica i lives in spread[i mod len].
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub spread: Option<Vec<String>>,
            /// Planned downtime: how often, for how long, one replica at a time or all at once.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub maintenance: Option<Maintenance>,
            /// Time-to-failure distribution (timeline simulation; its mean is the mttf).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub failure: Option<Distribution>,
            /// Time-to-repair distribution (timeline simulation; its mean is the mttr).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub repair: Option<Distribution>,
            /// The availability target checked by `nines check`: an availability, or
            /// `{ target, max_breach }`.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub slo: Option<Slo>,
            /// A third party outside your control.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub external: Option<bool>,
            /// Monthly cost of one replica.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub cost: Option<f64>,
            /// Monthly cost of the component as a whole.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub fixed_cost: Option<f64>,
            /// Outage while traffic moves off a failed replica: a duration, or
            /// `{ time, on: leader|any }`.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub failover: Option<Failover>,
            /// What the component needs to work: components, groups of them, and what their failure
            /// does.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub depends_on: Option<Vec<DependencySpec>>,
            /// How a failure is repaired: detection, an automatic restart, a responder's fix.
            /// Replaces `mttr` and `repair`.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub recovery: Option<RecoverySpec>,
            /// The share of the component's own outages in which calls to it hang instead of
            /// failing fast (`30%`).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub hang: Option<Share>,
            /// How long a request to this component may take in all: a `timeout` on one of its
            /// dependencies protects it from a hang only when shorter than this.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub deadline: Option<Duration>,
        }
    };
}

component_keys! {
    /// A service, database, queue or third-party API.
    pub struct ComponentSpec {
        /// Design alternatives for cost curves; each overrides any of the keys above.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub variants: Vec<VariantSpec>,
        /// Lint findings accepted where they stand, on this component.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub lint: Option<LintSpec>,
        /// How production measures this component, for `nines export`: PromQL queries of its
        /// failed and of all its requests.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub sli: Option<SliSpec>,
        /// The system this component belongs to (a product, a team's service group): shown as
        /// a group in graphs and reports; it changes no number.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub group: Option<String>,
    }
}

/// The component's service level indicator as Prometheus measures it: the error ratio is
/// `errors / total`. `{{.window}}` in a query stands for the window a rule looks over (`5m`,
/// `1h`, ...), as sloth writes it.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SliSpec {
    /// PromQL counting the failed requests over `{{.window}}`, e.g.
    /// `sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))`.
    pub errors: String,
    /// PromQL counting all requests over `{{.window}}`.
    pub total: String,
}

impl SliSpec {
    /// How a query names the window of the rule that evaluates it.
    pub const WINDOW: &'static str = "{{.window}}";

    /// `query` with every `{{.window}}` (spaces inside the braces allowed, as Go templates allow
    /// them) replaced by `window`. Fails on a query without one, or with any other template,
    /// which neither Prometheus nor sloth could read.
    pub fn at_window(query: &str, window: &str) -> Result<String, String> {
        let mut out = String::with_capacity(query.len());
        let mut rest = query;
        let mut found = false;
        while let Some(start) = rest.find("{{") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let end = after
                .find("}}")
                .ok_or_else(|| "`{{` is never closed by `}}`".to_string())?;
            let inner = after[..end].trim();
            if inner != ".window" {
                return Err(format!(
                    "`{{{{{}}}}}` is not a template nines knows; the only one is `{}`",
                    &after[..end],
                    Self::WINDOW
                ));
            }
            out.push_str(window);
            found = true;
            rest = &after[end + 2..];
        }
        out.push_str(rest);
        if found {
            Ok(out)
        } else {
            Err(format!(
                "the query never uses `{}`, the window each rule looks over",
                Self::WINDOW
            ))
        }
    }
}

/// What `nines lint` may leave unsaid about a component.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LintSpec {
    /// Rules (ids such as `N004`, or names) whose findings on this component are accepted;
    /// say why in a comment beside it.
    #[serde(default)]
    pub allow: Vec<String>,
}

component_keys! {
    /// One design alternative of a component.
    pub struct VariantSpec {
        /// The variant's name, which designs and `tradeoff` show.
        pub name: String,
    }
}

/// Which replica failures take the component through a failover.
/// `slo: 99.95%`, or `slo: { target: 99.95%, max_breach: 10% }`: the target also fails when
/// more than `max_breach` of the model's windows breach it. `max_breach` is kept as written
/// (a fraction) so that `validate` can say where it is out of range.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Slo {
    /// The availability to meet.
    pub target: Availability,
    /// The largest share of windows allowed to breach the target, a fraction as written; `None` for
    /// no such limit.
    pub max_breach: Option<f64>,
}

/// A fraction written as `0.1` or `"10%"`; its range is checked by `validate`.
fn fraction<E: de::Error>(text: &str) -> Result<f64, E> {
    let t = text.trim();
    let (digits, scale) = match t.strip_suffix('%') {
        Some(d) => (d.trim(), 100.0),
        None => (t, 1.0),
    };
    match digits.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v / scale),
        _ => Err(E::custom(super::error::with_hint(
            format!("`{text}` is not a probability"),
            "write a fraction such as 0.1 or a percent string such as \"10%\"",
        ))),
    }
}

struct Fraction(f64);

impl<'de> Deserialize<'de> for Fraction {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Fraction;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a probability such as 0.1 or \"10%\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Fraction, E> {
                fraction(v).map(Fraction)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Fraction, E> {
                Ok(Fraction(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Fraction, E> {
                Ok(Fraction(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Fraction, E> {
                Ok(Fraction(v as f64))
            }
        }
        d.deserialize_any(V)
    }
}

/// A share written as `0.3` or `"30%"`, such as `hang` or a restart's `share`; its range is
/// checked by `validate`, where it was written.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Share(pub f64);

impl<'de> Deserialize<'de> for Share {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Fraction::deserialize(d).map(|f| Share(f.0))
    }
}

impl Serialize for Share {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.0)
    }
}

impl JsonSchema for Share {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Share".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A share in [0, 1]: a fraction such as 0.3 or a percent string such as \"30%\".",
            "oneOf": [
                { "type": "number", "minimum": 0, "maximum": 1 },
                { "type": "string", "pattern": "^\\s*[0-9.]+\\s*%\\s*$" }
            ]
        })
    }
}

impl<'de> Deserialize<'de> for Slo {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Slo;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "an availability such as \"99.9%\", or { target: 99.9%, max_breach: 10% }",
                )
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Slo, E> {
                Availability::deserialize(de::value::StrDeserializer::<E>::new(v)).map(Slo::plain)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Slo, E> {
                Availability::deserialize(de::value::F64Deserializer::<E>::new(v)).map(Slo::plain)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Slo, E> {
                self.visit_f64(v as f64)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Slo, E> {
                self.visit_f64(v as f64)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Slo, A::Error> {
                let (mut target, mut max_breach) = (None, None);
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "target" => target = Some(map.next_value::<Availability>()?),
                        "max_breach" => max_breach = Some(map.next_value::<Fraction>()?.0),
                        other => {
                            return Err(de::Error::unknown_field(other, &["target", "max_breach"]));
                        }
                    }
                }
                let target = target.ok_or_else(|| {
                    de::Error::custom(super::error::with_hint(
                        "an slo map needs `target`".into(),
                        "write { target: 99.95%, max_breach: 10% }",
                    ))
                })?;
                Ok(Slo { target, max_breach })
            }
            fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Slo, D::Error> {
                d.deserialize_any(self)
            }
        }
        d.deserialize_newtype_struct(super::units::DECIMAL, V)
    }
}

impl Slo {
    /// A target with no limit on breached windows.
    pub fn plain(target: Availability) -> Slo {
        Slo {
            target,
            max_breach: None,
        }
    }
}

impl Serialize for Slo {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let Some(max_breach) = self.max_breach else {
            return self.target.serialize(s);
        };
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("target", &self.target)?;
        m.serialize_entry("max_breach", &max_breach)?;
        m.end()
    }
}

impl JsonSchema for Slo {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Slo".into()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let availability = generator.subschema_for::<Availability>();
        schemars::json_schema!({
            "description": "The availability target: an availability, or { target, max_breach } where max_breach is the largest acceptable probability that a window breaches the target.",
            "oneOf": [
                availability.clone(),
                {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["target"],
                    "properties": {
                        "target": availability,
                        "max_breach": {
                            "description": "A probability in [0, 1]: a fraction such as 0.1 or a percent string such as \"10%\".",
                            "oneOf": [
                                { "type": "number", "minimum": 0, "maximum": 1 },
                                { "type": "string", "pattern": "^\\s*[0-9.]+\\s*%\\s*$" }
                            ]
                        }
                    }
                }
            ]
        })
    }
}

/// Which replica failures cause a failover.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum FailoverOn {
    /// Every replica's failure (connection draining behind a load balancer).
    #[default]
    Any,
    /// Only the failure of the replica serving as leader (a leader-based database).
    Leader,
}

/// `failover: 30s` (every replica failure) or `failover: { time: 30s, on: leader }`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Failover {
    /// How long each failover takes the component down.
    pub time: Duration,
    /// Which replica failures cause one.
    pub on: FailoverOn,
}

impl<'de> Deserialize<'de> for Failover {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Failover;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a duration such as \"30s\", or { time: 30s, on: leader|any }")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Failover, E> {
                Ok(Failover {
                    time: Duration::parse(v).map_err(E::custom)?,
                    on: FailoverOn::Any,
                })
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Failover, E> {
                Duration::deserialize(de::value::F64Deserializer::<E>::new(v)).map(|time| {
                    Failover {
                        time,
                        on: FailoverOn::Any,
                    }
                })
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Failover, E> {
                self.visit_f64(v as f64)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Failover, E> {
                self.visit_f64(v as f64)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Failover, A::Error> {
                let (mut time, mut on) = (None, FailoverOn::Any);
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "time" => time = Some(map.next_value()?),
                        "on" => on = map.next_value()?,
                        other => return Err(de::Error::unknown_field(other, &["time", "on"])),
                    }
                }
                let time = time.ok_or_else(|| {
                    de::Error::custom(super::error::with_hint(
                        "a failover map needs `time`".into(),
                        "write { time: 30s, on: leader }",
                    ))
                })?;
                Ok(Failover { time, on })
            }
        }
        d.deserialize_any(V)
    }
}

impl Serialize for Failover {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.on == FailoverOn::Any {
            return self.time.serialize(s);
        }
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("time", &self.time)?;
        m.serialize_entry("on", &self.on)?;
        m.end()
    }
}

impl JsonSchema for Failover {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Failover".into()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let duration = generator.subschema_for::<Duration>();
        let on = generator.subschema_for::<FailoverOn>();
        schemars::json_schema!({
            "description": "Outage while traffic moves off a failed replica: a duration (every replica failure causes one), or { time, on: leader|any }.",
            "oneOf": [
                duration.clone(),
                {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["time"],
                    "properties": { "time": duration, "on": on }
                }
            ]
        })
    }
}

/// What a dependency's outage does to the component that depends on it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum OnFailure {
    /// The dependency's outage is the component's outage.
    #[default]
    Fail,
    /// Fail open: the component runs degraded (on its fallback, if one is named).
    Degrade,
    /// Optional: the component does not notice.
    Ignore,
}

/// What a dependency points at.
#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    /// One component, by name.
    Component(String),
    /// At least `at_least` of the members must be up.
    Group {
        /// How many members must be up.
        at_least: u32,
        /// The members' names.
        of: Vec<String>,
    },
}

/// One entry of `depends_on`: a name, `{ component: ... }` or `{ at_least: k, of: [...] }`.
#[derive(Clone, Debug, PartialEq)]
pub struct DependencySpec {
    /// The component or group depended on.
    pub target: Target,
    /// What the target's outage does to this component.
    pub on_failure: OnFailure,
    /// The component used while the target is down (with `on_failure: degrade`).
    pub fallback: Option<String>,
    /// The time calls to the target are cut off after; without one a fallback may never trigger.
    pub timeout: Option<Duration>,
    /// Outages of the target shorter than this are hidden by retries or buffering (timeline
    /// simulation only).
    pub tolerate: Option<Duration>,
    /// A circuit breaker: the time it needs to open once the target starts failing.
    pub breaker: Option<Duration>,
    /// `queue`: an asynchronous edge, work waits in a queue while the target is down.
    pub via: Via,
    /// The longest work may wait in the queue (a queue edge only).
    pub max_delay: Option<Duration>,
}

/// How a caller reaches its dependency.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Via {
    /// A synchronous call: the caller waits for the answer.
    #[default]
    Call,
    /// Work handed over through a queue with at-least-once delivery: the caller does not wait.
    Queue,
}

impl DependencySpec {
    /// A hard dependency on the component `name`: its outage is this component's outage.
    pub fn hard(name: &str) -> DependencySpec {
        DependencySpec {
            target: Target::Component(name.to_string()),
            on_failure: OnFailure::Fail,
            fallback: None,
            timeout: None,
            tolerate: None,
            breaker: None,
            via: Via::Call,
            max_delay: None,
        }
    }
}

const DEPENDENCY_KEYS: &[&str] = &[
    "component",
    "at_least",
    "of",
    "on_failure",
    "fallback",
    "timeout",
    "tolerate",
    "breaker",
    "via",
    "max_delay",
];

impl<'de> Deserialize<'de> for DependencySpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = DependencySpec;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "a component name, { component: NAME, ... } or { at_least: K, of: [NAMES] }",
                )
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<DependencySpec, E> {
                Ok(DependencySpec::hard(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<DependencySpec, A::Error> {
                let (mut component, mut at_least, mut of) =
                    (None::<String>, None::<u32>, None::<Vec<String>>);
                let mut spec = DependencySpec::hard("");
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "component" => component = Some(map.next_value()?),
                        "at_least" => at_least = Some(map.next_value()?),
                        "of" => of = Some(map.next_value()?),
                        "on_failure" => spec.on_failure = map.next_value()?,
                        "fallback" => spec.fallback = map.next_value()?,
                        "timeout" => spec.timeout = map.next_value()?,
                        "tolerate" => spec.tolerate = map.next_value()?,
                        "breaker" => spec.breaker = map.next_value()?,
                        "via" => spec.via = map.next_value()?,
                        "max_delay" => spec.max_delay = map.next_value()?,
                        other => return Err(de::Error::unknown_field(other, DEPENDENCY_KEYS)),
                    }
                }
                spec.target = match (component, at_least, of) {
                    (Some(c), None, None) => Target::Component(c),
                    (None, k, Some(of)) => Target::Group {
                        at_least: k.unwrap_or(1),
                        of,
                    },
                    (Some(_), _, _) => {
                        return Err(de::Error::custom(super::error::with_hint(
                            "a dependency names either `component` or a group `of`, not both"
                                .into(),
                            "split it into two entries",
                        )));
                    }
                    (None, _, None) => {
                        return Err(de::Error::custom(super::error::with_hint(
                            "a dependency needs `component` or `of`".into(),
                            "write { component: NAME } or { at_least: 1, of: [A, B] }",
                        )));
                    }
                };
                Ok(spec)
            }
        }
        d.deserialize_any(V)
    }
}

impl Serialize for DependencySpec {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let plain = self.on_failure == OnFailure::Fail
            && self.fallback.is_none()
            && self.timeout.is_none()
            && self.tolerate.is_none()
            && self.breaker.is_none()
            && self.via == Via::Call
            && self.max_delay.is_none();
        if let (Target::Component(name), true) = (&self.target, plain) {
            return s.serialize_str(name);
        }
        let mut m = s.serialize_map(None)?;
        match &self.target {
            Target::Component(name) => m.serialize_entry("component", name)?,
            Target::Group { at_least, of } => {
                m.serialize_entry("at_least", at_least)?;
                m.serialize_entry("of", of)?;
            }
        }
        if self.on_failure != OnFailure::Fail {
            m.serialize_entry("on_failure", &self.on_failure)?;
        }
        if let Some(f) = &self.fallback {
            m.serialize_entry("fallback", f)?;
        }
        if let Some(t) = &self.timeout {
            m.serialize_entry("timeout", t)?;
        }
        if let Some(t) = &self.tolerate {
            m.serialize_entry("tolerate", t)?;
        }
        if let Some(t) = &self.breaker {
            m.serialize_entry("breaker", t)?;
        }
        if self.via != Via::Call {
            m.serialize_entry("via", &self.via)?;
        }
        if let Some(t) = &self.max_delay {
            m.serialize_entry("max_delay", t)?;
        }
        m.end()
    }
}

impl JsonSchema for DependencySpec {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Dependency".into()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let duration = generator.subschema_for::<Duration>();
        let on_failure = generator.subschema_for::<OnFailure>();
        let via = generator.subschema_for::<Via>();
        schemars::json_schema!({
            "description": "A hard dependency by name, a map with `component`, or a redundant group `{ at_least: k, of: [...] }`.",
            "oneOf": [
                { "type": "string" },
                {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["component"],
                    "properties": {
                        "component": { "type": "string" },
                        "on_failure": on_failure, "fallback": { "type": "string" },
                        "timeout": duration, "tolerate": duration,
                        "breaker": duration, "via": via, "max_delay": duration
                    }
                },
                {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["of"],
                    "properties": {
                        "at_least": { "type": "integer", "minimum": 1 },
                        "of": { "type": "array", "items": { "type": "string" }, "minItems": 1 },
                        "on_failure": on_failure, "fallback": { "type": "string" },
                        "timeout": duration, "tolerate": duration, "breaker": duration
                    }
                }
            ]
        })
    }
}

/// A person or team who repairs failures, within working hours.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResponderSpec {
    /// `24x7`, or weekly hours such as `"Mon-Fri 09:00-17:00, Sat 10:00-14:00"` (a range may
    /// cross midnight).
    pub hours: String,
    /// The time zone of `hours`, an IANA name such as `Europe/Warsaw` (default UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// Working time from the moment a failure is handed over until work on it starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub respond: Option<Duration>,
    /// Money per month (an on-call rota, a support contract); counted once per design.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<f64>,
}

/// What happens after a failure: detection, then a restart or a responder's fix.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecoverySpec {
    /// Until monitoring notices the failure (default 0s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detect: Option<Duration>,
    /// An automatic restart that fixes a share of the failures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restart: Option<RestartSpec>,
    /// The responder (under `responders`) who fixes the rest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub responder: Option<String>,
    /// Hands-on working time of a fix: a duration (the mean of an exponential time) or a
    /// distribution map.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
}

/// A health check's restart.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RestartSpec {
    /// The share of failures a restart fixes: a fraction such as 0.7 or a percent such as "70%".
    pub share: Share,
    /// How long a restart takes.
    pub time: Duration,
}

/// `fix: 2h` (an exponential time of that mean) or `fix: { dist: lognormal, mean: 2h, sigma: 1 }`.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum Fix {
    /// An exponential time with this mean.
    Mean(Duration),
    /// A time of any of the distributions.
    Distribution(Distribution),
}

impl<'de> Deserialize<'de> for Fix {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Fix;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a duration such as \"2h\", or a distribution such as { dist: lognormal, mean: 2h, sigma: 1 }")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Fix, E> {
                Duration::parse(v).map(Fix::Mean).map_err(E::custom)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Fix, E> {
                Duration::deserialize(de::value::F64Deserializer::<E>::new(v)).map(Fix::Mean)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Fix, E> {
                self.visit_f64(v as f64)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Fix, E> {
                self.visit_f64(v as f64)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Fix, A::Error> {
                Distribution::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(Fix::Distribution)
            }
        }
        d.deserialize_any(V)
    }
}
