//! Source forms from inspect reports: every form of every readable file, with its department,
//! frequency and burden counts.

use std::collections::HashSet;

use crate::inspect::FileReport;
use crate::matching::Lexicon;
use crate::plan::{SourceField, SourceForm};
use crate::reasons;

/// Every form found in the reports, in file and sheet order. Files that could not be read
/// contribute nothing (their errors stay in their reports).
pub fn sources_from_reports(reports: &[FileReport], lex: &Lexicon) -> Vec<SourceForm> {
    let mut out: Vec<SourceForm> = Vec::new();
    for file in reports {
        let first = out.len();
        // Whether the file name, title or sheet name said each form's department.
        let mut named: Vec<bool> = Vec::new();
        for sheet in &file.sheets {
            if sheet.kind != "form" {
                continue;
            }
            for form in &sheet.forms {
                if form.fields.is_empty() {
                    continue;
                }
                let title = form
                    .title
                    .clone()
                    .filter(|t| !t.trim().is_empty())
                    .unwrap_or_else(|| {
                        if sheet.sheet.is_empty() {
                            crate::read::file_stem(&file.file).to_string()
                        } else {
                            sheet.sheet.clone()
                        }
                    });
                let field_names: Vec<&str> = form.fields.iter().map(|f| f.name.as_str()).collect();
                let (department, department_reason, said) =
                    department_for(lex, &file.file, &title, &sheet.sheet, &field_names);
                named.push(said);
                let fields: Vec<SourceField> = form
                    .fields
                    .iter()
                    .map(|f| SourceField {
                        column: f.column,
                        column_letter: f.column_letter.clone(),
                        header_path: f.header_path.clone(),
                        name: f.name.clone(),
                        unit: f.unit.clone(),
                        ty: f.ty.clone(),
                        enum_values: f.enum_values.clone(),
                        required: f.required,
                        role: f.role.clone(),
                        canonical: None,
                        level: String::new(),
                        label_cell: f.label_cell.clone(),
                        value_cell: f.value_cell.clone(),
                    })
                    .collect();
                out.push(SourceForm {
                    file: file.file.clone(),
                    sheet: sheet.sheet.clone(),
                    frequency: frequency_of(&title),
                    shape: form.shape.clone(),
                    title,
                    department,
                    department_reason,
                    grain: form.grain.clone(),
                    header_rows: form.header_rows.clone(),
                    header_cells: header_cells(&fields),
                    data_first_row: form
                        .data_rows
                        .map(|[a, _]| a)
                        .or_else(|| {
                            (form.template.data_first_row > 0)
                                .then_some(form.template.data_first_row)
                        })
                        .or_else(|| form.header_rows.last().map(|r| r + 1))
                        .unwrap_or(1),
                    fields,
                    join_key: Vec::new(),
                    template: form.template.clone(),
                });
            }
        }
        // A workbook comes from one office: a form nothing named takes the department its
        // file's other forms were named for.
        let said = (first..out.len())
            .zip(&named)
            .find(|(_, &n)| n)
            .map(|(i, _)| out[i].department.clone());
        if let Some(d) = said {
            for (i, _) in (first..out.len()).zip(&named).filter(|(_, &n)| !n) {
                out[i].department.clone_from(&d);
                out[i].department_reason = reasons::department_from_same_file();
            }
        }
    }
    out
}

/// The department that issues a form, and what said so, in this order: a department word of
/// the lexicon in the file name; the issuing office written before the file name's dash
/// (`青山县某某局-表名.xlsx`); a department word in the title, then in the sheet name; the
/// department field names point to (低保 → 民政, 优抚 → 退役军人), when at least two do; else
/// `其他`. The flag says whether the file name, title or sheet name said it (a form they do not
/// name takes the department of its file's other forms).
pub fn department_for(
    lex: &Lexicon,
    file: &str,
    title: &str,
    sheet: &str,
    field_names: &[&str],
) -> (String, String, bool) {
    let stem = crate::read::file_stem(file);
    if let Some((d, w)) = lex.department_word(&stem) {
        return (d, reasons::department_from_file(&w), true);
    }
    if let Some(issuer) = issuer_from_file_name(&stem) {
        return (issuer, reasons::department_from_issuer(), true);
    }
    if let Some((d, w)) = lex.department_word(title) {
        return (d, reasons::department_from_title(&w), true);
    }
    if let Some((d, w)) = lex.department_word(sheet) {
        return (d, reasons::department_from_sheet(&w), true);
    }
    // Field names: the department most of them name; a tie goes to the one named first.
    let mut votes: Vec<(String, String, usize)> = Vec::new();
    for name in field_names {
        if let Some((d, w)) = lex.department_word(name) {
            match votes.iter_mut().find(|v| v.0 == d) {
                Some(v) => v.2 += 1,
                None => votes.push((d, w, 1)),
            }
        }
    }
    let best = votes
        .into_iter()
        .enumerate()
        .max_by_key(|(i, v)| (v.2, usize::MAX - i))
        .map(|(_, v)| v);
    if let Some((d, w, n)) = best.filter(|b| b.2 >= 2) {
        return (d, reasons::department_from_fields(&w, n), false);
    }
    ("其他".into(), reasons::department_unknown(), false)
}

/// The issuing office from a file name `青山县某某局-表名.xlsx`: the part before the dash, when
/// it is written in Chinese (a code or an English word there names no office).
fn issuer_from_file_name(stem: &str) -> Option<String> {
    let (a, _) = stem.split_once(['-', '－', '_'])?;
    let a = a.trim();
    let chinese = a.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    (chinese && a.chars().count() >= 2).then(|| a.to_string())
}

/// `年报` unless the title says otherwise.
pub fn frequency_of(title: &str) -> String {
    let t = title;
    if t.contains("季度") || t.contains("季报") {
        "季报".into()
    } else if t.contains("月报") || t.contains("每月") || t.contains("月份") {
        "月报".into()
    } else if t.contains("半年") {
        "半年报".into()
    } else {
        "年报".into()
    }
}

/// Header cells a filler reads: every leaf plus every distinct group cell above it.
fn header_cells(fields: &[SourceField]) -> u32 {
    let mut groups: HashSet<(usize, Vec<&str>)> = HashSet::new();
    let mut leaves = 0;
    let mut prev: Option<&SourceField> = None;
    for f in fields {
        leaves += 1;
        for depth in 0..f.header_path.len().saturating_sub(1) {
            let prefix: Vec<&str> = f.header_path[..=depth].iter().map(String::as_str).collect();
            // A group label repeated after a gap is a second cell.
            let continues = prev.is_some_and(|p| {
                p.header_path.len() > depth + 1
                    && p.header_path[..=depth]
                        .iter()
                        .map(String::as_str)
                        .eq(prefix.iter().copied())
            });
            if !continues {
                groups.insert((f.column as usize, prefix));
            }
        }
        prev = Some(f);
    }
    leaves + groups.len() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The department found for a form, and the English of what said so.
    #[track_caller]
    fn check(file: &str, title: &str, sheet: &str, fields: &[&str], want: (&str, &str, bool)) {
        let lex = Lexicon::builtin();
        let (d, why, said) = department_for(&lex, file, title, sheet, fields);
        let why = reasons::in_lang(crate::error::Lang::En, &why).into_owned();
        assert_eq!((d.as_str(), why.as_str(), said), want, "{file} / {title}");
    }

    #[test]
    fn department_from_file_title_sheet_or_fields() {
        check(
            "青山县民政局-2024年高龄津贴发放花名册.xlsx",
            "",
            "",
            &[],
            ("民政", "The file name says “民政”", true),
        );
        // The office before the dash, when no department word is known.
        check(
            "青山县气象局-降水观测台账.xlsx",
            "",
            "",
            &[],
            (
                "青山县气象局",
                "The file name starts with the issuing office",
                true,
            ),
        );
        // A file named in English or by a code says nothing; the title does.
        check(
            "person_archive.xml",
            "成都住房公积金封存清册",
            "Sheet1",
            &[],
            ("住房公积金", "The title says “住房公积金”", true),
        );
        check(
            "tz_cer_446.html",
            "部分优抚对象临时性生活补助登记审批表",
            "",
            &[],
            ("退役军人", "The title says “优抚”", true),
        );
        check(
            "export.xls",
            "Sheet1",
            "扶贫对象",
            &[],
            ("乡村振兴", "The sheet name says “扶贫”", true),
        );
        // Field names: two at least, the most named department.
        check(
            "dependant.xls",
            "三属人员导入模板",
            "Sheet1",
            &["姓名", "优抚对象类别", "抚恤金额", "低保对象"],
            (
                "退役军人",
                "2 field names name the programme, e.g. “优抚”",
                false,
            ),
        );
        check(
            "a.xls",
            "Sheet1",
            "Sheet1",
            &["姓名", "是否低保"],
            (
                "其他",
                "Neither the file name, the title, the sheet name nor the field names say which department",
                false,
            ),
        );
        // 统计表 is a kind of form, not the statistics bureau; 参保 alone names no department.
        check(
            "bzt_tj.xls",
            "统计表",
            "参保人员",
            &[],
            (
                "其他",
                "Neither the file name, the title, the sheet name nor the field names say which department",
                false,
            ),
        );
    }
}
