//! The one terminal table of every command: a header, numbers aligned right, names wrapped at
//! spaces, and never wider than the screen. When even wrapped the columns do not fit, the least
//! important move to a second table under the first (keyed by the first column again) or are
//! left out with a note, so that no number is ever broken over lines.

use std::fmt;

use comfy_table::{ColumnConstraint, Width, presets};
use unicode_width::UnicodeWidthStr;

/// Where text is going: how many columns wide, and whether it may be coloured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Screen {
    /// Columns available.
    pub width: usize,
    /// Whether ANSI colours may be used.
    pub color: bool,
}

impl Screen {
    /// The width when nothing says otherwise: wide enough for every table's key numbers, narrow
    /// enough for a laptop's terminal and a CI log.
    pub const DEFAULT_WIDTH: usize = 100;

    /// No colour, the default width: for files, tests and libraries.
    pub fn plain() -> Screen {
        Screen {
            width: Screen::DEFAULT_WIDTH,
            color: false,
        }
    }

    /// Wraps every line wider than the screen at spaces, continuing two columns in. Tables are
    /// never wider, so this only touches titles and notes.
    pub fn fit(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        for line in text.split_inclusive('\n') {
            let (body, end) = match line.strip_suffix('\n') {
                Some(b) => (b, "\n"),
                None => (line, ""),
            };
            if display_width(body) <= self.width {
                out += line;
                continue;
            }
            out += &wrap_line(body, self.width);
            out += end;
        }
        out
    }
}

/// Display width in terminal columns, colour codes not counted.
pub fn display_width(s: &str) -> usize {
    if !s.contains('\x1b') {
        return s.width();
    }
    strip_ansi(s).width()
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            // CSI sequences: ESC [ parameters final-byte.
            if chars.next() == Some('[') {
                for d in chars.by_ref() {
                    if ('@'..='~').contains(&d) {
                        break;
                    }
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// One long line as several of at most `width` columns, continued two columns in.
fn wrap_line(line: &str, width: usize) -> String {
    const INDENT: &str = "  ";
    let width = width.max(INDENT.len() + 8);
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut used = 0;
    for word in line.split(' ') {
        let limit = if lines.is_empty() {
            width
        } else {
            width - INDENT.len()
        };
        let w = display_width(word);
        if used > 0 && used + 1 + w <= limit {
            current.push(' ');
            current += word;
            used += 1 + w;
            continue;
        }
        if !current.is_empty() {
            lines.push(std::mem::take(&mut current));
        }
        let limit = if lines.is_empty() {
            width
        } else {
            width - INDENT.len()
        };
        // A word longer than a line is cut where it must be.
        let mut rest = word;
        while display_width(rest) > limit {
            let (head, tail) = split_at_width(rest, limit);
            lines.push(head.to_string());
            rest = tail;
        }
        current += rest;
        used = display_width(rest);
    }
    lines.push(current);
    let mut out = String::new();
    for (i, l) in lines.iter().enumerate() {
        if i > 0 {
            out += "\n";
            out += INDENT;
        }
        out += l.trim_end();
    }
    out
}

/// The longest head of `s` at most `width` columns wide (at least one character), and the rest.
fn split_at_width(s: &str, width: usize) -> (&str, &str) {
    let mut used = 0;
    for (i, c) in s.char_indices() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w > width && i > 0 {
            return s.split_at(i);
        }
        used += w;
    }
    (s, "")
}

/// A cell's colour, shown only when the screen takes colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Paint {
    /// Good news: a target met.
    Green,
    /// Bad news: a target missed.
    Red,
    /// A warning: worse, or degraded.
    Yellow,
    /// Muted: nothing to see.
    Grey,
}

/// One cell of a table: its text and, optionally, its colour.
#[derive(Clone, Debug)]
pub struct Cell {
    text: String,
    paint: Option<Paint>,
}

impl Cell {
    /// The cell with this colour (none for plain).
    pub fn paint(mut self, paint: Option<Paint>) -> Cell {
        self.paint = paint;
        self
    }
}

impl From<String> for Cell {
    fn from(text: String) -> Cell {
        Cell { text, paint: None }
    }
}

impl From<&str> for Cell {
    fn from(text: &str) -> Cell {
        Cell::from(text.to_string())
    }
}

impl From<&String> for Cell {
    fn from(text: &String) -> Cell {
        Cell::from(text.clone())
    }
}

/// What becomes of a column when the table does not fit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Spare {
    /// Always in the first table.
    Stays,
    /// Moved to a table under the first; higher ranks go first.
    Moves(u8),
    /// Left out, with a note; higher ranks go first.
    Drops(u8),
}

#[derive(Clone, Debug)]
struct Column {
    header: String,
    right: bool,
    /// Text that may wrap at its spaces; otherwise only the header wraps.
    wraps: bool,
    spare: Spare,
}

/// A terminal table. Columns are declared first, then rows; `Display` lays it out.
#[derive(Clone, Debug)]
pub struct Table {
    screen: Screen,
    columns: Vec<Column>,
    rows: Vec<Vec<Cell>>,
    borders: bool,
}

/// The widest a wrapped name's column is made to keep its longest word whole.
const MAX_WORD: usize = 24;

impl Table {
    /// An empty table for `screen`.
    pub fn new(screen: Screen) -> Table {
        Table {
            screen,
            columns: Vec::new(),
            rows: Vec::new(),
            borders: true,
        }
    }

    fn column(mut self, header: &str, right: bool, wraps: bool) -> Table {
        self.columns.push(Column {
            header: header.to_string(),
            right,
            wraps,
            spare: Spare::Stays,
        });
        self
    }

    /// A column of names or prose, left-aligned, wrapped at spaces when narrow.
    pub fn text(self, header: &str) -> Table {
        self.column(header, false, true)
    }

    /// A column of short words (kinds, verdicts), left-aligned and never wrapped.
    pub fn label(self, header: &str) -> Table {
        self.column(header, false, false)
    }

    /// A column of numbers, right-aligned and never wrapped.
    pub fn number(self, header: &str) -> Table {
        self.column(header, true, false)
    }

    /// The column just declared is aligned right, wrapped or not.
    pub fn right(mut self) -> Table {
        if let Some(c) = self.columns.last_mut() {
            c.right = true;
        }
        self
    }

    /// The column just declared moves under the table when the table is too wide; the highest
    /// rank moves first.
    pub fn moves(mut self, rank: u8) -> Table {
        if let Some(c) = self.columns.last_mut() {
            c.spare = Spare::Moves(rank);
        }
        self
    }

    /// The column just declared is left out when the table is too wide (it repeats what another
    /// column says); the highest rank goes first.
    pub fn drops(mut self, rank: u8) -> Table {
        if let Some(c) = self.columns.last_mut() {
            c.spare = Spare::Drops(rank);
        }
        self
    }

    /// No lines at all: a list of labelled values.
    pub fn borderless(mut self) -> Table {
        self.borders = false;
        self
    }

    /// Adds a row of cells.
    pub fn row<C: Into<Cell>>(&mut self, cells: impl IntoIterator<Item = C>) {
        let mut row: Vec<Cell> = cells
            .into_iter()
            .map(|c| {
                let mut c = c.into();
                c.text = printable(&c.text);
                c
            })
            .collect();
        row.resize_with(self.columns.len(), || Cell::from(""));
        self.rows.push(row);
    }

    fn has_header(&self) -> bool {
        self.columns.iter().any(|c| !c.header.is_empty())
    }

    fn cells(&self, i: usize) -> impl Iterator<Item = &str> {
        self.rows.iter().map(move |r| r[i].text.as_str())
    }

    /// The width column `i` takes with nothing wrapped.
    fn natural(&self, i: usize) -> usize {
        let lines = self
            .cells(i)
            .chain([self.columns[i].header.as_str()])
            .flat_map(str::lines)
            .map(display_width);
        lines.max().unwrap_or(0).max(1)
    }

    /// The width of column `i`'s widest cell, header aside.
    fn widest_cell(&self, i: usize) -> usize {
        self.cells(i)
            .flat_map(str::lines)
            .map(display_width)
            .max()
            .unwrap_or(0)
    }

    /// The least width column `i` takes: its longest word for wrapped text, its widest cell for
    /// numbers and labels, whose headers may still wrap. `cut` caps words at `MAX_WORD`.
    fn least(&self, i: usize, cut: bool) -> usize {
        let cap = if cut { MAX_WORD } else { usize::MAX };
        let words = |s: &str| s.split_whitespace().map(display_width).max().unwrap_or(0);
        let header = words(&self.columns[i].header).min(cap);
        let least = if self.columns[i].wraps {
            let longest = self.cells(i).map(words).max().unwrap_or(0);
            longest.max(header).min(cap)
        } else {
            self.widest_cell(i).max(header)
        };
        least.clamp(1, self.natural(i))
    }

    /// Columns beside their content: borders, lines between and one space each side.
    fn overhead(&self, n: usize) -> usize {
        if self.borders { 3 * n + 1 } else { 2 * n }
    }

    /// Content widths for `cols` at the screen's width: natural when they fit, else the least
    /// widths (words cut only if they must be) plus the room left, shared out to the columns
    /// short of their natural width most. Below the least widths only when nothing else fits.
    fn widths(&self, cols: &[usize]) -> Vec<usize> {
        let natural: Vec<usize> = cols.iter().map(|&i| self.natural(i)).collect();
        let room = self.screen.width.saturating_sub(self.overhead(cols.len()));
        if natural.iter().sum::<usize>() <= room {
            return natural;
        }
        let cut = self.least_total(cols, false) > self.screen.width;
        let mut w: Vec<usize> = cols.iter().map(|&i| self.least(i, cut)).collect();
        let mut total: usize = w.iter().sum();
        // The room left goes first to cells, so rows stay one line high, then to headers.
        let cells: Vec<usize> = cols.iter().map(|&i| self.widest_cell(i)).collect();
        for target in [&cells, &natural] {
            while total < room {
                let (k, short) = (0..w.len())
                    .map(|k| (k, target[k].saturating_sub(w[k])))
                    .max_by_key(|&(k, short)| (short, std::cmp::Reverse(k)))
                    .expect("at least one column");
                if short == 0 {
                    break;
                }
                w[k] += 1;
                total += 1;
            }
        }
        // Still too wide: narrow the widest, cutting words, down to one character a column.
        while total > room {
            let k = (0..w.len())
                .max_by_key(|&k| (w[k], std::cmp::Reverse(k)))
                .expect("at least one column");
            if w[k] <= 1 {
                break;
            }
            w[k] -= 1;
            total -= 1;
        }
        w
    }

    fn least_total(&self, cols: &[usize], cut: bool) -> usize {
        cols.iter().map(|&i| self.least(i, cut)).sum::<usize>() + self.overhead(cols.len())
    }

    /// The columns of each table to draw, and the columns left out.
    fn arrange(&self) -> (Vec<Vec<usize>>, Vec<usize>) {
        let mut first: Vec<usize> = (0..self.columns.len()).collect();
        let mut moved = Vec::new();
        let mut dropped = Vec::new();
        // Words are kept whole as long as a spare column can make room for them, and a spare
        // column of text moves rather than wrap its cells.
        let least = |cols: &[usize]| {
            let spare_whole = |i: usize| match self.columns[i].spare {
                Spare::Moves(_) | Spare::Drops(_) if self.columns[i].wraps => {
                    self.widest_cell(i).max(self.least(i, false))
                }
                _ => self.least(i, false),
            };
            cols.iter().map(|&i| spare_whole(i)).sum::<usize>() + self.overhead(cols.len())
        };
        while least(&first) > self.screen.width {
            let spare = first
                .iter()
                .filter_map(|&i| match self.columns[i].spare {
                    // The first column names the rows: it always stays.
                    _ if i == 0 => None,
                    Spare::Stays => None,
                    Spare::Moves(r) | Spare::Drops(r) => Some((r, i)),
                })
                .max();
            let Some((_, i)) = spare else { break };
            first.retain(|&c| c != i);
            match self.columns[i].spare {
                Spare::Drops(_) => dropped.push(i),
                _ => moved.push(i),
            }
        }
        let mut tables = vec![first];
        moved.sort_unstable();
        // The moved columns, keyed by the first column again, as many tables as they need.
        let mut next = vec![0];
        for i in moved {
            next.push(i);
            if next.len() > 2 && self.least_total(&next, false) > self.screen.width {
                next.pop();
                tables.push(std::mem::replace(&mut next, vec![0, i]));
            }
        }
        if next.len() > 1 {
            tables.push(next);
        }
        dropped.sort_unstable();
        (tables, dropped)
    }

    fn draw(&self, cols: &[usize]) -> String {
        let mut t = comfy_table::Table::new();
        t.load_style(if self.borders {
            presets::UTF8_FULL_CONDENSED
        } else {
            presets::NOTHING
        });
        if self.screen.color {
            t.enforce_styling();
        } else {
            t.force_no_tty();
        }
        let align = |i: usize, cell: comfy_table::Cell| {
            if self.columns[i].right {
                cell.set_alignment(comfy_table::CellAlignment::Right)
            } else {
                cell
            }
        };
        if self.has_header() {
            t.set_header(
                cols.iter()
                    .map(|&i| align(i, comfy_table::Cell::new(&self.columns[i].header))),
            );
        }
        for row in &self.rows {
            t.add_row(cols.iter().map(|&i| {
                let cell = comfy_table::Cell::new(&row[i].text);
                let cell = match (self.screen.color, row[i].paint) {
                    (true, Some(p)) => cell.fg(match p {
                        Paint::Green => comfy_table::Color::Green,
                        Paint::Red => comfy_table::Color::Red,
                        Paint::Yellow => comfy_table::Color::Yellow,
                        Paint::Grey => comfy_table::Color::DarkGrey,
                    }),
                    _ => cell,
                };
                align(i, cell)
            }));
        }
        for (k, w) in self.widths(cols).into_iter().enumerate() {
            let w = u16::try_from(w + 2).unwrap_or(u16::MAX);
            if let Some(c) = t.column_mut(k) {
                c.set_constraint(ColumnConstraint::Absolute(Width::Fixed(w)));
            }
        }
        t.to_string()
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.columns.is_empty() {
            return Ok(());
        }
        let (tables, dropped) = self.arrange();
        for (k, cols) in tables.iter().enumerate() {
            if k > 0 {
                f.write_str("\n")?;
            }
            f.write_str(&self.draw(cols))?;
        }
        if !dropped.is_empty() {
            let names: Vec<&str> = dropped
                .iter()
                .map(|&i| self.columns[i].header.as_str())
                .collect();
            let note = format!(
                "\nleft out at {} columns: {} (in --format json and markdown)",
                self.screen.width,
                names.join(", ")
            );
            f.write_str(&self.screen.fit(&note))?;
        }
        Ok(())
    }
}

/// Control characters (never in a valid model's names) shown escaped rather than acting on the
/// terminal; line breaks kept, for cells of several lines.
pub(crate) fn printable(s: &str) -> String {
    if !s.chars().any(|c| c.is_control() && c != '\n') {
        return s.to_string();
    }
    s.chars()
        .map(|c| {
            if c.is_control() && c != '\n' {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn screen(width: usize) -> Screen {
        Screen {
            width,
            color: false,
        }
    }

    fn widest(text: &str) -> usize {
        text.lines().map(display_width).max().unwrap_or(0)
    }

    fn sample(width: usize) -> Table {
        let mut t = Table::new(screen(width))
            .text("component")
            .number("availability")
            .number("outages / year")
            .moves(1)
            .number("nines")
            .drops(2)
            .label("verdict");
        t.row([
            "checkout-service-primary",
            "99.95%",
            "1.25",
            "3.30",
            "✓ met",
        ]);
        t.row([
            "2 of {web-1, web-2, web-3}",
            "99.9999%",
            "0.01",
            "6.00",
            "✗ MISSED",
        ]);
        t
    }

    #[test]
    fn natural_when_it_fits() {
        let text = sample(200).to_string();
        assert!(text.contains("│ 2 of {web-1, web-2, web-3} ┆"), "{text}");
        assert_eq!(text.lines().count(), 6, "{text}");
    }

    #[test]
    fn never_wider_than_the_screen() {
        for width in [40, 50, 60, 70, 80, 100] {
            let text = sample(width).to_string();
            assert!(widest(&text) <= width, "{width}:\n{text}");
            // Numbers are never broken over lines.
            for n in ["99.9999%", "99.95%", "1.25"] {
                assert!(text.contains(n), "{width}:\n{text}");
            }
        }
    }

    #[test]
    fn spare_columns_move_or_go_in_rank_order() {
        // The least widths: 24 + 12 + 7 + 5 + 8 = 56, plus 16 for lines.
        let text = sample(72).to_string();
        assert!(
            text.contains("nines") && !text.contains("left out"),
            "{text}"
        );
        let text = sample(71).to_string();
        assert!(text.contains("left out at 71 columns: nines"), "{text}");
        assert!(!text.contains("3.30"), "{text}");
        assert_eq!(text.matches('┌').count(), 1, "{text}");
        // Narrower than 64, outages move under the table, keyed by the component again.
        let text = sample(63).to_string();
        assert_eq!(text.matches('┌').count(), 2, "{text}");
        let text = sample(55).to_string();
        assert_eq!(text.matches('┌').count(), 2, "{text}");
        assert_eq!(
            text.matches("checkout-service-primary").count(),
            2,
            "{text}"
        );
        assert!(widest(&text) <= 55, "{text}");
    }

    #[test]
    fn colour_does_not_count_towards_the_width() {
        let mut t = Table::new(Screen {
            width: 40,
            color: true,
        })
        .text("component")
        .label("verdict");
        t.row([
            Cell::from("a component with a long name to wrap"),
            Cell::from("✗ MISSED").paint(Some(Paint::Red)),
        ]);
        let text = t.to_string();
        assert!(text.contains('\x1b'), "{text}");
        assert!(widest(&text) <= 40, "{text}");
        assert!(
            text.lines().any(|l| l.width() > 40),
            "bytes and escapes: {text}"
        );
        assert_eq!(strip_ansi(&text).matches("✗ MISSED").count(), 1, "{text}");
    }

    #[test]
    fn control_characters_are_shown_escaped() {
        let mut t = Table::new(screen(80)).text("name");
        t.row(["evil\x1b[2J"]);
        let text = t.to_string();
        assert!(
            !text.contains('\x1b') && text.contains("evil\\u{1b}[2J"),
            "{text}"
        );
    }

    #[test]
    fn prose_wraps_at_spaces() {
        let s = screen(20);
        let text = s.fit("short\nthe quick brown fox jumps over the lazy dog\n");
        assert_eq!(
            text,
            "short\nthe quick brown fox\n  jumps over the\n  lazy dog\n"
        );
        assert_eq!(
            s.fit("aaaaaaaaaaaaaaaaaaaaaaaaa"),
            "aaaaaaaaaaaaaaaaaaaa\n  aaaaa"
        );
        assert_eq!(display_width("\x1b[31mred\x1b[0m"), 3);
    }
}
