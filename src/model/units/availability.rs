//! Availabilities as written ("99.9%", 0.999), kept to every decimal digit.

use std::fmt;

use schemars::JsonSchema;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use super::{Odds, format_percent, within};
use crate::model::error::with_hint;

/// A fraction in [0, 1] or a percent string. Stored as its unavailability and availability.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Availability {
    /// P(down) and P(up).
    pub down: Odds,
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
}
