//! What the terminal can do (colour, progress), and writing results to standard output.

use std::io::{IsTerminal, Write};

use nines::report::Format;
use nines::report::table::Screen;

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
    /// Columns of standard output: the terminal's; when piped, `COLUMNS` or 100.
    pub width: usize,
}

impl Terminal {
    pub fn detect() -> Terminal {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Terminal {
            color: !no_color && std::io::stdout().is_terminal(),
            stderr_color: !no_color && std::io::stderr().is_terminal(),
            progress: std::io::stderr().is_terminal(),
            width: width(),
        }
    }

    /// Where tables go: standard output's width and colour.
    pub fn screen(&self) -> Screen {
        Screen {
            width: self.width,
            color: self.color,
        }
    }
}

/// The terminal's width when standard output is one; else `COLUMNS` when it holds a width; else
/// 100. Never unbounded, so piped tables read as they would on a terminal.
fn width() -> usize {
    // Narrower than this, no table of numbers reads anyway.
    const NARROWEST: usize = 40;
    let terminal = std::io::stdout()
        .is_terminal()
        .then(|| comfy_table::Table::new().width())
        .flatten()
        .map(usize::from)
        .filter(|&w| w > 0);
    let columns = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|&w| w > 0);
    terminal
        .or(columns)
        .unwrap_or(Screen::DEFAULT_WIDTH)
        .max(NARROWEST)
}

/// Writes to standard output; a closed pipe surfaces as `BrokenPipe`, which `run` forgives.
pub fn print(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()
}
