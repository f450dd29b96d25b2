//! Rosters: the column table — a header block of one to four rows (merged group cells, an
//! optional unit row and column-number row) over one row per record — and the title,
//! reporter and note lines above it and the footer below. Several tables may be stacked on one
//! sheet.

use crate::read::{col_letter, Grid, Sheet, Value};
use crate::text::{
    is_code_like, is_footer_line, is_meta_line, is_note_block, is_note_line, is_unit_token,
    looks_like_data,
};
use crate::warning::Warning;

use super::{
    has_placeholder, merged_value, row_cells, row_text, table_unit, without_placeholders, Form,
    Merges,
};

/// How far down a header may start; titles and notes above it rarely take more than a few rows.
const HEADER_SEARCH_ROWS: u32 = 40;
/// The deepest header block accepted.
const MAX_HEADER_DEPTH: usize = 5;

/// The width of the table below a row: the widest of the next few rows.
fn table_width(grid: &Grid, from: u32) -> u32 {
    (from..grid.height().min(from + 8))
        .map(|r| grid.row(r).len() as u32)
        .max()
        .unwrap_or(0)
}

/// Is this row a header row candidate: several distinct short text cells, nothing data-like,
/// and not a reporter line spread over cells?
fn header_like(cells: &[(u32, String)], grid: &Grid, row: u32) -> bool {
    if cells.len() < 2 {
        return false;
    }
    let data_like = cells
        .iter()
        .filter(|(c, t)| !matches!(grid.get(row, *c), Value::Text(_)) || looks_like_data(t))
        .count();
    // Reporter-line cells: a label ending in a colon, a 填报单位-like line, a unit declaration
    // (单位：元), or a template placeholder for a value (`${zzjc}`, `日期：${date}`).
    let colon = cells
        .iter()
        .filter(|(_, t)| {
            t.ends_with('：')
                || t.ends_with(':')
                || is_meta_line(t)
                || table_unit(t).is_some()
                || has_placeholder(t)
        })
        .count();
    let long = cells.iter().filter(|(_, t)| t.chars().count() > 40).count();
    data_like * 5 <= cells.len() && colon * 2 < cells.len() && long * 3 < cells.len()
}

/// A banner over the header: one label across the columns, beside a cell merged down into the
/// header rows below (a blank corner over the row labels). A title never reaches down so.
fn is_banner(grid: &Grid, merges: &Merges<'_>, cells: &[(u32, String)], row: u32) -> bool {
    cells.len() == 1
        && row + 1 < grid.height()
        && merges.starting_in(row).any(|m| {
            m.height() > 1
                && m.height() as usize <= MAX_HEADER_DEPTH
                && grid.get(m.top, m.left).is_blank()
        })
        && header_like(&row_cells(grid, merges, row + 1), grid, row + 1)
}

/// The classification of a row above the header.
fn classify_above(text: &str) -> Above {
    if is_note_line(text) {
        Above::Note
    } else if is_meta_line(text) {
        Above::Meta
    } else {
        Above::Title
    }
}

enum Above {
    Title,
    Meta,
    Note,
}

/// Finds the next form at or below row `start`.
fn detect_form(grid: &Grid, merges: &Merges<'_>, start: u32) -> Option<Form> {
    let mut form = Form::default();
    let search_end = grid.height().min(start + HEADER_SEARCH_ROWS);
    let mut header_start = None;
    for r in start..search_end {
        // A legend of enumerated notes beside the table is neither header nor title.
        let mut cells = row_cells(grid, merges, r);
        cells.retain(|(_, t)| !is_note_block(t));
        if cells.is_empty() {
            continue;
        }
        if header_like(&cells, grid, r) || is_banner(grid, merges, &cells, r) {
            header_start = Some(r);
            break;
        }
        // Rows above the header: title, reporter lines, notes.
        let text = row_text(&cells);
        match classify_above(&text) {
            Above::Note => form.note_rows.push(r),
            Above::Meta => form.meta_rows.push(r),
            Above::Title => {
                // A unit declared beside the title (单位：户) is not part of it.
                let words: Vec<(u32, String)> = cells
                    .iter()
                    .filter(|(_, t)| table_unit(t).is_none())
                    .cloned()
                    .collect();
                let title = if words.is_empty() {
                    text.clone()
                } else {
                    row_text(&words)
                };
                if form.title.is_none() && can_be_title(&title) {
                    form.title = Some(norm_title(&title));
                }
                form.title_rows.push(r);
            }
        }
    }
    let h0 = header_start?;
    finish_form(grid, merges, start, form, h0, None)
}

/// The form whose header block a person chose (`header`: first and last row, 0-based): rows
/// above are title, reporter and note lines as usual; everything below is found as usual.
pub fn detect_with_header(sheet: &Sheet, header: (u32, u32)) -> Option<Form> {
    let merges = Merges::new(&sheet.merges);
    let grid = &sheet.grid;
    let (h0, h1) = (header.0.min(header.1), header.0.max(header.1));
    if h1 >= grid.height() {
        return None;
    }
    let mut form = Form::default();
    for r in 0..h0 {
        let cells = row_cells(grid, &merges, r);
        if cells.is_empty() {
            continue;
        }
        let text = row_text(&cells);
        match classify_above(&text) {
            Above::Note => form.note_rows.push(r),
            Above::Meta => form.meta_rows.push(r),
            Above::Title => {
                if form.title.is_none() && can_be_title(&text) {
                    form.title = Some(norm_title(&text));
                }
                form.title_rows.push(r);
            }
        }
    }
    finish_form(grid, &merges, 0, form, h0, Some(h1))
}

/// Completes a form from its header's first row `h0` (and last row, when a person chose it):
/// header depth, columns, unit/code rows, data rows, footer, table unit, warnings.
fn finish_form(
    grid: &Grid,
    merges: &Merges<'_>,
    start: u32,
    mut form: Form,
    h0: u32,
    chosen_end: Option<u32>,
) -> Option<Form> {
    // Header block: extend over vertical merges and over the children of group cells.
    let mut h1 = h0;
    let mut guessed_depth = false;
    loop {
        let mut next = h1;
        for r in h0..=h1 {
            for m in merges.starting_in(r) {
                if m.height() > 1 && m.bottom > next && m.height() as usize <= MAX_HEADER_DEPTH {
                    next = m.bottom;
                }
            }
        }
        // A group cell (merged across columns, not the whole table) has children below it.
        let width = table_width(grid, h0);
        // A merge over blank cells below is one wide leaf (项目总面积 over two columns).
        let has_group = merges.starting_in(h1).any(|m| {
            m.width() > 1
                && m.height() == 1
                && m.width() < width.max(2)
                && !grid.get(m.top, m.left).is_blank()
                && (m.left..=m.right).any(|c| !merged_value(grid, merges, h1 + 1, c).is_blank())
        });
        if has_group && next == h1 && h1 + 1 < grid.height() {
            next = h1 + 1;
        }
        if next == h1 && unmerged_group_below(grid, merges, h1) {
            next = h1 + 1;
            guessed_depth = true;
        }
        // A unit or code row across the table is never header, even when a label merged down
        // reaches it (a blank corner cell spanning the header and its unit row). Units under
        // one group only (年 月 日 under 出生日期) are that group's leaves.
        let last_col = width.saturating_sub(1);
        let across = |r: u32| span_texts(grid, r, 0, last_col).len() as u32 * 5 >= width * 3;
        if let Some(u) = (h1 + 1..=next).find(|&r| {
            (across(r) && (is_unit_row(grid, r, 0, last_col) || is_code_row(grid, r, 0, last_col)))
                || is_number_row(grid, r, 0, last_col)
        }) {
            next = u - 1;
        }
        if chosen_end.is_some() || next == h1 || (next - h0 + 1) as usize > MAX_HEADER_DEPTH {
            break;
        }
        h1 = next;
    }
    if let Some(end) = chosen_end {
        h1 = end;
        guessed_depth = false;
    }
    form.header_rows = (h0..=h1).collect();
    if guessed_depth {
        form.warnings.push(Warning::HeaderDepthGuessed {
            rows: form.header_rows.len() as u32,
        });
    }
    // Columns: every non-blank header cell and every merge inside the header block.
    let (mut first, mut last) = (u32::MAX, 0);
    for r in h0..=h1 {
        for (c, v) in grid.row(r).iter().enumerate() {
            if !v.is_blank() {
                first = first.min(c as u32);
                last = last.max(c as u32);
            }
        }
        for m in merges.starting_in(r).filter(|m| m.bottom <= h1) {
            first = first.min(m.left);
            last = last.max(m.right);
        }
    }
    for m in merges.rects.iter().filter(|m| {
        m.top < h0
            && m.bottom >= h0
            && !grid.get(m.top, m.left).as_text().is_some_and(is_note_block)
    }) {
        // A leaf merged down from above the block start pulls the block up; rare, keep columns.
        first = first.min(m.left);
        last = last.max(m.right);
    }
    if first == u32::MAX {
        return None;
    }
    form.first_col = first;
    form.last_col = last;

    // Unit and code rows right under the header.
    let mut r = h1 + 1;
    for _ in 0..2 {
        if r >= grid.height() {
            break;
        }
        if form.unit_row.is_none() && form.code_row.is_none() && is_unit_row(grid, r, first, last) {
            form.unit_row = Some(r);
            r += 1;
        } else if form.code_row.is_none() && is_code_row(grid, r, first, last) {
            form.code_row = Some(r);
            r += 1;
        }
    }

    // Data rows, then the footer.
    let mut data_first = None;
    let mut data_last = None;
    let mut blank_run = 0;
    while r < grid.height() {
        // A row of many values is data; only short rows can be footers or a next title, so
        // only those are looked at closely (this loop runs over every data row).
        let filled = grid.row(r).iter().filter(|v| !v.is_blank()).count();
        if filled == 0 {
            blank_run += 1;
            r += 1;
            continue;
        }
        if filled > 4 && blank_run < 2 {
            blank_run = 0;
            data_first.get_or_insert(r);
            data_last = Some(r);
            r += 1;
            continue;
        }
        let cells = row_cells(grid, merges, r);
        if cells.is_empty() {
            blank_run += 1;
            r += 1;
            continue;
        }
        let text = row_text(&cells);
        let single_wide = cells.len() == 1
            && merges
                .at(r, cells[0].0)
                .is_some_and(|m| m.width() * 2 > last - first + 1);
        if is_footer_line(&text)
            || ((single_wide || cells.len() == 1) && (is_meta_line(&text) || is_note_line(&text)))
        {
            break;
        }
        if blank_run >= 2 && data_first.is_some() && header_like(&cells, grid, r) {
            // A new table starts below the blank rows.
            break;
        }
        if (single_wide || header_like(&cells, grid, r) || is_banner(grid, merges, &cells, r))
            && next_header_ends_in_unit_row(grid, merges, r, first, last)
        {
            // A table stacked right under this one: its header block ends in a unit or code
            // row again, which data never holds.
            break;
        }
        if cells.len() == 1 && blank_run >= 1 && data_first.is_some() {
            // A lone line after a gap: the title of the next table.
            break;
        }
        blank_run = 0;
        if data_first.is_none() {
            data_first = Some(r);
        }
        data_last = Some(r);
        r += 1;
    }
    if let (Some(a), Some(b)) = (data_first, data_last) {
        form.data_rows = Some((a, b));
    } else {
        form.warnings.push(Warning::NoDataRows);
    }
    // Footer: contiguous non-blank lines after the data that are totals, signatures or notes.
    let mut f = data_last.map_or(r, |d| d + 1);
    let mut gap = 0;
    while f < grid.height() && gap < 2 {
        let cells = row_cells(grid, merges, f);
        if cells.is_empty() {
            gap += 1;
            f += 1;
            continue;
        }
        let text = row_text(&cells);
        // A row of three or more header-like cells is the next table's header, not a footer
        // (its labels may mention 编号, 单位 or a note in brackets).
        let next_header = cells.len() >= 3 && header_like(&cells, grid, f);
        if is_footer_line(&text) || (!next_header && (is_meta_line(&text) || is_note_line(&text))) {
            if is_note_line(&text) {
                form.note_rows.push(f);
            }
            form.footer_rows.push(f);
            gap = 0;
            f += 1;
        } else {
            break;
        }
    }
    form.table_unit = form
        .title_rows
        .iter()
        .chain(&form.meta_rows)
        .chain(&form.note_rows)
        .filter_map(|&r| {
            row_cells(grid, merges, r)
                .into_iter()
                .find_map(|(_, t)| table_unit(&t))
        })
        .next();
    if form.title.is_none() {
        form.warnings.push(Warning::NoTitle);
    }
    let leading = form.header_rows[0] - start;
    let accounted = (form.title_rows.len()
        + form.meta_rows.len()
        + form.note_rows.iter().filter(|&&n| n < h0).count()) as u32;
    if leading > 6 && accounted + 2 < leading {
        form.warnings.push(Warning::HeaderFarDown {
            row: form.header_rows[0],
        });
    }
    check_blank_header_columns(grid, merges, &mut form);
    Some(form)
}

/// True when rows `row`… read as another header block — header-like rows (or one banner) and
/// then a unit or code row — within a header's depth.
fn next_header_ends_in_unit_row(
    grid: &Grid,
    merges: &Merges<'_>,
    row: u32,
    first: u32,
    last: u32,
) -> bool {
    for r in row + 1..grid.height().min(row + 1 + MAX_HEADER_DEPTH as u32) {
        // The next table may be narrower than this one: three units or codes make the row.
        if span_texts(grid, r, first, last).len() >= 3
            && (is_unit_row(grid, r, first, last) || is_code_row(grid, r, first, last))
        {
            return true;
        }
        let cells = row_cells(grid, merges, r);
        if cells.is_empty() || !header_like(&cells, grid, r) {
            return false;
        }
    }
    false
}

/// Without merged cells, a second header row shows itself as text under the blank cells that
/// follow a group label, with nothing data-like in it.
fn unmerged_group_below(grid: &Grid, merges: &Merges<'_>, row: u32) -> bool {
    let below = row + 1;
    if below >= grid.height() {
        return false;
    }
    let cells = row_cells(grid, merges, below);
    if !header_like(&cells, grid, below) {
        return false;
    }
    // Text below must sit under a blank (or the start of a run of blanks) in the row above.
    let mut under_blank = 0;
    for (c, _) in &cells {
        let above = merged_value(grid, merges, row, *c);
        let left_blank_run = *c > 0 && merged_value(grid, merges, row, c + 1).is_blank();
        if above.is_blank() || left_blank_run {
            under_blank += 1;
        }
    }
    // And the row after must not be header-like too (that would be data-free lists).
    under_blank * 2 > cells.len()
        && (0..grid.row(row).len() as u32).any(|c| merged_value(grid, merges, row, c).is_blank())
}

/// The trimmed texts of a row's non-blank cells between two columns.
fn span_texts(grid: &Grid, row: u32, first: u32, last: u32) -> Vec<String> {
    (first..=last)
        .map(|c| grid.get(row, c))
        .filter(|v| !v.is_blank())
        .map(|v| v.text().trim().to_string())
        .collect()
}

pub(super) fn is_unit_row(grid: &Grid, row: u32, first: u32, last: u32) -> bool {
    let texts = span_texts(grid, row, first, last);
    let units = texts
        .iter()
        .filter(|t| {
            is_unit_token(t)
                || matches!(
                    t.as_str(),
                    "—" | "-" | "--" | "－" | "/" | "计量单位" | "单位"
                )
        })
        .count();
    texts.len() >= 2 && units * 10 >= texts.len() * 8
}

/// A row of numbers (scores, weights, sample values) reached by labels merged down: never
/// header. Column numbers climbing by one are a code row instead.
fn is_number_row(grid: &Grid, row: u32, first: u32, last: u32) -> bool {
    let cells: Vec<&Value> = (first..=last)
        .map(|c| grid.get(row, c))
        .filter(|v| !v.is_blank())
        .collect();
    let numbers = cells
        .iter()
        .filter(|v| match v {
            Value::Number(_) => true,
            Value::Text(t) => t.trim().parse::<f64>().is_ok(),
            _ => false,
        })
        .count();
    cells.len() >= 3 && numbers * 10 >= cells.len() * 8 && !is_code_row(grid, row, first, last)
}

fn is_code_row(grid: &Grid, row: u32, first: u32, last: u32) -> bool {
    let texts = span_texts(grid, row, first, last);
    let codes: Vec<&String> = texts.iter().filter(|t| is_code_like(t)).collect();
    if texts.len() < 3 || codes.len() * 10 < texts.len() * 8 {
        return false;
    }
    // Numbers must climb by one: 1 2 3 … (a data row of small counts would not).
    let nums: Vec<i64> = codes.iter().filter_map(|t| t.parse().ok()).collect();
    nums.len() < 2
        || nums.windows(2).filter(|w| w[1] == w[0] + 1).count() * 10 >= (nums.len() - 1) * 8
}

/// Warns about columns inside the table that have no header text at all.
fn check_blank_header_columns(grid: &Grid, merges: &Merges<'_>, form: &mut Form) {
    for c in form.first_col..=form.last_col {
        let named = form
            .header_rows
            .iter()
            .any(|&r| !merged_value(grid, merges, r, c).is_blank());
        if !named {
            form.warnings.push(Warning::BlankHeader {
                column: col_letter(c),
            });
        }
    }
}

/// A title as the set names things: template placeholders (`${bank}`) dropped, white space
/// and line breaks folded.
fn norm_title(text: &str) -> String {
    without_placeholders(text)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// True when a line above the header can name the form: not a formula note ((10)=(9)/(8)),
/// not a label waiting for its value (附件一：), not a legend, not data, and not empty once
/// its placeholders are gone.
fn can_be_title(text: &str) -> bool {
    let t = text.trim();
    !looks_like_data(t)
        && !t.contains(['=', '＝'])
        && !t.ends_with(['：', ':'])
        && !is_note_block(t)
        && !norm_title(t).is_empty()
}

/// The roster embedded in a card or indicator form whose one-row header is row `h`.
pub(super) fn embedded_table(grid: &Grid, merges: &Merges<'_>, h: u32) -> Option<Form> {
    finish_form(grid, merges, h, Form::default(), h, Some(h))
}

/// Every column table on a sheet from row `start` down.
pub(super) fn detect_forms_from(grid: &Grid, merges: &Merges<'_>, start: u32) -> Vec<Form> {
    let mut forms = Vec::new();
    let mut start = start;
    while start < grid.height() {
        match detect_form(grid, merges, start) {
            Some(form) => {
                let end = form
                    .footer_rows
                    .iter()
                    .copied()
                    .chain(form.data_rows.map(|d| d.1))
                    .chain(form.header_rows.last().copied())
                    .chain(form.unit_row)
                    .chain(form.code_row)
                    .max()
                    .unwrap_or(start);
                forms.push(form);
                start = end + 1;
            }
            None => break,
        }
    }
    forms
}

/// Every column table on a sheet, top to bottom.
pub(super) fn detect_forms(grid: &Grid, merges: &Merges<'_>) -> Vec<Form> {
    tables_of(detect_forms_from(grid, merges, 0))
}

/// The column tables among those read from the top of a sheet ([`detect_forms_from`] at 0).
pub(super) fn tables_of(mut forms: Vec<Form>) -> Vec<Form> {
    // A second "form" without data rows is usually a stray block under the first one — unless
    // it is a table of its own (three columns or more), as in blank templates stacked on one
    // sheet.
    if forms.len() > 1 {
        forms.retain(|f| f.data_rows.is_some() || f.last_col >= f.first_col + 2);
    }
    forms
}
