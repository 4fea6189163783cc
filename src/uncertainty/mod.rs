//! The doubt in a model's numbers: availabilities, mttf and mttr given as ranges or as observed
//! histories are drawn again and again ([`draw`]), and each draw is solved exactly
//! ([`propagate`]), giving every component's availability as percentiles and the probability
//! that it meets its slo; [`variance`] says which value's doubt drives that spread most.
//! [`calibrate`] turns incident history into such values.

pub mod calibrate;
pub mod draw;
pub mod propagate;
pub mod variance;
