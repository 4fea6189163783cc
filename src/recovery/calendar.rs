//! A responder's working hours as a weekly calendar in UTC: the spans of the week, in seconds
//! from Monday 00:00 UTC, during which the responder's clock runs.
//!
//! Hours are written in local time. A time zone with daylight saving time is taken at its
//! standard (winter) offset all year: the calendar then repeats every week exactly, which the
//! exact mean needs, and it is off by the saving (an hour) for part of the year.

use jiff::Timestamp;
use jiff::tz::TimeZone;

/// Seconds in a week.
pub const WEEK_S: f64 = 604_800.0;
const WEEK: i64 = 604_800;
const DAY: i64 = 86_400;
/// The most ranges one `hours` may list.
pub const MAX_RANGES: usize = 100;

const DAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// Working spans of the week: `[start, end)` in seconds from Monday 00:00 UTC, sorted,
/// disjoint and not touching, within `[0, WEEK]`. Integer seconds keep every sum exact.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Calendar {
    spans: Vec<(i64, i64)>,
}

/// A stretch of the week without working time, in the cyclic order of the week.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Gap {
    /// Its length, in seconds.
    pub length: f64,
    /// The working time of the week (from Monday 00:00 UTC, in `[0, L)`) at which it ends.
    pub ends_at_work: f64,
}

impl Calendar {
    /// Around the clock.
    pub fn always() -> Calendar {
        Calendar {
            spans: vec![(0, WEEK)],
        }
    }

    /// From spans in seconds of the UTC week (any integers: they are wrapped into the week);
    /// None when they cover nothing.
    pub fn from_spans(raw: &[(i64, i64)]) -> Option<Calendar> {
        let mut pieces = Vec::new();
        for &(a, b) in raw {
            let length = b - a;
            if length <= 0 {
                continue;
            }
            if length >= WEEK {
                return Some(Calendar::always());
            }
            let a = a.rem_euclid(WEEK);
            let b = a + length;
            if b > WEEK {
                pieces.push((a, WEEK));
                pieces.push((0, b - WEEK));
            } else {
                pieces.push((a, b));
            }
        }
        pieces.sort_unstable();
        let mut spans: Vec<(i64, i64)> = Vec::new();
        for (a, b) in pieces {
            match spans.last_mut() {
                Some(last) if a <= last.1 => last.1 = last.1.max(b),
                _ => spans.push((a, b)),
            }
        }
        (!spans.is_empty()).then_some(Calendar { spans })
    }

    /// Parses `hours` (`24x7`, or ranges such as `"Mon-Fri 09:00-17:00, Sat 10:00-14:00"`)
    /// written in `timezone` (an IANA name; UTC when None). The error is a message and a hint.
    pub fn parse(hours: &str, timezone: Option<&str>) -> Result<Calendar, (String, String)> {
        let offset = match timezone {
            None => 0,
            Some(name) => standard_offset(name)?,
        };
        Calendar::parse_at(hours, offset)
    }

    /// Parses `hours` written at `offset` seconds east of UTC.
    pub fn parse_at(hours: &str, offset: i64) -> Result<Calendar, (String, String)> {
        let text = hours.trim();
        if text.eq_ignore_ascii_case("24x7") || text.eq_ignore_ascii_case("24/7") {
            return Ok(Calendar::always());
        }
        let ranges: Vec<&str> = text.split(',').map(str::trim).collect();
        if ranges.len() > MAX_RANGES {
            return Err((
                format!(
                    "hours lists {} ranges, more than the {MAX_RANGES} it may",
                    ranges.len()
                ),
                "merge neighbouring ranges".into(),
            ));
        }
        let mut spans = Vec::new();
        for range in ranges {
            let (days, from, to) = parse_range(range)?;
            let length = if to > from {
                to - from
            } else {
                DAY - from + to
            };
            for day in days {
                let start = day * DAY + from - offset;
                spans.push((start, start + length));
            }
        }
        Calendar::from_spans(&spans).ok_or_else(|| {
            (
                format!("hours `{hours}` hold no working time"),
                "write e.g. \"Mon-Fri 09:00-17:00\" or 24x7".into(),
            )
        })
    }

    /// Whether the clock never stops.
    pub fn is_always(&self) -> bool {
        self.spans == [(0, WEEK)]
    }

    /// The working spans, in seconds from Monday 00:00 UTC.
    pub fn spans(&self) -> &[(i64, i64)] {
        &self.spans
    }

    /// Working seconds per week.
    pub fn working_s(&self) -> f64 {
        self.spans.iter().map(|(a, b)| (b - a) as f64).sum()
    }

    /// The stretches without working time, each once, in the order of the week; a gap across
    /// the end of the week is one gap.
    pub fn gaps(&self) -> Vec<Gap> {
        let n = self.spans.len();
        let mut out = Vec::with_capacity(n);
        let mut worked = 0i64;
        for (k, &(start, end)) in self.spans.iter().enumerate() {
            let previous_end = if k == 0 {
                self.spans[n - 1].1 - WEEK
            } else {
                self.spans[k - 1].1
            };
            if start > previous_end {
                out.push(Gap {
                    length: (start - previous_end) as f64,
                    ends_at_work: worked as f64,
                });
            }
            worked += end - start;
        }
        out
    }

    /// Whether the clock runs at `t` seconds of the week (any real; wrapped into the week).
    pub fn working_at(&self, t: f64) -> bool {
        let p = t.rem_euclid(WEEK_S);
        self.spans
            .iter()
            .any(|&(a, b)| a as f64 <= p && p < b as f64)
    }

    /// The real time from `t` (seconds from a Monday 00:00 UTC, any real) until `work` seconds
    /// of working time have run: the earliest such moment, so a piece of work that ends as the
    /// hours end does not wait for the next morning.
    pub fn finish(&self, t: f64, work: f64) -> f64 {
        if work <= 0.0 {
            return 0.0;
        }
        if self.is_always() {
            return work;
        }
        let per_week = self.working_s();
        let mut weeks = (work / per_week).floor();
        let mut rest = work - weeks * per_week;
        if rest <= 0.0 {
            weeks -= 1.0;
            rest = per_week;
        }
        let p = t.rem_euclid(WEEK_S);
        // Walk the spans from p, through this week and the next.
        for shift in [0.0, WEEK_S, 2.0 * WEEK_S] {
            for &(a, b) in &self.spans {
                let (a, b) = (a as f64 + shift, b as f64 + shift);
                if b <= p {
                    continue;
                }
                let from = a.max(p);
                if rest <= b - from {
                    return weeks * WEEK_S + from + rest - p;
                }
                rest -= b - from;
            }
        }
        // Rounding left a sliver: it ends with the last span walked.
        weeks * WEEK_S + 2.0 * WEEK_S + self.spans[self.spans.len() - 1].1 as f64 - p
    }
}

/// `Mon-Fri 09:00-17:00`: the days (0 = Monday) and the local start and end in seconds of the day.
fn parse_range(range: &str) -> Result<(Vec<i64>, i64, i64), (String, String)> {
    let hint =
        || "write ranges such as \"Mon-Fri 09:00-17:00, Sat 10:00-14:00\", or 24x7".to_string();
    let mut parts = range.split_whitespace();
    let (Some(days), Some(times), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err((
            format!("`{range}` is not a range of days and hours"),
            hint(),
        ));
    };
    let days = match days.split_once('-') {
        Some((a, b)) => {
            let (a, b) = (day(a, range)?, day(b, range)?);
            // Fri-Mon wraps over the weekend.
            let count = (b - a).rem_euclid(7) + 1;
            (0..count).map(|i| (a + i) % 7).collect()
        }
        None => vec![day(days, range)?],
    };
    let Some((from, to)) = times.split_once('-') else {
        return Err((format!("`{range}` needs hours such as 09:00-17:00"), hint()));
    };
    let (from, to) = (clock(from, range, false)?, clock(to, range, true)?);
    if from == to {
        return Err((
            format!("`{range}` starts and ends at the same time"),
            "a whole day is 00:00-24:00".into(),
        ));
    }
    if from >= DAY {
        return Err((format!("`{range}` starts at 24:00"), hint()));
    }
    Ok((days, from, to))
}

fn day(text: &str, range: &str) -> Result<i64, (String, String)> {
    let t = text.trim().to_ascii_lowercase();
    DAYS.iter()
        .position(|d| t.len() >= 3 && d.starts_with(&t))
        .map(|i| i as i64)
        .ok_or_else(|| {
            (
                format!("`{text}` in `{range}` is not a day of the week"),
                "days are Mon, Tue, Wed, Thu, Fri, Sat, Sun; a span of days is Mon-Fri".into(),
            )
        })
}

/// `HH:MM` in seconds of the day; `24:00` only as an end.
fn clock(text: &str, range: &str, end: bool) -> Result<i64, (String, String)> {
    let bad = || {
        (
            format!("`{text}` in `{range}` is not a time of day"),
            "write times as HH:MM, from 00:00 to 24:00".into(),
        )
    };
    let (h, m) = text.trim().split_once(':').ok_or_else(bad)?;
    let digits = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(h) || !digits(m) {
        return Err(bad());
    }
    let (h, m): (i64, i64) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if m > 59 || h > 24 || (h == 24 && (m > 0 || !end)) {
        return Err(bad());
    }
    Ok(h * 3600 + m * 60)
}

/// The zone's offset from UTC in seconds outside daylight saving time, as its rules stood in
/// 2026 (January or July, whichever is not summer time there).
pub fn standard_offset(name: &str) -> Result<i64, (String, String)> {
    let zone = TimeZone::get(name.trim()).map_err(|_| {
        (
            format!("unknown time zone `{name}`"),
            "use an IANA name such as Europe/Warsaw, America/New_York or UTC".into(),
        )
    })?;
    // 2026-01-15 and 2026-07-15, 00:00 UTC.
    let moments = [1_768_435_200i64, 1_784_073_600];
    let mut offsets = Vec::new();
    for s in moments {
        let ts = Timestamp::from_second(s).expect("a valid instant");
        let info = zone.to_offset_info(ts);
        offsets.push((info.dst().is_dst(), info.offset().seconds() as i64));
    }
    Ok(offsets
        .iter()
        .find(|(dst, _)| !dst)
        .unwrap_or(&offsets[0])
        .1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn office_hours_in_warsaw_are_an_hour_earlier_in_utc() {
        let c = Calendar::parse("Mon-Fri 09:00-17:00", Some("Europe/Warsaw")).unwrap();
        assert_eq!(c.spans()[0], (8 * 3600, 16 * 3600));
        assert_eq!(c.working_s(), 40.0 * 3600.0);
        assert_eq!(c.gaps().len(), 5);
    }

    #[test]
    fn a_night_shift_crosses_midnight_and_the_week() {
        let c = Calendar::parse("Sun 22:00-06:00", None).unwrap();
        assert_eq!(c.spans(), &[(0, 6 * 3600), (WEEK - 2 * 3600, WEEK)]);
        // One gap: the week's end joins the two pieces.
        assert_eq!(c.gaps().len(), 1);
        assert_eq!(c.finish(WEEK_S - 3600.0, 2.0 * 3600.0), 2.0 * 3600.0);
    }

    #[test]
    fn finish_waits_for_the_next_span() {
        let c = Calendar::parse("Mon-Fri 09:00-17:00", None).unwrap();
        let friday_evening = 4.0 * 86_400.0 + 18.0 * 3600.0;
        // Waits until Monday 09:00 (63 h), then works one hour.
        assert_eq!(c.finish(friday_evening, 3600.0), 64.0 * 3600.0);
        // Work that ends as the day ends ends then.
        assert_eq!(c.finish(9.0 * 3600.0, 8.0 * 3600.0), 8.0 * 3600.0);
        // Two weeks of work from Monday 09:00 end on the second Friday at 17:00.
        assert_eq!(
            c.finish(9.0 * 3600.0, 80.0 * 3600.0),
            WEEK_S + 4.0 * 86_400.0 + 8.0 * 3600.0
        );
    }

    #[test]
    fn bad_hours_are_refused() {
        for bad in [
            "Mon-Fri",
            "Mon-Fri 9-17",
            "Mon-Fry 09:00-17:00",
            "Mon 25:00-26:00",
            "Mon 09:00-09:00",
            "Mon 24:00-01:00",
        ] {
            assert!(Calendar::parse(bad, None).is_err(), "{bad}");
        }
        assert!(Calendar::parse("24x7", Some("Mars/Olympus")).is_err());
    }
}
