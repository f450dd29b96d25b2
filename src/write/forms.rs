//! The departments' own forms, filled: one workbook per department in the layout each original
//! form had (title, reporter line with the village filled in, the same multi-level header
//! block, unit and code rows, column order and widths), and all of them as one .zip.
//! Identifier columns ([`crate::plan::identifier`]) are text, whole columns, and their values
//! are written as text, even those read from an original as (digit-losing) numbers. A card,
//! indicator report or questionnaire is written once per record, a sheet each, its values in
//! their own cells.

use std::collections::HashSet;

use super::workbook::{DocProperties, ExcelDateTime, Format, FormatAlign, Workbook, Worksheet};

use super::xlsx::{body_cell, header_cell, safe_sheet_name, write_value};
use super::WriteError;
use crate::inspect::TemplateCell;
use crate::plan::{identifier, FormSet, SourceForm};
use crate::read::Value;
use crate::split::FormRows;

/// The file name of a department's workbook: `民政-原表（已填）.xlsx`, without characters a
/// file system refuses.
pub fn department_file_name(department: &str) -> String {
    let clean: String = department
        .chars()
        .map(|c| {
            if matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    let clean = clean.trim();
    let clean = if clean.is_empty() { "其他" } else { clean };
    format!("{clean}-原表（已填）.xlsx")
}

/// One workbook per department that has forms in `set`, in order of first appearance:
/// `(file name, bytes)`. `forms` comes from [`crate::split::assemble`].
pub fn department_workbooks(
    set: &FormSet,
    forms: &[FormRows],
) -> Result<Vec<(String, Vec<u8>)>, WriteError> {
    let mut departments: Vec<&str> = Vec::new();
    for s in &set.sources {
        if !departments.contains(&s.department.as_str()) {
            departments.push(&s.department);
        }
    }
    departments
        .into_iter()
        .map(|d| {
            let mine: Vec<&FormRows> = forms
                .iter()
                .filter(|f| set.sources.get(f.source).is_some_and(|s| s.department == d))
                .collect();
            Ok((department_file_name(d), department_workbook(set, &mine)?))
        })
        .collect()
}

struct Styles {
    title: Format,
    plain: Format,
    head: Format,
    head_red: Format,
    cell: Format,
    date: Format,
    /// An identifier's cell, and its whole column: Excel's built-in Text format (49, `@`).
    text: Format,
    text_column: Format,
}

impl Styles {
    fn new() -> Styles {
        let head = header_cell();
        let cell = body_cell();
        Styles {
            title: Format::new()
                .set_bold()
                .set_font_size(16)
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            plain: Format::new().set_align(FormatAlign::VerticalCenter),
            head_red: head.clone().set_font_color(super::workbook::Color::Red),
            head,
            date: cell.clone().set_num_format("yyyy-mm-dd"),
            text: cell.clone().set_num_format_index(49),
            text_column: Format::new().set_num_format_index(49),
            cell,
        }
    }
}

/// One department's forms in one workbook: one sheet per original sheet (forms that shared a
/// sheet share it again, each at its own rows).
pub fn department_workbook(set: &FormSet, forms: &[&FormRows]) -> Result<Vec<u8>, WriteError> {
    let st = Styles::new();
    let mut workbook = Workbook::new();
    let created = ExcelDateTime::from_ymd(2000, 1, 1)?;
    workbook.set_properties(&DocProperties::new().set_creation_datetime(&created));
    // Group by original file and sheet, in the order met.
    let mut groups: Vec<((&str, &str), Vec<&FormRows>)> = Vec::new();
    for f in forms {
        let Some(s) = set.sources.get(f.source) else {
            continue;
        };
        let key = (s.file.as_str(), s.sheet.as_str());
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => v.push(f),
            None => groups.push((key, vec![f])),
        }
    }
    let mut used: HashSet<String> = HashSet::new();
    for ((file, sheet), group) in groups {
        let base = if sheet.is_empty() {
            crate::read::file_stem(file)
        } else {
            sheet.to_string()
        };
        // A card or indicator report is filled once per record: a sheet each.
        let (records, mut group): (Vec<&FormRows>, Vec<&FormRows>) =
            group.into_iter().partition(|f| {
                set.sources
                    .get(f.source)
                    .is_some_and(SourceForm::is_record_form)
            });
        for f in records {
            let Some(source) = set.sources.get(f.source) else {
                continue;
            };
            let text = identifier_fields(set, source, &f.rows);
            let blank = [vec![Value::Empty; source.fields.len()]];
            let rows = if f.rows.is_empty() {
                &blank[..]
            } else {
                &f.rows[..]
            };
            for (i, row) in rows.iter().enumerate() {
                let label = if f.rows.is_empty() {
                    None
                } else {
                    Some(record_label(source, row, f.places.get(i), i))
                };
                let name = match label {
                    Some(l) => safe_sheet_name(&format!("{base}-{l}"), &mut used),
                    None => safe_sheet_name(&base, &mut used),
                };
                let mut ws = Worksheet::new();
                ws.set_name(&name)?;
                let place = f.places.get(i).filter(|(_, v)| !v.is_empty());
                write_record(&mut ws, &st, set, source, row, place, &text)?;
                ws.set_paper_size(9);
                ws.set_print_fit_to_pages(1, 0);
                workbook.push_worksheet(ws);
            }
        }
        if group.is_empty() {
            continue;
        }
        let name = safe_sheet_name(&base, &mut used);
        let mut ws = Worksheet::new();
        ws.set_name(&name)?;
        group.sort_by_key(|f| {
            set.sources
                .get(f.source)
                .map_or(0, |s| s.template.data_first_row)
        });
        let mut shift: i64 = 0;
        let mut first_freeze = None;
        for f in group {
            let Some(source) = set.sources.get(f.source) else {
                continue;
            };
            let used_rows = write_form(&mut ws, &st, set, source, f, shift)?;
            first_freeze
                .get_or_insert(source.template.data_first_row.saturating_sub(1) as i64 + shift);
            shift += used_rows;
        }
        if let Some(r) = first_freeze {
            if r > 0 {
                ws.set_freeze_panes(r as u32, 0)?;
            }
        }
        ws.set_landscape();
        ws.set_paper_size(9);
        ws.set_print_fit_to_pages(1, 0);
        workbook.push_worksheet(ws);
    }
    if workbook.worksheets().is_empty() {
        workbook.add_worksheet();
    }
    Ok(workbook.save_to_buffer()?)
}

/// Writes one form at its original rows moved down by `shift`; returns how many rows it grew
/// beyond the original (the shift for the next form on the sheet).
fn write_form(
    ws: &mut Worksheet,
    st: &Styles,
    set: &FormSet,
    source: &SourceForm,
    form: &FormRows,
    shift: i64,
) -> Result<i64, WriteError> {
    let t = &source.template;
    let at = |row1: u32| -> u32 { (row1 as i64 - 1 + shift).max(0) as u32 };
    let header_first = source
        .header_rows
        .first()
        .copied()
        .unwrap_or(t.data_first_row);
    let data_first = t.data_first_row.max(1);
    let title_rows: HashSet<u32> = t
        .cells
        .iter()
        .filter(|c| c.row < header_first && !t.meta_rows.contains(&c.row))
        .map(|c| c.row)
        .collect();

    // Above the data: title, reporter lines, header block, unit and code rows.
    let format_of = |c: &TemplateCell| -> &Format {
        if c.row >= header_first {
            if c.red {
                &st.head_red
            } else {
                &st.head
            }
        } else if title_rows.contains(&c.row) && title_rows.iter().min() == Some(&c.row) {
            &st.title
        } else {
            &st.plain
        }
    };
    let text_of = |c: &TemplateCell| -> String {
        if t.meta_rows.contains(&c.row) {
            if let Some((town, village)) = &form.place {
                return fill_place(&c.text, town, village);
            }
        }
        c.text.clone()
    };
    write_block(ws, &t.cells, &t.merges, at, &format_of, &text_of)?;
    // The header block's empty cells still get borders, as in a real form.
    for r in header_first..data_first {
        for c in t.first_col..=t.last_col {
            let filled = t.cells.iter().any(|x| x.row == r && x.col == c)
                || t.merges
                    .iter()
                    .any(|m| (m[0]..=m[2]).contains(&r) && (m[1]..=m[3]).contains(&c));
            if !filled {
                ws.write_blank(at(r), c.saturating_sub(1) as u16, &st.head)?;
            }
        }
    }

    // Widths: the original's, or from the header text.
    for (i, c) in (t.first_col..=t.last_col).enumerate() {
        let width = t.widths.get(i).copied().flatten().unwrap_or_else(|| {
            let header = t
                .cells
                .iter()
                .filter(|x| x.col == c && x.row >= header_first)
                .map(|x| display_width(&x.text))
                .max()
                .unwrap_or(4);
            let is_id = source
                .fields
                .iter()
                .any(|f| f.column == c && matches!(f.ty.as_str(), "id_number"));
            if is_id {
                20.0
            } else {
                (header as f64 + 2.0).clamp(6.0, 30.0)
            }
        });
        ws.set_column_width(c.saturating_sub(1) as u16, width)?;
    }

    // The data: identifier columns as text, whole columns, as in the set.
    let text = identifier_fields(set, source, &form.rows);
    for (f, &is_text) in source.fields.iter().zip(&text) {
        // A card's column holds other fields' values too.
        if is_text && !source.is_record_form() {
            ws.set_column_format(f.column.saturating_sub(1) as u16, &st.text_column)?;
        }
    }
    let first = at(data_first);
    for (i, row) in form.rows.iter().enumerate() {
        let r = first + i as u32;
        for ((f, v), &is_text) in source.fields.iter().zip(row).zip(&text) {
            let col = f.column.saturating_sub(1) as u16;
            write_data(ws, st, r, col, v, is_text)?;
        }
    }

    // Below: the footer lines, after the last row written.
    let n = form.rows.len() as i64;
    let last_data = first as i64 + n - 1; // 0-based; first - 1 when there are no rows
    let footer_at = |rel: u32| -> u32 { (last_data + rel as i64).max(0) as u32 };
    write_block(
        ws,
        &t.footer,
        &t.footer_merges,
        footer_at,
        &|_| &st.plain,
        &|c| c.text.clone(),
    )?;
    let original = i64::from(t.data_last_row) - i64::from(t.data_first_row) + 1;
    Ok((n - original.max(0)).max(0))
}

/// Whether each field of a form holds identifiers (ID and phone numbers, codes), as the set's
/// column does: written as text.
fn identifier_fields(set: &FormSet, source: &SourceForm, rows: &[Vec<Value>]) -> Vec<bool> {
    source
        .fields
        .iter()
        .enumerate()
        .map(|(k, f)| {
            let values = rows.iter().filter_map(|row| row.get(k));
            let canon = f
                .canonical
                .as_deref()
                .and_then(|id| set.canonical.iter().find(|c| c.id == id));
            match canon {
                Some(c) => identifier::is_identifier_type(identifier::column_type(c, values)),
                // A column outside the set (序号, 备注) keeps what was detected of it.
                None => identifier::is_identifier_type(&f.ty),
            }
        })
        .collect()
}

/// What tells one record's sheet from another's: the person's or head's name, else the
/// village, else its number (`张三`, `石桥村`, `3`).
fn record_label(
    source: &SourceForm,
    row: &[Value],
    place: Option<&(String, String)>,
    i: usize,
) -> String {
    const NAMES: [&str; 2] = ["person.name", "head@person.name"];
    let name = NAMES.iter().find_map(|id| {
        source
            .fields
            .iter()
            .zip(row)
            .find(|(f, v)| f.canonical.as_deref() == Some(*id) && !v.is_blank())
            .map(|(_, v)| v.text().trim().to_string())
    });
    name.or_else(|| place.map(|(_, v)| v.clone()).filter(|v| !v.is_empty()))
        .unwrap_or_else(|| (i + 1).to_string())
}

/// One record of a card or indicator report on a sheet of its own: the form's cells and
/// merges, the reporter line with its village, and each value in its value cell (identifiers
/// as text).
fn write_record(
    ws: &mut Worksheet,
    st: &Styles,
    set: &FormSet,
    source: &SourceForm,
    row: &[Value],
    place: Option<&(String, String)>,
    text: &[bool],
) -> Result<(), WriteError> {
    let frame = FormRows {
        place: place.cloned(),
        ..FormRows::default()
    };
    // The form was planned from a copy one village filled: its reporter line names that
    // village, and this record's goes there instead.
    let mut blank;
    let source = match place {
        Some(_) => {
            blank = source.clone();
            for c in blank
                .template
                .cells
                .iter_mut()
                .filter(|c| source.template.meta_rows.contains(&c.row))
            {
                c.text = without_place(&c.text);
            }
            &blank
        }
        None => source,
    };
    write_form(ws, st, set, source, &frame, 0)?;
    let t = &source.template;
    // A value cell inside a merged label (a 填报单位 line across the form) has no room.
    let covered = |r: u32, c: u32| {
        t.merges.iter().any(|m| {
            (m[0]..=m[2]).contains(&r) && (m[1]..=m[3]).contains(&c) && (m[0], m[1]) != (r, c)
        })
    };
    for ((f, v), &is_text) in source.fields.iter().zip(row).zip(text) {
        let Some((r, c)) = f.value_cell.as_deref().and_then(crate::read::parse_a1) else {
            continue;
        };
        if covered(r + 1, c + 1) {
            continue;
        }
        let place_text;
        let v = if f.role == "structural" && crate::fields::is_place_label(&f.name) {
            let Some((town, village)) = place else {
                continue;
            };
            place_text = Value::Text(format!("{town}{village}"));
            &place_text
        } else {
            v
        };
        if v.is_blank() {
            continue;
        }
        let col = c as u16;
        if source.is_questionnaire() {
            // A tick under the option answered.
            let answer = v.text();
            if let Some(k) = f.enum_values.iter().position(|o| *o == answer.trim()) {
                ws.write_string_with_format(r, col + k as u16, "√", &st.cell)?;
            }
            continue;
        }
        write_data(ws, st, r, col, v, is_text)?;
    }
    Ok(())
}

/// Writes one value of a record: an identifier as text (never a digit-losing number), anything
/// else as what it is.
fn write_data(
    ws: &mut Worksheet,
    st: &Styles,
    row: u32,
    col: u16,
    v: &Value,
    is_text: bool,
) -> Result<(), WriteError> {
    if is_text {
        write_value(
            ws,
            row,
            col,
            &identifier::as_text(v),
            Some(&st.text),
            &st.date,
        )?;
    } else {
        write_value(ws, row, col, v, Some(&st.cell), &st.date)?;
    }
    Ok(())
}

/// Writes template cells and merges, rows mapped by `row_at`.
fn write_block<'a>(
    ws: &mut Worksheet,
    cells: &[TemplateCell],
    merges: &[[u32; 4]],
    row_at: impl Fn(u32) -> u32,
    format_of: &dyn Fn(&TemplateCell) -> &'a Format,
    text_of: &dyn Fn(&TemplateCell) -> String,
) -> Result<(), WriteError> {
    let mut taken: Vec<[u32; 4]> = Vec::new();
    for m in merges {
        let [top, left, bottom, right] = *m;
        if (top, left) == (bottom, right) || top == 0 || left == 0 || bottom < top || right < left {
            continue;
        }
        let overlaps = taken
            .iter()
            .any(|o| top <= o[2] && o[0] <= bottom && left <= o[3] && o[1] <= right);
        if overlaps {
            continue;
        }
        taken.push(*m);
        let (text, format) = match cells.iter().find(|c| c.row == top && c.col == left) {
            Some(c) => (text_of(c), format_of(c)),
            None => {
                let probe = TemplateCell {
                    row: top,
                    col: left,
                    ..TemplateCell::default()
                };
                (String::new(), format_of(&probe))
            }
        };
        ws.merge_range(
            row_at(top),
            (left - 1) as u16,
            row_at(bottom),
            (right - 1) as u16,
            &super::xlsx::neutralise(&text),
            format,
        )?;
    }
    for c in cells {
        if c.col == 0 || c.row == 0 {
            continue;
        }
        let inside = taken
            .iter()
            .any(|m| (m[0]..=m[2]).contains(&c.row) && (m[1]..=m[3]).contains(&c.col));
        if inside {
            continue;
        }
        ws.write_string_with_format(
            row_at(c.row),
            (c.col - 1) as u16,
            super::xlsx::neutralise(&text_of(c)).as_ref(),
            format_of(c),
        )?;
    }
    Ok(())
}

/// A reporter line with the town and village written into its blanks:
/// `乡镇（盖章）：　　　村（居）：　　` → `乡镇（盖章）：青山镇　村（居）：石桥村`,
/// `填报单位：` → `填报单位：青山镇石桥村`. Lines with the place already written stay as they are.
pub fn fill_place(line: &str, town: &str, village: &str) -> String {
    let line = fill_placeholders(line, town, village);
    let blank = |c: char| c.is_whitespace() || c == '_' || c == '＿' || c == '\u{3000}';
    let mut out = String::new();
    let mut rest = line.as_str();
    while let Some(i) = rest.find(['：', ':']) {
        let colon = rest[i..].chars().next().map_or(1, char::len_utf8);
        let label = &rest[..i];
        out.push_str(&rest[..i + colon]);
        rest = &rest[i + colon..];
        let run = rest.find(|c: char| !blank(c)).unwrap_or(rest.len());
        // Only a blank after the colon is filled; the label decides with what.
        let last_label = label.rsplit(|c: char| blank(c)).next().unwrap_or(label);
        let value = if last_label.contains("填报单位") {
            Some(format!("{town}{village}"))
        } else if last_label.contains('村') || last_label.contains("社区") {
            Some(village.to_string())
        } else if last_label.contains('乡') || last_label.contains('镇') {
            Some(town.to_string())
        } else {
            None
        };
        let run_text = &rest[..run];
        let at_end = run == rest.len();
        match value {
            Some(v) if !v.is_empty() && (run > 0 || at_end) => {
                out.push_str(&v);
                if !at_end {
                    out.push('\u{3000}');
                }
            }
            _ => out.push_str(run_text),
        }
        rest = &rest[run..];
    }
    out.push_str(rest);
    out
}

/// A reporter line without the town and village written in it: `填报单位：青山镇石桥村` →
/// `填报单位：`, ready for [`fill_place`].
fn without_place(line: &str) -> String {
    let (town, village) = crate::text::reporter_place(line);
    let mut out = line.to_string();
    if !town.is_empty() && !village.is_empty() {
        out = out.replacen(&format!("{town}{village}"), "", 1);
    }
    for p in [town, village] {
        if !p.is_empty() {
            out = out.replacen(&p, "", 1);
        }
    }
    out
}

/// `　　　　乡（镇）　　　　村（社区）` → `青山镇　石桥村`: a blank of two or more characters
/// followed by a place word (not a label: no colon after it) is the place to write.
fn fill_placeholders(line: &str, town: &str, village: &str) -> String {
    const WORDS: [(&str, bool); 10] = [
        ("乡（镇）", true),
        ("乡(镇)", true),
        ("镇（乡）", true),
        ("乡镇", true),
        ("村（社区）", false),
        ("村(社区)", false),
        ("村（居）", false),
        ("村(居)", false),
        ("社区", false),
        ("村", false),
    ];
    let blank = |c: char| c.is_whitespace() || c == '_' || c == '＿' || c == '\u{3000}';
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if blank(chars[i]) {
            let mut j = i;
            while j < chars.len() && blank(chars[j]) {
                j += 1;
            }
            let after: String = chars[j..].iter().collect();
            // The longest place word there; followed by a colon it is a label, not a blank.
            let hit = WORDS
                .iter()
                .find(|(w, _)| after.starts_with(w))
                .filter(|(w, _)| !after[w.len()..].starts_with(['：', ':']));
            match hit {
                Some((w, is_town)) if j - i >= 2 => {
                    let value = if *is_town { town } else { village };
                    if value.is_empty() {
                        out.extend(&chars[i..j]);
                        i = j;
                        continue;
                    }
                    if !out.is_empty() && !out.ends_with(['：', ':']) {
                        out.push('\u{3000}');
                    }
                    out.push_str(value);
                    i = j + w.chars().count();
                }
                _ => {
                    out.extend(&chars[i..j]);
                    i = j;
                }
            }
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// Display width in character cells: CJK counts two.
fn display_width(text: &str) -> usize {
    text.lines()
        .map(|l| {
            l.chars()
                .map(|c| if (c as u32) >= 0x2E80 { 2 } else { 1 })
                .sum::<usize>()
        })
        .max()
        .unwrap_or(0)
}

/// Files packed into one .zip, stored (xlsx files are compressed already), names in UTF-8.
///
/// # Errors
/// Only past the plain zip format's limits (4 GiB, 65,535 files).
pub fn zip_files(files: &[(String, Vec<u8>)]) -> Result<Vec<u8>, WriteError> {
    super::zip::pack(files, super::zip::Method::Stored)
        .map_err(|detail| WriteError::Xlsx { detail })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_fill_the_blanks_of_reporter_lines() {
        let check = |line: &str, want: &str| {
            assert_eq!(fill_place(line, "青山镇", "石桥村"), want, "{line}")
        };
        check(
            "乡镇（盖章）：\u{3000}\u{3000}\u{3000}村（居）：\u{3000}\u{3000}",
            "乡镇（盖章）：青山镇\u{3000}村（居）：石桥村",
        );
        check("填报单位：", "填报单位：青山镇石桥村");
        check(
            "填报单位：______  填报日期：",
            "填报单位：青山镇石桥村\u{3000}填报日期：",
        );
        check("填报单位：石桥村委会", "填报单位：石桥村委会");
        check("填报人：　　联系电话：", "填报人：　　联系电话：");
        check(
            "填报单位：\u{3000}\u{3000}\u{3000}\u{3000}乡（镇）\u{3000}\u{3000}\u{3000}\u{3000}村（社区）\u{3000}\u{3000}填报人：",
            "填报单位：青山镇\u{3000}石桥村\u{3000}\u{3000}填报人：",
        );
        check(
            "采集单位：\u{3000}\u{3000}\u{3000}\u{3000}乡镇退役军人服务站\u{3000}\u{3000}采集人：",
            "采集单位：青山镇退役军人服务站\u{3000}\u{3000}采集人：",
        );
        check(
            "填报单位：青山县\u{3000}\u{3000}\u{3000}乡（镇）\u{3000}\u{3000}2024年",
            "填报单位：青山县\u{3000}青山镇\u{3000}\u{3000}2024年",
        );
        check(
            "乡镇：\u{3000}\u{3000}\u{3000}村：\u{3000}\u{3000}核实人：",
            "乡镇：青山镇\u{3000}村：石桥村\u{3000}核实人：",
        );
    }

    #[test]
    fn zips_open_with_a_zip_reader() {
        let files = vec![
            ("民政-原表（已填）.xlsx".to_string(), b"PK first".to_vec()),
            ("b.txt".to_string(), Vec::new()),
        ];
        let bytes = zip_files(&files).expect("zips");
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("opens");
        assert_eq!(zip.len(), 2);
        for (name, content) in &files {
            let mut f = zip.by_name(name).expect("by name");
            let mut got = Vec::new();
            std::io::Read::read_to_end(&mut f, &mut got).expect("reads");
            assert_eq!(&got, content);
        }
    }

    #[test]
    fn file_names_are_safe() {
        assert_eq!(department_file_name("民政"), "民政-原表（已填）.xlsx");
        assert_eq!(department_file_name("a/b:c"), "a_b_c-原表（已填）.xlsx");
        assert_eq!(department_file_name(" "), "其他-原表（已填）.xlsx");
    }
}
