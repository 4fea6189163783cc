//! All integration tests, as one binary (one link, one run).

#[macro_use]
mod util;

mod cli_eval;
mod exact;
mod hardening;
mod loader;
mod models;
mod properties;
