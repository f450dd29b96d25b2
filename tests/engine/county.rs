//! The 青山县 fixture county (14 forms in xlsx, xls, ods and CSV) checked against truth.json:
//! every form's header and data rows, and at least 99% of fields with the exact header path,
//! column, unit and role.

use std::path::PathBuf;

use serde_json::Value as Json;
use yibiao::inspect::{inspect, FileReport, FormReport};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/qingshan")
}

fn truth() -> Json {
    let text = std::fs::read_to_string(dir().join("truth.json")).expect("truth.json");
    serde_json::from_str(&text).expect("truth.json parses")
}

fn report(file: &str) -> FileReport {
    let bytes = std::fs::read(dir().join(file)).expect("fixture file");
    inspect(file, &bytes)
}

fn rows(v: &Json) -> Vec<u32> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_u64())
                .map(|x| x as u32)
                .collect()
        })
        .unwrap_or_default()
}

fn opt_row(v: &Json) -> Option<u32> {
    v.as_u64().map(|x| x as u32)
}

/// The form of a report that the truth form describes (by sheet name; CSV files have one).
fn find_form<'a>(rep: &'a FileReport, truth_form: &Json) -> &'a FormReport {
    let sheet = match truth_form["sheet"].as_str() {
        Some(name) => rep
            .sheets
            .iter()
            .find(|s| s.sheet == name)
            .unwrap_or_else(|| panic!("{}: sheet {name} missing", rep.file)),
        None => rep.sheets.first().expect("csv sheet"),
    };
    assert_eq!(sheet.kind, "form", "{} / {}", rep.file, sheet.sheet);
    assert_eq!(
        sheet.forms.len(),
        1,
        "{} / {}: one form",
        rep.file,
        sheet.sheet
    );
    &sheet.forms[0]
}

#[test]
fn every_form_has_the_right_rows_and_fields() {
    let truth = truth();
    let mut total = 0;
    let mut right = 0;
    let mut misses = Vec::new();
    let mut layout_errors = Vec::new();
    for tf in truth["forms"].as_array().expect("forms") {
        let file = tf["file"].as_str().expect("file");
        let id = tf["form_id"].as_str().unwrap_or("?");
        let rep = report(file);
        assert!(rep.errors.is_empty(), "{file}: {:?}", rep.errors);
        let form = find_form(&rep, tf);
        let want_rows = (
            rows(&tf["header_rows"]),
            opt_row(&tf["unit_row"]),
            opt_row(&tf["code_row"]),
            Some([
                tf["data_first_row"].as_u64().unwrap_or(0) as u32,
                tf["data_last_row"].as_u64().unwrap_or(0) as u32,
            ]),
        );
        let got_rows = (
            form.header_rows.clone(),
            form.unit_row,
            form.code_row,
            form.data_rows,
        );
        if want_rows != got_rows {
            layout_errors.push(format!("{id}: want {want_rows:?} got {got_rows:?}"));
        }
        for tfield in tf["fields"].as_array().expect("fields") {
            total += 1;
            let col = tfield["column"].as_u64().unwrap_or(0) as u32;
            let want_path: Vec<String> = tfield["header_path"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|s| s.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default();
            let want_unit = tfield["unit"].as_str().map(String::from);
            let want_role = tfield["role"].as_str().unwrap_or("");
            match form.fields.iter().find(|f| f.column == col) {
                Some(f)
                    if f.header_path == want_path
                        && f.unit == want_unit
                        && f.role == want_role
                        && f.column_letter == tfield["column_letter"].as_str().unwrap_or("") =>
                {
                    right += 1
                }
                Some(f) => misses.push(format!(
                    "{id} {}: want {want_path:?} {want_unit:?} {want_role}, got {:?} {:?} {}",
                    f.column_letter, f.header_path, f.unit, f.role
                )),
                None => misses.push(format!("{id} column {col}: missing")),
            }
        }
        let extra = form.fields.len() as i64 - tf["fields"].as_array().map_or(0, Vec::len) as i64;
        if extra != 0 {
            misses.push(format!("{id}: {extra:+} fields compared with truth"));
        }
    }
    let share = right as f64 / total as f64;
    println!("fields right: {right}/{total} = {:.2}%", share * 100.0);
    for m in &misses {
        println!("  miss: {m}");
    }
    assert!(
        layout_errors.is_empty(),
        "layout errors:\n{}",
        layout_errors.join("\n")
    );
    assert!(
        share >= 0.99,
        "only {:.2}% of fields right:\n{}",
        share * 100.0,
        misses.join("\n")
    );
}

#[test]
fn sheets_without_forms_are_recognised() {
    let truth = truth();
    for ns in truth["non_form_sheets"]
        .as_array()
        .expect("non_form_sheets")
    {
        let file = ns["file"].as_str().unwrap_or("");
        let sheet = ns["sheet"].as_str().unwrap_or("");
        let rep = report(file);
        let s = rep
            .sheets
            .iter()
            .find(|s| s.sheet == sheet)
            .unwrap_or_else(|| panic!("{file}: sheet {sheet} missing"));
        assert_eq!(
            s.kind,
            ns["kind"].as_str().unwrap_or(""),
            "{file} / {sheet}"
        );
        assert!(s.forms.is_empty());
    }
}

#[test]
fn formats_and_encodings_are_reported() {
    let truth = truth();
    for tf in truth["files"].as_array().expect("files") {
        let file = tf["file"].as_str().unwrap_or("");
        let rep = report(file);
        assert_eq!(rep.format.as_deref(), tf["format"].as_str(), "{file}");
        match tf["encoding"].as_str() {
            Some("gbk") => assert_eq!(rep.encoding.as_deref(), Some("GB18030"), "{file}"),
            Some("utf-8-sig") => assert_eq!(rep.encoding.as_deref(), Some("UTF-8 (BOM)"), "{file}"),
            _ => assert_eq!(rep.encoding, None, "{file}"),
        }
    }
}

#[test]
fn dropdown_lists_reach_their_fields() {
    // Inline lists, lists on a 字典 sheet, and lists on a `type` sheet.
    let rep = report("青山县退役军人事务局-退役军人和其他优抚对象信息采集表.xlsx");
    let form = &rep.sheets[0].forms[0];
    let field = |letter: &str| {
        form.fields
            .iter()
            .find(|f| f.column_letter == letter)
            .expect("field")
    };
    assert_eq!(field("D").enum_values, ["男", "女"]);
    assert_eq!(field("E").enum_values.len(), 58);
    assert_eq!(
        field("S").enum_values.first().map(String::as_str),
        Some("一级")
    );
    let rep = report("青山县应急管理局-2024—2025年度冬春生活救助需求及发放台账.xlsx");
    let form = &rep.sheets[0].forms[0];
    let k = form
        .fields
        .iter()
        .find(|f| f.column_letter == "K")
        .expect("K");
    assert_eq!(k.enum_values.len(), 12);
    assert_eq!(k.ty, "enum");
}

#[test]
fn required_columns_come_from_red_fonts_and_asterisks() {
    let rep = report("青山县民政局-2024年民政工作报表（2张）.xlsx");
    let truth = truth();
    let tf = truth["forms"]
        .as_array()
        .and_then(|a| a.iter().find(|f| f["form_id"] == "A01"))
        .expect("A01");
    let form = find_form(&rep, tf);
    for tfield in tf["fields"].as_array().expect("fields") {
        let col = tfield["column"].as_u64().unwrap_or(0) as u32;
        let f = form.fields.iter().find(|f| f.column == col).expect("field");
        assert_eq!(
            f.required,
            tfield["header_font_red"].as_bool().unwrap_or(false),
            "{}",
            f.name
        );
    }
}

#[test]
fn types_follow_the_values() {
    let truth = truth();
    let mut total = 0;
    let mut right = 0;
    for tf in truth["forms"].as_array().expect("forms") {
        let rep = report(tf["file"].as_str().unwrap_or(""));
        let form = find_form(&rep, tf);
        for tfield in tf["fields"].as_array().expect("fields") {
            let col = tfield["column"].as_u64().unwrap_or(0) as u32;
            let Some(f) = form.fields.iter().find(|f| f.column == col) else {
                continue;
            };
            total += 1;
            let want = tfield["type"].as_str().unwrap_or("");
            // Our yes_no is the truth's enum of 是/否.
            let got = if f.ty == "yes_no" {
                "enum"
            } else {
                f.ty.as_str()
            };
            if got == want || (want == "enum" && f.enum_values.is_empty()) {
                right += 1;
            } else {
                println!(
                    "type miss: {} {}: want {want}, got {}",
                    tf["form_id"], f.name, f.ty
                );
            }
        }
    }
    println!("types right: {right}/{total}");
    assert!(right * 100 >= total * 95, "types right: {right}/{total}");
}

#[test]
fn grain_guesses_match_the_forms() {
    let truth = truth();
    for tf in truth["forms"].as_array().expect("forms") {
        let rep = report(tf["file"].as_str().unwrap_or(""));
        let form = find_form(&rep, tf);
        let want = tf["grain"].as_str().unwrap_or("");
        assert!(
            want.starts_with(&form.grain),
            "{}: want {want}, got {} ({})",
            tf["form_id"],
            form.grain,
            form.grain_reason
        );
    }
}
