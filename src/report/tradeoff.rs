//! The results of `nines tradeoff`: the frontier, the sweet spot and the cheapest design meeting
//! every SLO as a table, JSON or Markdown; and the rule-of-thumb curve.

use indexmap::IndexMap;
use serde::Serialize;

use super::table::{Cell, Paint, Screen, Table};
use super::text::{escape_markdown, format_nines};
use super::{Format, finite};
use crate::cost::rule::RuleCurve;
use crate::cost::{HOURS_PER_MONTH, Method, Outcome, Tradeoff};
use crate::model::units::{format_duration_human, format_percent};

/// Money without a currency: thousands separated, cents only below 100.
pub fn format_money(x: f64) -> String {
    if !x.is_finite() {
        return "∞".into();
    }
    if x.abs() < 100.0 {
        let s = format!("{x:.2}");
        return s.strip_suffix(".00").map_or(s.clone(), str::to_string);
    }
    let whole = format!("{:.0}", x.abs());
    let mut out = String::new();
    for (i, ch) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if x < 0.0 { format!("-{out}") } else { out }
}

/// One design as `tradeoff --format json` lists it (plus nines, downtime and the SLO verdict).
#[derive(Clone, Debug, Serialize)]
pub struct DesignEntry {
    /// The variant chosen for each component with variants.
    pub variants: IndexMap<String, String>,
    /// Monthly infrastructure cost (money).
    pub cost: f64,
    /// The component's availability, a probability.
    pub availability: f64,
    /// The component's unavailability, a probability.
    pub unavailability: f64,
    /// P(the component is DEGRADED).
    pub degraded: f64,
    /// Its nines, −log10(unavailability); null when it never goes down.
    pub nines: Option<f64>,
    /// Expected downtime per SLO window, in seconds.
    pub downtime_per_window_s: f64,
    /// Expected monthly total: infrastructure, downtime and degraded time, in money.
    pub total_cost: f64,
    /// Whether every component with an slo meets it.
    pub meets_slos: bool,
    /// Whether the design is on the Pareto frontier.
    pub pareto: bool,
}

/// How far the optimiser's answers may be from the optimum, when it stopped early.
#[derive(Clone, Debug, Serialize)]
pub struct BoundEntry {
    /// Per frontier design, in order: no design costing at most as much is less unavailable.
    pub frontier_unavailability_at_least: Vec<f64>,
    /// The largest number of nines the frontier may be missing at some cost.
    pub max_gap_nines: f64,
    /// No design at any cost is less unavailable.
    pub unavailability_at_least: f64,
    /// No design has a lower expected monthly total.
    pub total_cost_at_least: f64,
    /// No design meeting every SLO is cheaper (null when none can).
    pub slo_cost_at_least: Option<f64>,
}

/// The results of `nines tradeoff`, as printed and as its JSON.
#[derive(Clone, Debug, Serialize)]
pub struct TradeoffReport {
    /// The model's name.
    pub model: String,
    /// The component looked at.
    pub component: String,
    /// The model's SLO window, in seconds.
    pub window_s: f64,
    /// Money lost per hour the component is down.
    pub downtime_per_hour: f64,
    /// Money lost per hour it runs degraded.
    pub degraded_per_hour: f64,
    /// The number of designs (a float: it can be astronomically large).
    pub design_count: f64,
    /// `enumeration` or `optimiser`.
    pub method: &'static str,
    /// Every answer is proven optimal.
    pub exact: bool,
    /// Exact evaluations done.
    pub evaluations: u64,
    /// Every design, when they were enumerated and not left out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub designs: Option<Vec<DesignEntry>>,
    /// The Pareto-optimal designs, cheapest first.
    pub frontier: Vec<DesignEntry>,
    /// The design with the least expected monthly total.
    pub sweet_spot: DesignEntry,
    /// The cheapest design meeting every SLO; null when none does.
    pub cheapest_meeting_slos: Option<DesignEntry>,
    /// How far off the answers may be, when the optimiser stopped early.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bound: Option<BoundEntry>,
    /// Remarks on what was computed and left out, in words.
    pub notes: Vec<String>,
    /// The firefighting curve, when the designs differ in how components are repaired.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub firefighting: Option<Vec<FirefightingEntry>>,
}

/// One design on the firefighting curve: what it costs and how long an outage then lasts.
#[derive(Clone, Debug, Serialize)]
pub struct FirefightingEntry {
    /// The variant chosen for each component with variants.
    pub variants: IndexMap<String, String>,
    /// Monthly infrastructure cost (money).
    pub cost: f64,
    /// The mean length of an outage of the component looked at: unavailability over outages
    /// per second (for a component alone, its mean repair time).
    pub mean_restore_s: Option<f64>,
    /// Its downtime at the model's `downtime_per_hour`, a month.
    pub downtime_cost: f64,
    /// Infrastructure and downtime together, a month (money).
    pub total_cost: f64,
}

impl TradeoffReport {
    /// The report of a tradeoff; with `frontier_only`, the designs are left out.
    pub fn new(t: &Tradeoff, frontier_only: bool) -> TradeoffReport {
        let window_s = t.catalog.base.window_s;
        let entry = |o: &Outcome| DesignEntry {
            variants: t.catalog.named(&o.choice).into_iter().collect(),
            cost: o.cost,
            availability: o.down.q,
            unavailability: o.down.p,
            degraded: o.degraded,
            nines: finite(-o.down.p.log10()),
            downtime_per_window_s: o.down.p * window_s,
            total_cost: o.total_cost,
            meets_slos: o.meets_slos,
            pareto: t.is_pareto(o),
        };
        let mut notes = Vec::new();
        if t.catalog.axes.is_empty() {
            notes.push(
                "the model has no variants, so there is one design; add `variants` to components, or try --rule 10x".into(),
            );
        } else {
            notes.push(
                "a component with variants always takes one of them: its variants are its alternatives".into(),
            );
        }
        if t.cyclic_designs > 0 {
            notes.push(format!(
                "{} designs left out: their variants make the dependency graph cyclic",
                t.cyclic_designs
            ));
        }
        if t.prices.downtime_per_hour == 0.0 && t.prices.degraded_per_hour == 0.0 {
            notes.push(
                "the model sets no cost.downtime_per_hour, so the sweet spot is simply the cheapest design".into(),
            );
        }
        if !t.has_slos {
            notes.push("no component has an slo, so no design is listed as meeting them".into());
        }
        let (method, exact, bound) = match &t.method {
            Method::Enumerated => ("enumeration", true, None),
            Method::Optimised {
                reduced_designs,
                modules,
                exact,
                bound,
            } => {
                notes.push(format!(
                    "{} designs are too many to list; the optimiser searched {} after removing irrelevant and dominated variants{}",
                    format_count(t.design_count),
                    format_count(*reduced_designs),
                    if *modules > 0 {
                        format!(", composing {modules} independent modules from their own frontiers")
                    } else {
                        String::new()
                    }
                ));
                if t.prices.degraded_per_hour > t.prices.downtime_per_hour {
                    notes.push("degraded time costs more per hour than downtime, so a less available design can cost less in total: dominated variants and independent modules were not pruned".into());
                }
                let bound = bound.as_ref().map(|b| {
                    let gap = t
                        .frontier
                        .iter()
                        .zip(&b.frontier_unavailability_at_least)
                        .map(|(f, &lb)| {
                            if lb <= 0.0 {
                                f64::INFINITY
                            } else {
                                f.down.p.log10() - lb.log10()
                            }
                        })
                        .fold(0.0, f64::max);
                    notes.push(format!(
                        "heuristic: the search stopped at its budget of {} evaluations (raise it with --budget); at the cost of each design listed, the best design has at most {} more nines; no design at all exceeds {} nines, and none has an expected total below {}",
                        t.evaluations,
                        format_nines(gap),
                        format_nines(-b.unavailability_at_least.log10()),
                        format_money(b.total_cost_at_least)
                    ));
                    BoundEntry {
                        frontier_unavailability_at_least: b.frontier_unavailability_at_least.clone(),
                        max_gap_nines: gap,
                        unavailability_at_least: b.unavailability_at_least,
                        total_cost_at_least: b.total_cost_at_least,
                        slo_cost_at_least: b.slo_cost_at_least,
                    }
                });
                ("optimiser", *exact, bound)
            }
        };
        let firefighting = match crate::cost::firefighting::curve(t) {
            Ok(points) => points.map(|points| {
                points
                    .iter()
                    .map(|p| FirefightingEntry {
                        variants: t.catalog.named(&p.outcome.choice).into_iter().collect(),
                        cost: p.outcome.cost,
                        mean_restore_s: finite(p.mean_outage_s),
                        downtime_cost: p.downtime_cost,
                        total_cost: p.outcome.total_cost,
                    })
                    .collect()
            }),
            Err(e) => {
                notes.push(format!("the firefighting curve could not be computed: {e}"));
                None
            }
        };
        TradeoffReport {
            firefighting,
            model: t.catalog.base.name.clone(),
            component: t.target_name().to_string(),
            window_s,
            downtime_per_hour: t.prices.downtime_per_hour,
            degraded_per_hour: t.prices.degraded_per_hour,
            design_count: t.design_count,
            method,
            exact,
            evaluations: t.evaluations,
            designs: if frontier_only {
                None
            } else {
                t.designs.as_ref().map(|ds| ds.iter().map(entry).collect())
            },
            frontier: t.frontier.iter().map(entry).collect(),
            sweet_spot: entry(&t.sweet_spot),
            cheapest_meeting_slos: t.cheapest_meeting_slos.as_ref().map(entry),
            bound,
            notes,
        }
    }

    /// As a table for `screen`, JSON or Markdown; with `all`, every design rather than the
    /// frontier.
    pub fn render(&self, format: Format, screen: Screen, all: bool) -> String {
        match format {
            Format::Json => serde_json::to_string_pretty(self).expect("results serialise") + "\n",
            Format::Table => self.table(screen, all),
            Format::Markdown => self.markdown(all),
        }
    }

    /// The rows to show: the frontier (or every design), with the two picks added if off it.
    pub fn rows(&self, all: bool) -> Vec<&DesignEntry> {
        let mut rows: Vec<&DesignEntry> = match (&self.designs, all) {
            (Some(ds), true) => ds.iter().collect(),
            _ => self.frontier.iter().collect(),
        };
        for extra in [Some(&self.sweet_spot), self.cheapest_meeting_slos.as_ref()]
            .into_iter()
            .flatten()
        {
            if !rows.iter().any(|r| r.variants == extra.variants) {
                rows.push(extra);
            }
        }
        rows.sort_by(|a, b| {
            a.cost
                .total_cmp(&b.cost)
                .then(b.availability.total_cmp(&a.availability))
        });
        rows
    }

    /// The marks of a design in the table: sweet spot, cheapest meeting SLOs, dominated.
    pub fn marks(&self, d: &DesignEntry) -> String {
        let mut m = Vec::new();
        if d.variants == self.sweet_spot.variants {
            m.push("★ sweet spot");
        }
        if self
            .cheapest_meeting_slos
            .as_ref()
            .is_some_and(|c| c.variants == d.variants)
        {
            m.push("✓ cheapest meeting SLOs");
        }
        if !d.pareto {
            m.push("(dominated)");
        }
        m.join(", ")
    }

    /// A design's variants as `db=pair web=multi-az`, or `(as written)` for a model without
    /// variants.
    pub fn variants_text(d: &DesignEntry) -> String {
        variants_words(&d.variants)
    }

    fn heading(&self) -> String {
        let how = match (self.method, self.exact) {
            ("enumeration", _) => format!(
                "{} design{}, every one evaluated exactly",
                format_count(self.design_count),
                if self.design_count == 1.0 { "" } else { "s" }
            ),
            (_, true) => format!(
                "{} designs, answers found exactly by the optimiser",
                format_count(self.design_count)
            ),
            _ if self.bound.is_some() => format!(
                "{} designs, searched heuristically (see the bound below)",
                format_count(self.design_count)
            ),
            _ => format!(
                "{} designs, searched by the optimiser (see the notes below)",
                format_count(self.design_count)
            ),
        };
        format!(
            "{} — cost versus nines of {}: {how}\nexpected monthly total = infrastructure + unavailability × {HOURS_PER_MONTH} h × {}/h + degraded × {HOURS_PER_MONTH} h × {}/h",
            self.model,
            self.component,
            format_money(self.downtime_per_hour),
            format_money(self.degraded_per_hour),
        )
    }

    fn table(&self, screen: Screen, all: bool) -> String {
        let window = format_duration_human(self.window_s);
        // Cost, availability and the expected total are what a design is chosen by; nines and
        // downtime restate the availability, so they give way to the variants on a narrow screen.
        let mut t = Table::new(screen)
            .number("cost / month")
            .number("availability")
            .number("nines")
            .drops(2)
            .number(&format!("down / {window}"))
            .drops(1)
            .number("total / month")
            .text("variants")
            .text("");
        for d in self.rows(all) {
            let paint = if d.variants == self.sweet_spot.variants {
                Some(Paint::Yellow)
            } else if !d.pareto {
                Some(Paint::Grey)
            } else {
                None
            };
            t.row([
                Cell::from(format_money(d.cost)),
                Cell::from(format_percent(d.availability, d.unavailability)),
                Cell::from(d.nines.map_or("∞".into(), format_nines)),
                Cell::from(format_duration_human(d.downtime_per_window_s)),
                Cell::from(format_money(d.total_cost)),
                Cell::from(Self::variants_text(d)),
                Cell::from(self.marks(d)).paint(paint),
            ]);
        }
        let mut out = format!("{}\n{t}\n", self.heading());
        out += &self.firefighting_table(screen);
        out += &self.summary();
        for n in &self.notes {
            out += &format!("note: {n}\n");
        }
        screen.fit(&out)
    }

    /// The firefighting curve as a table titled on its own; empty without one.
    fn firefighting_table(&self, screen: Screen) -> String {
        let Some(points) = &self.firefighting else {
            return String::new();
        };
        let mut t = Table::new(screen)
            .number("cost / month")
            .number("mean restore")
            .number("downtime cost")
            .number("total / month")
            .text("variants")
            .text("");
        for p in points {
            let sweet = p.variants == self.sweet_spot.variants;
            t.row([
                Cell::from(format_money(p.cost)),
                Cell::from(p.mean_restore_s.map_or("∞".into(), format_duration_human)),
                Cell::from(format_money(p.downtime_cost)),
                Cell::from(format_money(p.total_cost)),
                Cell::from(variants_words(&p.variants)),
                Cell::from(if sweet { "★ sweet spot" } else { "" })
                    .paint(sweet.then_some(Paint::Yellow)),
            ]);
        }
        format!(
            "\nthe firefighting curve: how long an outage of {} lasts, against money spent\n{t}\n",
            self.component
        )
    }

    /// The sweet spot and the cheapest design meeting the SLOs, in two sentences.
    pub fn summary(&self) -> String {
        let s = &self.sweet_spot;
        let mut out = format!(
            "sweet spot: {} at {} a month ({} infrastructure + {} expected downtime and degraded cost)\n",
            format_percent(s.availability, s.unavailability),
            format_money(s.total_cost),
            format_money(s.cost),
            format_money(s.total_cost - s.cost),
        );
        out += &match &self.cheapest_meeting_slos {
            Some(c) => format!(
                "cheapest meeting every SLO: {} at {} a month infrastructure ({})\n",
                format_percent(c.availability, c.unavailability),
                format_money(c.cost),
                Self::variants_text(c)
            ),
            None => "cheapest meeting every SLO: none of the designs meets every SLO\n".into(),
        };
        out
    }

    fn markdown(&self, all: bool) -> String {
        let window = format_duration_human(self.window_s);
        let mut out = format!(
            "## {} — cost versus nines of {}\n\n",
            escape_markdown(&self.model),
            escape_markdown(&self.component)
        );
        out += &format!(
            "| cost / month | availability | nines | down / {window} | total / month | variants | |\n|---:|---:|---:|---:|---:|---|---|\n"
        );
        for d in self.rows(all) {
            out += &format!(
                "| {} | {} | {} | {} | {} | {} | {} |\n",
                format_money(d.cost),
                format_percent(d.availability, d.unavailability),
                d.nines.map_or("∞".into(), format_nines),
                format_duration_human(d.downtime_per_window_s),
                format_money(d.total_cost),
                escape_markdown(&Self::variants_text(d)),
                self.marks(d),
            );
        }
        out += "\n";
        if let Some(points) = &self.firefighting {
            out += &format!(
                "The firefighting curve: how long an outage of {} lasts, against money spent.\n\n| cost / month | mean restore | downtime cost | total / month | variants | |\n|---:|---:|---:|---:|---|---|\n",
                escape_markdown(&self.component)
            );
            for p in points {
                out += &format!(
                    "| {} | {} | {} | {} | {} | {} |\n",
                    format_money(p.cost),
                    p.mean_restore_s.map_or("∞".into(), format_duration_human),
                    format_money(p.downtime_cost),
                    format_money(p.total_cost),
                    escape_markdown(&variants_words(&p.variants)),
                    if p.variants == self.sweet_spot.variants {
                        "★ sweet spot"
                    } else {
                        ""
                    }
                );
            }
            out += "\n";
        }
        for line in self.summary().lines() {
            out += &format!("- {}\n", escape_markdown(line));
        }
        for n in &self.notes {
            out += &format!("- note: {}\n", escape_markdown(n));
        }
        out
    }
}

/// A design's variants in words: `db=pair web=multi-az`.
fn variants_words(variants: &IndexMap<String, String>) -> String {
    if variants.is_empty() {
        return "(as written)".into();
    }
    variants
        .iter()
        .map(|(c, v)| format!("{c}={v}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A count that may be astronomically large: `36`, `1,048,576`, `2.3e+14`.
pub fn format_count(x: f64) -> String {
    if x < 1e12 {
        format_money(x.round()).replace(".00", "")
    } else {
        format!("{x:.1e}")
    }
}

/// The rule-of-thumb curve, as printed.
#[derive(Clone, Debug, Serialize)]
pub struct RuleStepEntry {
    /// The availability before the step, a probability.
    pub from_availability: f64,
    /// The availability after it, a probability.
    pub to_availability: f64,
    /// Nines before the step.
    pub from_nines: u32,
    /// Nines after it.
    pub to_nines: u32,
    /// Downtime a year this nine removes, in seconds.
    pub uptime_per_year_s: f64,
    /// Extrapolated monthly infrastructure cost after the step.
    pub cost: f64,
    /// What this nine adds to the monthly cost.
    pub step_cost: f64,
    /// The downtime cost it saves a month.
    pub downtime_cost_saved: f64,
    /// Whether it saves at least what it costs.
    pub pays: bool,
    /// Whether today's design already has this nine.
    pub bought: bool,
}

/// The component as it is today, on the rule's curve.
#[derive(Clone, Debug, Serialize)]
pub struct RuleTodayEntry {
    /// Its availability, a probability.
    pub availability: f64,
    /// Its unavailability, a probability.
    pub unavailability: f64,
    /// Its nines.
    pub nines: f64,
    /// Today's monthly infrastructure cost.
    pub cost: f64,
    /// Today's expected monthly total: infrastructure and downtime.
    pub total_cost: f64,
}

/// Where the extrapolated total cost is least.
#[derive(Clone, Debug, Serialize)]
pub struct RuleSweetSpot {
    /// The nines there.
    pub nines: f64,
    /// The availability there, a probability.
    pub availability: f64,
    /// Extrapolated monthly infrastructure cost there.
    pub cost: f64,
    /// Expected monthly total there.
    pub total_cost: f64,
}

/// The results of `nines tradeoff --rule`: what each further nine would cost and save.
#[derive(Clone, Debug, Serialize)]
pub struct RuleReport {
    /// The model's name.
    pub model: String,
    /// The component looked at.
    pub component: String,
    /// How many times the last nine's cost each further nine costs.
    pub factor: f64,
    /// Money lost per hour the component is down.
    pub downtime_per_hour: f64,
    /// The component today.
    pub today: RuleTodayEntry,
    /// One step per nine.
    pub steps: Vec<RuleStepEntry>,
    /// The first nine that costs more than the downtime it saves.
    pub first_unprofitable_nine: Option<u32>,
    /// Where the total cost is least; null when downtime costs nothing.
    pub sweet_spot: Option<RuleSweetSpot>,
    /// Remarks, in words.
    pub notes: Vec<String>,
}

impl RuleReport {
    /// The report of a rule-of-thumb curve for `component` of `model`.
    pub fn new(model: &str, component: &str, curve: &RuleCurve, notes: Vec<String>) -> RuleReport {
        let availability_at = |k: u32| -> (f64, f64) {
            let u = 10f64.powi(-(k as i32));
            (1.0 - u, u)
        };
        RuleReport {
            model: model.to_string(),
            component: component.to_string(),
            factor: curve.factor,
            downtime_per_hour: curve.downtime_per_hour,
            today: RuleTodayEntry {
                availability: 1.0 - curve.today_unavailability,
                unavailability: curve.today_unavailability,
                nines: curve.today_nines,
                cost: curve.today_cost,
                total_cost: curve.total_at(curve.today_nines),
            },
            steps: curve
                .steps
                .iter()
                .map(|s| RuleStepEntry {
                    from_availability: availability_at(s.from_nines).0,
                    to_availability: availability_at(s.to_nines).0,
                    from_nines: s.from_nines,
                    to_nines: s.to_nines,
                    uptime_per_year_s: s.uptime_per_year_s,
                    cost: s.cost,
                    step_cost: s.step_cost,
                    downtime_cost_saved: s.downtime_cost_saved,
                    pays: s.pays,
                    bought: s.bought,
                })
                .collect(),
            first_unprofitable_nine: curve.first_unprofitable().map(|s| s.to_nines),
            sweet_spot: curve.sweet_spot_nines.map(|n| RuleSweetSpot {
                nines: n,
                availability: 1.0 - 10f64.powf(-n),
                cost: curve.cost_at(n),
                total_cost: curve.total_at(n),
            }),
            notes,
        }
    }

    /// As a table for `screen`, JSON or Markdown.
    pub fn render(&self, format: Format, screen: Screen) -> String {
        match format {
            Format::Json => serde_json::to_string_pretty(self).expect("results serialise") + "\n",
            Format::Table | Format::Markdown => self.table(screen, format == Format::Markdown),
        }
    }

    fn table(&self, screen: Screen, markdown: bool) -> String {
        let pct = |k: u32| {
            let u = 10f64.powi(-(k as i32));
            format_percent(1.0 - u, u)
        };
        let header = [
            "nine",
            "uptime it buys / year",
            "cost / month there",
            "this nine costs",
            "downtime cost it saves",
            "",
        ];
        let rows: Vec<[String; 6]> = self
            .steps
            .iter()
            .map(|s| {
                [
                    format!("{} → {}", pct(s.from_nines), pct(s.to_nines)),
                    format_duration_human(s.uptime_per_year_s),
                    format_money(s.cost),
                    format_money(s.step_cost),
                    format_money(s.downtime_cost_saved),
                    match (s.bought, s.pays) {
                        (true, _) => "today's design has it".into(),
                        (false, true) => "pays for itself".into(),
                        (false, false) => "costs more than it saves".into(),
                    },
                ]
            })
            .collect();
        let mut out = String::new();
        let title = format!(
            "{} — rule of thumb for {}: each further nine costs {}× the last",
            self.model,
            self.component,
            trim_float(self.factor)
        );
        let today = format!(
            "today: {} ({} nines) for {} a month infrastructure; downtime costs {}/h",
            format_percent(self.today.availability, self.today.unavailability),
            format_nines(self.today.nines),
            format_money(self.today.cost),
            format_money(self.downtime_per_hour),
        );
        if markdown {
            out += &format!(
                "## {}\n\n{}\n\n",
                escape_markdown(&title),
                escape_markdown(&today)
            );
            out += &format!(
                "| {} |\n|---|---:|---:|---:|---:|---|\n",
                header.join(" | ")
            );
            for r in &rows {
                out += &format!("| {} |\n", r.join(" | "));
            }
            out += "\n";
        } else {
            let mut t = Table::new(screen)
                .text(header[0])
                .number(header[1])
                .number(header[2])
                .number(header[3])
                .number(header[4])
                .text(header[5]);
            for r in rows {
                let paint = r[5].starts_with("costs more").then_some(Paint::Red);
                let [a, b, c, d, e, f] = r;
                t.row([
                    Cell::from(a),
                    Cell::from(b),
                    Cell::from(c),
                    Cell::from(d),
                    Cell::from(e),
                    Cell::from(f).paint(paint),
                ]);
            }
            out += &format!("{title}\n{today}\n{t}\n");
        }
        if let Some(k) = self.first_unprofitable_nine {
            out += &format!(
                "the nine to {} is the first that costs more than the downtime it saves\n",
                pct(k)
            );
        }
        match &self.sweet_spot {
            Some(s) => {
                out += &format!(
                    "sweet spot: about {} ({} nines) at {} a month in total ({} infrastructure)\n",
                    format_percent(s.availability, 10f64.powf(-s.nines)),
                    format_nines(s.nines),
                    format_money(s.total_cost),
                    format_money(s.cost)
                )
            }
            None => {
                out += "no sweet spot: the model sets no cost.downtime_per_hour, so no nine pays for itself\n"
            }
        }
        for n in &self.notes {
            out += &format!("note: {n}\n");
        }
        if markdown { out } else { screen.fit(&out) }
    }
}

fn trim_float(x: f64) -> String {
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}
