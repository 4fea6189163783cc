//! Reading models written for other tools into nines models.
//!
//! [`open_psa`] reads Open-PSA MEF fault trees; [`emit`] writes the resulting `ModelSpec` as an
//! ordinary model file.

pub mod emit;
pub mod logic;
pub mod open_psa;
pub mod xml;
