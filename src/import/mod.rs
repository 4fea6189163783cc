//! Reading models written for other tools into nines models.
//!
//! [`open_psa`] reads Open-PSA MEF fault trees; [`emit`] writes the resulting `ModelSpec` as an
//! ordinary model file. [`backstage`] and [`kubernetes`] read service catalogs and manifests
//! through [`entities`], which writes what they find with its source in comments.

pub mod backstage;
pub mod emit;
pub mod entities;
pub mod glob;
pub mod kubernetes;
pub mod logic;
pub mod open_psa;
pub mod xml;
