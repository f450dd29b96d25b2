//! Questionnaires: items down a column × options across (好/较好/一般/差, 是/否), one tick per
//! item → one field per item whose values are the options.
//!
//! Claimed only when a row near the top holds two or more adjacent option words right of an
//! item column, with at least three items under it.

use crate::read::{Grid, Value};
use crate::text::{is_footer_line, looks_like_data};

use super::{row_cells, Form, Item, Merges, Shape};

/// How far down the options row may be.
const HEADER_SEARCH_ROWS: u32 = 40;
/// The most items read.
const MAX_ITEMS: u32 = 300;

/// Words a questionnaire offers to tick: layout knowledge, like 序号 and 合计 in `text`.
const OPTIONS: &[&str] = &[
    "好",
    "较好",
    "一般",
    "较差",
    "差",
    "是",
    "否",
    "有",
    "无",
    "满意",
    "基本满意",
    "不满意",
    "非常满意",
    "比较满意",
    "优秀",
    "良好",
    "合格",
    "不合格",
    "优",
    "良",
    "中",
];

fn is_option(t: &str) -> bool {
    // Compared without white space, and without making a string: run on every cell of the top
    // rows of every sheet.
    let short = t.trim();
    if !short.contains(char::is_whitespace) {
        // No option is longer than 12 bytes (非常满意).
        return short.len() <= 12 && OPTIONS.contains(&short);
    }
    short.len() <= 40
        && OPTIONS
            .iter()
            .any(|o| o.chars().eq(short.chars().filter(|c| !c.is_whitespace())))
}

/// The questionnaire on a sheet, if its evidence is clear.
pub(super) fn detect(grid: &Grid, merges: &Merges<'_>) -> Option<Vec<Form>> {
    let search = grid.height().min(HEADER_SEARCH_ROWS);
    let (h, item_col, options) = (0..search).find_map(|r| {
        // Two options at least, and options are text: most rows are passed over on that.
        // Options make up half the row's cells (a merged cell counted once, as `row_cells`).
        let row = grid.row(r);
        row.iter()
            .filter(|v| v.as_text().is_some_and(is_option))
            .nth(1)?;
        let (mut cells_here, mut options_here) = (0usize, 0usize);
        for (c, v) in row.iter().enumerate() {
            if v.is_blank()
                || merges
                    .at(r, c as u32)
                    .is_some_and(|m| (m.top, m.left) != (r, c as u32))
            {
                continue;
            }
            cells_here += 1;
            options_here += usize::from(v.as_text().is_some_and(is_option));
        }
        if options_here < 2 || options_here * 2 < cells_here {
            return None;
        }
        let cells = row_cells(grid, merges, r);
        let opts: Vec<&(u32, String)> = cells.iter().filter(|(_, t)| is_option(t)).collect();
        if opts.len() < 2 || opts.len() * 2 < cells.len() {
            return None;
        }
        let first = opts[0].0;
        // The options sit side by side, right of the item column, each offered once (a roster's
        // row of answers says 是, 是, 否).
        let adjacent = opts.windows(2).all(|w| w[1].0 == w[0].0 + 1);
        let once = opts
            .iter()
            .enumerate()
            .all(|(i, (_, t))| opts[..i].iter().all(|(_, u)| u.trim() != t.trim()));
        (adjacent && once && first > 0).then(|| {
            (
                r,
                first - 1,
                opts.iter()
                    .map(|(c, t)| (*c, t.trim().to_string()))
                    .collect::<Vec<_>>(),
            )
        })
    })?;
    let mut items = Vec::new();
    let mut blank_run = 0;
    for r in h + 1..grid.height().min(h + 1 + MAX_ITEMS) {
        let v = super::merged_value(grid, merges, r, item_col);
        let text = v.text();
        let row_text: String = row_cells(grid, merges, r)
            .into_iter()
            .map(|(_, t)| t)
            .collect();
        if row_text.trim().is_empty() {
            blank_run += 1;
            if blank_run >= 2 {
                break;
            }
            continue;
        }
        blank_run = 0;
        if is_footer_line(&row_text) {
            break;
        }
        let t = text.trim();
        if !matches!(v, Value::Text(_)) || t.is_empty() || looks_like_data(t) {
            continue;
        }
        items.push(Item {
            label: super::indicator::strip_number(t).to_string(),
            label_cell: (r, item_col),
            value_cell: Some((r, options[0].0)),
            options: options.iter().map(|(_, o)| o.clone()).collect(),
            ..Item::default()
        });
    }
    if items.len() < 3 {
        return None;
    }
    let title = (0..h).find_map(|r| {
        row_cells(grid, merges, r)
            .into_iter()
            .next()
            .map(|(_, t)| (r, t.trim().to_string()))
    });
    Some(vec![Form {
        shape: Shape::Questionnaire,
        title_rows: title.iter().map(|(r, _)| *r).collect(),
        title: title.map(|(_, t)| t),
        header_rows: vec![h],
        first_col: item_col,
        last_col: options.last().map_or(item_col, |(c, _)| *c),
        items,
        ..Form::default()
    }])
}
