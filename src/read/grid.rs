//! The cell grid every reader produces, and A1-reference helpers.
//!
//! A [`Grid`] stores each row only as wide as its last non-empty cell, so memory follows the
//! cells actually present. [`GridBuilder`] counts what it stores against the cell budget and
//! refuses positions outside Excel's grid, so no reader can be made to allocate from a size a
//! file merely claims.

use crate::error::Limit;

/// Excel's largest row count (1,048,576).
pub const MAX_ROWS: u32 = 1_048_576;
/// Excel's largest column count (16,384, column XFD).
pub const MAX_COLS: u32 = 16_384;

/// One cell's value, as a person would read it.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Value {
    /// No value.
    #[default]
    Empty,
    /// Text, exactly as in the cell.
    Text(String),
    /// A number. Integers of more than 15 digits have already lost precision in the file.
    Number(f64),
    /// TRUE / FALSE.
    Bool(bool),
    /// A date or date-time in ISO form: `2024-03-05` or `2024-03-05T08:30:00`.
    Date(String),
    /// A spreadsheet error such as `#N/A`.
    Error(String),
}

impl Value {
    /// True for [`Value::Empty`] and for text that is only white space.
    pub fn is_blank(&self) -> bool {
        match self {
            Value::Empty => true,
            Value::Text(t) => t.trim().is_empty(),
            _ => false,
        }
    }

    /// The value as display text: numbers without a trailing `.0`, never in exponent form for
    /// integers that fit.
    pub fn text(&self) -> String {
        match self {
            Value::Empty => String::new(),
            Value::Text(t) => t.clone(),
            Value::Number(n) => format_number(*n),
            Value::Bool(true) => "TRUE".into(),
            Value::Bool(false) => "FALSE".into(),
            Value::Date(d) => d.clone(),
            Value::Error(e) => e.clone(),
        }
    }

    /// The text of a [`Value::Text`], trimmed; `None` for other kinds.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(t) => Some(t.trim()),
            _ => None,
        }
    }
}

/// Formats a number the way a spreadsheet shows it by default.
pub fn format_number(n: f64) -> String {
    if !n.is_finite() {
        return n.to_string();
    }
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        // Exact in i64; formatting the integer is much cheaper than exact float formatting.
        (n as i64).to_string()
    } else if n.fract() == 0.0 && n.abs() < 1e21 {
        format!("{n:.0}")
    } else {
        let s = format!("{n}");
        if s.contains('e') {
            format!("{n:.10}")
                .trim_end_matches('0')
                .trim_end_matches('.')
                .to_string()
        } else {
            s
        }
    }
}

/// A rectangle of cells, 0-based and inclusive on all sides.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Rect {
    /// First row.
    pub top: u32,
    /// First column.
    pub left: u32,
    /// Last row.
    pub bottom: u32,
    /// Last column.
    pub right: u32,
}

impl Rect {
    /// A rectangle from its corners, in any order.
    pub fn new(r1: u32, c1: u32, r2: u32, c2: u32) -> Rect {
        Rect {
            top: r1.min(r2),
            left: c1.min(c2),
            bottom: r1.max(r2),
            right: c1.max(c2),
        }
    }

    /// True when the cell lies inside.
    pub fn contains(&self, row: u32, col: u32) -> bool {
        (self.top..=self.bottom).contains(&row) && (self.left..=self.right).contains(&col)
    }

    /// Number of rows.
    pub fn height(&self) -> u32 {
        self.bottom - self.top + 1
    }

    /// Number of columns.
    pub fn width(&self) -> u32 {
        self.right - self.left + 1
    }

    /// The A1 form, e.g. `B3:H3`.
    pub fn a1(&self) -> String {
        format!(
            "{}{}:{}{}",
            col_letter(self.left),
            self.top + 1,
            col_letter(self.right),
            self.bottom + 1
        )
    }
}

/// The cells of a sheet, row by row.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Grid {
    rows: Vec<Vec<Value>>,
}

static EMPTY: Value = Value::Empty;

impl Grid {
    /// A grid from rows of values (used by tests and the CSV reader).
    pub fn from_rows(rows: Vec<Vec<Value>>) -> Grid {
        let mut g = Grid { rows };
        g.trim();
        g
    }

    /// A grid of text cells; empty strings become empty cells.
    pub fn from_text(rows: &[&[&str]]) -> Grid {
        Grid::from_rows(
            rows.iter()
                .map(|r| {
                    r.iter()
                        .map(|s| {
                            if s.is_empty() {
                                Value::Empty
                            } else {
                                Value::Text((*s).to_string())
                            }
                        })
                        .collect()
                })
                .collect(),
        )
    }

    /// The value at a cell; empty outside the grid.
    pub fn get(&self, row: u32, col: u32) -> &Value {
        self.rows
            .get(row as usize)
            .and_then(|r| r.get(col as usize))
            .unwrap_or(&EMPTY)
    }

    /// Number of rows up to the last non-empty one.
    pub fn height(&self) -> u32 {
        self.rows.len() as u32
    }

    /// Number of columns up to the last non-empty one in any row.
    pub fn width(&self) -> u32 {
        self.rows.iter().map(Vec::len).max().unwrap_or(0) as u32
    }

    /// One row's values (as wide as its last non-empty cell).
    pub fn row(&self, row: u32) -> &[Value] {
        self.rows
            .get(row as usize)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// True when no cell holds a value.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Drops trailing blank cells and rows.
    fn trim(&mut self) {
        for r in &mut self.rows {
            while r.last().is_some_and(|v| *v == Value::Empty) {
                r.pop();
            }
        }
        while self.rows.last().is_some_and(|r| r.is_empty()) {
            self.rows.pop();
        }
    }
}

/// Builds a [`Grid`] cell by cell, within the cell budget.
#[derive(Debug)]
pub struct GridBuilder {
    rows: Vec<Vec<Value>>,
    cells: u64,
    max_cells: u64,
    max_columns: u64,
}

impl GridBuilder {
    /// A builder that refuses to hold more than `max_cells` cells or `max_columns` columns.
    pub fn new(max_cells: u64, max_columns: u64) -> GridBuilder {
        GridBuilder {
            rows: Vec::new(),
            cells: 0,
            max_cells,
            max_columns: max_columns.min(u64::from(MAX_COLS)),
        }
    }

    /// Sets one cell. Empty values are ignored (they cost nothing).
    ///
    /// # Errors
    /// The [`Limit`] the cell would break: outside Excel's grid, too many columns, or too many
    /// cells (counting the empty cells a row must hold before this one).
    pub fn set(&mut self, row: u32, col: u32, value: Value) -> Result<(), Limit> {
        if value == Value::Empty {
            return Ok(());
        }
        if row >= MAX_ROWS || col >= MAX_COLS {
            return Err(Limit::OutsideGrid);
        }
        if u64::from(col) >= self.max_columns {
            return Err(Limit::Columns {
                max: self.max_columns,
            });
        }
        let (r, c) = (row as usize, col as usize);
        // Rows cost a little even when empty; count them so a sheet of a million empty rows
        // with one cell at the bottom is measured honestly.
        let new_rows = (r + 1).saturating_sub(self.rows.len()) as u64;
        let row_len = self.rows.get(r).map_or(0, Vec::len);
        let new_cells = (c + 1).saturating_sub(row_len) as u64;
        let cost = self.cells + new_rows / 16 + new_cells;
        if cost > self.max_cells {
            return Err(Limit::Cells {
                max: self.max_cells,
            });
        }
        self.cells = cost;
        if new_rows > 0 {
            self.rows.resize_with(r + 1, Vec::new);
        }
        let cells = &mut self.rows[r];
        if cells.len() <= c {
            cells.resize(c + 1, Value::Empty);
        }
        cells[c] = value;
        Ok(())
    }

    /// The finished grid, trimmed of trailing blanks.
    pub fn finish(self) -> Grid {
        Grid::from_rows(self.rows)
    }
}

/// Column letters for a 0-based column index: 0 → `A`, 25 → `Z`, 26 → `AA`.
pub fn col_letter(col: u32) -> String {
    let mut n = u64::from(col) + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        out.push(b'A' + rem);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// Parses an A1 reference (`B3`, `$B$3`) into 0-based (row, column).
/// Returns `None` for anything else, including positions outside Excel's grid.
pub fn parse_a1(s: &str) -> Option<(u32, u32)> {
    let s = s.trim();
    let bytes = s.as_bytes();
    let mut i = 0;
    if bytes.get(i) == Some(&b'$') {
        i += 1;
    }
    let mut col: u64 = 0;
    let start = i;
    while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
        col = col * 26 + u64::from(bytes[i].to_ascii_uppercase() - b'A' + 1);
        if col > u64::from(MAX_COLS) {
            return None;
        }
        i += 1;
    }
    if i == start {
        return None;
    }
    if bytes.get(i) == Some(&b'$') {
        i += 1;
    }
    let digits = &s[i..];
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || digits.len() > 7 {
        return None;
    }
    let row: u64 = digits.parse().ok()?;
    if row == 0 || row > u64::from(MAX_ROWS) {
        return None;
    }
    Some(((row - 1) as u32, (col - 1) as u32))
}

/// Parses `B3:H4` (or a single cell `B3`) into a [`Rect`].
pub fn parse_a1_range(s: &str) -> Option<Rect> {
    let s = s.trim();
    match s.split_once(':') {
        Some((a, b)) => {
            let (r1, c1) = parse_a1(a)?;
            let (r2, c2) = parse_a1(b)?;
            Some(Rect::new(r1, c1, r2, c2))
        }
        None => {
            let (r, c) = parse_a1(s)?;
            Some(Rect::new(r, c, r, c))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_round_trip() {
        for (i, l) in [(0, "A"), (25, "Z"), (26, "AA"), (32, "AG"), (16_383, "XFD")] {
            assert_eq!(col_letter(i), l);
            assert_eq!(parse_a1(&format!("{l}1")), Some((0, i)));
        }
        assert_eq!(parse_a1("XFE1"), None);
        assert_eq!(parse_a1("A1048577"), None);
        assert_eq!(parse_a1("$C$5"), Some((4, 2)));
        assert_eq!(parse_a1_range("H4:B3"), Some(Rect::new(2, 1, 3, 7)));
    }

    #[test]
    fn numbers_display_like_a_spreadsheet() {
        assert_eq!(format_number(1.0), "1");
        assert_eq!(format_number(2.5), "2.5");
        assert_eq!(format_number(999999198001011200.0), "999999198001011200");
        assert_eq!(format_number(-0.25), "-0.25");
    }

    #[test]
    fn builder_refuses_far_apart_cells() {
        let mut b = GridBuilder::new(1000, 16_384);
        assert!(b.set(0, 0, Value::Number(1.0)).is_ok());
        assert_eq!(
            b.set(0, 16_383, Value::Number(1.0)),
            Err(Limit::Cells { max: 1000 })
        );
        assert_eq!(
            b.set(MAX_ROWS, 0, Value::Number(1.0)),
            Err(Limit::OutsideGrid)
        );
        let mut b = GridBuilder::new(1000, 16_384);
        // A million empty rows before one cell cost about 62,500 cells: refused.
        assert!(b.set(1_000_000, 0, Value::Number(1.0)).is_err());
    }
}
