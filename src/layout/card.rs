//! Cards: a single-record form — label cells beside blank (or filled) value cells, laid out
//! over a few rows, often under section headings (`基本情况` merged down the left, or a line
//! `一、基本情况`), sometimes with a small embedded table (家庭成员: 姓名 | 关系 | 身份证号 over
//! blank rows). Each label becomes one item (its header path is `[section, label]`, or just
//! `[label]` outside any section); an embedded table becomes a roster form of its own.
//!
//! Only the top of a sheet is looked at ([`CARD_ROWS`] rows, [`CARD_COLS`] columns): a card
//! is a page, and a sheet longer than that is read as the tables it holds.

use crate::read::{Grid, Value};
use crate::text::{is_footer_line, is_meta_line, looks_like_data};
use crate::warning::Warning;

use super::{is_value, roster, row_cells, squash, without_placeholders, Form, Item, Merges, Shape};

/// How many rows from the top a card may take.
const CARD_ROWS: u32 = 60;
/// How many columns a card may take.
const CARD_COLS: u32 = 40;
/// The longest label, in characters without white space.
const MAX_LABEL: usize = 40;

/// One non-blank cell (a merged region once, at its top-left cell).
#[derive(Clone, Debug)]
struct Cell {
    row: u32,
    col: u32,
    right: u32,
    bottom: u32,
    text: String,
}

/// The card on a sheet, with any roster embedded in it, if the evidence is clear: at least
/// four labels each followed by a value slot, on three rows or more, making up a good share of
/// the cells; and no roster with data rows in it.
pub(super) fn detect(grid: &Grid, merges: &Merges<'_>) -> Option<Vec<Form>> {
    detect_with(grid, merges, 4, false)
}

/// A small card on a sheet where no table was found: two labels are enough.
pub(super) fn detect_small(grid: &Grid, merges: &Merges<'_>) -> Option<Vec<Form>> {
    detect_with(grid, merges, 2, false)
}

/// A card a person said the sheet is: one label is enough, and what speaks for a roster
/// (a unit row, a header over data, more text than labels) does not overrule them.
pub(super) fn detect_chosen(grid: &Grid, merges: &Merges<'_>) -> Option<Vec<Form>> {
    detect_with(grid, merges, 1, true)
}

fn detect_with(
    grid: &Grid,
    merges: &Merges<'_>,
    min_labels: usize,
    chosen: bool,
) -> Option<Vec<Form>> {
    if grid.height() > CARD_ROWS * 2 {
        return None;
    }
    let height = grid.height().min(CARD_ROWS);
    // A row ends at its last value; merged cells (a title across the card) show its width.
    let width = (0..height)
        .map(|r| grid.row(r).len() as u32)
        .chain(
            merges
                .rects
                .iter()
                .filter(|m| m.top < height)
                .map(|m| m.right + 1),
        )
        .max()
        .unwrap_or(0)
        .min(CARD_COLS);
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    let mut prev_run: Vec<u32> = Vec::new();
    for r in 0..height {
        let cells = row_cells(grid, merges, r)
            .into_iter()
            .filter(|(c, _)| *c < width)
            .map(|(c, text)| {
                // A merge reaching past the sheet's cells (a crafted or broken file) ends
                // with them.
                let (right, bottom) = merges.at(r, c).map_or((c, r), |m| {
                    (
                        m.right.min(width),
                        m.bottom.min(grid.height().max(r + 1) - 1),
                    )
                });
                // `村：${xzc}`: a label with its value's placeholder in the same cell.
                let label = without_placeholders(&text);
                Cell {
                    row: r,
                    col: c,
                    right,
                    bottom,
                    text: if label.trim().is_empty() { text } else { label },
                }
            })
            .collect();
        rows.push(cells);
        // Checked as soon as the row under it is read: a roster's header over its data ends
        // the look at once (most sheets are rosters); so does a row of units (（条） （人）),
        // which belongs to a statistics table, never to a card.
        if !chosen {
            if rows[r as usize].len() >= 3 && roster::is_unit_row(grid, r, 0, width) {
                return None;
            }
            let run = label_run(&rows[r as usize]);
            if r > 0 && header_over_data(grid, merges, &prev_run, r - 1, run.len()) {
                return None;
            }
            prev_run = run;
        }
    }
    if !chosen && height > 0 && header_over_data(grid, merges, &prev_run, height - 1, 0) {
        return None;
    }
    let filled_rows: Vec<usize> = (0..rows.len()).filter(|&r| !rows[r].is_empty()).collect();
    if filled_rows.len() < 3 {
        return None;
    }
    // Labels over their values: a row of labels, a row of blank or placeholder slots under
    // them, and more of the card below (a roster's header has rows of data, or nothing).
    let mut pairs: Vec<u32> = Vec::new();
    for &r in &filled_rows {
        let r32 = r as u32;
        let labels = (0..rows[r].len())
            .filter(|&i| {
                let c = &rows[r][i];
                !section_at(&rows[r], i) && label_text(grid, c, &squash(&c.text))
            })
            .count();
        let under_slots = rows
            .get(r + 1)
            .is_some_and(|u| u.iter().all(|c| is_placeholder(&c.text)));
        let more_below = rows.get(r + 2).is_none_or(|b| !b.is_empty());
        if labels >= 2
            && labels + 1 >= rows[r].len()
            && under_slots
            && more_below
            && !pairs.contains(&r32.saturating_sub(1))
        {
            pairs.push(r32);
        }
    }
    if pairs.len() < 2 {
        pairs.clear();
    }
    // Embedded tables: a row of three or more adjacent header-like cells over a blank row.
    let mut tables: Vec<u32> = Vec::new();
    for &r in &filled_rows {
        if pairs.contains(&(r as u32)) || pairs.contains(&(r as u32).wrapping_sub(1)) {
            continue;
        }
        let cells = &rows[r];
        let run = adjacent_labels(cells);
        // Under the header, blank cells (a row label such as 户主 at most).
        let below_blank = cells
            .iter()
            .filter(|c| c.bottom == r as u32)
            .filter(|c| !slot_blank(grid, merges, c.bottom + 1, c.col))
            .count()
            <= 1;
        if run >= 3 && below_blank && !tables.contains(&(r as u32)) {
            tables.push(r as u32);
        }
    }
    let in_table = |c: &Cell| tables.contains(&c.row) && c.col > 0 && !is_section_cell(c);
    let mut items: Vec<Item> = Vec::new();
    let mut labels_with_slot = 0usize;
    let mut label_rows: Vec<u32> = Vec::new();
    let mut others = 0usize;
    let mut line_section: Option<String> = None;
    let mut left_sections: Vec<(u32, u32, String)> = Vec::new();
    let mut title: Option<(u32, String)> = None;
    for &r in &filled_rows {
        let cells = &rows[r];
        let r = r as u32;
        // A lone cell across most of the card: the title above the first label, a section
        // heading below it (unless it is a label itself, ending in a colon).
        if cells.len() == 1
            && (cells[0].right + 1 - cells[0].col) * 2 > width
            && !ends_with_colon(&cells[0].text)
        {
            let t = squash(&cells[0].text);
            if items.is_empty() && title.is_none() && !is_meta_line(&t) {
                title = Some((r, cells[0].text.trim().to_string()));
            } else if t.chars().count() <= 20 {
                line_section = Some(t);
            }
            continue;
        }
        if pairs.contains(&r.wrapping_sub(1)) {
            // The slots under a row of labels.
            continue;
        }
        for (i, cell) in cells.iter().enumerate() {
            if in_table(cell) {
                continue;
            }
            let t = squash(&cell.text);
            if t.is_empty() {
                continue;
            }
            // A label merged down the left over labels of its own: a section heading.
            if section_at(cells, i) {
                left_sections.push((cell.row, cell.bottom, t));
                continue;
            }
            if !label_text(grid, cell, &t) {
                others += 1;
                continue;
            }
            let slot = if pairs.contains(&r) {
                Some((cell.bottom + 1, cell.col))
            } else {
                value_slot(grid, merges, cell, width, cells.get(i + 1))
            };
            if slot.is_none() && !ends_with_colon(&t) {
                others += 1;
                continue;
            }
            labels_with_slot += 1;
            if !label_rows.contains(&r) {
                label_rows.push(r);
            }
            let section = left_sections
                .iter()
                .rev()
                .find(|(top, bottom, _)| (*top..=*bottom).contains(&r))
                .map(|(_, _, s)| s.clone())
                .or_else(|| line_section.clone());
            items.push(Item {
                label: cell.text.trim().to_string(),
                section,
                label_cell: (cell.row, cell.col),
                value_cell: slot,
                structural: is_footer_line(&t),
                ..Item::default()
            });
        }
    }
    let plain = items.iter().filter(|i| !i.structural).count();
    if plain < min_labels
        || label_rows.len() < min_labels.min(3)
        || (!chosen && labels_with_slot * 2 < others)
    {
        return None;
    }
    let first_row = title.as_ref().map_or(label_rows[0], |(r, _)| *r);
    let last_row = items
        .iter()
        .map(|i| i.label_cell.0)
        .max()
        .unwrap_or(first_row);
    let mut card = Form {
        shape: Shape::Card,
        title: title.as_ref().map(|(_, t)| t.clone()),
        title_rows: title.iter().map(|(r, _)| *r).collect(),
        header_rows: (title.as_ref().map_or(first_row, |(r, _)| r + 1)..=last_row).collect(),
        first_col: 0,
        last_col: width.saturating_sub(1),
        items,
        ..Form::default()
    };
    // A card of few labels is a close call: say so, and let staff choose a header instead.
    if plain < 6 {
        card.warnings.push(Warning::ShapeUncertain {
            shape: Shape::Card.name().into(),
            labels: plain as u32,
        });
    }
    if card.header_rows.is_empty() {
        card.header_rows = vec![first_row];
    }
    let mut forms = vec![card];
    for h in tables {
        if let Some(mut t) = roster::embedded_table(grid, merges, h) {
            t.data_rows = None;
            forms.push(t);
        }
    }
    Some(forms)
}

/// A label merged down over two rows or more.
fn is_section_cell(cell: &Cell) -> bool {
    cell.bottom > cell.row && cell.right == cell.col
}

/// A section heading merged down the left of its labels (`基本情况` beside 户主姓名 … and the
/// rows under it): it reaches below the label right of it. A label merged down two rows beside
/// labels merged the same way (性别 | 身份证号码, each over two rows) is a label.
fn section_at(cells: &[Cell], i: usize) -> bool {
    let c = &cells[i];
    is_section_cell(c)
        && cells
            .get(i + 1)
            .is_some_and(|n| n.col == c.right + 1 && n.bottom < c.bottom)
}

fn ends_with_colon(t: &str) -> bool {
    t.trim_end().ends_with(['：', ':'])
}

/// Short text that is not a value: a label.
fn label_text(grid: &Grid, cell: &Cell, t: &str) -> bool {
    let n = t.chars().count();
    matches!(grid.get(cell.row, cell.col), Value::Text(_))
        && (1..=MAX_LABEL).contains(&n)
        && !looks_like_data(t)
        && t.chars().any(|c| !c.is_ascii_punctuation())
        && !is_date_slot(t)
        && !is_placeholder(t)
}

/// A template's placeholder for a value (`${xm}`), as systems that fill the form leave it.
fn is_placeholder(t: &str) -> bool {
    let t = t.trim();
    if !t.contains(char::is_whitespace) {
        return t.is_empty() || (t.starts_with("${") && t.ends_with('}'));
    }
    let t = squash(t);
    t.starts_with("${") && t.ends_with('}')
}

/// `年 月 日`, `（公章）`: a place to sign or date, not a label.
fn is_date_slot(t: &str) -> bool {
    t.chars()
        .all(|c| matches!(c, '年' | '月' | '日' | '（' | '）' | '(' | ')'))
        || t == "（公章）"
        || t == "(公章)"
        || (t.ends_with("年月日") && t.chars().count() <= 10)
}

/// Is the cell at (row, col) blank, through merges?
fn slot_blank(grid: &Grid, merges: &Merges<'_>, row: u32, col: u32) -> bool {
    row >= grid.height() || super::merged_value(grid, merges, row, col).is_blank()
}

/// The cell a label's value goes in: the cell right of it when that is blank (or a date or
/// options slot), else the cell below when the label ends its row and that is blank.
fn value_slot(
    grid: &Grid,
    merges: &Merges<'_>,
    cell: &Cell,
    width: u32,
    next: Option<&Cell>,
) -> Option<(u32, u32)> {
    let right = cell.right + 1;
    if right < width {
        let blank = slot_blank(grid, merges, cell.row, right)
            || is_placeholder(&super::merged_value(grid, merges, cell.row, right).text());
        let slot_text = next
            .filter(|n| n.col == right)
            .map(|n| squash(&n.text))
            .is_some_and(|t| {
                is_date_slot(&t)
                    || t.contains("年月日")
                    || t.starts_with(['（', '('])
                    || t.contains(['○', '□', '☐', '■'])
            });
        if blank || slot_text {
            return Some((cell.row, right));
        }
        return None;
    }
    let below = cell.bottom + 1;
    (below < grid.height() && slot_blank(grid, merges, below, cell.col))
        .then_some((below, cell.col))
}

/// The longest run of adjacent short label cells in a row (each starting where the one before
/// ends).
fn adjacent_labels(cells: &[Cell]) -> usize {
    label_run(cells).len()
}

/// A header row (its longest run of labels, `run`) over a row of data is a roster's, never a
/// card's: a card's tables are blank (or hold a template's placeholders). `below_labels`: the
/// longest run of labels on the row under it — a row of labels under labels is a card's, unless
/// it holds values too (a roster's row: 永安村 | 7组 | 贾忠 beside an ID number and amounts).
fn header_over_data(
    grid: &Grid,
    merges: &Merges<'_>,
    run: &[u32],
    r: u32,
    below_labels: usize,
) -> bool {
    if run.len() < 3 {
        return false;
    }
    let filled = run
        .iter()
        .filter(|&&c| {
            let v = super::merged_value(grid, merges, r + 1, c);
            !v.is_blank() && !is_placeholder(&v.text())
        })
        .count();
    if filled * 5 < run.len() * 3 {
        return false;
    }
    below_labels < 3
        || grid
            .row(r + 1)
            .iter()
            .filter(|v| is_value(v))
            .nth(1)
            .is_some()
}

/// The columns of the longest run of adjacent short label cells in a row.
fn label_run(cells: &[Cell]) -> Vec<u32> {
    let mut best: Vec<u32> = Vec::new();
    let mut run: Vec<u32> = Vec::new();
    let mut prev: Option<&Cell> = None;
    for c in cells {
        let t: std::borrow::Cow<'_, str> = if c.bottom != c.row {
            "".into()
        } else if c.text.contains(char::is_whitespace) {
            squash(&c.text).into()
        } else {
            c.text.as_str().into()
        };
        let ok = (1..=12).contains(&t.chars().count())
            && !looks_like_data(&t)
            && !ends_with_colon(&t)
            && !is_date_slot(&t)
            && !is_footer_line(&t);
        match prev {
            Some(p) if ok && c.col == p.right + 1 && c.bottom == c.row => run.push(c.col),
            _ if ok && c.bottom == c.row => run = vec![c.col],
            _ => run.clear(),
        }
        if run.len() > best.len() {
            best = run.clone();
        }
        prev = Some(c);
    }
    best
}
