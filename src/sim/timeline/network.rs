//! The network a run moves through: its nodes (sources, threshold gates, delays, pulses), laid
//! out as records side by side, and the clocks and schedules that drive its sources.

use crate::recovery::draw::RepairDraw;
use crate::sim::lifetime::Sampler;
use crate::system::ComponentId;

pub(super) type NodeId = u32;
pub(super) const NEVER: NodeId = 0;
/// Marks a fanout entry that is a delay node (they are visited differently).
pub(super) const DELAY_FED: u32 = 1 << 31;

/// The layout of a node's record in `Network::records`: its count of true inputs, the count
/// that makes it true (one for a source, `u32::MAX` for a delay, whose value is kept apart),
/// its id, how many nodes it feeds and how many components watch it; then the records of the
/// nodes it feeds (where their counts are), then its watchers. A visit reads one record
/// front to back, and the count it updates sits beside what the next visit of that node
/// reads: one cache line serves both.
pub(super) const COUNT: usize = 0;
pub(super) const THRESHOLD: usize = 1;
pub(super) const ID: usize = 2;
pub(super) const FANOUT: usize = 3;
pub(super) const WATCHERS: usize = 4;
pub(super) const HEADER: usize = 5;

#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum NodeKind {
    /// Set by events.
    Source,
    /// True when at least `threshold` inputs are true.
    Threshold(u32),
    /// True once its one input has been true for `tolerate` seconds without a break.
    Delay(f64),
    /// True for the first `seconds` of each time its one input is true (a circuit breaker
    /// opening). Kept apart like a delay's value; it too moves with its input or on expiry.
    Pulse(f64),
}

/// The lowered network; nodes are in topological order (inputs before the nodes they feed).
#[derive(Clone, Debug)]
pub(super) struct Network {
    pub(super) kind: Vec<NodeKind>,
    /// The input of each delay node.
    pub(super) delay_input: Vec<NodeId>,
    /// The nodes' records, laid out as `COUNT`..`HEADER` say, with every count zero. In the
    /// fanout a delay node's record is marked with `DELAY_FED`; a watcher is a component whose
    /// DOWN (`IMPAIRED` clear) or impaired (set) state the node is.
    pub(super) records: Vec<u32>,
    /// Where each node's record starts.
    pub(super) record: Vec<u32>,
    /// The distinct failure and repair distributions, which clocks name by index: a clock
    /// takes twelve bytes, and the few samplers stay in cache.
    pub(super) samplers: Vec<Sampler>,
    pub(super) replicas: Vec<Replica>,
    pub(super) domains: Vec<Clock>,
    pub(super) maintenances: Vec<Maintenance>,
    pub(super) components: Vec<ComponentNet>,
    /// Each component's repairs on its responder's calendar, where it has a `recovery`.
    pub(super) recoveries: Vec<Option<RepairDraw>>,
    /// Per component that can hang: its split source, redrawn as each capacity failure ends.
    pub(super) hangs: Vec<HangSplit>,
    /// The queue edges: producer, consumer, longest acceptable wait.
    pub(super) queues: Vec<(ComponentId, ComponentId, Option<f64>)>,
}

/// Marks a watcher of a component's impaired state.
pub(super) const IMPAIRED: u32 = 1 << 31;
/// Marks a watcher of a capacity that can hang: the index of its [`HangSplit`].
pub(super) const REDRAW: u32 = 1 << 30;

/// Whether calls to a component hang in its next capacity failure: drawn with probability
/// `share` while its capacity is up, so each outage gets its own independent draw.
#[derive(Clone, Copy, Debug)]
pub(super) struct HangSplit {
    pub(super) node: NodeId,
    pub(super) capacity: NodeId,
    pub(super) share: f64,
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Clock {
    pub(super) node: NodeId,
    /// Indices into `Network::samplers`.
    pub(super) failure: u32,
    pub(super) repair: u32,
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Replica {
    pub(super) clock: Clock,
    pub(super) component: u32,
    /// Its place among the component's replicas.
    pub(super) index: u32,
}

/// A planned outage of `duration` every `every`, starting `offset` into each period.
#[derive(Clone, Debug)]
pub(super) struct Maintenance {
    pub(super) node: NodeId,
    /// The component it belongs to: a stationary start shifts all of a component's
    /// maintenance by one draw, so that its rolling wave stays back to back.
    pub(super) component: u32,
    pub(super) offset: f64,
    pub(super) duration: f64,
    pub(super) every: f64,
}

#[derive(Clone, Debug)]
pub(super) struct ComponentNet {
    pub(super) down: NodeId,
    pub(super) impaired: NodeId,
    pub(super) hung: NodeId,
    /// A replica counts as down when this node is true (its own failure, maintenance or domain).
    pub(super) replica_down: Vec<NodeId>,
    /// Replicas down that make the component DOWN.
    pub(super) need: u32,
    pub(super) failover: Option<(NodeId, f64)>,
    /// Only the leader's failure causes a failover.
    pub(super) leader_only: bool,
    /// Whole-component maintenance: no failover while it lasts.
    pub(super) maintenance: Option<NodeId>,
}
