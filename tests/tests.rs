//! All integration tests, as one binary (one link, one run).

#[macro_use]
mod util;

mod action;
mod agree;
mod bounds;
mod breach;
mod calls;
mod chaos;
mod check;
mod cli_eval;
mod diff;
mod engines;
mod exact;
mod examples;
mod explain;
mod export;
mod groups;
mod hardening;
mod import;
mod injection;
mod lint;
mod loader;
mod models;
mod open_psa;
mod options;
mod overlay;
mod properties;
mod recovery;
mod recovery_money;
mod review;
mod sample;
mod sarif;
mod sim;
mod snapshots;
mod start;
mod tradeoff;
mod uncertainty;
mod variance;
mod width;
