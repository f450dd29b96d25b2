//! Checks `inspect` against a `truth.json` written by tests/fixtures/make_fixtures.py:
//! `cargo run --release --example truth_check -- DIR` prints the share of forms whose rows are
//! right and of fields whose header path, column, unit and role are right, with the misses.
//! Used on the generated scale set (`--scale N`), which is too slow to generate in `cargo test`.

use std::path::PathBuf;

use serde_json::Value;
use yibiao::inspect::inspect;

fn main() {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "tests/fixtures/qingshan".into()),
    );
    let truth: Value =
        match std::fs::read_to_string(dir.join("truth.json")).map(|t| serde_json::from_str(&t)) {
            Ok(Ok(t)) => t,
            _ => {
                eprintln!("no readable truth.json in {}", dir.display());
                std::process::exit(2);
            }
        };
    let (mut forms, mut forms_right, mut fields, mut fields_right) = (0, 0, 0, 0);
    let mut misses = Vec::new();
    for tf in truth["forms"].as_array().into_iter().flatten() {
        forms += 1;
        let file = tf["file"].as_str().unwrap_or_default();
        let bytes = std::fs::read(dir.join(file)).unwrap_or_default();
        let rep = inspect(file, &bytes);
        let sheet = match tf["sheet"].as_str() {
            Some(s) => rep.sheets.iter().find(|x| x.sheet == s),
            None => rep.sheets.first(),
        };
        let Some(form) = sheet.and_then(|s| s.forms.first()) else {
            misses.push(format!("{file}: no form found"));
            fields += tf["fields"].as_array().map_or(0, Vec::len);
            continue;
        };
        let rows = |v: &Value| -> Vec<u32> {
            v.as_array()
                .into_iter()
                .flatten()
                .filter_map(|x| x.as_u64())
                .map(|x| x as u32)
                .collect()
        };
        let want = (
            rows(&tf["header_rows"]),
            tf["unit_row"].as_u64().map(|x| x as u32),
            tf["code_row"].as_u64().map(|x| x as u32),
            Some([
                tf["data_first_row"].as_u64().unwrap_or(0) as u32,
                tf["data_last_row"].as_u64().unwrap_or(0) as u32,
            ]),
        );
        let got = (
            form.header_rows.clone(),
            form.unit_row,
            form.code_row,
            form.data_rows,
        );
        if want == got {
            forms_right += 1;
        } else {
            misses.push(format!("{file}: rows want {want:?} got {got:?}"));
        }
        for tfield in tf["fields"].as_array().into_iter().flatten() {
            fields += 1;
            let col = tfield["column"].as_u64().unwrap_or(0) as u32;
            let path: Vec<String> = tfield["header_path"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|s| s.as_str().map(String::from))
                .collect();
            let unit = tfield["unit"].as_str().map(String::from);
            let role = tfield["role"].as_str().unwrap_or_default();
            match form.fields.iter().find(|f| f.column == col) {
                Some(f) if f.header_path == path && f.unit == unit && f.role == role => {
                    fields_right += 1
                }
                Some(f) => misses.push(format!(
                    "{file} {}: want {path:?} {unit:?} {role}; got {:?} {:?} {}",
                    f.column_letter, f.header_path, f.unit, f.role
                )),
                None => misses.push(format!("{file} col {col}: missing")),
            }
        }
    }
    for m in misses.iter().take(10000) {
        println!("miss: {m}");
    }
    println!(
        "forms with right rows: {forms_right}/{forms}; fields right: {fields_right}/{fields} = {:.2}%",
        100.0 * fields_right as f64 / fields.max(1) as f64
    );
}
