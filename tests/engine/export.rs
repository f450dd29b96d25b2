//! The exported form set, reopened as a person (or Excel) would: the fixture county merged,
//! written to xlsx, read back with calamine — catalog, sheets, headers, validations, a complete
//! crosswalk, IDs as text — and with our own `inspect`, which must find exactly the set's sheets
//! and fields.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
use yibiao::inspect::inspect;
use yibiao::merge::{merge, Project};
use yibiao::plan::SetSheetKind;
use yibiao::Lang;

use crate::merging::reports;

fn exported() -> (Project, Vec<u8>) {
    let p = merge(&reports(), "", &[]).expect("merge");
    let bytes = yibiao::write::to_xlsx(&p.set, Lang::Zh).expect("xlsx");
    (p, bytes)
}

fn cells(book: &mut Xlsx<Cursor<Vec<u8>>>, sheet: &str) -> Vec<Vec<String>> {
    let range = book.worksheet_range(sheet).expect("sheet");
    let (r0, c0) = range.start().unwrap_or((0, 0));
    let mut out = vec![Vec::new(); r0 as usize];
    for row in range.rows() {
        let mut line = vec![String::new(); c0 as usize];
        line.extend(row.iter().map(|d| match d {
            Data::String(s) => s.clone(),
            Data::Empty => String::new(),
            other => other.to_string(),
        }));
        out.push(line);
    }
    out
}

fn part(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("zip");
    let mut text = String::new();
    zip.by_name(name)
        .expect("part")
        .read_to_string(&mut text)
        .expect("utf-8");
    text
}

#[test]
fn the_exported_set_opens_with_catalog_sheets_headers_and_crosswalk() {
    let (p, bytes) = exported();
    let set = &p.set;
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.clone())).expect("opens");
    let names = book.sheet_names();
    let mut expect = vec!["目录".to_string(), "填表说明".to_string()];
    expect.extend(set.sheets.iter().map(|s| s.name.clone()));
    expect.extend(["字段对照表".to_string(), "重叠矩阵".to_string()]);
    assert_eq!(names[..expect.len()], expect[..]);

    // The catalog names every sheet of the set and every original form.
    let catalog: String = cells(&mut book, "目录").concat().join("\n");
    for s in &set.sheets {
        assert!(catalog.contains(&s.name), "catalog lacks {}", s.name);
    }
    for s in &set.sources {
        assert!(catalog.contains(&s.title), "catalog lacks {}", s.title);
    }

    // Every sheet: 序号 then the columns' headers, required ones starred.
    for s in &set.sheets {
        let grid = cells(&mut book, &s.name);
        let header_rows: Vec<&Vec<String>> = grid.iter().skip(1).take(2).collect();
        let leaf = |col: usize| -> String {
            header_rows
                .iter()
                .rev()
                .map(|r| r.get(col).cloned().unwrap_or_default())
                .find(|t| !t.is_empty())
                .unwrap_or_default()
        };
        assert_eq!(leaf(0), "序号", "{}", s.name);
        for (i, c) in s.columns.iter().enumerate() {
            let want = if c.required {
                format!("*{}", c.header)
            } else {
                c.header.clone()
            };
            assert_eq!(leaf(i + 1), want, "{} column {}", s.name, i + 2);
        }
    }

    // The crosswalk lists every original field exactly once.
    let cross = cells(&mut book, "字段对照表");
    let head = cross
        .iter()
        .position(|r| r.iter().any(|c| c == "原表头"))
        .expect("crosswalk header");
    let col = |name: &str| cross[head].iter().position(|c| c == name).expect(name);
    let (file, form, header, letter) = (col("原文件"), col("原表"), col("原表头"), col("原列"));
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    for r in &cross[head + 1..] {
        if r.get(file).is_some_and(|f| !f.is_empty()) {
            *seen
                .entry((
                    format!("{}#{}", r[file], r[form]),
                    format!("{}#{}", r[header], r[letter]),
                ))
                .or_default() += 1;
        }
    }
    let total: usize = set.sources.iter().map(|s| s.fields.len()).sum();
    assert_eq!(seen.values().sum::<usize>(), total);
    for s in &set.sources {
        for f in &s.fields {
            let key = (
                format!("{}#{}", s.file, s.title),
                format!("{}#{}", f.header_path.join(" / "), f.column_letter),
            );
            assert_eq!(seen.get(&key), Some(&1), "{key:?}");
        }
    }

    // The overlap sheet shows, per department, the header each uses for the shared fields.
    let overlap = cells(&mut book, "重叠矩阵");
    let head = overlap
        .iter()
        .position(|r| {
            r.first().is_some_and(|c| c == "部门") && r.iter().any(|c| c == "公民身份号码")
        })
        .expect("department × field table");
    let id_col = overlap[head]
        .iter()
        .position(|c| c == "公民身份号码")
        .expect("ID column");
    let canlian = overlap[head + 1..]
        .iter()
        .find(|r| r.first().is_some_and(|c| c == "残联"))
        .expect("残联 row");
    assert_eq!(canlian[id_col], "身份证号码");

    // IDs are text with an 18-character rule; dropdowns and number rules are present.
    let person = set
        .sheets
        .iter()
        .position(|s| s.kind == SetSheetKind::Base && s.grain == "person")
        .expect("person base");
    let xml = part(&bytes, &format!("xl/worksheets/sheet{}.xml", person + 3));
    assert!(
        xml.contains("type=\"textLength\""),
        "{}",
        &xml[..400.min(xml.len())]
    );
    assert!(xml.contains("type=\"list\""));
    assert!(xml.contains("state=\"frozen\""));
    assert!(part(&bytes, "xl/styles.xml").contains("numFmtId=\"49\""));
}

#[test]
fn inspect_finds_exactly_the_sets_sheets_and_fields_in_the_export() {
    let (p, bytes) = exported();
    let report = inspect("综合表.xlsx", &bytes);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let forms: Vec<_> = report.sheets.iter().filter(|s| s.kind == "form").collect();
    let names: Vec<&str> = forms.iter().map(|s| s.sheet.as_str()).collect();
    let want: Vec<&str> = p.set.sheets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, want);
    for (sheet, set_sheet) in forms.iter().zip(&p.set.sheets) {
        assert_eq!(sheet.forms.len(), 1, "{}", sheet.sheet);
        let got: Vec<String> = sheet.forms[0]
            .fields
            .iter()
            .filter(|f| f.role == "data" || yibiao::fields::is_remarks(&f.name))
            .map(|f| f.name.clone())
            .collect();
        let want: Vec<String> = set_sheet
            .columns
            .iter()
            .map(|c| yibiao::text::normalize_name(&c.header))
            .collect();
        assert_eq!(got, want, "{}", sheet.sheet);
        assert_eq!(
            sheet.forms[0].header_rows.len(),
            if set_sheet.columns.iter().any(|c| c.group.is_some()) {
                2
            } else {
                1
            }
        );
    }
}
