//! All integration tests, as one binary (one link, one run).

#[macro_use]
mod util;

mod agree;
mod bounds;
mod breach;
mod calls;
mod check;
mod cli_eval;
mod diff;
mod engines;
mod exact;
mod examples;
mod explain;
mod hardening;
mod lint;
mod loader;
mod models;
mod open_psa;
mod properties;
mod review;
mod sample;
mod sarif;
mod sim;
mod start;
mod tradeoff;
mod width;
