//! All integration tests, as one binary (one link, one run).

#[macro_use]
mod util;

mod cli_eval;
mod open_psa;
