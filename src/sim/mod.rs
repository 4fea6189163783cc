//! Monte Carlo engines: snapshot sampling of the steady state ([`snapshot`]) and the timeline
//! simulation of failures and repairs over time ([`timeline`]), with their seeded streams,
//! distributions and statistics.
//!
//! Both are reproducible: the same seed gives the same numbers whatever the thread count,
//! because work is split into fixed chunks, each with its own random stream, and results are
//! combined in chunk order (see [`stream`]).

pub mod lifetime;
pub mod snapshot;
pub mod stats;
pub mod stream;
pub mod timeline;
