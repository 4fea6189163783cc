//! From incident history to reliability values: per component, the failures seen over an
//! observation period, the time between them (maximum likelihood with its 90% chi-square
//! interval) and the time to repair them (mean and a lognormal fit).
//!
//! Incidents come as CSV (`component,start,end`), a PagerDuty incident export (`service.summary`,
//! `created_at`, `resolved_at`) or a Statuspage `/api/v2/incidents.json`
//! (`components[].name`, `started_at`, `resolved_at`). Overlapping incidents of one component are
//! one outage; an incident still open at the end of the period is censored there (its failure
//! counts, its repair time is unknown); an incident partly outside the period is clipped to it,
//! and one wholly outside is left out with a warning.

use std::collections::BTreeMap;

use crate::model::error::{Span, with_hint};
use crate::model::tree::{self, Node, Value};

use super::draw::{Z95, chi_square_quantile};

/// One incident as read: the component, when it started and (unless still open) ended, in
/// seconds since 1970, and where it stands in the file.
#[derive(Clone, Debug, PartialEq)]
pub struct Incident {
    /// The component's name, as the file writes it.
    pub component: String,
    /// When it started, in seconds since 1970.
    pub start: f64,
    /// When it ended, in seconds since 1970; `None` while still open.
    pub end: Option<f64>,
    /// Line of the incident in its file (1-based).
    pub line: usize,
}

/// A problem in an incident file, at its place.
#[derive(Clone, Debug, PartialEq)]
pub struct ReadError {
    /// Where the problem is, when known.
    pub span: Option<Span>,
    /// The message, with its hint after `with_hint`'s separator.
    pub message: String,
}

fn error_at(span: Span, message: String) -> ReadError {
    ReadError {
        span: Some(span),
        message,
    }
}

/// Seconds since 1970-01-01T00:00:00Z of an RFC 3339 time (`2024-03-01T12:00:00Z`,
/// `2024-03-01T12:00:00.5+02:00`; a space for the `T` too).
pub fn parse_time(text: &str) -> Result<f64, String> {
    let t = text.trim();
    let fail = || {
        with_hint(
            format!("`{text}` is not an RFC 3339 time"),
            "write a time such as 2024-03-01T12:00:00Z or 2024-03-01T14:00:00+02:00",
        )
    };
    let b = t.as_bytes();
    if b.len() < 20 || !b.is_ascii() {
        return Err(fail());
    }
    let num = |r: std::ops::Range<usize>| -> Result<i64, String> {
        let s = &t[r];
        if s.bytes().all(|c| c.is_ascii_digit()) {
            s.parse().map_err(|_| fail())
        } else {
            Err(fail())
        }
    };
    if b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return Err(fail());
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let mut at = 19;
    let mut fraction = 0.0;
    if b[at] == b'.' {
        let digits = t[at + 1..].bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(fail());
        }
        fraction = format!("0.{}", &t[at + 1..at + 1 + digits])
            .parse()
            .map_err(|_| fail())?;
        at += 1 + digits;
    }
    let offset = match &t[at..] {
        "Z" | "z" => 0,
        zone if zone.len() == 6
            && matches!(zone.as_bytes()[0], b'+' | b'-')
            && zone.as_bytes()[3] == b':' =>
        {
            let (h, m) = (num(at + 1..at + 3)?, num(at + 4..at + 6)?);
            if h > 23 || m > 59 {
                return Err(fail());
            }
            let sign = if zone.starts_with('-') { -1 } else { 1 };
            sign * (h * 3600 + m * 60)
        }
        _ => return Err(fail()),
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days_in = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in[(month - 1) as usize]
        || hour > 23
        || minute > 59
        || second > 60
    {
        return Err(fail());
    }
    let days = days_from_civil(year, month, day);
    Ok((days * 86_400 + hour * 3600 + minute * 60 + second - offset) as f64 + fraction)
}

/// A time for `--since` and `--until`: RFC 3339, or a date (`2024-03-01`, midnight UTC).
pub fn parse_bound(text: &str) -> Result<f64, String> {
    let t = text.trim();
    if t.len() == 10 && t.as_bytes()[4] == b'-' {
        return parse_time(&format!("{t}T00:00:00Z"));
    }
    parse_time(t)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// An RFC 3339 text for seconds since 1970 (whole seconds, UTC).
pub fn format_time(seconds: f64) -> String {
    let s = seconds.floor() as i64;
    let (days, rest) = (s.div_euclid(86_400), s.rem_euclid(86_400));
    // Inverse of days_from_civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

/// Reads incidents from CSV, PagerDuty or Statuspage JSON (told apart by their content).
/// `warnings` gets what is read but cannot count (a Statuspage incident naming no component).
pub fn read_incidents(
    source: &str,
    warnings: &mut Vec<String>,
) -> Result<Vec<Incident>, ReadError> {
    let first = source.trim_start_matches('\u{feff}').trim_start();
    if first.starts_with('{') || first.starts_with('[') {
        read_json(source, warnings)
    } else {
        read_csv(source)
    }
}

/// Splits one CSV line into fields, with `"quoted, fields"` and `""` for a quote inside one.
fn csv_fields(line: &str) -> Result<Vec<(String, usize)>, usize> {
    let mut fields = Vec::new();
    let mut chars = line.char_indices().peekable();
    loop {
        let start = chars.peek().map_or(line.len(), |&(i, _)| i);
        let mut field = String::new();
        if let Some(&(_, '"')) = chars.peek() {
            chars.next();
            loop {
                match chars.next() {
                    Some((_, '"')) if matches!(chars.peek(), Some(&(_, '"'))) => {
                        chars.next();
                        field.push('"');
                    }
                    Some((_, '"')) => break,
                    Some((_, c)) => field.push(c),
                    None => return Err(start + 1),
                }
            }
            match chars.next() {
                None => {
                    fields.push((field, start + 1));
                    return Ok(fields);
                }
                Some((_, ',')) => fields.push((field, start + 1)),
                Some((i, _)) => return Err(i + 1),
            }
        } else {
            loop {
                match chars.next() {
                    None => {
                        fields.push((field.trim().to_string(), start + 1));
                        return Ok(fields);
                    }
                    Some((_, ',')) => break,
                    Some((_, c)) => field.push(c),
                }
            }
            fields.push((field.trim().to_string(), start + 1));
        }
    }
}

fn read_csv(source: &str) -> Result<Vec<Incident>, ReadError> {
    let mut lines = source
        .trim_start_matches('\u{feff}')
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let span = |line: usize, col: usize, len: usize| Span {
        file: 0,
        line: line + 1,
        col,
        len,
    };
    let hint = "the first line names the columns: component,start,end (RFC 3339 times; an empty end is an incident still open)";
    let Some((header_line, header)) = lines.next() else {
        return Err(ReadError {
            span: None,
            message: with_hint("the file holds no incidents".into(), hint),
        });
    };
    let bad_quote = |line: usize, col: usize| {
        error_at(
            span(line, col, 1),
            with_hint(
                "a quoted field is not closed".into(),
                "close every \" and write \"\" for a quote inside a field",
            ),
        )
    };
    let names = csv_fields(header).map_err(|c| bad_quote(header_line, c))?;
    let column = |name: &str| names.iter().position(|(n, _)| n.eq_ignore_ascii_case(name));
    let (Some(ci), Some(si), Some(ei)) = (column("component"), column("start"), column("end"))
    else {
        let missing: Vec<&str> = ["component", "start", "end"]
            .into_iter()
            .filter(|n| column(n).is_none())
            .collect();
        return Err(error_at(
            span(header_line, 1, header.len()),
            with_hint(
                format!(
                    "the header lacks the column{} {}",
                    if missing.len() == 1 { "" } else { "s" },
                    missing.join(", ")
                ),
                hint,
            ),
        ));
    };
    let mut out = Vec::new();
    for (n, line) in lines {
        let fields = csv_fields(line).map_err(|c| bad_quote(n, c))?;
        let get = |i: usize, what: &str| -> Result<(String, usize), ReadError> {
            fields.get(i).cloned().ok_or_else(|| {
                error_at(
                    span(n, line.len().max(1), 1),
                    with_hint(format!("the line has no `{what}` column"), hint),
                )
            })
        };
        let (component, col) = get(ci, "component")?;
        if component.is_empty() {
            return Err(error_at(
                span(n, col, 1),
                with_hint("the component is empty".into(), hint),
            ));
        }
        let (start, scol) = get(si, "start")?;
        let start = parse_time(&start).map_err(|e| error_at(span(n, scol, start.len()), e))?;
        let (end, ecol) = get(ei, "end")?;
        let end = if end.is_empty() {
            None
        } else {
            Some(parse_time(&end).map_err(|e| error_at(span(n, ecol, end.len()), e))?)
        };
        if let Some(e) = end
            && e < start
        {
            return Err(error_at(
                span(n, ecol, 1),
                with_hint(
                    format!("the incident of `{component}` ends before it starts"),
                    "the end is the time it was resolved, after its start",
                ),
            ));
        }
        out.push(Incident {
            component,
            start,
            end,
            line: n + 1,
        });
    }
    Ok(out)
}

fn key<'a>(node: &'a Node, name: &str) -> Option<&'a Node> {
    match &node.value {
        Value::Map(entries) => entries
            .iter()
            .find(|(k, _)| k.value == Value::Str(name.into()))
            .map(|(_, v)| v),
        _ => None,
    }
}

/// The string under `field` of `parent`, or an error at `parent` naming what lacks it.
fn required(parent: &Node, field: &str, what: &str, hint: &str) -> Result<String, ReadError> {
    match key(parent, field).map(|n| &n.value) {
        Some(Value::Str(s)) => Ok(s.clone()),
        Some(_) => Err(error_at(
            parent.span,
            format!("`{field}` of {what} is not a string"),
        )),
        None => Err(error_at(
            parent.span,
            with_hint(format!("{what} has no `{field}`"), hint),
        )),
    }
}

fn read_json(source: &str, warnings: &mut Vec<String>) -> Result<Vec<Incident>, ReadError> {
    let root = tree::from_yaml(source).map_err(|e| ReadError {
        span: e.span,
        message: e.message,
    })?;
    let hint = "a PagerDuty export lists incidents with service.summary, created_at and resolved_at; a Statuspage incidents.json lists them with components[].name, started_at and resolved_at";
    let list = match &root.value {
        Value::Seq(_) => &root,
        _ => key(&root, "incidents")
            .ok_or_else(|| error_at(root.span, with_hint("no `incidents` list".into(), hint)))?,
    };
    let Value::Seq(items) = &list.value else {
        return Err(error_at(
            list.span,
            with_hint("`incidents` is not a list".into(), hint),
        ));
    };
    let text = |node: &Node, what: &str| -> Result<Option<String>, ReadError> {
        match &node.value {
            Value::Null => Ok(None),
            Value::Str(s) => Ok(Some(s.clone())),
            _ => Err(error_at(node.span, format!("`{what}` is not a string"))),
        }
    };
    let time = |item: &Node, names: &[&str]| -> Result<Option<(f64, Span)>, ReadError> {
        for name in names {
            if let Some(node) = key(item, name)
                && let Some(t) = text(node, name)?
            {
                return parse_time(&t)
                    .map(|x| Some((x, node.span)))
                    .map_err(|e| error_at(node.span, e));
            }
        }
        Ok(None)
    };
    let mut out = Vec::new();
    for item in items {
        let Some((start, _)) = time(item, &["started_at", "created_at"])? else {
            return Err(error_at(
                item.span,
                with_hint(
                    "the incident has no start (`created_at` or `started_at`)".into(),
                    hint,
                ),
            ));
        };
        let end = time(item, &["resolved_at"])?;
        if let Some((e, span)) = end
            && e < start
        {
            return Err(error_at(
                span,
                with_hint(
                    "the incident is resolved before it starts".into(),
                    "resolved_at is the time it was resolved, after its start",
                ),
            ));
        }
        let end = end.map(|(e, _)| e);
        let line = item.span.line;
        if let Some(service) = key(item, "service") {
            let name = required(service, "summary", "the service", hint)?;
            out.push(Incident {
                component: name,
                start,
                end,
                line,
            });
        } else if let Some(components) = key(item, "components") {
            let Value::Seq(cs) = &components.value else {
                return Err(error_at(
                    components.span,
                    "`components` is not a list".into(),
                ));
            };
            if cs.is_empty() {
                let name = key(item, "name").and_then(|n| text(n, "name").ok().flatten());
                warnings.push(format!(
                    "line {line}: incident {} names no component; not counted",
                    name.map_or("without a name".into(), |n| format!("`{n}`"))
                ));
            }
            for c in cs {
                let name = required(c, "name", "the component", hint)?;
                out.push(Incident {
                    component: name,
                    start,
                    end,
                    line,
                });
            }
        } else {
            return Err(error_at(
                item.span,
                with_hint(
                    "the incident names neither a `service` nor `components`".into(),
                    hint,
                ),
            ));
        }
    }
    Ok(out)
}

/// What the history says of one component.
#[derive(Clone, Debug, PartialEq)]
pub struct Calibration {
    /// The component's name.
    pub name: String,
    /// Failures (merged outages that began in the period).
    pub incidents: u64,
    /// Of them, still open at the end of the period.
    pub censored: u64,
    /// Time up in the period: the exposure to failure, in seconds.
    pub exposure_s: f64,
    /// Time down in the period, in seconds.
    pub downtime_s: f64,
    /// Maximum likelihood mttf (exposure / incidents); None with no incident.
    pub mttf_s: Option<f64>,
    /// 90% interval of the mttf (chi-square bounds); with no incident, the rule of three's
    /// lower bound (exposure / 3) and no upper bound.
    pub mttf_ci90_s: (f64, Option<f64>),
    /// Repairs seen whole (not censored).
    pub repairs: u64,
    /// The mean repair time of the repairs seen whole, in seconds; `None` with none.
    pub mttr_mean_s: Option<f64>,
    /// Lognormal fit of the repair times: median and sigma of the log (two repairs or more).
    pub mttr_lognormal: Option<(f64, f64)>,
    /// 1 − downtime / period.
    pub observed_availability: f64,
}

impl Calibration {
    /// The 5th and 95th percentiles of the repair time under its lognormal fit.
    pub fn mttr_percentiles(&self) -> Option<(f64, f64)> {
        let (median, sigma) = self.mttr_lognormal?;
        Some((median * (-Z95 * sigma).exp(), median * (Z95 * sigma).exp()))
    }
}

/// The 90% interval of a failure rate's mean time from `k` failures over `exposure`
/// (time-terminated): [2T / χ²(0.95; 2k + 2), 2T / χ²(0.05; 2k)]; with none, the rule of three
/// (T / 3, no upper bound).
pub fn mttf_interval(k: u64, exposure: f64) -> (f64, Option<f64>) {
    if k == 0 {
        return (exposure / 3.0, None);
    }
    let k = k as f64;
    (
        2.0 * exposure / chi_square_quantile(0.95, 2.0 * k + 2.0),
        Some(2.0 * exposure / chi_square_quantile(0.05, 2.0 * k)),
    )
}

/// Outcome of calibrating one history.
#[derive(Clone, Debug, PartialEq)]
pub struct History {
    /// The start of the period, in seconds since 1970.
    pub since: f64,
    /// The end of the period, in seconds since 1970.
    pub until: f64,
    /// Every component with incidents, in the order of their names.
    pub components: Vec<Calibration>,
    /// Incidents left out or only partly counted, said in words.
    pub warnings: Vec<String>,
}

/// Calibrates every component named in `incidents` (and every name of `names`, with no incident
/// or some) over [since, until].
pub fn calibrate(incidents: &[Incident], names: &[String], since: f64, until: f64) -> History {
    let period = until - since;
    let mut warnings = Vec::new();
    // Per component: each incident's start and end (None while open).
    let mut by_name: BTreeMap<&str, Vec<(f64, Option<f64>)>> = BTreeMap::new();
    let mut order: Vec<&str> = names.iter().map(String::as_str).collect();
    for n in names {
        by_name.entry(n.as_str()).or_default();
    }
    for i in incidents {
        let list = by_name.entry(i.component.as_str()).or_insert_with(|| {
            order.push(i.component.as_str());
            Vec::new()
        });
        if i.start >= until || i.end.is_some_and(|e| e <= since) {
            warnings.push(format!(
                "line {}: incident of `{}` from {} is outside the period; not counted",
                i.line,
                i.component,
                format_time(i.start)
            ));
            continue;
        }
        if i.start < since {
            warnings.push(format!(
                "line {}: incident of `{}` began before the period ({}); its downtime in the period counts, not its failure",
                i.line,
                i.component,
                format_time(i.start)
            ));
        }
        list.push((i.start, i.end));
    }
    let components = order
        .into_iter()
        .map(|name| {
            let mut list = by_name.remove(name).unwrap_or_default();
            list.sort_by(|a, b| a.0.total_cmp(&b.0));
            // Merge overlapping outages: (start, end or open).
            let mut merged: Vec<(f64, Option<f64>)> = Vec::new();
            for (s, e) in list {
                match merged.last_mut() {
                    Some((_, last_end)) if last_end.is_none_or(|le| s <= le) => {
                        *last_end = match (*last_end, e) {
                            (Some(a), Some(b)) => Some(a.max(b)),
                            _ => None,
                        };
                    }
                    _ => merged.push((s, e)),
                }
            }
            let mut incidents = 0;
            let mut censored = 0;
            let mut downtime = 0.0;
            let mut repairs = Vec::new();
            for &(s, e) in &merged {
                let open = e.is_none_or(|e| e > until);
                let (from, to) = (s.max(since), e.unwrap_or(until).min(until));
                downtime += (to - from).max(0.0);
                if s >= since {
                    incidents += 1;
                    if open {
                        censored += 1;
                    } else if let Some(e) = e {
                        repairs.push(e - s);
                    }
                }
            }
            let exposure = (period - downtime).max(0.0);
            let mttr_mean =
                (!repairs.is_empty()).then(|| repairs.iter().sum::<f64>() / repairs.len() as f64);
            let logs: Vec<f64> = repairs
                .iter()
                .filter(|&&r| r > 0.0)
                .map(|r| r.ln())
                .collect();
            let mttr_lognormal = (logs.len() >= 2).then(|| {
                let m = logs.iter().sum::<f64>() / logs.len() as f64;
                let v =
                    logs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (logs.len() - 1) as f64;
                (m.exp(), v.sqrt())
            });
            Calibration {
                name: name.to_string(),
                incidents,
                censored,
                exposure_s: exposure,
                downtime_s: downtime,
                mttf_s: (incidents > 0).then(|| exposure / incidents as f64),
                mttf_ci90_s: mttf_interval(incidents, exposure),
                repairs: repairs.len() as u64,
                mttr_mean_s: mttr_mean,
                mttr_lognormal,
                observed_availability: 1.0 - downtime / period,
            }
        })
        .collect();
    History {
        since,
        until,
        components,
        warnings,
    }
}
