//! Values with units: availabilities ("99.9%", 0.999) and durations ("1h30m").
//!
//! An availability is kept as the pair (unavailability, availability), both derived from the
//! decimal digits the user wrote, so that `99.9999999999%` keeps every digit of its 1e-12.

use std::fmt;

use schemars::JsonSchema;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use super::error::with_hint;

/// The probability of an event and of its complement, each computed without cancellation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Odds {
    /// P(event): for a component, its unavailability.
    pub p: f64,
    /// P(not event) = 1 - p, computed directly.
    pub q: f64,
}

impl Odds {
    /// An event that never happens: probability 0.
    pub const NEVER: Odds = Odds { p: 0.0, q: 1.0 };
    /// An event that always happens: probability 1.
    pub const ALWAYS: Odds = Odds { p: 1.0, q: 0.0 };

    /// From a small probability, where `1 - p` loses nothing that matters.
    pub fn from_p(p: f64) -> Odds {
        Odds { p, q: 1.0 - p }
    }

    /// `numerator / (numerator + rest)` and its complement, both free of cancellation.
    pub fn ratio(numerator: f64, rest: f64) -> Odds {
        if (numerator + rest).is_infinite() && numerator.is_finite() && rest.is_finite() {
            // Two durations near f64::MAX: halving is exact and keeps p + q = 1.
            return Odds::ratio(numerator / 2.0, rest / 2.0);
        }
        let total = numerator + rest;
        Odds {
            p: numerator / total,
            q: rest / total,
        }
    }

    /// Either of two independent events.
    pub fn either(self, other: Odds) -> Odds {
        Odds {
            p: self.p + other.p * self.q,
            q: self.q * other.q,
        }
    }

    /// The odds of the opposite event: `p` and `q` swapped, so nothing is lost.
    pub fn complement(self) -> Odds {
        Odds {
            p: self.q,
            q: self.p,
        }
    }
}

/// A fraction in [0, 1] or a percent string. Stored as its unavailability and availability.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Availability {
    /// P(down) and P(up).
    pub down: Odds,
}

/// Whether an unavailability `u` is within a target unavailability: ties within a relative
/// 1e-12 count as met, so that a value exact on paper (two 90% replicas against 99%) is not
/// failed by the last bit of its floating-point sum.
pub fn within(u: f64, target: f64) -> bool {
    u <= target * (1.0 + 1e-12)
}

impl Availability {
    /// Whether a component with unavailability `u` meets this availability as its slo.
    pub fn met_by(self, u: f64) -> bool {
        within(u, self.down.p)
    }

    /// The availability, a probability in [0, 1].
    pub fn value(self) -> f64 {
        self.down.q
    }
    /// The unavailability, a probability in [0, 1], kept with all its digits.
    pub fn unavailability(self) -> f64 {
        self.down.p
    }

    /// Parses `0.999`, `"0.999"` or `"99.9%"`.
    pub fn parse(text: &str) -> Result<Availability, String> {
        let t = text.trim();
        let (digits, percent) = match t.strip_suffix('%') {
            Some(d) => (d.trim(), true),
            None => (t, false),
        };
        let (up, down) =
            decimal_complement(digits, if percent { 2 } else { 0 }).ok_or_else(|| {
                with_hint(
                    format!("`{text}` is not an availability"),
                    "write a fraction such as 0.999 or a percent string such as \"99.9%\"",
                )
            })?;
        if up > 1.0 || down < 0.0 {
            return Err(if percent {
                with_hint(
                    format!("availability {text} is above 100%"),
                    "an availability is at most \"100%\"",
                )
            } else if up <= 1.0 {
                with_hint(
                    format!("availability {text} is above 1"),
                    "an availability is at most 1, even by a digit far past what a float keeps",
                )
            } else if up <= 100.0 {
                with_hint(
                    format!("availability {text} is above 1"),
                    &format!("a bare number is a fraction; for a percentage write \"{text}%\""),
                )
            } else {
                with_hint(
                    format!("availability {text} is above 1"),
                    "an availability is a fraction in [0, 1]",
                )
            });
        }
        if up < 0.0 {
            return Err(with_hint(
                format!("availability {text} is negative"),
                "an availability is in [0, 1]",
            ));
        }
        Ok(Availability {
            down: Odds { p: down, q: up },
        })
    }

    /// From an availability given as a number in [0, 1]; an error says why any other value is not
    /// one.
    pub fn from_value(value: f64) -> Result<Availability, String> {
        if !value.is_finite() {
            return Err(with_hint(
                format!("availability {value} is not a finite number"),
                "write a fraction in [0, 1]",
            ));
        }
        // The shortest decimal that round-trips is what the user wrote.
        Availability::parse(&format!("{value}"))
    }
}

/// For a non-negative decimal `x × 10^-shift`, returns `(x, 1 - x)` with the complement taken
/// on the exact decimal digits. None when the text is no plain decimal.
fn decimal_complement(text: &str, shift: u32) -> Option<(f64, f64)> {
    let (negative, body) = match text.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        // Beyond ±(1000 + the digits written) the value is 0 or infinite whatever the digits;
        // clamping keeps the exponent arithmetic below from overflowing on `1e-2147483648`.
        Some(i) => {
            let reach = 1000 + i32::try_from(body.len()).ok()?;
            let exponent = body[i + 1..].parse::<i32>().ok()?.clamp(-reach, reach);
            (&body[..i], exponent)
        }
        None => (body, 0),
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    if !int_part.bytes().all(|b| b.is_ascii_digit())
        || !frac_part.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let value: f64 = format!("{mantissa}e{}", exponent - shift as i32)
        .parse()
        .ok()?;
    let value = if negative { -value } else { value };
    if negative || value > 1.0 {
        return Some((value, 1.0 - value));
    }
    // digits × 10^-scale, exactly, in an integer when it fits; otherwise f64 is as good as it gets.
    let digits = format!("{int_part}{frac_part}");
    let digits = digits.trim_start_matches('0');
    let scale = frac_part.len() as i32 - exponent + shift as i32;
    // A hair above one rounds to the float 1: the digits tell, and the complement's sign says so
    // to the caller, which refuses it rather than read 100%.
    if above_one(digits, scale) {
        return Some((value, (1.0 - value).min(-f64::MIN_POSITIVE)));
    }
    if digits.len() <= 36 && (0..=38).contains(&scale) {
        let n: u128 = if digits.is_empty() {
            0
        } else {
            digits.parse().ok()?
        };
        let one = 10u128.pow(scale as u32);
        if n <= one {
            let rest = one - n;
            let complement: f64 = format!("{rest}e-{scale}").parse().ok()?;
            return Some((value, complement));
        }
    }
    Some((value, 1.0 - value))
}

/// Whether `digits × 10^-scale` (digits without leading zeros) is above one.
fn above_one(digits: &str, scale: i32) -> bool {
    // The decimal point falls after `point` digits.
    let point = digits.len() as i64 - i64::from(scale);
    match point {
        _ if digits.is_empty() => false,
        ..=0 => false,
        1 => digits.as_bytes()[0] > b'1' || digits[1..].bytes().any(|b| b != b'0'),
        _ => true,
    }
}

impl fmt::Display for Availability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", format_percent(self.down.q, self.down.p))
    }
}

/// A percentage with enough digits to show the nines: 99.95%, 99.9999%.
pub fn format_percent(availability: f64, unavailability: f64) -> String {
    if unavailability <= 0.0 {
        return "100%".to_string();
    }
    if availability <= 0.0 {
        return "0%".to_string();
    }
    let nines = -unavailability.log10();
    let decimals = ((nines - 2.0).floor() as i64 + 2).clamp(1, 14) as usize;
    let text = format!("{:.*}", decimals, availability * 100.0);
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    };
    format!("{text}%")
}

impl Availability {
    /// The availability as decimal text that parses back to the same unavailability: a plain
    /// number when that holds (`0.9995`), else all the digits (`0.99999999999999999`), which a
    /// float could not carry.
    pub fn to_exact_text(self) -> String {
        let plain = format!("{}", self.down.q);
        if Availability::parse(&plain).is_ok_and(|a| a.down.p == self.down.p) {
            return plain;
        }
        // u = m × 10^-scale exactly as printed; 1 - u = (10^scale - m) × 10^-scale.
        let shortest = format!("{:e}", self.down.p);
        if let Some((mantissa, exponent)) = shortest.split_once('e') {
            let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
            let fraction_digits = mantissa.split_once('.').map_or(0, |(_, f)| f.len()) as i32;
            let scale = fraction_digits - exponent.parse::<i32>().unwrap_or(0);
            if let (Ok(m), true) = (digits.parse::<u128>(), (1..=38).contains(&scale)) {
                let one = 10u128.pow(scale as u32);
                if m < one {
                    return format!("0.{:0>width$}", one - m, width = scale as usize);
                }
            }
        }
        plain
    }
}

impl Serialize for Availability {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let text = self.to_exact_text();
        match text.parse::<f64>() {
            Ok(v) if format!("{v}") == text => s.serialize_f64(v),
            _ => s.serialize_str(&text),
        }
    }
}

/// The name under which a model's loader hands a number over as the digits written (see
/// `model::tree`); any other deserialiser gives the number itself.
pub const DECIMAL: &str = "$nines::decimal";

impl<'de> Deserialize<'de> for Availability {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Availability;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an availability: a fraction such as 0.999 or a percent string such as \"99.9%\"")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Availability, E> {
                Availability::from_value(v).map_err(E::custom)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Availability, E> {
                Availability::parse(&v.to_string()).map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Availability, E> {
                Availability::parse(&v.to_string()).map_err(E::custom)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Availability, E> {
                Availability::parse(v).map_err(E::custom)
            }
            fn visit_newtype_struct<D: Deserializer<'de>>(
                self,
                d: D,
            ) -> Result<Availability, D::Error> {
                d.deserialize_any(self)
            }
        }
        d.deserialize_newtype_struct(DECIMAL, V)
    }
}

impl JsonSchema for Availability {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Availability".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A fraction in [0, 1] (0.999) or a percent string (\"99.9%\").",
            "oneOf": [
                { "type": "number", "minimum": 0, "maximum": 1 },
                { "type": "string", "pattern": "^\\s*[0-9]*\\.?[0-9]+\\s*%\\s*$" }
            ]
        })
    }
}

/// A span of time, written with units: `"30d"`, `"1h30m"`, `"2.5h"`. Stored in seconds.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
pub struct Duration {
    /// The length of the span, in seconds.
    pub seconds: f64,
}

/// Seconds in a minute.
pub const MINUTE: f64 = 60.0;
/// Seconds in an hour.
pub const HOUR: f64 = 3600.0;
/// Seconds in a day.
pub const DAY: f64 = 86_400.0;
/// Seconds in a year of 365 days.
pub const YEAR: f64 = 365.0 * DAY;
/// A month of 365/12 days, as nines counts money and allowed downtime.
pub const MONTH: f64 = YEAR / 12.0;

impl Duration {
    /// A duration of `seconds` seconds.
    pub fn from_secs(seconds: f64) -> Duration {
        Duration { seconds }
    }

    /// Parses a number with a unit: `"30d"`, `"1h30m"`, `"2.5h"`, `"500ms"`; an error carries a
    /// hint listing the units.
    pub fn parse(text: &str) -> Result<Duration, String> {
        let t = text.trim();
        let hint = "write a number with a unit: µs, ms, s, min (or m), h (or hr), d, w, mo (365/12 days) or y (365 days), or their long forms (seconds, minutes, hours, ...), e.g. \"30d\", \"1h30m\", \"90 minutes\", \"500ms\"";
        if t.is_empty() {
            return Err(with_hint("an empty duration".to_string(), hint));
        }
        if t.starts_with('-') {
            return Err(with_hint(
                format!("duration `{text}` is negative"),
                "a duration is zero or more",
            ));
        }
        let mut seconds = 0.0;
        let mut rest = t;
        while !rest.is_empty() {
            let number_len = rest
                .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                .unwrap_or(rest.len());
            let number = &rest[..number_len];
            rest = rest[number_len..].trim_start();
            let unit_len = rest
                .find(|c: char| !c.is_alphabetic())
                .unwrap_or(rest.len());
            let unit = &rest[..unit_len];
            rest = rest[unit_len..].trim_start();
            let value: f64 = number
                .parse()
                .map_err(|_| with_hint(format!("`{text}` is not a duration"), hint))?;
            let scale = match unit_scale(unit) {
                Some(scale) => scale,
                None if unit.is_empty() => {
                    return Err(with_hint(format!("duration `{text}` has no unit"), hint));
                }
                None => {
                    return Err(with_hint(
                        format!("`{unit}` is not a unit of time in `{text}`"),
                        hint,
                    ));
                }
            };
            seconds += value * scale;
        }
        if !seconds.is_finite() {
            return Err(with_hint(format!("duration `{text}` is too long"), hint));
        }
        Ok(Duration { seconds })
    }
}

/// Seconds in one `unit`, short or long, any case (`M` is a minute: nines has no megaseconds).
/// Covers every unit [`format_duration_human`] prints, so what nines prints parses back.
fn unit_scale(unit: &str) -> Option<f64> {
    let scale = match unit.to_lowercase().as_str() {
        "µs" | "μs" | "us" | "microsecond" | "microseconds" => 1e-6,
        "ms" | "msec" | "msecs" | "millisecond" | "milliseconds" => 1e-3,
        "s" | "sec" | "secs" | "second" | "seconds" => 1.0,
        "m" | "min" | "mins" | "minute" | "minutes" => MINUTE,
        "h" | "hr" | "hrs" | "hour" | "hours" => HOUR,
        "d" | "day" | "days" => DAY,
        "w" | "wk" | "wks" | "week" | "weeks" => 7.0 * DAY,
        "mo" | "month" | "months" => MONTH,
        "y" | "yr" | "yrs" | "year" | "years" => YEAR,
        _ => return None,
    };
    Some(scale)
}
impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_duration_spec(self.seconds))
    }
}

/// Seconds as a model duration string that parses back to the same value: `1h30m`, `2.5s`.
pub fn format_duration_spec(seconds: f64) -> String {
    if seconds == 0.0 {
        return "0s".into();
    }
    for (unit, scale) in [
        ("y", YEAR),
        ("w", 7.0 * DAY),
        ("d", DAY),
        ("h", HOUR),
        ("m", MINUTE),
    ] {
        let n = seconds / scale;
        if n >= 1.0 && n.fract() == 0.0 {
            return format!("{n}{unit}");
        }
    }
    format!("{seconds}s")
}

/// A duration for people: `43.2s`, `8.76h`, `3.65d`, `1.2y`.
pub fn format_duration_human(seconds: f64) -> String {
    if !seconds.is_finite() {
        return "∞".into();
    }
    if seconds <= 0.0 {
        return "0s".into();
    }
    let (value, unit) = if seconds < 1e-3 {
        (seconds * 1e6, "µs")
    } else if seconds < 1.0 {
        (seconds * 1e3, "ms")
    } else if seconds < MINUTE {
        (seconds, "s")
    } else if seconds < HOUR {
        (seconds / MINUTE, "min")
    } else if seconds < DAY {
        (seconds / HOUR, "h")
    } else if seconds < YEAR {
        (seconds / DAY, "d")
    } else {
        (seconds / YEAR, "y")
    };
    let text = if value >= 100.0 {
        format!("{value:.0}")
    } else if value >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    };
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    };
    format!("{text}{unit}")
}

impl Serialize for Duration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Duration;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a duration with a unit, such as \"30d\" or \"1h30m\"")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Duration, E> {
                Err(E::custom(with_hint(
                    format!("duration {v} has no unit"),
                    &format!(
                        "durations need a unit: write \"{v}s\", \"{v}m\", \"{v}h\" or \"{v}d\""
                    ),
                )))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Duration, E> {
                self.visit_f64(v as f64)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Duration, E> {
                self.visit_f64(v as f64)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Duration, E> {
                Duration::parse(v).map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

impl JsonSchema for Duration {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Duration".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A duration: number+unit parts (µs, ms, s, min or m, h or hr, d, w, mo = 365/12 d, y = 365 d, or long forms such as minutes, hours, months), e.g. \"30d\", \"1h30m\", \"90 minutes\", \"2.5h\".",
            "type": "string",
            "pattern": "^\\s*([0-9]*\\.?[0-9]+\\s*([µμu]s|microseconds?|ms|msecs?|milliseconds?|s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|w|wks?|weeks?|mo|months?|y|yrs?|years?)\\s*)+$"
        })
    }
}

/// JSON has no infinity: a component that never fails has `nines: null`. A component that is
/// always down has 0 nines, not the −0 that −log10(1) gives.
pub fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x + 0.0)
}

/// A number of nines, two decimals: `3.30`, or `∞` for a component that never goes down.
pub fn format_nines(nines: f64) -> String {
    if nines.is_infinite() {
        "∞".into()
    } else {
        // + 0.0 turns −0 (always down) into 0.
        format!("{:.2}", nines + 0.0)
    }
}

/// A probability in scientific notation when small: `8.8e-4`.
pub fn format_probability(p: f64) -> String {
    if p == 0.0 {
        "0".into()
    } else if p >= 1e-3 {
        format!("{p:.4}")
    } else {
        format!("{p:.3e}")
    }
}

/// A share of time as a percentage with two significant digits: `0.040%`, `1.2%`, `99.74%`;
/// never `100%` for less than all of the time.
pub fn format_share(x: f64) -> String {
    if x <= 0.0 {
        return "0%".into();
    }
    let percent = x * 100.0;
    let mut decimals = (1 - percent.log10().floor() as i64).clamp(0, 12) as usize;
    let mut text = format!("{percent:.decimals$}");
    // Rounding up to the next power of ten (0.09999 → 0.100) needs one digit fewer.
    if decimals > 0
        && text
            .parse::<f64>()
            .is_ok_and(|r| r.log10().floor() > percent.log10().floor())
    {
        decimals -= 1;
        text = format!("{percent:.decimals$}");
    }
    while x < 1.0 && text.parse::<f64>().is_ok_and(|r| r >= 100.0) && decimals < 12 {
        decimals += 1;
        text = format!("{percent:.decimals$}");
    }
    format!("{text}%")
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_keeps_every_digit() {
        let a = Availability::parse("99.9999999999%").unwrap();
        assert_eq!(a.down.p, 1e-12);
        let a = Availability::parse("0.999999999999").unwrap();
        assert_eq!(a.down.p, 1e-12);
        let a = Availability::from_value(0.9995).unwrap();
        assert_eq!(a.down.p, 5e-4);
        assert_eq!(Availability::parse("100%").unwrap().down.p, 0.0);
        assert_eq!(Availability::parse("1").unwrap().down.p, 0.0);
        assert_eq!(Availability::parse("0").unwrap().down.q, 0.0);
    }

    #[test]
    fn bare_percent_number_is_an_error_with_a_hint() {
        let e = Availability::from_value(99.9).unwrap_err();
        assert!(e.contains("\"99.9%\""), "{e}");
        assert!(Availability::parse("101%").is_err());
        assert!(Availability::parse("-0.1").is_err());
        assert!(Availability::parse("abc").is_err());
        assert!(Availability::from_value(f64::NAN).is_err());
    }

    #[test]
    fn exact_text_round_trips_deep_nines() {
        for text in [
            "0.9995",
            "99.99999999999999999%",
            "0.999999999999999999999999",
            "1",
            "0",
            "0.5",
        ] {
            let a = Availability::parse(text).unwrap();
            let back = Availability::parse(&a.to_exact_text()).unwrap();
            assert_eq!(back.down.p, a.down.p, "{text} -> {}", a.to_exact_text());
        }
        assert_eq!(
            Availability::parse("0.9995").unwrap().to_exact_text(),
            "0.9995"
        );
    }

    #[test]
    fn durations() {
        assert_eq!(Duration::parse("1h30m").unwrap().seconds, 5400.0);
        assert_eq!(Duration::parse("2.5h").unwrap().seconds, 9000.0);
        assert_eq!(Duration::parse("500ms").unwrap().seconds, 0.5);
        assert_eq!(Duration::parse("30d").unwrap().seconds, 2_592_000.0);
        assert_eq!(Duration::parse("1y").unwrap().seconds, YEAR);
        assert!(Duration::parse("10").is_err());
        assert!(Duration::parse("-1h").is_err());
        assert!(Duration::parse("1x").is_err());
        assert!(Duration::parse("h").is_err());
        assert_eq!(format_duration_spec(5400.0), "90m");
        assert_eq!(
            Duration::parse(&format_duration_spec(5400.0))
                .unwrap()
                .seconds,
            5400.0
        );
    }

    #[test]
    fn durations_in_words() {
        let cases = [
            ("90min", 5400.0),
            ("90 minutes", 5400.0),
            ("1hr", HOUR),
            ("1 hour", HOUR),
            ("2 hours", 2.0 * HOUR),
            ("30 seconds", 30.0),
            ("3 days", 3.0 * DAY),
            ("1 week", 7.0 * DAY),
            ("3mo", 3.0 * MONTH),
            ("2 months", 2.0 * MONTH),
            ("1 year", YEAR),
            ("500 milliseconds", 0.5),
            ("1 hour 30 minutes", 5400.0),
            ("1H30M", 5400.0),
            ("2 Hours", 2.0 * HOUR),
            ("250µs", 250e-6),
        ];
        for (text, seconds) in cases {
            let got = Duration::parse(text).unwrap().seconds;
            assert!((got - seconds).abs() <= 1e-12 * seconds, "{text}: {got}");
        }
        for bad in ["1 fortnight", "1 hour 30", "hours", "1 mon th"] {
            let e = Duration::parse(bad).unwrap_err();
            assert!(e.contains("min (or m)"), "{bad}: {e}");
        }
    }

    /// Every duration nines prints for people reads back as (nearly) the same duration: the
    /// print keeps three significant digits, so it is off by at most half a unit in the
    /// third digit, 0.5 %.
    #[test]
    fn printed_durations_parse_back() {
        let mut seconds = 1e-6;
        while seconds < 1e4 * YEAR {
            let text = format_duration_human(seconds);
            let back = Duration::parse(&text)
                .unwrap_or_else(|e| panic!("{text} does not parse: {e}"))
                .seconds;
            assert!(
                (back - seconds).abs() <= 0.005 * seconds,
                "{seconds} s printed as {text} reads back as {back}"
            );
            seconds *= 1.37;
        }
    }

    #[test]
    fn percent_display() {
        assert_eq!(format_percent(0.9995, 0.0005), "99.95%");
        assert_eq!(format_percent(0.999, 0.001), "99.9%");
        assert_eq!(format_percent(1.0 - 1e-6, 1e-6), "99.9999%");
    }
}
