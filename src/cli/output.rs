//! What the terminal can do (colour, progress), and writing results to standard output.

use std::io::{IsTerminal, Write};

use nines::report::Format;

/// Formats of the result-printing commands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Table,
    Json,
    Markdown,
}

impl From<OutputFormat> for Format {
    fn from(f: OutputFormat) -> Format {
        match f {
            OutputFormat::Table => Format::Table,
            OutputFormat::Json => Format::Json,
            OutputFormat::Markdown => Format::Markdown,
        }
    }
}

pub struct Terminal {
    /// Colour on standard output: a terminal, and NO_COLOR unset.
    pub color: bool,
    pub stderr_color: bool,
    /// Progress bars go to standard error when it is a terminal.
    pub progress: bool,
}

impl Terminal {
    pub fn detect() -> Terminal {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Terminal {
            color: !no_color && std::io::stdout().is_terminal(),
            stderr_color: !no_color && std::io::stderr().is_terminal(),
            progress: std::io::stderr().is_terminal(),
        }
    }
}

/// Writes to standard output; a closed pipe surfaces as `BrokenPipe`, which `run` forgives.
pub fn print(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()
}
