//! Cost-versus-nines plots as SVG or PNG, drawn with plotters and no system font library: the
//! one font (DejaVu Sans, in `assets/`) is compiled into the binary.
//!
//! Files are written whole or not at all: into a temporary file beside the target, then renamed.

use std::path::Path;
use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::tradeoff::format_money;
use crate::cost::firefighting::{self, RepairPoint};
use crate::cost::rule::RuleCurve;
use crate::cost::{Outcome, Tradeoff};
use crate::model::units::{format_duration_human, format_percent};

/// Plot size in pixels (and SVG user units).
pub const WIDTH: u32 = 1000;
/// Plot height in pixels (and SVG user units).
pub const HEIGHT: u32 = 640;
/// The width added beside the nines curve for the firefighting curve.
pub const FIRE_WIDTH: u32 = 760;

const FONT: &str = "sans-serif";
static FONT_BYTES: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");

const FRONTIER: RGBColor = RGBColor(31, 119, 180);
const TOTAL: RGBColor = RGBColor(255, 127, 14);
const DOMINATED: RGBColor = RGBColor(170, 170, 170);
const SWEET: RGBColor = RGBColor(214, 39, 40);
const SLO: RGBColor = RGBColor(44, 160, 44);
const INK: RGBColor = RGBColor(50, 50, 50);

/// Why a plot cannot be written.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// The file's extension names no plot format (`.svg` or `.png`).
    #[error("cannot tell the plot format of `{0}`\n  = hint: name the file .svg or .png")]
    Format(String),
    /// The plotting library failed.
    #[error("cannot draw the plot: {0}")]
    Draw(String),
    /// The file cannot be written.
    #[error("cannot write `{path}`: {source}")]
    Io {
        /// The file, as named.
        path: String,
        /// What the system said.
        source: std::io::Error,
    },
    /// The model could not be evaluated to get the numbers to plot.
    #[error("{0}")]
    Engine(#[from] crate::exact::EngineError),
}

fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The bytes are a valid TrueType font compiled in; a failure would leave text unsized,
        // which plotters reports as a drawing error, so there is nothing more to do here.
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, FONT_BYTES);
    });
}

fn draw_error<E: std::fmt::Debug>(e: E) -> PlotError {
    PlotError::Draw(format!("{e:?}"))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Svg,
    Png,
}

/// Refuses a plot file whose name says neither SVG nor PNG, before any work is done for it.
pub fn check_path(path: &Path) -> Result<(), PlotError> {
    kind_of(path).map(|_| ())
}

fn kind_of(path: &Path) -> Result<Kind, PlotError> {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("svg") => Ok(Kind::Svg),
        Some("png") => Ok(Kind::Png),
        _ => Err(PlotError::Format(crate::model::error::shown_path(path))),
    }
}

fn encode_png(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>, png::EncodingError> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(rgb)?;
    }
    Ok(out)
}

/// Writes the plot whole or not at all, never through a planted link: a reader never sees half
/// a plot and a failure leaves any earlier file as it was.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    super::review::write::write_file_atomically(path, bytes)
}

/// A range padded so that even one point has room, in linear units.
fn padded(lo: f64, hi: f64, pad: f64) -> (f64, f64) {
    if hi - lo < 1e-9 {
        (lo - 0.5, hi + 0.5)
    } else {
        let p = (hi - lo) * pad;
        (lo - p, hi + p)
    }
}

/// A positive range for a log axis, one ninth of a decade beyond the data either side.
fn log_range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, 0.0f64);
    for v in values.filter(|v| v.is_finite() && *v > 0.0) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return (1.0, 10.0);
    }
    if hi / lo < 1.5 {
        (lo / 2.0, hi * 2.0)
    } else {
        (lo / 1.3, hi * 1.3)
    }
}

fn nines(o: &Outcome) -> f64 {
    -o.down.p.log10()
}

fn percent_of_nines(n: f64) -> String {
    let u = 10f64.powf(-n);
    format_percent(1.0 - u, u)
}

fn nines_label(n: f64) -> String {
    format!("{n:.1} ({})", percent_of_nines(n))
}

/// The cost-versus-nines plot of a tradeoff, written to `path` (.svg or .png).
/// The axes both cost plots share: nines across, monthly cost up on a log scale. A macro, as
/// the chart's type differs per drawing backend.
macro_rules! cost_chart {
    ($root:expr, $title:expr, $x:expr, $y:expr) => {{
        let mut chart = ChartBuilder::on($root)
            .caption($title, (FONT, 22))
            .margin(18)
            .margin_right(56)
            .x_label_area_size(50)
            .y_label_area_size(90)
            .build_cartesian_2d($x, ($y).log_scale())
            .map_err(draw_error)?;
        chart
            .configure_mesh()
            .x_desc("availability (nines; 3 nines = 99.9%)")
            .y_desc("monthly cost (log scale)")
            .x_labels(8)
            .x_label_formatter(&|x| nines_label(*x))
            .y_label_formatter(&|y| format_money(*y))
            .label_style((FONT, 13))
            .axis_desc_style((FONT, 15))
            .light_line_style(RGBColor(240, 240, 240))
            .draw()
            .map_err(draw_error)?;
        chart
    }};
}

/// Writes the tradeoff's cost-versus-nines plot to `path`, as SVG or PNG by its extension.
pub fn plot_tradeoff(t: &Tradeoff, path: &Path) -> Result<(), PlotError> {
    let bytes = tradeoff_bytes(t, kind_of(path)?)?;
    write_file(path, &bytes)
}

/// The cost-versus-nines plot of a tradeoff as SVG text, for embedding in a report.
pub fn tradeoff_svg(t: &Tradeoff) -> Result<String, PlotError> {
    let bytes = tradeoff_bytes(t, Kind::Svg)?;
    String::from_utf8(bytes).map_err(draw_error)
}

fn tradeoff_bytes(t: &Tradeoff, kind: Kind) -> Result<Vec<u8>, PlotError> {
    let title = format!(
        "{}: cost versus nines of {}",
        t.catalog.base.name,
        t.target_name()
    );
    let finite = |o: &&Outcome| nines(o).is_finite();
    let frontier: Vec<&Outcome> = t.frontier.iter().filter(finite).collect();
    let dominated: Vec<&Outcome> = t
        .designs
        .iter()
        .flatten()
        .filter(finite)
        .filter(|o| !t.is_pareto(o))
        .collect();
    let marked: Vec<&Outcome> = [Some(&t.sweet_spot), t.cheapest_meeting_slos.as_ref()]
        .into_iter()
        .flatten()
        .filter(finite)
        .collect();
    let all: Vec<&Outcome> = frontier
        .iter()
        .chain(&dominated)
        .chain(&marked)
        .copied()
        .collect();
    let slo_nines = t.catalog.base.components[t.target]
        .slo
        .map(|s| -s.down.p.log10())
        .filter(|n| n.is_finite());
    let (x0, x1) = padded(
        all.iter()
            .map(|o| nines(o))
            .chain(slo_nines)
            .fold(f64::INFINITY, f64::min),
        all.iter()
            .map(|o| nines(o))
            .chain(slo_nines)
            .fold(f64::NEG_INFINITY, f64::max),
        0.08,
    );
    let (x0, x1) = if x0.is_finite() { (x0, x1) } else { (0.0, 1.0) };
    let (y0, y1) = log_range(all.iter().flat_map(|o| [o.cost, o.total_cost]));
    // Headroom above the data for the legend.
    let y1 = y1 * 4.0;
    let mid = (x0 + x1) / 2.0;
    // Labels of points in the right half read leftwards, so they stay inside the plot.
    let label_style = |color: &RGBColor, x: f64| {
        let font = (FONT, 14).into_font().color(color);
        if x > mid {
            font.pos(Pos::new(HPos::Right, VPos::Center))
        } else {
            font.pos(Pos::new(HPos::Left, VPos::Center))
        }
    };
    let label_dx = |x: f64| if x > mid { -14 } else { 14 };
    let floor = |y: f64| y.max(y0);
    let show_total = t.prices.downtime_per_hour > 0.0 || t.prices.degraded_per_hour > 0.0;

    macro_rules! nines_panel {
        ($root:expr) => {{
            let root = $root;
            let mut chart = cost_chart!(root, &title, x0..x1, y0..y1);
            if let Some(n) = slo_nines {
                chart
                    .draw_series(DashedLineSeries::new(
                        vec![(n, y0), (n, y1)],
                        6,
                        4,
                        SLO.mix(0.6).stroke_width(1),
                    ))
                    .map_err(draw_error)?
                    .label(format!("slo {}", percent_of_nines(n)))
                    .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], SLO.mix(0.6)));
            }
            if !dominated.is_empty() {
                chart
                    .draw_series(
                        dominated
                            .iter()
                            .map(|o| Circle::new((nines(o), floor(o.cost)), 3, DOMINATED.filled())),
                    )
                    .map_err(draw_error)?
                    .label("dominated designs")
                    .legend(|(x, y)| Circle::new((x + 10, y), 3, DOMINATED.filled()));
            }
            chart
                .draw_series(LineSeries::new(
                    frontier.iter().map(|o| (nines(o), floor(o.cost))),
                    FRONTIER.stroke_width(2),
                ))
                .map_err(draw_error)?
                .label("Pareto frontier: infrastructure cost")
                .legend(|(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], FRONTIER.stroke_width(2))
                });
            chart
                .draw_series(
                    frontier
                        .iter()
                        .map(|o| Circle::new((nines(o), floor(o.cost)), 4, FRONTIER.filled())),
                )
                .map_err(draw_error)?;
            if show_total {
                chart
                    .draw_series(DashedLineSeries::new(
                        frontier.iter().map(|o| (nines(o), floor(o.total_cost))),
                        8,
                        5,
                        TOTAL.stroke_width(2),
                    ))
                    .map_err(draw_error)?
                    .label("expected monthly total (with downtime cost)")
                    .legend(|(x, y)| {
                        PathElement::new(vec![(x, y), (x + 20, y)], TOTAL.stroke_width(2))
                    });
            }
            let s = &t.sweet_spot;
            if nines(s).is_finite() {
                let at = (nines(s), floor(s.total_cost));
                chart
                    .draw_series([EmptyElement::at(at)
                        + Circle::new((0, 0), 9, SWEET.stroke_width(3))
                        + Text::new(
                            format!("sweet spot: {} total", format_money(s.total_cost)),
                            (label_dx(at.0), -16),
                            label_style(&SWEET, at.0),
                        )])
                    .map_err(draw_error)?
                    .label("sweet spot (least expected total)")
                    .legend(|(x, y)| Circle::new((x + 10, y), 6, SWEET.stroke_width(2)));
                if show_total {
                    // The sweet spot's infrastructure cost, on the frontier line.
                    chart
                        .draw_series([Circle::new(
                            (nines(s), floor(s.cost)),
                            7,
                            SWEET.stroke_width(2),
                        )])
                        .map_err(draw_error)?;
                }
            }
            if let Some(c) = t
                .cheapest_meeting_slos
                .as_ref()
                .filter(|c| nines(c).is_finite())
            {
                let at = (nines(c), floor(c.cost));
                chart
                    .draw_series([EmptyElement::at(at)
                        + TriangleMarker::new((0, 0), 9, SLO.filled())
                        + Text::new(
                            format!("cheapest meeting SLOs: {}", format_money(c.cost)),
                            (label_dx(at.0), 14),
                            label_style(&SLO, at.0),
                        )])
                    .map_err(draw_error)?
                    .label("cheapest design meeting every SLO")
                    .legend(|(x, y)| TriangleMarker::new((x + 10, y), 6, SLO.filled()));
            }
            draw_legend(&mut chart, 13)?;
        }};
    }
    let fire = firefighting::curve(t)?;
    let width = if fire.is_some() {
        WIDTH + FIRE_WIDTH
    } else {
        WIDTH
    };
    macro_rules! draw_body {
        ($root:expr) => {{
            let root = $root;
            root.fill(&WHITE).map_err(draw_error)?;
            match &fire {
                Some(points) => {
                    let (left, right) = root.split_horizontally(WIDTH as i32);
                    nines_panel!(&left);
                    firefighting_panel(&right, t, points)?;
                }
                None => nines_panel!(root),
            }
            Ok(())
        }};
    }
    render_bytes(kind, width, |svg| draw_body!(svg), |png| draw_body!(png))
}

/// The rule-of-thumb plot: extrapolated infrastructure cost, downtime cost and their sum.
pub fn plot_rule(
    curve: &RuleCurve,
    model: &str,
    component: &str,
    path: &Path,
) -> Result<(), PlotError> {
    let title = format!(
        "{model}: rule of thumb for {component}, each nine {}× the last",
        format_money(curve.factor)
    );
    let last = curve.steps.last().map_or(7, |s| s.to_nines) as f64;
    let (x0, x1) = (1.0, last);
    let xs: Vec<f64> = (0..=200)
        .map(|i| x0 + (x1 - x0) * i as f64 / 200.0)
        .collect();
    let infra: Vec<(f64, f64)> = xs.iter().map(|&n| (n, curve.cost_at(n))).collect();
    let downtime: Vec<(f64, f64)> = xs
        .iter()
        .map(|&n| (n, curve.downtime_cost_at(n)))
        .filter(|p| p.1 > 0.0)
        .collect();
    let total: Vec<(f64, f64)> = xs.iter().map(|&n| (n, curve.total_at(n))).collect();
    // Costs span many decades; show from a hundredth of today's cost to the most at stake.
    let (y0, y1) = log_range(
        [
            curve.today_cost / 100.0,
            curve
                .total_at(x0)
                .max(curve.cost_at(x1).min(curve.today_cost * 1e6)),
        ]
        .into_iter(),
    );
    let clamp = move |pts: &[(f64, f64)]| -> Vec<(f64, f64)> {
        pts.iter()
            .filter(|p| p.1 >= y0 && p.1 <= y1)
            .copied()
            .collect()
    };
    let (infra, downtime, total) = (clamp(&infra), clamp(&downtime), clamp(&total));
    macro_rules! draw_body {
        ($root:expr) => {{
            let root = $root;
            root.fill(&WHITE).map_err(draw_error)?;
            let mut chart = cost_chart!(root, &title, x0..x1, y0..y1);
            chart
                .draw_series(LineSeries::new(infra.clone(), FRONTIER.stroke_width(2)))
                .map_err(draw_error)?
                .label("infrastructure, extrapolated")
                .legend(|(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], FRONTIER.stroke_width(2))
                });
            if !downtime.is_empty() {
                chart
                    .draw_series(LineSeries::new(downtime.clone(), SWEET.stroke_width(2)))
                    .map_err(draw_error)?
                    .label("downtime cost")
                    .legend(|(x, y)| {
                        PathElement::new(vec![(x, y), (x + 20, y)], SWEET.stroke_width(2))
                    });
            }
            chart
                .draw_series(DashedLineSeries::new(
                    total.clone(),
                    8,
                    5,
                    TOTAL.stroke_width(2),
                ))
                .map_err(draw_error)?
                .label("expected monthly total")
                .legend(|(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], TOTAL.stroke_width(2))
                });
            let today = (curve.today_nines, curve.today_cost);
            if today.0 >= x0 && today.0 <= x1 {
                chart
                    .draw_series([EmptyElement::at(today)
                        + TriangleMarker::new((0, 0), 8, BLACK.filled())
                        + Text::new("today", (10, 4), (FONT, 14))])
                    .map_err(draw_error)?;
            }
            if let Some(n) = curve.sweet_spot_nines.filter(|n| *n >= x0 && *n <= x1) {
                chart
                    .draw_series([EmptyElement::at((n, curve.total_at(n)))
                        + Circle::new((0, 0), 9, SWEET.stroke_width(3))
                        + Text::new(
                            format!("sweet spot: {}", nines_label(n)),
                            (12, -18),
                            (FONT, 14).into_font().color(&SWEET),
                        )])
                    .map_err(draw_error)?;
            }
            draw_legend(&mut chart, 13)?;
            Ok(())
        }};
    }
    let bytes = render_bytes(
        kind_of(path)?,
        WIDTH,
        |svg| draw_body!(svg),
        |png| draw_body!(png),
    )?;
    write_file(path, &bytes)
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), PlotError> {
    write_atomically(path, bytes).map_err(|source| PlotError::Io {
        path: crate::model::error::shown_path(path),
        source,
    })
}

/// The plot's bytes in either format, with one drawing function per backend (plotters' backends
/// are distinct types).
fn render_bytes(
    kind: Kind,
    width: u32,
    svg_draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> Result<(), PlotError>,
    png_draw: impl FnOnce(&DrawingArea<BitMapBackend<'_>, Shift>) -> Result<(), PlotError>,
) -> Result<Vec<u8>, PlotError> {
    register_font();
    Ok(match kind {
        Kind::Svg => {
            let mut svg = String::new();
            {
                let root = SVGBackend::with_string(&mut svg, (width, HEIGHT)).into_drawing_area();
                svg_draw(&root)?;
                root.present().map_err(draw_error)?;
            }
            svg.into_bytes()
        }
        Kind::Png => {
            let mut pixels = vec![0u8; (width * HEIGHT * 3) as usize];
            {
                let root =
                    BitMapBackend::with_buffer(&mut pixels, (width, HEIGHT)).into_drawing_area();
                png_draw(&root)?;
                root.present().map_err(draw_error)?;
            }
            encode_png(&pixels, width, HEIGHT).map_err(draw_error)?
        }
    })
}

/// The legend of a chart, in its upper right corner.
fn draw_legend<'a, DB: DrawingBackend + 'a, CT: CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
    font_size: u32,
) -> Result<(), PlotError> {
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .label_font((FONT, font_size))
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(200, 200, 200))
        .draw()
        .map_err(draw_error)
}

/// A design's variants as the plot labels it: `api=on-call`.
fn design_label(t: &Tradeoff, o: &Outcome) -> String {
    let named = t.catalog.named(&o.choice);
    if named.is_empty() {
        return "(as written)".into();
    }
    let label = named
        .iter()
        .map(|(c, v)| format!("{c}={v}"))
        .collect::<Vec<_>>()
        .join(" ");
    super::review::svg::truncate(&label, 40)
}

/// Points labelled with their design when there are at most this many.
const MAX_LABELLED: usize = 12;

/// The firefighting curve beside the nines curve: how long an outage lasts against the money
/// spent a month, and (when downtime has a price) what the downtime then costs, with the sweet
/// spot past which a faster response costs more than the downtime it prevents.
fn firefighting_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    t: &Tradeoff,
    points: &[RepairPoint],
) -> Result<(), PlotError> {
    let priced = t.prices.downtime_per_hour > 0.0;
    let (top, bottom) = if priced {
        let (a, b) = area.split_vertically(HEIGHT as i32 / 2 + 24);
        (a, Some(b))
    } else {
        (area.clone(), None)
    };
    let shown: Vec<&RepairPoint> = points
        .iter()
        .filter(|p| p.mean_outage_s.is_finite() && p.mean_outage_s > 0.0)
        .collect();
    let (x0, x1) = log_range(points.iter().map(|p| p.outcome.cost));
    let (y0, y1) = log_range(shown.iter().map(|p| p.mean_outage_s));
    let (y0, y1) = (y0, y1 * 2.0);
    let x_of = |p: &RepairPoint| p.outcome.cost.max(x0);
    let mid = (x0 * x1).sqrt();
    let label_style = |color: &RGBColor, x: f64| {
        let font = (FONT, 13).into_font().color(color);
        if x > mid {
            font.pos(Pos::new(HPos::Right, VPos::Center))
        } else {
            font.pos(Pos::new(HPos::Left, VPos::Center))
        }
    };
    let label_dx = |x: f64| if x > mid { -12 } else { 12 };
    let is_sweet = |p: &RepairPoint| p.outcome.choice == t.sweet_spot.choice;
    let labelled = points.len() <= MAX_LABELLED;

    let mut chart = ChartBuilder::on(&top)
        .caption(
            format!("the firefighting curve of {}", t.target_name()),
            (FONT, 20),
        )
        .margin(14)
        .margin_right(40)
        .x_label_area_size(if priced { 30 } else { 50 })
        .y_label_area_size(80)
        .build_cartesian_2d((x0..x1).log_scale(), (y0..y1).log_scale())
        .map_err(draw_error)?;
    let mut mesh = chart.configure_mesh();
    mesh.y_desc("mean time to restore (log scale)")
        .x_labels(12)
        .y_labels(5)
        .x_label_formatter(&|x| format_money(*x))
        .y_label_formatter(&|y| format_duration_human(*y))
        .label_style((FONT, 12))
        .axis_desc_style((FONT, 14))
        .light_line_style(RGBColor(240, 240, 240));
    if !priced {
        mesh.x_desc("money per month: infrastructure and responders (log scale)");
    }
    mesh.draw().map_err(draw_error)?;
    // The best restore time each budget buys: the designs no cheaper one beats.
    let mut best = f64::INFINITY;
    let envelope: Vec<(f64, f64)> = shown
        .iter()
        .filter(|p| {
            let better = p.mean_outage_s < best;
            best = best.min(p.mean_outage_s);
            better
        })
        .map(|p| (x_of(p), p.mean_outage_s))
        .collect();
    chart
        .draw_series(LineSeries::new(envelope, FRONTIER.stroke_width(2)))
        .map_err(draw_error)?
        .label("fastest restore for the money")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], FRONTIER.stroke_width(2)));
    chart
        .draw_series(shown.iter().map(|p| {
            let at = (x_of(p), p.mean_outage_s);
            let color = if p.outcome.meets_slos { SLO } else { FRONTIER };
            let label = if labelled {
                format!(
                    "{} · {}",
                    design_label(t, &p.outcome),
                    format_duration_human(p.mean_outage_s)
                )
            } else {
                String::new()
            };
            EmptyElement::at(at)
                + Circle::new((0, 0), 4, color.filled())
                + Text::new(label, (label_dx(at.0), 12), label_style(&INK, at.0))
        }))
        .map_err(draw_error)?;
    if let Some(s) = shown.iter().find(|p| is_sweet(p)) {
        let at = (x_of(s), s.mean_outage_s);
        chart
            .draw_series([EmptyElement::at(at)
                + Circle::new((0, 0), 9, SWEET.stroke_width(3))
                + Text::new(
                    format!("sweet spot: {}", design_label(t, &s.outcome)),
                    (label_dx(at.0), -16),
                    label_style(&SWEET, at.0),
                )])
            .map_err(draw_error)?
            .label("sweet spot (least expected total)")
            .legend(|(x, y)| Circle::new((x + 10, y), 6, SWEET.stroke_width(2)));
    }
    draw_legend(&mut chart, 12)?;

    let Some(bottom) = bottom else {
        return Ok(());
    };
    let (c0, c1) = log_range(
        points
            .iter()
            .flat_map(|p| [p.downtime_cost, p.outcome.total_cost]),
    );
    let c1 = c1 * 3.0;
    let mut chart = ChartBuilder::on(&bottom)
        .margin(14)
        .margin_right(40)
        .x_label_area_size(46)
        .y_label_area_size(80)
        .build_cartesian_2d((x0..x1).log_scale(), (c0..c1).log_scale())
        .map_err(draw_error)?;
    chart
        .configure_mesh()
        .x_desc("money per month: infrastructure and responders (log scale)")
        .y_desc("money per month (log scale)")
        .x_labels(12)
        .y_labels(8)
        .x_label_formatter(&|x| format_money(*x))
        .y_label_formatter(&|y| format_money(*y))
        .label_style((FONT, 12))
        .axis_desc_style((FONT, 14))
        .light_line_style(RGBColor(240, 240, 240))
        .draw()
        .map_err(draw_error)?;
    chart
        .draw_series(
            points
                .iter()
                .filter(|p| p.downtime_cost > 0.0)
                .map(|p| Circle::new((x_of(p), p.downtime_cost), 4, SWEET.mix(0.7).filled())),
        )
        .map_err(draw_error)?
        .label("downtime cost")
        .legend(|(x, y)| Circle::new((x + 10, y), 4, SWEET.mix(0.7).filled()));
    chart
        .draw_series(DashedLineSeries::new(
            points
                .iter()
                .map(|p| (x_of(p), p.outcome.total_cost.max(c0))),
            8,
            5,
            TOTAL.stroke_width(2),
        ))
        .map_err(draw_error)?
        .label("expected total: past its least, faster repair costs more than it saves")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], TOTAL.stroke_width(2)));
    if let Some(s) = points.iter().find(|p| is_sweet(p)) {
        let at = (x_of(s), s.outcome.total_cost.max(c0));
        chart
            .draw_series([EmptyElement::at(at)
                + Circle::new((0, 0), 9, SWEET.stroke_width(3))
                + Text::new(
                    format!("sweet spot: {} total", format_money(s.outcome.total_cost)),
                    (label_dx(at.0), -16),
                    label_style(&SWEET, at.0),
                )])
            .map_err(draw_error)?;
    }
    draw_legend(&mut chart, 12)?;
    Ok(())
}
