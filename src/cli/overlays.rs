//! `--overlay FILE`, shared by every command that reads a model: the one way the CLI loads one.

use std::path::{Path, PathBuf};

use nines::model::{Model, ModelError};
use nines::system::System;

#[derive(clap::Args, Clone, Debug, Default)]
pub struct Overlays {
    /// A partial model merged over the model by component and domain name before it is checked
    /// (repeatable; later files win): maps merge key by key, values and lists replace
    #[arg(long = "overlay", value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

impl Overlays {
    pub fn load(&self, model: &Path) -> Result<Model, ModelError> {
        Model::load_with(model, &self.files)
    }

    pub fn load_system(&self, model: &Path) -> Result<(Model, System), ModelError> {
        nines::model::load_system_with(model, &self.files)
    }
}
