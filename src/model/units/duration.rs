//! Durations written with units ("30d", "1h30m", "2.5 hours"), and printed back.

use std::fmt;

use schemars::JsonSchema;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use crate::model::error::with_hint;

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
