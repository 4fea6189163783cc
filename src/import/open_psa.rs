//! Open-PSA Model Exchange Format (MEF) fault trees, read into a [`FaultTree`] and mapped onto an
//! ordinary nines model.
//!
//! The mapping (docs/open-psa.md has the user's view):
//! - a basic event of probability p is a component of availability 1 − p;
//! - a house event is a component of availability 0% (true) or 100% (false);
//! - a gate is a perfect component (100%) whose dependencies carry its logic: OR hard-depends on
//!   every input, AND needs at least one input up, `atleast` k of n failing needs n − k + 1 up;
//! - a beta-factor common-cause group is a domain: each member is a component at the independent
//!   part (1 − β)·Q, spread over a domain that fails with the common part β·Q, so that a member
//!   fails when its own failure or the common cause happens — exactly the MEF's member = OR of
//!   its independent and common events.
//!
//! So the top event's probability is the top gate's unavailability. Names are kept; elements of
//! private components are named by their path (`t.E1`), as MEF references them.
//!
//! Names are resolved as SCRAM resolves them: a reference is first looked up in the scope of the
//! container that makes it (`container.name`), then among public elements by name, and a dotted
//! reference is also taken as a full path.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use indexmap::IndexMap;

use super::xml::{self, Element};
use crate::model::error::{ModelError, Span, did_you_mean, with_hint};
use crate::model::spec::{ComponentSpec, DependencySpec, DomainSpec, ModelSpec, OnFailure, Target};
use crate::model::units::{Availability, Odds};

/// The largest MEF file read.
pub const MAX_FILE_BYTES: u64 = 256 << 20;

/// What the import needs beyond the files.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// The mission time in hours, for time-dependent probabilities (`<system-mission-time/>`).
    pub mission_time_h: f64,
}

impl Default for Options {
    fn default() -> Self {
        // MEF's and SCRAM's default: one year.
        Options {
            mission_time_h: 8760.0,
        }
    }
}

/// Where an element stands: its file (index into the files read) and place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Place {
    pub file: usize,
    pub span: Span,
}

/// An input of a gate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Input {
    Gate(usize),
    Event(usize),
}

/// The logic of a gate, as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    Or,
    And,
    /// At least k of the inputs.
    AtLeast(u32),
    /// Pass-through of a single input.
    Null,
    Not,
    Xor,
    Nand,
    Nor,
}

impl Op {
    /// The MEF element that writes this operation.
    pub fn element(&self) -> &'static str {
        match self {
            Op::Or => "or",
            Op::And => "and",
            Op::AtLeast(_) => "atleast",
            Op::Null => "event",
            Op::Not => "not",
            Op::Xor => "xor",
            Op::Nand => "nand",
            Op::Nor => "nor",
        }
    }
    /// Monotone in its inputs: expressible as dependencies.
    pub fn is_coherent(&self) -> bool {
        matches!(self, Op::Or | Op::And | Op::AtLeast(_) | Op::Null)
    }
}

#[derive(Clone, Debug)]
pub struct Gate {
    pub name: String,
    pub op: Op,
    pub inputs: Vec<Input>,
    pub place: Place,
}

#[derive(Clone, Debug, PartialEq)]
pub enum EventKind {
    Basic,
    House,
    /// A basic event that is a member of a common-cause group: its independent part is `odds`.
    CcfMember {
        group: usize,
    },
}

#[derive(Clone, Debug)]
pub struct Event {
    pub name: String,
    pub kind: EventKind,
    /// P(the event happens).
    pub odds: Odds,
    pub place: Place,
}

/// A beta-factor group's common cause: all members fail together.
#[derive(Clone, Debug)]
pub struct CcfGroup {
    pub name: String,
    /// P(the common cause happens) = β·Q.
    pub odds: Odds,
    pub members: Vec<usize>,
    pub place: Place,
}

/// A fault tree read from MEF files: gates over events, with names resolved.
#[derive(Clone, Debug, Default)]
pub struct FaultTree {
    /// The first fault tree's name.
    pub name: Option<String>,
    pub gates: Vec<Gate>,
    pub events: Vec<Event>,
    pub ccf_groups: Vec<CcfGroup>,
    /// The files read, for locating errors.
    pub files: Vec<PathBuf>,
    /// Gates no other gate uses, in definition order.
    pub tops: Vec<usize>,
    /// Basic and house events defined but used by no gate (left out of the model).
    pub unused_events: usize,
}

/// Reads and parses MEF files.
pub fn read_files(paths: &[PathBuf], options: &Options) -> Result<FaultTree, ModelError> {
    let mut sources = Vec::with_capacity(paths.len());
    for path in paths {
        let text = crate::model::read_text(path, MAX_FILE_BYTES, "an import")
            .map_err(|m| ModelError::new(path, None, &m))?;
        sources.push((path.clone(), text));
    }
    parse(&sources, options)
}

/// Parses MEF documents given as (path, text); together they define one model.
pub fn parse(sources: &[(PathBuf, String)], options: &Options) -> Result<FaultTree, ModelError> {
    // Gates and parameters are resolved recursively: a long chain of them needs a deep stack.
    crate::exact::with_deep_stack(|| parse_here(sources, options))
}

fn parse_here(sources: &[(PathBuf, String)], options: &Options) -> Result<FaultTree, ModelError> {
    let mut roots = Vec::with_capacity(sources.len());
    for (path, text) in sources {
        roots.push(xml::parse(path, text)?);
    }
    let mut reader = Reader {
        sources,
        options,
        decls: Vec::new(),
        by_path: HashMap::new(),
        public: HashMap::new(),
        ccf_decls: Vec::new(),
        tree: FaultTree {
            files: sources.iter().map(|(p, _)| p.clone()).collect(),
            ..FaultTree::default()
        },
        gate_of: HashMap::new(),
        event_of: HashMap::new(),
        param_values: HashMap::new(),
        param_busy: HashSet::new(),
        names: HashSet::new(),
        constants: [None, None],
    };
    for (file, root) in roots.iter().enumerate() {
        reader.document(file, root)?;
    }
    reader.resolve()?;
    // Events alone are data for gates in another file; with no gate at all there is nothing
    // to solve or import.
    if reader.tree.gates.is_empty() {
        let files = if sources.len() == 1 {
            "the file"
        } else {
            "the files"
        };
        return Err(reader.at(
            0,
            &roots[0],
            with_hint(
                format!("no gate in {files}: nothing to solve"),
                "define the fault tree's gates (<define-gate> in <define-fault-tree>), or name \
                 the file that has them too",
            ),
        ));
    }
    Ok(reader.tree)
}

/// What a declaration defines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Kind {
    Gate,
    BasicEvent,
    HouseEvent,
    Parameter,
}

impl Kind {
    fn noun(self) -> &'static str {
        match self {
            Kind::Gate => "gate",
            Kind::BasicEvent => "basic event",
            Kind::HouseEvent => "house event",
            Kind::Parameter => "parameter",
        }
    }
    /// Gates and events share one namespace; parameters have their own.
    fn namespace(self) -> u8 {
        match self {
            Kind::Parameter => 1,
            _ => 0,
        }
    }
}

/// A named definition, before names are resolved.
struct Decl<'a> {
    kind: Kind,
    /// The name to show: the bare name of a public element, the path of a private one.
    display: String,
    /// The container path of the element (`FT`, `FT.component`); empty for model data.
    base: String,
    element: Option<&'a Element>,
    place: Place,
}

struct CcfDecl<'a> {
    element: &'a Element,
    base: String,
    display: String,
    members: Vec<usize>,
    place: Place,
}

struct Reader<'a> {
    sources: &'a [(PathBuf, String)],
    options: &'a Options,
    decls: Vec<Decl<'a>>,
    /// (kind, full path) → declaration.
    by_path: HashMap<(Kind, String), usize>,
    /// (namespace, name) → public declaration.
    public: HashMap<(u8, String), usize>,
    ccf_decls: Vec<CcfDecl<'a>>,
    tree: FaultTree,
    gate_of: HashMap<usize, usize>,
    event_of: HashMap<usize, usize>,
    param_values: HashMap<usize, f64>,
    param_busy: HashSet<usize>,
    /// Component names taken, to keep made-up names apart from real ones.
    names: HashSet<String>,
    /// The events standing for `<constant value="false|true"/>`.
    constants: [Option<usize>; 2],
}

const LABELS: &[&str] = &["label", "attributes"];

impl<'a> Reader<'a> {
    fn error(&self, place: Place, message: String) -> ModelError {
        let (path, text) = &self.sources[place.file];
        ModelError::new(path, Some(place.span), &message).with_source(text)
    }

    fn at(&self, file: usize, e: &Element, message: String) -> ModelError {
        self.error(Place { file, span: e.span }, message)
    }

    fn name_of(&self, file: usize, e: &Element) -> Result<String, ModelError> {
        match e.attribute("name") {
            // Names reach terminals and reports, where a control character would act (an escape
            // sequence) or break the layout; a model refuses them too (found by fuzzing).
            Some(n) if n.chars().any(char::is_control) => Err(self.at(
                file,
                e,
                with_hint(
                    format!("the name {n:?} holds a control character"),
                    "use letters, digits, `-`, `_` or `.`",
                ),
            )),
            Some(n) if !n.trim().is_empty() => Ok(n.trim().to_string()),
            _ => Err(self.at(
                file,
                e,
                with_hint(
                    format!("<{}> needs a `name`", e.name),
                    &format!("write <{} name=\"...\">", e.name),
                ),
            )),
        }
    }

    fn unsupported(&self, file: usize, e: &Element, what: &str, hint: &str) -> ModelError {
        self.at(
            file,
            e,
            with_hint(format!("<{}>: {what} is not supported", e.name), hint),
        )
    }

    fn unknown_element(
        &self,
        file: usize,
        e: &Element,
        inside: &str,
        known: &[&str],
    ) -> ModelError {
        let hint = match did_you_mean(&e.name, known.iter().copied()) {
            Some(s) => format!("did you mean <{s}>?"),
            None => format!("inside <{inside}> MEF has {}", known.join(", ")),
        };
        self.at(
            file,
            e,
            with_hint(format!("unknown element <{}> in <{inside}>", e.name), &hint),
        )
    }

    fn document(&mut self, file: usize, root: &'a Element) -> Result<(), ModelError> {
        if root.name != "opsa-mef" {
            return Err(self.at(
                file,
                root,
                with_hint(
                    format!("<{}> is not an Open-PSA model", root.name),
                    "an Open-PSA MEF file starts with <opsa-mef>",
                ),
            ));
        }
        const KNOWN: &[&str] = &[
            "define-fault-tree",
            "model-data",
            "define-CCF-group",
            "define-parameter",
            "label",
            "attributes",
        ];
        for e in &root.children {
            match e.name.as_str() {
                "define-fault-tree" => {
                    let name = self.name_of(file, e)?;
                    if self.tree.name.is_none() {
                        self.tree.name = Some(name.clone());
                    }
                    self.container(file, e, &name, "", true)?;
                }
                "model-data" => self.model_data(file, e)?,
                "define-CCF-group" => self.ccf_group(file, e, "", true)?,
                "define-parameter" => self.declare(file, e, Kind::Parameter, "", "", true)?,
                "define-event-tree"
                | "define-initiating-event"
                | "define-sequence"
                | "define-rule"
                | "define-alignment"
                | "define-substitution"
                | "define-extern-library"
                | "define-extern-function" => {
                    return Err(self.unsupported(
                        file,
                        e,
                        "this part of MEF (event trees, alignments, substitutions, externs)",
                        "nines imports fault trees: keep <define-fault-tree> and <model-data>",
                    ));
                }
                n if LABELS.contains(&n) => {}
                _ => return Err(self.unknown_element(file, e, "opsa-mef", KNOWN)),
            }
        }
        Ok(())
    }

    fn model_data(&mut self, file: usize, data: &'a Element) -> Result<(), ModelError> {
        const KNOWN: &[&str] = &[
            "define-basic-event",
            "define-house-event",
            "define-parameter",
            "label",
            "attributes",
        ];
        for e in &data.children {
            match e.name.as_str() {
                "define-basic-event" => self.declare(file, e, Kind::BasicEvent, "", "", true)?,
                "define-house-event" => self.declare(file, e, Kind::HouseEvent, "", "", true)?,
                "define-parameter" => self.declare(file, e, Kind::Parameter, "", "", true)?,
                n if LABELS.contains(&n) => {}
                _ => return Err(self.unknown_element(file, e, "model-data", KNOWN)),
            }
        }
        Ok(())
    }

    /// A fault tree or a component: `base` is its path, `shown` the prefix of private names.
    fn container(
        &mut self,
        file: usize,
        c: &'a Element,
        base: &str,
        shown: &str,
        public: bool,
    ) -> Result<(), ModelError> {
        const KNOWN: &[&str] = &[
            "define-gate",
            "define-basic-event",
            "define-house-event",
            "define-parameter",
            "define-CCF-group",
            "define-component",
            "label",
            "attributes",
        ];
        for e in &c.children {
            let role_public = match e.attribute("role") {
                None => public,
                Some("public") => true,
                Some("private") => false,
                Some(other) => {
                    return Err(self.at(
                        file,
                        e,
                        with_hint(
                            format!("unknown role `{other}`"),
                            "a role is `public` or `private`",
                        ),
                    ));
                }
            };
            match e.name.as_str() {
                "define-gate" => self.declare(file, e, Kind::Gate, base, shown, role_public)?,
                "define-basic-event" => {
                    self.declare(file, e, Kind::BasicEvent, base, shown, role_public)?
                }
                "define-house-event" => {
                    self.declare(file, e, Kind::HouseEvent, base, shown, role_public)?
                }
                "define-parameter" => {
                    self.declare(file, e, Kind::Parameter, base, shown, role_public)?
                }
                "define-CCF-group" => self.ccf_group(file, e, base, role_public)?,
                "define-component" => {
                    let name = self.name_of(file, e)?;
                    let inner_shown = if shown.is_empty() {
                        name.clone()
                    } else {
                        format!("{shown}.{name}")
                    };
                    self.container(
                        file,
                        e,
                        &format!("{base}.{name}"),
                        &inner_shown,
                        role_public,
                    )?;
                }
                n if LABELS.contains(&n) => {}
                _ => return Err(self.unknown_element(file, e, &c.name, KNOWN)),
            }
        }
        Ok(())
    }

    fn declare(
        &mut self,
        file: usize,
        e: &'a Element,
        kind: Kind,
        base: &str,
        shown: &str,
        public: bool,
    ) -> Result<(), ModelError> {
        let name = self.name_of(file, e)?;
        self.declare_named(file, e, Some(e), kind, &name, base, shown, public)
            .map(|_| ())
    }

    #[allow(clippy::too_many_arguments)]
    fn declare_named(
        &mut self,
        file: usize,
        at: &Element,
        element: Option<&'a Element>,
        kind: Kind,
        name: &str,
        base: &str,
        shown: &str,
        public: bool,
    ) -> Result<usize, ModelError> {
        if name.contains('.') {
            return Err(self.at(
                file,
                at,
                with_hint(
                    format!("the name `{name}` contains a dot"),
                    "dots separate containers in MEF references; rename the element",
                ),
            ));
        }
        let full = if base.is_empty() {
            name.to_string()
        } else {
            format!("{base}.{name}")
        };
        let display = if public || shown.is_empty() {
            name.to_string()
        } else {
            format!("{shown}.{name}")
        };
        let id = self.decls.len();
        let place = Place {
            file,
            span: at.span,
        };
        let clash = [
            Kind::Gate,
            Kind::BasicEvent,
            Kind::HouseEvent,
            Kind::Parameter,
        ]
        .into_iter()
        .filter(|k| k.namespace() == kind.namespace())
        .find_map(|k| self.by_path.get(&(k, full.clone())).copied())
        .or_else(|| {
            public
                .then(|| {
                    self.public
                        .get(&(kind.namespace(), name.to_string()))
                        .copied()
                })
                .flatten()
        });
        if let Some(other) = clash {
            let o = &self.decls[other];
            let (path, _) = &self.sources[o.place.file];
            return Err(self.at(
                file,
                at,
                with_hint(
                    format!(
                        "{} `{name}` is defined twice: here and as a {} at {}:{}",
                        kind.noun(),
                        o.kind.noun(),
                        path.display(),
                        o.place.span.line
                    ),
                    "MEF names of gates and events are unique; rename one of them",
                ),
            ));
        }
        self.by_path.insert((kind, full), id);
        if public {
            self.public.insert((kind.namespace(), name.to_string()), id);
        }
        self.decls.push(Decl {
            kind,
            display,
            base: base.to_string(),
            element,
            place,
        });
        Ok(id)
    }

    fn ccf_group(
        &mut self,
        file: usize,
        e: &'a Element,
        base: &str,
        public: bool,
    ) -> Result<(), ModelError> {
        let name = self.name_of(file, e)?;
        let model = e.attribute("model").unwrap_or("");
        if model != "beta-factor" {
            return Err(self.at(
                file,
                e,
                with_hint(
                    format!(
                        "common-cause group `{name}` uses the `{model}` model, which is not supported"
                    ),
                    "nines maps beta-factor groups onto shared domains; MGL, alpha-factor and phi-factor groups have no such mapping",
                ),
            ));
        }
        let members_el = e
            .children
            .iter()
            .find(|c| c.name == "members")
            .ok_or_else(|| {
                self.at(
                    file,
                    e,
                    format!("common-cause group `{name}` has no <members>"),
                )
            })?;
        let mut members = Vec::new();
        for m in &members_el.children {
            if m.name != "basic-event" {
                return Err(self.unknown_element(file, m, "members", &["basic-event"]));
            }
            let member = self.name_of(file, m)?;
            members.push(self.declare_named(
                file,
                m,
                None,
                Kind::BasicEvent,
                &member,
                base,
                "",
                public,
            )?);
        }
        if members.len() < 2 {
            return Err(self.at(
                file,
                members_el,
                format!("common-cause group `{name}` needs at least 2 members"),
            ));
        }
        self.ccf_decls.push(CcfDecl {
            element: e,
            base: base.to_string(),
            display: name,
            members,
            place: Place { file, span: e.span },
        });
        Ok(())
    }

    /// Looks a reference up as SCRAM does: the container's own scope, then public names, then a
    /// full path.
    fn lookup(&self, kinds: &[Kind], reference: &str, base: &str) -> Option<usize> {
        if !base.is_empty() {
            let full = format!("{base}.{reference}");
            for &k in kinds {
                if let Some(&id) = self.by_path.get(&(k, full.clone())) {
                    return Some(id);
                }
            }
        }
        for &k in kinds {
            let found = if reference.contains('.') {
                self.by_path.get(&(k, reference.to_string()))
            } else {
                self.public
                    .get(&(k.namespace(), reference.to_string()))
                    .filter(|&&id| self.decls[id].kind == k)
            };
            if let Some(&id) = found {
                return Some(id);
            }
        }
        None
    }

    fn resolve(&mut self) -> Result<(), ModelError> {
        for d in &self.decls {
            if d.kind != Kind::Parameter {
                self.names.insert(d.display.clone());
            }
        }
        for i in 0..self.ccf_decls.len() {
            self.resolve_ccf(i)?;
        }
        // Gates in definition order; each gate's inputs are made on first use.
        for id in 0..self.decls.len() {
            if self.decls[id].kind == Kind::Gate {
                self.gate(id)?;
            }
        }
        let mut used = vec![false; self.tree.gates.len()];
        let mut used_events = vec![false; self.tree.events.len()];
        for g in &self.tree.gates {
            for x in &g.inputs {
                match *x {
                    Input::Gate(i) => used[i] = true,
                    Input::Event(i) => used_events[i] = true,
                }
            }
        }
        self.tree.tops = (0..self.tree.gates.len()).filter(|&g| !used[g]).collect();
        self.tree.unused_events = self
            .decls
            .iter()
            .enumerate()
            .filter(|(id, d)| {
                matches!(d.kind, Kind::BasicEvent | Kind::HouseEvent)
                    && self.event_of.get(id).is_none_or(|&e| !used_events[e])
            })
            .count();
        self.check_cycles()
    }

    fn resolve_ccf(&mut self, group: usize) -> Result<(), ModelError> {
        let (e, base, name, place) = {
            let c = &self.ccf_decls[group];
            (c.element, c.base.clone(), c.display.clone(), c.place)
        };
        let file = place.file;
        let n = self.ccf_decls[group].members.len();
        let mut distribution = None;
        let mut factors: Vec<(&Element, Option<&str>, &Element)> = Vec::new();
        for c in &e.children {
            match c.name.as_str() {
                "members" => {}
                "distribution" => {
                    let x = self.single_child(file, c)?;
                    distribution = Some(self.probability(file, x, &base)?);
                }
                "factor" => factors.push((c, c.attribute("level"), self.single_child(file, c)?)),
                "factors" => {
                    for f in &c.children {
                        if f.name != "factor" {
                            return Err(self.unknown_element(file, f, "factors", &["factor"]));
                        }
                        factors.push((f, f.attribute("level"), self.single_child(file, f)?));
                    }
                }
                n if LABELS.contains(&n) => {}
                _ => {
                    return Err(self.unknown_element(
                        file,
                        c,
                        "define-CCF-group",
                        &["members", "distribution", "factor", "factors"],
                    ));
                }
            }
        }
        let q = distribution.ok_or_else(|| {
            self.error(
                place,
                format!("common-cause group `{name}` has no <distribution>"),
            )
        })?;
        let [(factor_el, level, beta_el)] = factors[..] else {
            return Err(self.error(
                place,
                format!(
                    "beta-factor group `{name}` needs exactly one <factor>, not {}",
                    factors.len()
                ),
            ));
        };
        if let Some(level) = level
            && level.trim().parse::<usize>().ok() != Some(n)
        {
            return Err(self.at(
                file,
                factor_el,
                format!("the beta factor of `{name}` is for all {n} members: its level is {n}, not {level}"),
            ));
        }
        let beta = self.probability(file, beta_el, &base)?;
        // Member = independent part OR common part; both parts kept without cancellation.
        let independent = Odds {
            p: beta.q * q.p,
            q: 1.0 - beta.q * q.p,
        };
        let common = Odds {
            p: beta.p * q.p,
            q: 1.0 - beta.p * q.p,
        };
        if let Some(other) = self.tree.ccf_groups.iter().find(|c| c.name == name) {
            let line = other.place.span.line;
            return Err(self.error(
                place,
                with_hint(
                    format!("common-cause group `{name}` is defined twice (also on line {line})"),
                    "each group becomes a domain of its name; rename one of them",
                ),
            ));
        }
        let members = self.ccf_decls[group].members.clone();
        let group_id = self.tree.ccf_groups.len();
        let mut events = Vec::with_capacity(members.len());
        for m in members {
            let ev = self.tree.events.len();
            self.tree.events.push(Event {
                name: self.decls[m].display.clone(),
                kind: EventKind::CcfMember { group: group_id },
                odds: independent,
                place: self.decls[m].place,
            });
            self.event_of.insert(m, ev);
            events.push(ev);
        }
        self.tree.ccf_groups.push(CcfGroup {
            name,
            odds: common,
            members: events,
            place,
        });
        Ok(())
    }

    fn single_child<'e>(&self, file: usize, e: &'e Element) -> Result<&'e Element, ModelError> {
        let mut it = e
            .children
            .iter()
            .filter(|c| !LABELS.contains(&c.name.as_str()));
        match (it.next(), it.next()) {
            (Some(x), None) => Ok(x),
            (None, _) => Err(self.at(file, e, format!("<{}> needs a value inside", e.name))),
            (Some(_), Some(extra)) => Err(self.at(
                file,
                extra,
                format!("<{}> holds one value, not several", e.name),
            )),
        }
    }

    /// The gate of a declaration, made on first use.
    fn gate(&mut self, decl: usize) -> Result<usize, ModelError> {
        if let Some(&g) = self.gate_of.get(&decl) {
            return Ok(g);
        }
        let d = &self.decls[decl];
        let (name, base, place) = (d.display.clone(), d.base.clone(), d.place);
        let element = d.element.expect("gates have elements");
        let formula = self.single_child(place.file, element)?;
        let id = self.tree.gates.len();
        // Reserved before the inputs, so that a cycle finds it (and is reported below).
        self.tree.gates.push(Gate {
            name,
            op: Op::Null,
            inputs: Vec::new(),
            place,
        });
        self.gate_of.insert(decl, id);
        let (op, inputs) = self.formula(place.file, formula, &base, id)?;
        self.tree.gates[id].op = op;
        self.tree.gates[id].inputs = inputs;
        Ok(id)
    }

    /// The logic of a formula element: an operator and its inputs (nested formulas become gates
    /// of their own, named after the gate that holds them).
    fn formula(
        &mut self,
        file: usize,
        f: &Element,
        base: &str,
        owner: usize,
    ) -> Result<(Op, Vec<Input>), ModelError> {
        let op = match f.name.as_str() {
            "or" => Op::Or,
            "and" => Op::And,
            "not" => Op::Not,
            "xor" => Op::Xor,
            "nand" => Op::Nand,
            "nor" => Op::Nor,
            "atleast" => {
                let k = f
                    .attribute("min")
                    .and_then(|m| m.trim().parse::<u32>().ok())
                    .filter(|&k| k >= 1)
                    .ok_or_else(|| {
                        self.at(
                            file,
                            f,
                            with_hint(
                                "<atleast> needs `min`, a whole number of 1 or more".into(),
                                "write <atleast min=\"2\">",
                            ),
                        )
                    })?;
                Op::AtLeast(k)
            }
            "iff" | "imply" | "cardinality" => {
                return Err(self.unsupported(
                    file,
                    f,
                    "this connective (non-coherent logic)",
                    "nines models are coherent: rewrite with <or>, <and> and <atleast>",
                ));
            }
            "gate" | "basic-event" | "house-event" | "event" | "constant" => {
                return Ok((Op::Null, vec![self.argument(file, f, base, owner)?]));
            }
            _ => {
                return Err(self.unknown_element(
                    file,
                    f,
                    "define-gate",
                    &[
                        "or",
                        "and",
                        "atleast",
                        "not",
                        "xor",
                        "nand",
                        "nor",
                        "gate",
                        "basic-event",
                        "house-event",
                        "event",
                        "constant",
                    ],
                ));
            }
        };
        let mut inputs = Vec::new();
        for a in &f.children {
            if LABELS.contains(&a.name.as_str()) {
                continue;
            }
            inputs.push(self.argument(file, a, base, owner)?);
        }
        let wanted = match op {
            Op::Not => (1, Some(1)),
            Op::Xor => (2, Some(2)),
            Op::AtLeast(k) => (k as usize + 1, None),
            _ => (1, None),
        };
        if inputs.len() < wanted.0 || wanted.1.is_some_and(|most| inputs.len() > most) {
            let need = match wanted {
                (l, Some(h)) if l == h => format!("{l}"),
                (l, _) => format!("at least {l}"),
            };
            return Err(self.at(
                file,
                f,
                format!(
                    "<{}> takes {need} argument{}, not {}",
                    f.name,
                    if need == "1" { "" } else { "s" },
                    inputs.len()
                ),
            ));
        }
        if matches!(op, Op::AtLeast(_)) {
            let mut seen = HashSet::new();
            for (x, a) in inputs.iter().zip(
                f.children
                    .iter()
                    .filter(|a| !LABELS.contains(&a.name.as_str())),
            ) {
                if !seen.insert(*x) {
                    return Err(self.at(file, a, "<atleast> lists this argument twice".into()));
                }
            }
        }
        Ok((op, inputs))
    }

    fn argument(
        &mut self,
        file: usize,
        a: &Element,
        base: &str,
        owner: usize,
    ) -> Result<Input, ModelError> {
        let kinds: &[Kind] = match a.name.as_str() {
            "gate" => &[Kind::Gate],
            "basic-event" => &[Kind::BasicEvent],
            "house-event" => &[Kind::HouseEvent],
            "event" => match a.attribute("type") {
                None => &[Kind::Gate, Kind::BasicEvent, Kind::HouseEvent],
                Some("gate") => &[Kind::Gate],
                Some("basic-event") => &[Kind::BasicEvent],
                Some("house-event") => &[Kind::HouseEvent],
                Some(t) => {
                    return Err(self.at(
                        file,
                        a,
                        with_hint(
                            format!("unknown event type `{t}`"),
                            "the type is gate, basic-event or house-event",
                        ),
                    ));
                }
            },
            "constant" => {
                let value = match a.attribute("value").map(str::trim) {
                    Some("true") => true,
                    Some("false") => false,
                    _ => {
                        return Err(self.at(
                            file,
                            a,
                            "<constant> needs value=\"true\" or value=\"false\"".into(),
                        ));
                    }
                };
                return Ok(Input::Event(
                    self.constant(value, Place { file, span: a.span }),
                ));
            }
            _ => {
                // A nested formula: a gate of its own.
                let owner_name = self.tree.gates[owner].name.clone();
                let name = self.fresh_name(&format!("{owner_name}/{}", a.name));
                let id = self.tree.gates.len();
                let place = Place { file, span: a.span };
                self.tree.gates.push(Gate {
                    name,
                    op: Op::Null,
                    inputs: Vec::new(),
                    place,
                });
                let (op, inputs) = self.formula(file, a, base, id)?;
                self.tree.gates[id].op = op;
                self.tree.gates[id].inputs = inputs;
                return Ok(Input::Gate(id));
            }
        };
        let reference = self.name_of(file, a)?;
        let Some(decl) = self.lookup(kinds, &reference, base) else {
            let noun = if kinds.len() == 1 {
                kinds[0].noun()
            } else {
                "event"
            };
            let candidates: Vec<&str> = self
                .decls
                .iter()
                .filter(|d| kinds.contains(&d.kind))
                .map(|d| d.display.as_str())
                .collect();
            let hint = match did_you_mean(&reference, candidates.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("define it with <define-{}>", noun.replace(' ', "-")),
            };
            return Err(self.at(
                file,
                a,
                with_hint(format!("undefined {noun} `{reference}`"), &hint),
            ));
        };
        match self.decls[decl].kind {
            Kind::Gate => Ok(Input::Gate(self.gate(decl)?)),
            Kind::BasicEvent | Kind::HouseEvent => Ok(Input::Event(self.event(decl)?)),
            Kind::Parameter => unreachable!("parameters are never looked up as events"),
        }
    }

    fn fresh_name(&mut self, wanted: &str) -> String {
        let mut name = wanted.to_string();
        let mut i = 2;
        while self.names.contains(&name) {
            name = format!("{wanted}-{i}");
            i += 1;
        }
        self.names.insert(name.clone());
        name
    }

    fn constant(&mut self, value: bool, place: Place) -> usize {
        if let Some(e) = self.constants[value as usize] {
            return e;
        }
        let name = self.fresh_name(if value { "true" } else { "false" });
        let id = self.tree.events.len();
        self.tree.events.push(Event {
            name,
            kind: EventKind::House,
            odds: if value { Odds::ALWAYS } else { Odds::NEVER },
            place,
        });
        self.constants[value as usize] = Some(id);
        id
    }

    fn event(&mut self, decl: usize) -> Result<usize, ModelError> {
        if let Some(&e) = self.event_of.get(&decl) {
            return Ok(e);
        }
        let d = &self.decls[decl];
        let (name, base, place, kind) = (d.display.clone(), d.base.clone(), d.place, d.kind);
        let element = d.element.expect("events outside CCF groups have elements");
        let file = place.file;
        let values: Vec<&Element> = element
            .children
            .iter()
            .filter(|c| !LABELS.contains(&c.name.as_str()))
            .collect();
        let (odds, kind) = if kind == Kind::HouseEvent {
            let value = match values[..] {
                [] => false,
                [c] if c.name == "constant" => match c.attribute("value").map(str::trim) {
                    Some("true") => true,
                    Some("false") => false,
                    _ => {
                        return Err(self.at(
                            file,
                            c,
                            "<constant> needs value=\"true\" or value=\"false\"".into(),
                        ));
                    }
                },
                [c, ..] => {
                    return Err(self.at(
                        file,
                        c,
                        with_hint(
                            format!("house event `{name}` takes one <constant>"),
                            "write <constant value=\"true\"/>",
                        ),
                    ));
                }
            };
            (
                if value { Odds::ALWAYS } else { Odds::NEVER },
                EventKind::House,
            )
        } else {
            let expr = match values[..] {
                [x] => x,
                [] => {
                    return Err(self.error(
                        place,
                        with_hint(
                            format!("basic event `{name}` has no probability"),
                            "give it one, e.g. <float value=\"0.01\"/>",
                        ),
                    ));
                }
                [_, extra, ..] => {
                    return Err(self.at(
                        file,
                        extra,
                        format!("basic event `{name}` has more than one expression"),
                    ));
                }
            };
            (self.probability(file, expr, &base)?, EventKind::Basic)
        };
        let id = self.tree.events.len();
        self.tree.events.push(Event {
            name,
            kind,
            odds,
            place,
        });
        self.event_of.insert(decl, id);
        Ok(id)
    }

    /// An expression that must be a probability; a plain number keeps its complement's digits.
    fn probability(&mut self, file: usize, e: &Element, base: &str) -> Result<Odds, ModelError> {
        if e.name == "float"
            && let Some(v) = e.attribute("value")
            && let Ok(a) = Availability::parse(v)
        {
            // Read as "the event does not happen with 1 − p", so both sides come from the digits.
            let odds = a.down.complement();
            if (0.0..=1.0).contains(&odds.p) && (0.0..=1.0).contains(&odds.q) {
                return Ok(odds);
            }
        }
        let p = self.expression(file, e, base)?;
        if !(0.0..=1.0).contains(&p) {
            return Err(self.at(file, e, format!("this probability is {p}, outside [0, 1]")));
        }
        Ok(Odds::from_p(p))
    }

    fn number(&self, file: usize, e: &Element) -> Result<f64, ModelError> {
        let text = e
            .attribute("value")
            .ok_or_else(|| self.at(file, e, format!("<{}> needs a `value`", e.name)))?;
        let parsed = match e.name.as_str() {
            "bool" => match text.trim() {
                "true" => Some(1.0),
                "false" => Some(0.0),
                _ => None,
            },
            "int" => text.trim().parse::<i64>().ok().map(|v| v as f64),
            _ => text.trim().parse::<f64>().ok(),
        };
        parsed
            .filter(|v| v.is_finite())
            .ok_or_else(|| self.at(file, e, format!("`{text}` is not a {} value", e.name)))
    }

    fn expression(&mut self, file: usize, e: &Element, base: &str) -> Result<f64, ModelError> {
        let args: Vec<&Element> = e
            .children
            .iter()
            .filter(|c| !LABELS.contains(&c.name.as_str()))
            .collect();
        let arity = |me: &Self, lo: usize, hi: usize| -> Result<(), ModelError> {
            if args.len() < lo || args.len() > hi {
                let want = if lo == hi {
                    format!("{lo}")
                } else if hi == usize::MAX {
                    format!("at least {lo}")
                } else {
                    format!("{lo} to {hi}")
                };
                return Err(me.at(
                    file,
                    e,
                    format!("<{}> takes {want} arguments, not {}", e.name, args.len()),
                ));
            }
            Ok(())
        };
        let vals = |me: &mut Self| -> Result<Vec<f64>, ModelError> {
            args.iter().map(|a| me.expression(file, a, base)).collect()
        };
        let p_exp = |rate: f64, t: f64| -(-rate * t).exp_m1();
        let value = match e.name.as_str() {
            "float" | "int" | "bool" => self.number(file, e)?,
            "pi" => std::f64::consts::PI,
            "system-mission-time" => self.options.mission_time_h,
            "parameter" => {
                let reference = self.name_of(file, e)?;
                let decl = self
                    .lookup(&[Kind::Parameter], &reference, base)
                    .ok_or_else(|| {
                        self.at(
                            file,
                            e,
                            with_hint(
                                format!("undefined parameter `{reference}`"),
                                "define it with <define-parameter>",
                            ),
                        )
                    })?;
                self.parameter(decl)?
            }
            "neg" => {
                arity(self, 1, 1)?;
                -vals(self)?[0]
            }
            "add" => {
                arity(self, 1, usize::MAX)?;
                vals(self)?.iter().sum()
            }
            "mul" => {
                arity(self, 1, usize::MAX)?;
                vals(self)?.iter().product()
            }
            "sub" => {
                arity(self, 1, usize::MAX)?;
                let v = vals(self)?;
                v[1..].iter().fold(v[0], |a, b| a - b)
            }
            "div" => {
                arity(self, 1, usize::MAX)?;
                let v = vals(self)?;
                v[1..].iter().fold(v[0], |a, b| a / b)
            }
            "min" | "max" | "mean" => {
                arity(self, 1, usize::MAX)?;
                let v = vals(self)?;
                match e.name.as_str() {
                    "min" => v.iter().copied().fold(f64::INFINITY, f64::min),
                    "max" => v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                    _ => v.iter().sum::<f64>() / v.len() as f64,
                }
            }
            "abs" | "exp" | "log" | "log10" | "sqrt" => {
                arity(self, 1, 1)?;
                let x = vals(self)?[0];
                match e.name.as_str() {
                    "abs" => x.abs(),
                    "exp" => x.exp(),
                    "log" => x.ln(),
                    "log10" => x.log10(),
                    _ => x.sqrt(),
                }
            }
            "pow" => {
                arity(self, 2, 2)?;
                let v = vals(self)?;
                v[0].powf(v[1])
            }
            "exponential" => {
                arity(self, 2, 2)?;
                let v = vals(self)?;
                p_exp(v[0], v[1])
            }
            "GLM" => {
                arity(self, 4, 4)?;
                let v = vals(self)?;
                let (gamma, lambda, mu, t) = (v[0], v[1], v[2], v[3]);
                let r = lambda + mu;
                (lambda - (lambda - gamma * r) * (-r * t).exp()) / r
            }
            "Weibull" => {
                arity(self, 4, 4)?;
                let v = vals(self)?;
                let (alpha, beta, t0, t) = (v[0], v[1], v[2], v[3]);
                if t <= t0 {
                    0.0
                } else {
                    -(-((t - t0) / alpha).powf(beta)).exp_m1()
                }
            }
            "periodic-test" => {
                arity(self, 4, 4)?;
                // Instantaneous test and repair (SCRAM's 4-argument form).
                let v = vals(self)?;
                let (lambda, tau, theta, t) = (v[0], v[1], v[2], v[3]);
                if t <= theta {
                    p_exp(lambda, t)
                } else {
                    let delta = t - theta;
                    let after = delta - (delta / tau).trunc() * tau;
                    p_exp(lambda, if after != 0.0 { after } else { tau })
                }
            }
            // Random deviates stand for their mean, as in a point estimate.
            "lognormal-deviate" => {
                arity(self, 2, 3)?;
                let v = vals(self)?;
                if v.len() == 3 {
                    v[0]
                } else {
                    (v[0] + v[1] * v[1] / 2.0).exp()
                }
            }
            "normal-deviate" => {
                arity(self, 2, 2)?;
                vals(self)?[0]
            }
            "uniform-deviate" => {
                arity(self, 2, 2)?;
                let v = vals(self)?;
                (v[0] + v[1]) / 2.0
            }
            "gamma-deviate" => {
                arity(self, 2, 2)?;
                let v = vals(self)?;
                v[0] * v[1]
            }
            "beta-deviate" => {
                arity(self, 2, 2)?;
                let v = vals(self)?;
                v[0] / (v[0] + v[1])
            }
            _ => {
                return Err(self.unsupported(
                    file,
                    e,
                    "this expression",
                    "nines reads numbers, parameters, arithmetic (add, sub, mul, div, neg, pow, exp, log), exponential, GLM, Weibull, periodic-test (4 arguments) and the mean of random deviates",
                ));
            }
        };
        if !value.is_finite() {
            return Err(self.at(
                file,
                e,
                format!("this expression is {value}, not a finite number"),
            ));
        }
        Ok(value)
    }

    fn parameter(&mut self, decl: usize) -> Result<f64, ModelError> {
        if let Some(&v) = self.param_values.get(&decl) {
            return Ok(v);
        }
        let d = &self.decls[decl];
        let (place, base, name) = (d.place, d.base.clone(), d.display.clone());
        if !self.param_busy.insert(decl) {
            return Err(self.error(
                place,
                format!("parameter `{name}` is defined in terms of itself"),
            ));
        }
        let element = d.element.expect("parameters have elements");
        let x = self.single_child(place.file, element)?;
        let v = self.expression(place.file, x, &base)?;
        self.param_busy.remove(&decl);
        self.param_values.insert(decl, v);
        Ok(v)
    }

    /// Gates form a tree (a DAG), never a loop.
    fn check_cycles(&self) -> Result<(), ModelError> {
        let gates = &self.tree.gates;
        // 0 unvisited, 1 on the path, 2 done.
        let mut state = vec![0u8; gates.len()];
        for start in 0..gates.len() {
            if state[start] != 0 {
                continue;
            }
            let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
            state[start] = 1;
            while let Some(&mut (g, ref mut next)) = stack.last_mut() {
                let inputs = &gates[g].inputs;
                if *next == inputs.len() {
                    state[g] = 2;
                    stack.pop();
                    continue;
                }
                let x = inputs[*next];
                *next += 1;
                if let Input::Gate(h) = x {
                    match state[h] {
                        0 => {
                            state[h] = 1;
                            stack.push((h, 0));
                        }
                        1 => {
                            let from = stack.iter().position(|&(s, _)| s == h).unwrap_or(0);
                            let mut names: Vec<&str> = stack[from..]
                                .iter()
                                .map(|&(s, _)| gates[s].name.as_str())
                                .collect();
                            names.push(&gates[h].name);
                            return Err(self.error(
                                gates[h].place,
                                format!("gates form a cycle: {}", names.join(" → ")),
                            ));
                        }
                        _ => {}
                    }
                }
            }
        }
        Ok(())
    }
}

impl FaultTree {
    /// The first gate, if any, that is not coherent, with its place.
    pub fn first_non_coherent(&self) -> Option<&Gate> {
        self.gates.iter().find(|g| !g.op.is_coherent())
    }

    fn located(&self, place: Place, message: String, sources: Option<&str>) -> ModelError {
        let e = ModelError::new(&self.files[place.file], Some(place.span), &message);
        match sources {
            Some(text) => e.with_source(text),
            None => e,
        }
    }

    /// The nines model: a component per gate and event, a domain per common-cause group.
    /// Fails on non-coherent logic, naming the gate, the construct and the line.
    pub fn to_model(&self) -> Result<ModelSpec, ModelError> {
        if let Some(g) = self.first_non_coherent() {
            let source =
                crate::model::read_text(&self.files[g.place.file], MAX_FILE_BYTES, "an import")
                    .ok();
            return Err(self.located(
                g.place,
                with_hint(
                    format!(
                        "gate `{}` uses <{}>: non-coherent fault trees (NOT, XOR, NAND, NOR) are not supported",
                        // A nested formula is named after its gate: `g2/not` is in `g2`.
                        g.name.split('/').next().unwrap_or(&g.name),
                        g.op.element()
                    ),
                    "a nines model is coherent: a failure never repairs anything; `nines fault-tree FILE...` solves the tree as it is, or rewrite the gate with <or>, <and> and <atleast>",
                ),
                source.as_deref(),
            ));
        }
        let mut spec = ModelSpec {
            name: self.name.clone(),
            ..ModelSpec::default()
        };
        for c in &self.ccf_groups {
            spec.domains.insert(
                c.name.clone(),
                DomainSpec {
                    availability: Some(Availability { down: c.odds }),
                    ..DomainSpec::default()
                },
            );
        }
        let name = |x: &Input| match *x {
            Input::Gate(g) => self.gates[g].name.clone(),
            Input::Event(e) => self.events[e].name.clone(),
        };
        let mut components: IndexMap<String, ComponentSpec> = IndexMap::new();
        for g in &self.gates {
            let mut names: Vec<String> = Vec::with_capacity(g.inputs.len());
            for x in &g.inputs {
                let n = name(x);
                if !names.contains(&n) {
                    names.push(n);
                }
            }
            let group = |at_least: u32, of: Vec<String>| DependencySpec {
                target: Target::Group { at_least, of },
                on_failure: OnFailure::Fail,
                fallback: None,
                timeout: None,
                tolerate: None,
                breaker: None,
                via: crate::model::spec::Via::Call,
                max_delay: None,
            };
            let n = names.len() as u32;
            let depends_on = match g.op {
                // DOWN when any input is DOWN.
                Op::Or | Op::Null => names.iter().map(|x| DependencySpec::hard(x)).collect(),
                Op::And if n == 1 => vec![DependencySpec::hard(&names[0])],
                // DOWN when all inputs are DOWN: UP needs at least one of them.
                Op::And => vec![group(1, names)],
                Op::AtLeast(k) if k > n => vec![],
                Op::AtLeast(1) => names.iter().map(|x| DependencySpec::hard(x)).collect(),
                // DOWN when k or more are DOWN: UP needs n − k + 1 of them.
                Op::AtLeast(k) => vec![group(n - k + 1, names)],
                _ => unreachable!("non-coherent gates were refused above"),
            };
            components.insert(
                g.name.clone(),
                ComponentSpec {
                    availability: Some(Availability { down: Odds::NEVER }),
                    depends_on: Some(depends_on),
                    ..ComponentSpec::default()
                },
            );
        }
        let mut used = vec![false; self.events.len()];
        for g in &self.gates {
            for x in &g.inputs {
                if let Input::Event(e) = *x {
                    used[e] = true;
                }
            }
        }
        for (e, ev) in self.events.iter().enumerate() {
            if !used[e] {
                continue;
            }
            let spread = match ev.kind {
                EventKind::CcfMember { group } => Some(vec![self.ccf_groups[group].name.clone()]),
                _ => None,
            };
            components.insert(
                ev.name.clone(),
                ComponentSpec {
                    availability: Some(Availability { down: ev.odds }),
                    spread,
                    ..ComponentSpec::default()
                },
            );
        }
        spec.components = components;
        Ok(spec)
    }

    /// Names of the top gates.
    pub fn top_names(&self) -> Vec<&str> {
        self.tops
            .iter()
            .map(|&g| self.gates[g].name.as_str())
            .collect()
    }

    /// Counts for a summary: (gates, basic events, house events).
    pub fn counts(&self) -> (usize, usize, usize) {
        let house = self
            .events
            .iter()
            .filter(|e| e.kind == EventKind::House)
            .count();
        (self.gates.len(), self.events.len() - house, house)
    }
}

/// The file a place is in.
pub fn file_of(tree: &FaultTree, place: Place) -> &Path {
    &tree.files[place.file]
}
