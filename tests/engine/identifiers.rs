//! No digit lost: every identifier column (ID and phone numbers, bank accounts, certificate,
//! household and plot numbers, codes) is text in the set, the pre-filled set and the
//! departments' workbooks, and every identifier value comes back exactly as written. Each
//! workbook is reopened with calamine (values) and its XML (number formats: a cell's `s=` or its
//! column's `style=` must map to numFmtId 49 in `styles.xml`).

use std::collections::HashMap;
use std::io::{Cursor, Read};

use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
use yibiao::examples::EXAMPLES;
use yibiao::inspect::inspect;
use yibiao::merge::{merge, Project};
use yibiao::plan::identifier::{as_text, column_type, is_identifier_type};
use yibiao::plan::FormSet;
use yibiao::read::{self, Value, Workbook};
use yibiao::split::{self, fill::fill, FormRows, SetRows};
use yibiao::write::forms::department_workbooks;
use yibiao::write::{set_sheet_names, to_xlsx, to_xlsx_filled};
use yibiao::Lang;

/// A written workbook, opened twice: calamine for values, the XML for number formats.
struct Book {
    bytes: Vec<u8>,
    /// numFmtId of each cell format (`s=` index).
    formats: Vec<u32>,
    /// Sheet names in order (sheet `i` is `xl/worksheets/sheet{i+1}.xml`).
    sheets: Vec<String>,
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

/// The value of `attr` in the tag starting at `tag`.
fn attr<'a>(tag: &'a str, attr: &str) -> Option<&'a str> {
    let end = tag.find('>').unwrap_or(tag.len());
    let tag = &tag[..end];
    let at = tag.find(&format!(" {attr}=\""))? + attr.len() + 3;
    tag[at..].split('"').next()
}

impl Book {
    fn open(bytes: Vec<u8>) -> Book {
        let styles = part(&bytes, "xl/styles.xml");
        let xfs = styles
            .split("<cellXfs")
            .nth(1)
            .and_then(|s| s.split("</cellXfs>").next())
            .expect("cellXfs");
        let formats = xfs
            .split("<xf ")
            .skip(1)
            .map(|x| attr(&format!(" {x}"), "numFmtId").map_or(0, |n| n.parse().unwrap()))
            .collect();
        let sheets = part(&bytes, "xl/workbook.xml")
            .split("<sheet ")
            .skip(1)
            .map(|s| attr(&format!(" {s}"), "name").unwrap().to_string())
            .collect();
        Book {
            bytes,
            formats,
            sheets,
        }
    }

    fn xml(&self, sheet: &str) -> String {
        let i = self.sheets.iter().position(|s| s == sheet).expect(sheet);
        part(&self.bytes, &format!("xl/worksheets/sheet{}.xml", i + 1))
    }

    fn numfmt(&self, style: Option<&str>) -> u32 {
        let s: usize = style.map_or(0, |s| s.parse().unwrap());
        self.formats[s]
    }

    /// The number format of 0-based column `col` as a whole.
    fn column_format(&self, xml: &str, col: u32) -> u32 {
        for c in xml.split("<col ").skip(1) {
            let c = format!(" {c}");
            let min: u32 = attr(&c, "min").unwrap().parse().unwrap();
            let max: u32 = attr(&c, "max").unwrap().parse().unwrap();
            if (min..=max).contains(&(col + 1)) {
                return self.numfmt(attr(&c, "style"));
            }
        }
        0
    }

    /// The number format of the cell at 0-based `row`, `col`: its own, else its column's.
    fn cell_format(&self, xml: &str, row: u32, col: u32) -> u32 {
        let r = format!("<c r=\"{}{}\"", letters(col), row + 1);
        match xml.find(&r) {
            Some(at) => match attr(&xml[at..], "s") {
                Some(s) => self.numfmt(Some(s)),
                None => self.column_format(xml, col),
            },
            None => self.column_format(xml, col),
        }
    }

    fn cells(&self, sheet: &str) -> calamine::Range<Data> {
        let mut book: Xlsx<_> =
            open_workbook_from_rs(Cursor::new(self.bytes.clone())).expect("opens");
        book.worksheet_range(sheet).expect("sheet")
    }
}

fn letters(col: u32) -> String {
    let mut n = col + 1;
    let mut out = Vec::new();
    while n > 0 {
        out.push(b'A' + ((n - 1) % 26) as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap()
}

fn cell(range: &calamine::Range<Data>, row: u32, col: u32) -> Data {
    range.get_value((row, col)).cloned().unwrap_or(Data::Empty)
}

/// Every identifier column of every set sheet is text as a whole; with `rows`, every
/// identifier value is a text cell equal to what was written, in a text-formatted cell.
/// Returns the identifier columns' headers.
#[track_caller]
fn check_set(set: &FormSet, bytes: Vec<u8>, rows: &[Vec<Vec<Value>>]) -> Vec<String> {
    let book = Book::open(bytes);
    let names = set_sheet_names(set, Lang::Zh);
    let mut found = Vec::new();
    for (s, sheet) in set.sheets.iter().enumerate() {
        let xml = book.xml(&names[s]);
        let range = book.cells(&names[s]);
        let filled = rows.get(s).map_or(&[][..], Vec::as_slice);
        // The first data row: 序号 1.
        let first = (0..range.height() as u32 + 1)
            .find(|&r| cell(&range, r, 0) == Data::Float(1.0))
            .unwrap_or(0);
        for (k, column) in sheet.columns.iter().enumerate() {
            let canon = &set.canonical[column.canonical];
            let ty = column_type(canon, filled.iter().filter_map(|r| r.get(k)));
            let col = k as u32 + 1;
            let whole = book.column_format(&xml, col);
            if !is_identifier_type(ty) {
                assert_ne!(
                    (whole, canon.ty.as_str()),
                    (49, "decimal"),
                    "{}: {}",
                    names[s],
                    column.header
                );
                continue;
            }
            found.push(column.header.clone());
            assert_eq!(
                whole, 49,
                "{} / {}: column not text",
                names[s], column.header
            );
            for (i, row) in filled.iter().enumerate() {
                let Some(v) = row.get(k).filter(|v| !v.is_blank()) else {
                    continue;
                };
                let r = first + i as u32;
                let want = as_text(v).text();
                assert_eq!(
                    cell(&range, r, col),
                    Data::String(want.clone()),
                    "{} / {} row {}",
                    names[s],
                    column.header,
                    r + 1
                );
                assert_eq!(book.cell_format(&xml, r, col), 49, "{want}");
            }
        }
    }
    found
}

/// In each department's workbook, every identifier value of `forms` is a text cell equal to
/// what was written, in a text-formatted cell of a text-formatted column; no cell holds a
/// number long enough to be an identifier. Returns how many values were checked.
#[track_caller]
fn check_departments(set: &FormSet, forms: &[FormRows]) -> usize {
    let books = department_workbooks(set, forms).expect("department workbooks write");
    let mut checked = 0;
    for (file, bytes) in books {
        let book = Book::open(bytes);
        // Where each text is, over the whole book.
        let mut at: HashMap<String, Vec<(String, u32, u32)>> = HashMap::new();
        for sheet in &book.sheets {
            let range = book.cells(sheet);
            let (r0, c0) = range.start().unwrap_or((0, 0));
            for (r, row) in range.rows().enumerate() {
                for (c, d) in row.iter().enumerate() {
                    let (r, c) = (r0 + r as u32, c0 + c as u32);
                    match d {
                        Data::String(t) => {
                            at.entry(t.clone()).or_default().push((sheet.clone(), r, c))
                        }
                        Data::Float(x) => assert!(x.abs() < 1e11, "{file} {sheet}: number {x}"),
                        Data::Int(x) => assert!(x.abs() < 100_000_000_000, "{file}: {x}"),
                        _ => {}
                    }
                }
            }
        }
        for form in forms {
            let source = &set.sources[form.source];
            if file != yibiao::write::forms::department_file_name(&source.department) {
                continue;
            }
            for (k, field) in source.fields.iter().enumerate() {
                let canon = field
                    .canonical
                    .as_deref()
                    .and_then(|id| set.canonical.iter().find(|c| c.id == id));
                let values = form.rows.iter().filter_map(|r| r.get(k));
                let text = match canon {
                    Some(c) => is_identifier_type(column_type(c, values)),
                    None => is_identifier_type(&field.ty),
                };
                if !text {
                    continue;
                }
                for row in &form.rows {
                    let Some(v) = row.get(k).filter(|v| !v.is_blank()) else {
                        continue;
                    };
                    let want = as_text(v).text();
                    let places = at.get(&want).unwrap_or_else(|| {
                        panic!("{file}: {} value {want} not found as text", field.name)
                    });
                    let (sheet, r, c) = places
                        .iter()
                        .find(|p| p.2 + 1 == field.column)
                        .unwrap_or_else(|| panic!("{file}: {want} not in {}", field.column_letter));
                    let xml = book.xml(sheet);
                    assert_eq!(book.cell_format(&xml, *r, *c), 49, "{file}: {want}");
                    assert_eq!(book.column_format(&xml, *c), 49, "{file}: {}", field.name);
                    checked += 1;
                }
            }
        }
    }
    checked
}

/// The set filled from `originals`, written, read back as a village returns it, and assembled
/// into each original form's rows.
fn round_trip(
    project: &Project,
    originals: &[(String, Workbook)],
) -> (Vec<Vec<Vec<Value>>>, Vec<FormRows>) {
    let set = &project.set;
    let refs: Vec<(&str, &Workbook)> = originals.iter().map(|(n, w)| (n.as_str(), w)).collect();
    let values = fill(set, &refs).values();
    let bytes = to_xlsx_filled(set, Lang::Zh, &values).expect("filled set writes");
    let mut rows = SetRows::new(set);
    split::read_filled_bytes(set, "已填.xlsx", &bytes, &mut rows);
    (values, split::assemble(set, &rows).forms)
}

/// Digit strings of identifier columns turned into numbers, as a source that stored them as
/// numbers gives them (the long ones have lost digits already).
fn as_numbers(set: &FormSet, rows: &mut [Vec<Vec<Value>>]) {
    for (s, sheet) in set.sheets.iter().enumerate() {
        for row in rows.get_mut(s).into_iter().flatten() {
            for (k, column) in sheet.columns.iter().enumerate() {
                if !is_identifier_type(&set.canonical[column.canonical].ty) {
                    continue;
                }
                if let Some(v) = row.get_mut(k) {
                    if let Value::Text(t) = v {
                        if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
                            *v = Value::Number(t.parse().unwrap());
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn the_example_countys_identifiers_are_text_in_every_workbook() {
    let project = merge(
        &EXAMPLES
            .iter()
            .map(|(n, b)| inspect(n, b))
            .collect::<Vec<_>>(),
        "",
        &[],
    )
    .expect("merge");
    let set = &project.set;
    let headers = check_set(set, to_xlsx(set, Lang::Zh).expect("set writes"), &[]);
    for expected in [
        "公民身份号码",
        "银行账号",
        "户编号",
        "地块编号",
        "残疾人证号",
        "行政村（社区）代码",
        "低保证号",
    ] {
        assert!(
            headers.iter().any(|h| h.contains(expected)),
            "{expected} not text: {headers:?}"
        );
    }

    let originals: Vec<(String, Workbook)> = EXAMPLES
        .iter()
        .map(|(n, b)| (n.to_string(), read::read(n, b).expect("reads")))
        .collect();
    let (values, forms) = round_trip(&project, &originals);
    let bytes = to_xlsx_filled(set, Lang::Zh, &values).expect("filled set writes");
    check_set(set, bytes, &values);
    assert!(check_departments(set, &forms) > 0);
}

/// A check digit for 17 digits (GB 11643).
fn with_check(first17: &str) -> String {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17
        .bytes()
        .zip(W)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{first17}{check}")
}

#[test]
fn accounts_certificates_plots_and_codes_keep_every_digit() {
    let rows = [
        (
            "张三",
            "11010119900307001",
            "6228480012345678901",
            "0012345678",
            "0101001",
            "010010",
        ),
        (
            "李四",
            "11010119850512002",
            "6217000010001234567",
            "0012345679",
            "0101002",
            "010020",
        ),
    ];
    let mut csv = String::from(
        "序号,乡镇,村,姓名,身份证号,银行卡号,低保证号,残疾人证号,户编号,地块编号,行政区划代码,邮政编码,统一社会信用代码,补贴金额（元）\n",
    );
    for (i, (name, id17, account, household, plot, post)) in rows.iter().enumerate() {
        let id = with_check(id17);
        csv.push_str(&format!(
            "{},青山镇,石桥村,{name},{id},{account},00{i}2024,{id}1{i},{household},{plot},330102001001,{post},91330100MA2XXXXX0{i},1200.5\n",
            i + 1
        ));
    }
    let name = "青山县民政局-低保对象银行账户花名册.csv";
    let project = merge(&[inspect(name, csv.as_bytes())], "", &[]).expect("merge");
    let set = &project.set;

    // The set: every identifier column text, with its length rule where the lexicon knows it.
    let bytes = to_xlsx(set, Lang::Zh).expect("set writes");
    let headers = check_set(set, bytes.clone(), &[]);
    for expected in [
        "银行账号",
        "低保证号",
        "残疾人证号",
        "户编号",
        "地块编号",
        "行政村（社区）代码",
        "邮政编码",
        "统一社会信用代码",
    ] {
        assert!(
            headers.iter().any(|h| h.contains(expected)),
            "{expected} not text: {headers:?}"
        );
    }
    assert!(!headers.iter().any(|h| h.contains("金额")), "{headers:?}");
    let sheets: String = (3..3 + set.sheets.len())
        .map(|i| part(&bytes, &format!("xl/worksheets/sheet{i}.xml")))
        .collect();
    for n in [12, 6, 18] {
        assert!(
            sheets.contains(&format!("<formula1>{n}</formula1>")),
            "no {n}-character rule"
        );
    }
    assert!(sheets.contains("应为6位，请按文本格式填写"));

    // Pre-filled from the file: text as read, leading zeros and 19-digit accounts intact.
    let original = read::read(name, csv.as_bytes()).expect("reads");
    let (mut values, forms) = round_trip(&project, &[(name.to_string(), original)]);
    let written = to_xlsx_filled(set, Lang::Zh, &values).expect("filled set writes");
    check_set(set, written.clone(), &values);
    let all: String = Book::open(written.clone())
        .sheets
        .iter()
        .map(|s| format!("{:?}", Book::open(written.clone()).cells(s)))
        .collect();
    for kept in [
        "6228480012345678901",
        "0012345678",
        "0101001",
        "010010",
        "330102001001",
    ] {
        assert!(all.contains(kept), "{kept} lost");
    }
    assert!(check_departments(set, &forms) >= 2 * 8);

    // Read as numbers (a source that stored them so): written as their digits, as text.
    as_numbers(set, &mut values);
    assert!(values
        .iter()
        .flatten()
        .flatten()
        .any(|v| matches!(v, Value::Number(n) if *n > 1e18)));
    check_set(
        set,
        to_xlsx_filled(set, Lang::Zh, &values).expect("writes"),
        &values,
    );
    let numeric: Vec<FormRows> = forms
        .iter()
        .map(|f| {
            let source = &set.sources[f.source];
            let mut f = f.clone();
            for row in &mut f.rows {
                for (v, field) in row.iter_mut().zip(&source.fields) {
                    let code = field
                        .canonical
                        .as_deref()
                        .and_then(|id| set.canonical.iter().find(|c| c.id == id))
                        .is_some_and(|c| is_identifier_type(&c.ty));
                    if let (true, Value::Text(t)) = (code, &*v) {
                        if t.bytes().all(|b| b.is_ascii_digit()) && !t.is_empty() {
                            *v = Value::Number(t.parse().unwrap());
                        }
                    }
                }
            }
            f
        })
        .collect();
    assert!(check_departments(set, &numeric) >= 2 * 6);
}
