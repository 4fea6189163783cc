//! Recovery: how failures get repaired. Monitoring detects a failure; a health check's restart
//! fixes a share of them; a responder fixes the rest, working only within their weekly hours.
//!
//! [`calendar`] turns working hours in a time zone into spans of the UTC week; [`mean`] gives
//! the exact mean repair time, which the exact engines use as the mean time to repair; [`draw`]
//! draws repairs one by one on the calendar for the timeline simulation.
//!
//! ```
//! use nines::recovery::{Calendar, mean::responder_time};
//! use nines::system::Lifetime;
//!
//! // Office hours, and a fix of exactly 2.5 hours of working time.
//! let office = Calendar::parse("Mon-Fri 09:00-17:00", None).unwrap();
//! let fix = Lifetime { kind: nines::system::DistKind::Fixed, mean_s: 9000.0, shape: 1.0 };
//! let t = responder_time(&office, 0.0, &fix);
//! // Off-hours waited, on average: (Σ gap² / 2 + 2.5 h · Σ gap) / week = 120/7 hours.
//! assert!((t.wait_s / 3600.0 - 120.0 / 7.0).abs() < 1e-9);
//! ```

pub mod calendar;
pub mod dist;
pub mod draw;
pub mod mean;

pub use calendar::Calendar;
pub use mean::RepairSplit;
