//! Values with units: availabilities ("99.9%", 0.999) and durations ("1h30m").
//!
//! An availability is kept as the pair (unavailability, availability), both derived from the
//! decimal digits the user wrote, so that `99.9999999999%` keeps every digit of its 1e-12.

mod availability;
mod duration;
mod format;
mod odds;
mod uncertain;

pub use availability::{Availability, DECIMAL};
pub use duration::{
    DAY, Duration, HOUR, MINUTE, MONTH, YEAR, format_duration_human, format_duration_spec,
};
pub use format::{finite, format_nines, format_percent, format_probability, format_share};
pub use odds::{Odds, within};
pub use uncertain::{FromIncidents, Spread, Uncertain};
