//! Indicator tables: the fields run down a column (指标名称 | 计量单位 | 本年 | 上年, often a
//! 代码 column; sometimes two such blocks side by side, items in columns A and D), under
//! section lines (`一、用水、废水排放情况`). Each item becomes one field: its name without the
//! leading number (`1、`, `（一）`), its unit and code from their columns (or a unit cell in
//! its row), its value cell the first value column of its block. The reporter labels above the
//! header (单位名称, 单位代码) are items too, and the sign-off labels below (单位负责人, 填表人)
//! structural ones. A column table further down the sheet is a roster of its own.

use crate::read::{Grid, Value};
use crate::text::{is_footer_line, is_meta_line, is_unit_token, looks_like_data};

use super::{roster, row_cells, squash, Form, Item, Merges, Shape};

/// How far down the 指标名称 header may be.
const HEADER_SEARCH_ROWS: u32 = 40;
/// The most rows read as items (a longer sheet is a table).
const MAX_ROWS: u32 = 400;

/// Header words that name the item column on their own.
const NAME_HEADERS: &[&str] = &["指标名称", "指标", "评定指标", "指标项目", "统计指标"];
/// Header words that name the item column when the row also has a unit or code column.
const NAME_HEADERS_WITH_UNIT: &[&str] = &["项目", "项目名称", "名称"];
/// Header words of the unit column.
const UNIT_HEADERS: &[&str] = &["计量单位", "单位", "计算单位"];
/// Header words of the code column.
const CODE_HEADERS: &[&str] = &["代码", "代号", "编码"];

/// A header cell's text without white space and without its leading number (`1.废物名称`).
fn header_word(t: &str) -> String {
    strip_number(&squash(t)).to_string()
}

fn is_name_header(w: &str, with_unit: bool) -> bool {
    NAME_HEADERS.contains(&w)
        || (with_unit && (NAME_HEADERS_WITH_UNIT.contains(&w) || w.ends_with("名称")))
}

/// The text after a leading item number: `1、`, `15.`, `（一）`, `(2)`, `一、`.
pub(crate) fn strip_number(t: &str) -> &str {
    let t = t.trim();
    let digits = t
        .char_indices()
        .take_while(|(_, c)| c.is_ascii_digit() || "一二三四五六七八九十".contains(*c))
        .last()
        .map(|(i, c)| i + c.len_utf8());
    if let Some(end) = digits {
        let rest = &t[end..];
        if let Some(r) = rest
            .strip_prefix('、')
            .or_else(|| rest.strip_prefix('.'))
            .or_else(|| rest.strip_prefix('．'))
            .or_else(|| rest.strip_prefix('）'))
            .or_else(|| rest.strip_prefix(')'))
        {
            if !r.is_empty() {
                return r.trim_start();
            }
        }
    }
    for (open, close) in [('（', '）'), ('(', ')')] {
        if let Some(rest) = t.strip_prefix(open) {
            if let Some(end) = rest.find(close) {
                let inner = &rest[..end];
                if !inner.is_empty()
                    && inner
                        .chars()
                        .all(|c| c.is_ascii_digit() || "一二三四五六七八九十".contains(c))
                {
                    let r = &rest[end + close.len_utf8()..];
                    if !r.is_empty() {
                        return r.trim_start();
                    }
                }
            }
        }
    }
    t
}

fn is_numbered(t: &str) -> bool {
    strip_number(t).len() < t.trim().len()
}

/// The indicator form on a sheet (and any roster below it), if it has an item-name header
/// and at least three items. `tables` are the column tables a roster reading finds from the
/// top of the sheet ([`roster::detect_forms_from`] at 0), read once for every shape.
pub(super) fn detect(grid: &Grid, merges: &Merges<'_>, tables: &[Form]) -> Option<Vec<Form>> {
    let search = grid.height().min(HEADER_SEARCH_ROWS);
    let (h, names) = (0..search).find_map(|r| {
        // Every item-name header (指标, 项目, …名称) ends in one of these: rows without one are
        // passed over before their words are made.
        let may_name = grid.row(r).iter().any(|v| {
            v.as_text()
                .is_some_and(|t| t.trim_end().ends_with(['标', '目', '称']))
        });
        if !may_name {
            return None;
        }
        let cells = row_cells(grid, merges, r);
        let words: Vec<(u32, String)> = cells.iter().map(|(c, t)| (*c, header_word(t))).collect();
        let with_unit = words
            .iter()
            .any(|(_, w)| UNIT_HEADERS.contains(&w.as_str()) || CODE_HEADERS.contains(&w.as_str()));
        let names: Vec<u32> = words
            .iter()
            .filter(|(_, w)| is_name_header(w, with_unit))
            .map(|(c, _)| *c)
            .collect();
        (cells.len() >= 2 && !names.is_empty()).then_some((r, names))
    })?;
    // The header block as a roster reads it (two rows under a group cell), with the title and
    // reporter lines above.
    let head = tables.iter().find(|f| f.header_rows.contains(&h)).cloned();
    // The header block ends where the items begin (a section label merged down beside the
    // first items is not header).
    let header_rows: Vec<u32> = head
        .as_ref()
        .map_or(vec![h], |f| f.header_rows.clone())
        .into_iter()
        .take_while(|&r| {
            r <= h
                || names
                    .iter()
                    .all(|&n| super::merged_value(grid, merges, r, n).is_blank())
        })
        .collect();
    let header_last = *header_rows.last().unwrap_or(&h);
    let header_cells: Vec<(u32, String)> = header_rows
        .iter()
        .flat_map(|&r| row_cells(grid, merges, r))
        .map(|(c, t)| (c, header_word(&t)))
        .collect();
    let unit_cols: Vec<u32> = header_cells
        .iter()
        .filter(|(_, w)| UNIT_HEADERS.contains(&w.as_str()))
        .map(|(c, _)| *c)
        .collect();
    let code_cols: Vec<u32> = header_cells
        .iter()
        .filter(|(_, w)| CODE_HEADERS.contains(&w.as_str()))
        .map(|(c, _)| *c)
        .collect();
    let width = (h..grid.height().min(h + 8))
        .map(|r| grid.row(r).len() as u32)
        .max()
        .unwrap_or(0);
    // Each item column's block runs to the next item column.
    let block_end = |nc: u32| {
        names
            .iter()
            .copied()
            .filter(|&n| n > nc)
            .min()
            .unwrap_or(width)
    };
    let mut items: Vec<Item> = Vec::new();
    let mut section: Option<String> = None;
    let mut prev_lone = false;
    let mut end = grid.height().min(header_last + 1 + MAX_ROWS);
    let mut rest_from = None;
    let mut r = header_last + 1;
    while r < end {
        let cells = row_cells(grid, merges, r);
        if cells.is_empty() {
            r += 1;
            continue;
        }
        let text: String = cells.iter().map(|(_, t)| t.as_str()).collect();
        if is_footer_line(&text) {
            end = r;
            break;
        }
        let wide = cells.len() == 1
            && merges
                .at(r, cells[0].0)
                .is_some_and(|m| m.width() * 2 > width);
        let numbered_item = cells.len() == 1
            && cells[0].1.trim().starts_with(|c: char| c.is_ascii_digit())
            && is_numbered(&cells[0].1);
        if !numbered_item
            && (wide
                || (cells.len() == 1 && !names.contains(&cells[0].0) && !is_numbered(&cells[0].1)))
        {
            section = Some(squash(&cells[0].1));
            prev_lone = true;
            r += 1;
            continue;
        }
        let words: Vec<String> = cells.iter().map(|(_, t)| header_word(t)).collect();
        // The header again (a second block under its own section): not items.
        let with_unit = words
            .iter()
            .any(|w| UNIT_HEADERS.contains(&w.as_str()) || CODE_HEADERS.contains(&w.as_str()));
        if words.iter().any(|w| is_name_header(w, with_unit)) && words.len() >= 2 {
            prev_lone = false;
            r += 1;
            continue;
        }
        // A table of its own under a lone line: three labels and no unit among them.
        if prev_lone
            && cells.len() >= 3
            && cells
                .iter()
                .all(|(c, t)| matches!(grid.get(r, *c), Value::Text(_)) && !is_unit_token(t.trim()))
        {
            rest_from = Some(r - 1);
            end = r - 1;
            break;
        }
        prev_lone = false;
        for (c, t) in &cells {
            let in_name_col = names.contains(c);
            if !(in_name_col || is_numbered(t)) || !matches!(grid.get(r, *c), Value::Text(_)) {
                continue;
            }
            if looks_like_data(t) || is_unit_token(t.trim()) {
                continue;
            }
            // A numbered cell outside the item columns counts only in a block of its own
            // (the lower half of a two-up layout shifts its columns).
            let block_start = names
                .iter()
                .copied()
                .filter(|&n| n <= *c)
                .max()
                .unwrap_or(*c);
            let stop = block_end(block_start).max(c + 1);
            let row_unit = (c + 1..stop)
                .map(|k| grid.get(r, k))
                .filter_map(Value::as_text)
                .map(str::trim)
                .find(|u| is_unit_token(u))
                .map(str::to_string);
            let unit = unit_cols
                .iter()
                .find(|&&u| u > *c && u < stop)
                .and_then(|&u| grid.get(r, u).as_text())
                .map(str::trim)
                .filter(|u| is_unit_token(u))
                .map(str::to_string)
                .or(row_unit);
            let code = code_cols
                .iter()
                .find(|&&k| k > *c && k < stop)
                .map(|&k| grid.get(r, k).text().trim().to_string())
                .filter(|k| !k.is_empty());
            // The first blank cell of the block; on a filled report, the first number.
            let slot = |k: &u32, filled: bool| {
                let v = super::merged_value(grid, merges, r, *k);
                !unit_cols.contains(k)
                    && !code_cols.contains(k)
                    && if filled {
                        matches!(v, Value::Number(_))
                    } else {
                        v.is_blank()
                    }
                    && merges.at(r, *c).is_none_or(|m| *k > m.right)
            };
            let value_cell = (c + 1..stop)
                .find(|k| slot(k, false))
                .or_else(|| (c + 1..stop).find(|k| slot(k, true)))
                .map(|k| (r, k));
            items.push(Item {
                label: strip_number(t).to_string(),
                section: section.clone(),
                label_cell: (r, *c),
                value_cell,
                unit,
                code,
                ..Item::default()
            });
        }
        r += 1;
    }
    if items.len() < 3 {
        return None;
    }
    let mut form = head.unwrap_or_default();
    // Reporter labels above the header: 单位名称（公章）, 单位代码.
    let mut meta: Vec<Item> = Vec::new();
    for &m in form.meta_rows.iter().chain(&form.title_rows) {
        if m >= h {
            continue;
        }
        for (c, t) in row_cells(grid, merges, m) {
            let s = squash(&t);
            // The title is no label — unless it is the reporter's own line (单位名称（公章）).
            if form.title.as_deref().map(squash).as_deref() == Some(s.as_str())
                && !is_meta_line(&s)
                && !s.contains("单位")
            {
                continue;
            }
            if (1..=40).contains(&s.chars().count()) && !looks_like_data(&s) {
                meta.push(Item {
                    label: reporter_label(&t),
                    label_cell: (m, c),
                    value_cell: Some((m, c + 1)),
                    ..Item::default()
                });
            }
        }
    }
    // A reporter's line standing where a title would (单位名称（公章） at the top of a census
    // page whose title is outside the table) is no title: the sheet's name says it better.
    if form
        .title
        .as_deref()
        .is_some_and(|t| crate::fields::is_place_label(&squash(t)))
    {
        form.title = None;
        let rows = std::mem::take(&mut form.title_rows);
        form.meta_rows.extend(rows);
        form.meta_rows.sort_unstable();
        form.meta_rows.dedup();
    }
    // Sign-off labels below: 单位负责人 | 审核人, 填表人 | 填表日期.
    let mut rosters = Vec::new();
    if let Some(from) = rest_from {
        rosters = roster::detect_forms_from(grid, merges, from);
    }
    let signoff_from = rosters
        .iter()
        .filter_map(|f| f.data_rows.map(|d| d.1).or(f.header_rows.last().copied()))
        .max()
        .map_or(end, |e| e + 1)
        .max(end);
    for s in signoff_from..grid.height().min(signoff_from + 12) {
        let cells = row_cells(grid, merges, s);
        let text: String = cells.iter().map(|(_, t)| t.as_str()).collect();
        if !is_footer_line(&text) {
            continue;
        }
        for (c, t) in cells {
            let q = squash(&t);
            if (1..=20).contains(&q.chars().count())
                && !looks_like_data(&q)
                && q.chars().any(|ch| !matches!(ch, '年' | '月' | '日'))
            {
                meta.push(Item {
                    label: t.trim().trim_end_matches(['：', ':']).to_string(),
                    label_cell: (s, c),
                    value_cell: Some((s, c + 1)),
                    structural: true,
                    ..Item::default()
                });
            }
        }
    }
    meta.extend(items);
    form.shape = Shape::Indicator;
    form.items = meta;
    form.header_rows = header_rows;
    form.data_rows = None;
    form.warnings.clear();
    let mut forms = vec![form];
    for mut t in rosters {
        t.footer_rows.retain(|&f| f < signoff_from);
        forms.push(t);
    }
    Some(forms)
}

/// A reporter label as written, without its colon — and, once filled, without its value:
/// `填报单位：青山镇石桥村` → `填报单位`.
fn reporter_label(t: &str) -> String {
    let t = t.trim();
    match t.split_once(['：', ':']) {
        Some((label, _)) if crate::fields::is_place_label(label) => label.trim().to_string(),
        _ => t.trim_end_matches(['：', ':']).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::strip_number;

    #[test]
    fn leading_numbers_are_not_part_of_the_name() {
        assert_eq!(strip_number("1、用水总量"), "用水总量");
        assert_eq!(strip_number("15、化学需氧量"), "化学需氧量");
        assert_eq!(strip_number("（一）乡村户数"), "乡村户数");
        assert_eq!(strip_number("1.废物名称"), "废物名称");
        assert_eq!(strip_number("二、工艺过程"), "工艺过程");
        assert_eq!(strip_number("2024年"), "2024年");
        assert_eq!(strip_number("四氯化碳"), "四氯化碳");
    }
}
