//! The report's charts: the nines of every component, the downtime spent of each SLO budget,
//! and the simulated downtime histograms.

use super::*;

/// One bar of the nines chart.
#[derive(Clone, Debug, PartialEq)]
pub struct NinesBar {
    /// The component's name.
    pub name: String,
    /// Infinite for a component never down.
    pub nines: f64,
    /// Its availability, for the label.
    pub availability: f64,
    /// Its unavailability, carried apart so the label keeps its digits.
    pub unavailability: f64,
    /// The slo in nines, marked on the bar, when it has one.
    pub slo_nines: Option<f64>,
    /// Whether the slo is met: the bar's colour (neutral without an slo).
    pub meets: Option<bool>,
}

fn percent_of_nines(n: f64) -> String {
    let u = 10f64.powf(-n);
    format_percent(1.0 - u, u)
}

/// Horizontal bars: each component's nines, its slo marked.
pub fn nines_chart(bars: &[NinesBar], title: &str) -> String {
    const W: f64 = 960.0;
    const LABEL: f64 = 190.0;
    const X0: f64 = 200.0;
    const X1: f64 = 770.0;
    const ROW: f64 = 26.0;
    const TOP: f64 = 40.0;
    let top_nines = bars
        .iter()
        .flat_map(|b| [Some(b.nines), b.slo_nines])
        .flatten()
        .filter(|n| n.is_finite())
        .fold(3.0f64, f64::max);
    let max = (top_nines + 0.25).ceil().max(3.0);
    let sx = |n: f64| X0 + (X1 - X0) * (n.clamp(0.0, max) / max);
    let h = TOP + ROW * bars.len() as f64 + 12.0;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart nines\" viewBox=\"0 0 {W} {}\" role=\"img\" aria-label=\"{}\" font-family=\"{FONT}\"><title>{}</title>",
        f(h),
        esc(title),
        esc(title)
    );
    let mut n = 0.0;
    while n <= max + 1e-9 {
        let x = sx(n);
        let _ = writeln!(
            s,
            "<line x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"{GRID}\"/><text x=\"{x}\" y=\"16\" text-anchor=\"middle\" font-size=\"11.5\" fill=\"{INK}\">{}</text><text x=\"{x}\" y=\"30\" text-anchor=\"middle\" font-size=\"10.5\" fill=\"{MUTED}\">{}</text>",
            f(TOP - 4.0),
            f(h - 8.0),
            n as u32,
            if n == 0.0 {
                "0%".to_string()
            } else {
                percent_of_nines(n)
            },
            x = f(x)
        );
        n += 1.0;
    }
    for (i, b) in bars.iter().enumerate() {
        let y = TOP + i as f64 * ROW;
        let color = match b.meets {
            Some(true) => OK,
            Some(false) => BAD,
            None => NEUTRAL,
        };
        let end = if b.nines.is_finite() { sx(b.nines) } else { X1 };
        let value = if b.nines.is_finite() {
            format!(
                "{} · {}",
                format_nines(b.nines),
                format_percent(b.availability, b.unavailability)
            )
        } else {
            "∞ · never down".into()
        };
        let _ = writeln!(
            s,
            "<g class=\"bar\"><title>{}: {} nines ({})</title><text x=\"{LABEL}\" y=\"{}\" text-anchor=\"end\" font-size=\"12.5\" fill=\"{INK}\">{}</text><rect x=\"{X0}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"3\" fill=\"{color}\" fill-opacity=\"0.85\"/><text x=\"{}\" y=\"{}\" font-size=\"11.5\" fill=\"{MUTED}\">{}</text></g>",
            esc(&b.name),
            format_nines(b.nines),
            format_percent(b.availability, b.unavailability),
            f(y + ROW / 2.0 + 4.0),
            esc(&truncate(&b.name, 26)),
            f(y + 5.0),
            f((end - X0).max(1.0)),
            f(ROW - 10.0),
            f(X1 + 10.0),
            f(y + ROW / 2.0 + 4.0),
            value
        );
        if let Some(slo) = b.slo_nines.filter(|n| n.is_finite()) {
            let x = sx(slo);
            let _ = writeln!(
                s,
                "<g class=\"slo-mark\"><title>slo {}</title><line x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"{INK}\" stroke-width=\"2.5\"/><path d=\"M{},{} l-4,-5 h8 z\" fill=\"{INK}\"/></g>",
                percent_of_nines(slo),
                f(y + 2.0),
                f(y + ROW - 2.0),
                f(x),
                f(y + 3.0),
                x = f(x)
            );
        }
    }
    s += "</svg>\n";
    s
}

/// One row of the budget chart.
#[derive(Clone, Debug, PartialEq)]
pub struct BudgetBar {
    /// The component's name.
    pub name: String,
    /// Expected downtime per window, in seconds.
    pub used_s: f64,
    /// The slo's allowed downtime per window, in seconds.
    pub budget_s: f64,
}

/// Horizontal bars: the expected downtime per window as a share of the slo's budget, with the
/// budget at 100%.
pub fn budget_chart(rows: &[BudgetBar], window: &str, title: &str) -> String {
    const W: f64 = 960.0;
    const LABEL: f64 = 190.0;
    const X0: f64 = 200.0;
    const X1: f64 = 700.0;
    const ROW: f64 = 30.0;
    const TOP: f64 = 26.0;
    let share = |r: &BudgetBar| {
        if r.budget_s > 0.0 {
            r.used_s / r.budget_s
        } else if r.used_s > 0.0 {
            f64::INFINITY
        } else {
            0.0
        }
    };
    // Up to 150% always; further only as far as needed, at most 5×.
    let max = rows
        .iter()
        .map(share)
        .fold(1.5f64, |m, x| m.max((x * 1.1).min(5.0)));
    let max = (max * 2.0).ceil() / 2.0;
    let sx = |x: f64| X0 + (X1 - X0) * (x.clamp(0.0, max) / max);
    let h = TOP + ROW * rows.len() as f64 + 10.0;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart budget\" viewBox=\"0 0 {W} {}\" role=\"img\" aria-label=\"{}\" font-family=\"{FONT}\"><title>{}</title>",
        f(h),
        esc(title),
        esc(title)
    );
    let mut t = 0.0;
    while t <= max + 1e-9 {
        let x = f(sx(t));
        let _ = writeln!(
            s,
            "<line x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"{GRID}\"/><text x=\"{x}\" y=\"14\" text-anchor=\"middle\" font-size=\"11\" fill=\"{MUTED}\">{}%</text>",
            f(TOP - 4.0),
            f(h - 6.0),
            (t * 100.0).round()
        );
        t += 0.5;
    }
    for (i, r) in rows.iter().enumerate() {
        let y = TOP + i as f64 * ROW;
        let x = share(r);
        let color = if x <= 1.0 { OK } else { BAD };
        let over = if x > max { " ▸" } else { "" };
        let pct = if x.is_finite() {
            format!("{:.0}%", x * 100.0)
        } else {
            "no budget".into()
        };
        let _ = writeln!(
            s,
            "<g class=\"bar\"><title>{}: {} of {} per {window}</title><text x=\"{LABEL}\" y=\"{}\" text-anchor=\"end\" font-size=\"12.5\" fill=\"{INK}\">{}</text><rect x=\"{X0}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"3\" fill=\"{color}\" fill-opacity=\"0.85\"/><text x=\"{}\" y=\"{}\" font-size=\"11.5\" fill=\"{MUTED}\">{} of {} ({pct}){over}</text></g>",
            esc(&r.name),
            format_duration_human(r.used_s),
            format_duration_human(r.budget_s),
            f(y + ROW / 2.0 + 4.0),
            esc(&truncate(&r.name, 26)),
            f(y + 6.0),
            f((sx(x) - X0).max(1.0)),
            f(ROW - 12.0),
            f(X1 + 10.0),
            f(y + ROW / 2.0 + 4.0),
            format_duration_human(r.used_s),
            format_duration_human(r.budget_s),
        );
    }
    let bx = f(sx(1.0));
    let _ = writeln!(
        s,
        "<line class=\"budget-line\" x1=\"{bx}\" y1=\"{}\" x2=\"{bx}\" y2=\"{}\" stroke=\"{INK}\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\"/>",
        f(TOP - 6.0),
        f(h - 4.0)
    );
    s += "</svg>\n";
    s
}

/// The simulated downtime per window of one component: a histogram (or, without one, the
/// percentiles as a box from p50 to p90 and a whisker to p99) with the slo's budget marked.
/// None when there is nothing to draw.
pub fn histogram(c: &SimulatedComponent, window: &str) -> Option<String> {
    const W: f64 = 460.0;
    const H: f64 = 248.0;
    const X0: f64 = 44.0;
    const X1: f64 = 440.0;
    const Y0: f64 = 180.0;
    const Y1: f64 = 16.0;
    let pct = c.window_downtime_s;
    if c.histogram.is_empty() && pct.is_none() {
        return None;
    }
    let title = format!("{}: downtime per {window}", c.name);
    let hi = c
        .histogram
        .iter()
        .map(|b| b.hi_s)
        .chain(c.budget_s)
        .chain(pct.map(|p| p.p99))
        .filter(|x| x.is_finite())
        .fold(0.0f64, f64::max);
    let hi = if hi > 0.0 { hi * 1.05 } else { 1.0 };
    let sx = |x: f64| X0 + (X1 - X0) * (x / hi).clamp(0.0, 1.0);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart histogram\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-label=\"{}\" font-family=\"{FONT}\"><title>{}</title>",
        esc(&title),
        esc(&title)
    );
    let _ = writeln!(
        s,
        "<line x1=\"{X0}\" y1=\"{Y0}\" x2=\"{X1}\" y2=\"{Y0}\" stroke=\"{MUTED}\"/>"
    );
    if c.histogram.is_empty() {
        if let Some(p) = pct {
            let (a, b, top) = (sx(p.p50), sx(p.p90), sx(p.p99));
            let _ = writeln!(
                s,
                "<g class=\"spread\"><line x1=\"{}\" y1=\"110\" x2=\"{}\" y2=\"110\" stroke=\"#3b82f6\" stroke-width=\"2\"/><line x1=\"{}\" y1=\"100\" x2=\"{}\" y2=\"120\" stroke=\"#3b82f6\" stroke-width=\"2\"/><rect x=\"{}\" y=\"92\" width=\"{}\" height=\"36\" rx=\"3\" fill=\"#3b82f6\" fill-opacity=\"0.8\"><title>half of the windows below {}, nine in ten below {}, 99 in 100 below {}</title></rect></g>",
                f(b),
                f(top),
                f(top),
                f(top),
                f(a),
                f((b - a).max(2.0)),
                format_duration_human(p.p50),
                format_duration_human(p.p90),
                format_duration_human(p.p99)
            );
        }
    } else {
        let most = c
            .histogram
            .iter()
            .map(|b| b.windows)
            .max()
            .unwrap_or(0)
            .max(1);
        let sy = |n: u64| Y0 - (Y0 - Y1) * n as f64 / most as f64;
        for b in &c.histogram {
            let over = c.budget_s.is_some_and(|budget| b.lo_s >= budget);
            let (x0, x1) = (sx(b.lo_s), sx(b.hi_s));
            let _ = writeln!(
                s,
                "<rect class=\"bin\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" fill-opacity=\"0.8\"><title>{}–{}: {} windows</title></rect>",
                f(x0 + 0.5),
                f(sy(b.windows)),
                f((x1 - x0 - 1.0).max(0.5)),
                f(Y0 - sy(b.windows)),
                if over { BAD } else { "#3b82f6" },
                format_duration_human(b.lo_s),
                format_duration_human(b.hi_s),
                b.windows
            );
        }
        let total: u64 = c.histogram.iter().map(|b| b.windows).sum();
        let _ = writeln!(
            s,
            "<text x=\"{X0}\" y=\"{}\" font-size=\"10.5\" fill=\"{MUTED}\">{total} windows</text>",
            f(H - 4.0)
        );
    }
    for i in 0..=4 {
        let v = hi * i as f64 / 4.0;
        let _ = writeln!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"10.5\" fill=\"{MUTED}\">{}</text>",
            f(sx(v)),
            f(Y0 + 14.0),
            format_duration_human(v)
        );
    }
    // Percentiles below the axis labels; those that fall together share one mark.
    let mut marks: Vec<(f64, String)> = Vec::new();
    if let Some(p) = pct {
        for (label, v) in [("p50", p.p50), ("p90", p.p90), ("p99", p.p99)] {
            let x = sx(v);
            match marks.last_mut() {
                Some((at, text)) if (x - *at).abs() < 22.0 => *text += &format!(" {label}"),
                _ => marks.push((x, label.to_string())),
            }
        }
    }
    for (x, label) in marks {
        let _ = writeln!(
            s,
            "<g class=\"percentile\"><path d=\"M{},{} l-4,6 h8 z\" fill=\"{INK}\"/><text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"10\" fill=\"{INK}\">{label}</text></g>",
            f(x),
            f(Y0 + 20.0),
            f(x),
            f(Y0 + 37.0)
        );
    }
    if let Some(budget) = c.budget_s {
        let x = f(sx(budget));
        let _ = writeln!(
            s,
            "<g class=\"budget-line\"><line x1=\"{x}\" y1=\"{Y1}\" x2=\"{x}\" y2=\"{Y0}\" stroke=\"{BAD}\" stroke-width=\"2\" stroke-dasharray=\"5 3\"/><text x=\"{x}\" y=\"{}\" text-anchor=\"middle\" font-size=\"11\" fill=\"{BAD}\">slo budget {}</text></g>",
            f(Y1 - 4.0),
            format_duration_human(budget)
        );
    }
    s += "</svg>\n";
    Some(s)
}

/// The availability of one component over the draws of the model's uncertain values: a
/// histogram of the draws' nines, red beyond the slo, with the slo marked.
pub fn doubt_chart(name: &str, unavailability: &[f64], slo_unavailability: f64) -> String {
    const W: f64 = 460.0;
    const H: f64 = 230.0;
    const X0: f64 = 44.0;
    const X1: f64 = 440.0;
    const Y0: f64 = 180.0;
    const Y1: f64 = 20.0;
    const BINS: usize = 30;
    let title = format!("{name}: availability over the draws");
    // Nines of each draw; a draw never down is drawn at the right edge.
    let nines: Vec<f64> = unavailability.iter().map(|&u| -u.log10()).collect();
    let slo_nines = -slo_unavailability.log10();
    let finite = nines.iter().copied().filter(|x| x.is_finite());
    let lo = finite.clone().fold(slo_nines, f64::min);
    let hi = finite.fold(slo_nines, f64::max);
    let (lo, hi) = if hi - lo < 1e-9 {
        (lo - 0.5, hi + 0.5)
    } else {
        (lo, hi)
    };
    let pad = (hi - lo) * 0.04;
    let (lo, hi) = (lo - pad, hi + pad);
    let sx = |x: f64| X0 + (X1 - X0) * ((x - lo) / (hi - lo)).clamp(0.0, 1.0);
    let mut counts = [0u64; BINS];
    for &n in &nines {
        let at = if n.is_finite() {
            (n - lo) / (hi - lo)
        } else {
            1.0
        };
        counts[((at * BINS as f64) as usize).min(BINS - 1)] += 1;
    }
    let most = counts.iter().copied().max().unwrap_or(0).max(1);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart doubt\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-label=\"{}\" font-family=\"{FONT}\"><title>{}</title>",
        esc(&title),
        esc(&title)
    );
    let _ = writeln!(
        s,
        "<line x1=\"{X0}\" y1=\"{Y0}\" x2=\"{X1}\" y2=\"{Y0}\" stroke=\"{MUTED}\"/>"
    );
    let width = (hi - lo) / BINS as f64;
    for (b, &n) in counts.iter().enumerate() {
        if n == 0 {
            continue;
        }
        let (a, z) = (lo + b as f64 * width, lo + (b + 1) as f64 * width);
        let (x0, x1) = (sx(a), sx(z));
        let y = Y0 - (Y0 - Y1) * n as f64 / most as f64;
        let _ = writeln!(
            s,
            "<rect class=\"bin\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" fill-opacity=\"0.8\"><title>{}–{} nines: {n} draws</title></rect>",
            f(x0 + 0.5),
            f(y),
            f((x1 - x0 - 1.0).max(0.5)),
            f(Y0 - y),
            if z <= slo_nines { BAD } else { "#3b82f6" },
            format_nines(a),
            format_nines(z),
        );
    }
    for i in 0..=4 {
        let v = lo + (hi - lo) * i as f64 / 4.0;
        let u = 10f64.powf(-v);
        let _ = writeln!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"10.5\" fill=\"{MUTED}\">{}</text>",
            f(sx(v)),
            f(Y0 + 14.0),
            format_percent(1.0 - u, u)
        );
    }
    let x = f(sx(slo_nines));
    let _ = writeln!(
        s,
        "<g class=\"slo-line\"><line x1=\"{x}\" y1=\"{Y1}\" x2=\"{x}\" y2=\"{Y0}\" stroke=\"{BAD}\" stroke-width=\"2\" stroke-dasharray=\"5 3\"/><text x=\"{x}\" y=\"{}\" text-anchor=\"middle\" font-size=\"11\" fill=\"{BAD}\">slo {}</text></g>",
        f(Y1 - 6.0),
        format_percent(1.0 - slo_unavailability, slo_unavailability)
    );
    let _ = writeln!(
        s,
        "<text x=\"{X0}\" y=\"{}\" font-size=\"10.5\" fill=\"{MUTED}\">{} draws</text>",
        f(H - 6.0),
        unavailability.len()
    );
    s += "</svg>\n";
    s
}
