//! Source forms from inspect reports: every form of every readable file, with its department,
//! frequency and burden counts.

use std::collections::HashSet;

use crate::inspect::FileReport;
use crate::matching::Lexicon;
use crate::plan::{SourceField, SourceForm};

/// Every form found in the reports, in file and sheet order. Files that could not be read
/// contribute nothing (their errors stay in their reports).
pub fn sources_from_reports(reports: &[FileReport], lex: &Lexicon) -> Vec<SourceForm> {
    let mut out = Vec::new();
    for file in reports {
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
                let department = lex
                    .department_of(&file.file)
                    .or_else(|| lex.department_of(&title))
                    .unwrap_or_else(|| issuer_from_file_name(&file.file));
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
                    })
                    .collect();
                out.push(SourceForm {
                    file: file.file.clone(),
                    sheet: sheet.sheet.clone(),
                    frequency: frequency_of(&title),
                    title,
                    department,
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
    }
    out
}

/// The issuing office from a file name `青山县某某局-表名.xlsx` when no department word is known.
fn issuer_from_file_name(file: &str) -> String {
    let stem = crate::read::file_stem(file);
    match stem.split_once(['-', '－', '_']) {
        Some((a, _)) if !a.trim().is_empty() => a.trim().to_string(),
        _ => "其他".into(),
    }
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
