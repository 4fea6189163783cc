//! Values given with their doubt: an estimate with low and high, or an incident history.

use std::fmt;

use schemars::JsonSchema;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use super::{Availability, DECIMAL, Duration};
use crate::model::error::with_hint;

/// A value that may carry its doubt: `99.95%`, `{ estimate: 99.95%, low: 99.9%, high: 99.99% }`
/// or, for a time to failure, `{ incidents: 3, over: 2y }`. `estimate` is the value every point
/// engine uses; the spread is for `eval --uncertainty`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Uncertain<T> {
    /// The value every point engine uses.
    pub estimate: T,
    /// How unsure the value is, when the model says; `None` for a bare value.
    pub spread: Option<Spread<T>>,
}

/// How unsure a value is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Spread<T> {
    /// The 5th and 95th percentiles of a lognormal (on the unavailability for an availability,
    /// on the duration for a time).
    Range {
        /// The 5th percentile.
        low: T,
        /// The 95th percentile.
        high: T,
    },
    /// `count` failures seen over `over`: the failure rate has the Jeffreys posterior
    /// Gamma(count + ½, over), and the estimate is over / (count + ½).
    Incidents {
        /// Failures seen.
        count: u64,
        /// The time they were seen over.
        over: Duration,
    },
}

impl<T> From<T> for Uncertain<T> {
    fn from(estimate: T) -> Self {
        Uncertain {
            estimate,
            spread: None,
        }
    }
}

/// Reads as its estimate, so code that wants the point value need not unwrap it.
impl<T> std::ops::Deref for Uncertain<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.estimate
    }
}

/// What `{ incidents, over }` means for a value of this kind.
pub trait FromIncidents: Sized {
    /// Whether a bare number is read from its digits (see [`DECIMAL`]), as an availability is.
    const DECIMAL: bool = false;
    /// The value that `count` failures over `over` give as an estimate; an error when `over` is not
    /// a positive time.
    fn from_incidents(count: u64, over: Duration) -> Result<Self, String>;
}

impl FromIncidents for Duration {
    fn from_incidents(count: u64, over: Duration) -> Result<Duration, String> {
        if over.seconds <= 0.0 {
            return Err(with_hint(
                "`over` must be longer than zero".into(),
                "the period the incidents were counted over, e.g. over: 1y",
            ));
        }
        Ok(Duration::from_secs(over.seconds / (count as f64 + 0.5)))
    }
}

impl FromIncidents for Availability {
    const DECIMAL: bool = true;
    fn from_incidents(_: u64, _: Duration) -> Result<Availability, String> {
        Err(with_hint(
            "an availability cannot be given as incidents".into(),
            "incidents count failures: write them as mttf: { incidents: 3, over: 2y }, with an mttr",
        ))
    }
}

const UNCERTAIN_KEYS: &[&str] = &["estimate", "low", "high", "incidents", "over"];

impl<'de, T: Deserialize<'de> + FromIncidents> Deserialize<'de> for Uncertain<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de> + FromIncidents> Visitor<'de> for V<T> {
            type Value = Uncertain<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a value, { estimate, low, high } or { incidents, over }")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Uncertain<T>, E> {
                T::deserialize(de::value::StrDeserializer::<E>::new(v)).map(Uncertain::from)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Uncertain<T>, E> {
                T::deserialize(de::value::F64Deserializer::<E>::new(v)).map(Uncertain::from)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Uncertain<T>, E> {
                T::deserialize(de::value::I64Deserializer::<E>::new(v)).map(Uncertain::from)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Uncertain<T>, E> {
                T::deserialize(de::value::U64Deserializer::<E>::new(v)).map(Uncertain::from)
            }
            fn visit_newtype_struct<D: Deserializer<'de>>(
                self,
                d: D,
            ) -> Result<Uncertain<T>, D::Error> {
                d.deserialize_any(self)
            }
            fn visit_map<A: de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Uncertain<T>, A::Error> {
                let (mut estimate, mut low, mut high) = (None::<T>, None::<T>, None::<T>);
                let (mut incidents, mut over) = (None::<u64>, None::<Duration>);
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "estimate" => estimate = Some(map.next_value()?),
                        "low" => low = Some(map.next_value()?),
                        "high" => high = Some(map.next_value()?),
                        "incidents" => incidents = Some(map.next_value()?),
                        "over" => over = Some(map.next_value()?),
                        other => return Err(de::Error::unknown_field(other, UNCERTAIN_KEYS)),
                    }
                }
                let range = estimate.is_some() || low.is_some() || high.is_some();
                let history = incidents.is_some() || over.is_some();
                match (range, history) {
                    (true, true) => Err(de::Error::custom(with_hint(
                        "a value is either { estimate, low, high } or { incidents, over }, not both"
                            .into(),
                        "keep one of the two forms",
                    ))),
                    (_, true) => {
                        let (Some(count), Some(over)) = (incidents, over) else {
                            return Err(de::Error::custom(with_hint(
                                "an observed history needs both `incidents` and `over`".into(),
                                "write { incidents: 3, over: 2y }: 3 failures seen in 2 years",
                            )));
                        };
                        Ok(Uncertain {
                            estimate: T::from_incidents(count, over).map_err(de::Error::custom)?,
                            spread: Some(Spread::Incidents { count, over }),
                        })
                    }
                    _ => {
                        let (Some(estimate), Some(low), Some(high)) = (estimate, low, high) else {
                            return Err(de::Error::custom(with_hint(
                                "an uncertain value needs `estimate`, `low` and `high`".into(),
                                "write { estimate: 99.95%, low: 99.9%, high: 99.99% }: low and high are the 5th and 95th percentiles",
                            )));
                        };
                        Ok(Uncertain {
                            estimate,
                            spread: Some(Spread::Range { low, high }),
                        })
                    }
                }
            }
        }
        if T::DECIMAL {
            d.deserialize_newtype_struct(DECIMAL, V(std::marker::PhantomData))
        } else {
            d.deserialize_any(V(std::marker::PhantomData))
        }
    }
}

impl<T: Serialize> Serialize for Uncertain<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        match &self.spread {
            None => self.estimate.serialize(s),
            Some(Spread::Range { low, high }) => {
                let mut m = s.serialize_map(Some(3))?;
                m.serialize_entry("estimate", &self.estimate)?;
                m.serialize_entry("low", low)?;
                m.serialize_entry("high", high)?;
                m.end()
            }
            Some(Spread::Incidents { count, over }) => {
                let mut m = s.serialize_map(Some(2))?;
                m.serialize_entry("incidents", count)?;
                m.serialize_entry("over", over)?;
                m.end()
            }
        }
    }
}

impl<T: JsonSchema> JsonSchema for Uncertain<T> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        format!("Uncertain{}", T::schema_name()).into()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let value = generator.subschema_for::<T>();
        let duration = generator.subschema_for::<Duration>();
        schemars::json_schema!({
            "description": "A value, or the value with its doubt: { estimate, low, high } with low and high the 5th and 95th percentiles of a lognormal, or (for mttf) an observed history { incidents, over }.",
            "oneOf": [
                value.clone(),
                {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["estimate", "low", "high"],
                    "properties": { "estimate": value.clone(), "low": value.clone(), "high": value }
                },
                {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["incidents", "over"],
                    "properties": {
                        "incidents": { "type": "integer", "minimum": 0 },
                        "over": duration
                    }
                }
            ]
        })
    }
}
