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
//!
//! One pass a file, over one `Reader`: `read` walks the documents and declares every named
//! element; `refs` resolves references; `formula` builds gates and events on first use, `expr`
//! evaluates their probabilities and `ccf` their common-cause groups; `convert` maps the
//! finished [`FaultTree`] onto a model.

mod ccf;
mod convert;
mod expr;
mod formula;
mod read;
mod refs;

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
    /// Index into [`FaultTree::files`].
    pub file: usize,
    /// Line, column and length in that file.
    pub span: Span,
}

/// An input of a gate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Input {
    /// Index into [`FaultTree::gates`].
    Gate(usize),
    /// Index into [`FaultTree::events`].
    Event(usize),
}

/// The logic of a gate, as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// Any input.
    Or,
    /// Every input.
    And,
    /// At least k of the inputs.
    AtLeast(u32),
    /// Pass-through of a single input.
    Null,
    /// The single input does not happen.
    Not,
    /// An odd number of the inputs.
    Xor,
    /// Not every input.
    Nand,
    /// No input.
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

/// A gate: its logic over its inputs.
#[derive(Clone, Debug)]
pub struct Gate {
    /// The name as MEF references it (a private gate's by its path).
    pub name: String,
    /// The logic, as written.
    pub op: Op,
    /// What the logic reads, in the order written.
    pub inputs: Vec<Input>,
    /// Where the gate is defined.
    pub place: Place,
}

/// What an event is.
#[derive(Clone, Debug, PartialEq)]
pub enum EventKind {
    /// A basic event, with its probability.
    Basic,
    /// A house event: a constant, true or false.
    House,
    /// A basic event that is a member of a common-cause group: its independent part is `odds`.
    CcfMember {
        /// Index into [`FaultTree::ccf_groups`].
        group: usize,
    },
}

/// A leaf of the tree: a basic or house event.
#[derive(Clone, Debug)]
pub struct Event {
    /// The name as MEF references it.
    pub name: String,
    /// Basic, house or a common-cause member.
    pub kind: EventKind,
    /// P(the event happens).
    pub odds: Odds,
    /// Where the event is defined.
    pub place: Place,
}

/// A beta-factor group's common cause: all members fail together.
#[derive(Clone, Debug)]
pub struct CcfGroup {
    /// The group's name.
    pub name: String,
    /// P(the common cause happens) = β·Q.
    pub odds: Odds,
    /// The member events, indices into [`FaultTree::events`].
    pub members: Vec<usize>,
    /// Where the group is defined.
    pub place: Place,
}

/// A fault tree read from MEF files: gates over events, with names resolved.
#[derive(Clone, Debug, Default)]
pub struct FaultTree {
    /// The first fault tree's name.
    pub name: Option<String>,
    /// Every gate, inputs before the gates that read them.
    pub gates: Vec<Gate>,
    /// Every basic and house event used.
    pub events: Vec<Event>,
    /// The beta-factor common-cause groups.
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

/// The file a place is in.
pub fn file_of(tree: &FaultTree, place: Place) -> &Path {
    &tree.files[place.file]
}
