//! Excel 2003 XML (SpreadsheetML) exports from real systems, read through `read` and `inspect`:
//! the facts checked here were read off the XML by hand.

use std::path::PathBuf;

use yibiao::inspect::inspect;
use yibiao::read::{read, Format, ListSource, Rect, Sheet, Value, Workbook};

fn bytes(file: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/real-dev")
        .join(file);
    std::fs::read(path).expect("fixture file")
}

fn workbook(file: &str) -> Workbook {
    let wb = read(file, &bytes(file)).expect("reads");
    assert_eq!(wb.format, Format::SpreadsheetMl, "{file}");
    assert!(wb.sheet_errors.is_empty(), "{file}: {:?}", wb.sheet_errors);
    wb
}

fn names(wb: &Workbook) -> Vec<&str> {
    wb.sheets.iter().map(|s| s.name.as_str()).collect()
}

fn text(sheet: &Sheet, a1: &str) -> String {
    let (r, c) = yibiao::read::parse_a1(a1).expect("a1");
    sheet.grid.get(r, c).text()
}

fn merges(sheet: &Sheet) -> Vec<String> {
    sheet.merges.iter().map(Rect::a1).collect()
}

#[test]
fn person_open() {
    let wb = workbook("lizuohuan__daoyuan-admin/person_open.xml");
    assert_eq!(names(&wb), ["Sheet1", "Sheet2", "Sheet3"]);
    assert!(wb.sheets.iter().all(|s| !s.hidden));
    let s = &wb.sheets[0];
    assert_eq!(
        text(s, "A1"),
        "成都住房公积金个人账户设立清册（批量导入文件格式）"
    );
    // The note cell after a 10-column merge starts at K.
    assert!(text(s, "K1").starts_with("1、证件种类：1居民身份证"));
    assert_eq!(text(s, "J2"), "个人邮箱");
    assert_eq!(text(s, "D4"), "111111111111111111");
    assert_eq!(s.grid.get(3, 7), &Value::Number(13_111_111_111.0));
    assert_eq!(&merges(s)[..4], ["A1:J1", "K1:N4", "A2:A3", "B2:B3"]);
    assert_eq!(s.merges.len(), 12);
    // The note is dark red (#C00000).
    assert_eq!(s.red_cells, [(0, 10)]);
    assert_eq!(s.col_widths, [(3, 3, 22.71), (7, 8, 15.14)]);
    let v = &s.validations;
    assert_eq!(v.len(), 2);
    assert_eq!(
        v[0].ranges,
        [Rect::new(0, 6, 0, 6), Rect::new(3, 6, 65_535, 6)]
    );
    assert_eq!(
        v[0].source,
        ListSource::Values(vec!["1".into(), "2".into()])
    );
    assert_eq!(v[1].source, ListSource::Values(vec!["1".into()]));
    assert!(wb.sheets[1].grid.is_empty() && wb.sheets[2].grid.is_empty());
}

#[test]
fn person_archive_and_unseal() {
    let wb = workbook("lizuohuan__daoyuan-admin/person_archive.xml");
    assert_eq!(names(&wb), ["Sheet1", "Sheet2", "Sheet3"]);
    let s = &wb.sheets[0];
    // `&#10;` line breaks are kept.
    assert_eq!(
        text(s, "F1"),
        "封存原因：\n1、保留劳动关系停发工资\n2、符合销户条件暂不支取\n3、调动暂不转移"
    );
    assert_eq!(text(s, "E2"), "封存原因");
    assert_eq!(&merges(s)[..2], ["A1:E1", "F1:I4"]);
    // The note (#FF0000) and the example row (red styles) are red; the headers are not.
    assert_eq!(
        s.red_cells,
        [(0, 5), (3, 0), (3, 1), (3, 2), (3, 3), (3, 4)]
    );
    assert_eq!(
        s.validations[0].source,
        ListSource::Values(vec!["1".into(), "2".into(), "3".into()])
    );
    // Columns without an index follow the one before.
    assert_eq!(s.col_widths.len(), 5);
    assert_eq!(s.col_widths[1], (1, 1, 16.43));

    let wb = workbook("lizuohuan__daoyuan-admin/person_unseal.xml");
    let s = &wb.sheets[0];
    assert_eq!(text(s, "F2"), "启封原因");
    assert_eq!(s.grid.get(3, 1), &Value::Number(11_111_111_111.0));
    assert_eq!(&merges(s)[..2], ["A1:F1", "G1:P4"]);
    assert_eq!(s.red_cells.len(), 7);
    assert_eq!(s.validations[0].ranges[1], Rect::new(3, 5, 65_535, 5));
}

#[test]
fn add_member_cd() {
    let wb = workbook("lizuohuan__daoyuan-admin/add_member_cd.xml");
    assert_eq!(names(&wb), ["Sheet1"]);
    let s = &wb.sheets[0];
    let row: Vec<String> = s.grid.row(0).iter().map(Value::text).collect();
    assert_eq!(
        row,
        [
            "姓名",
            "身份证号码",
            "人员类别",
            "文化程度",
            "参保时间",
            "申报工资",
            "电话号码"
        ]
    );
    assert_eq!(s.grid.height(), 1);
    assert!(s.merges.is_empty() && s.red_cells.is_empty() && s.validations.is_empty());
    assert_eq!(s.col_widths, [(1, 1, 22.71)]);
}

#[test]
fn mr() {
    let wb = workbook("CaoHongchang__test/mr.xml");
    assert_eq!(names(&wb), ["材料清单"]);
    let s = &wb.sheets[0];
    assert_eq!(text(s, "A1"), "人事档案目录");
    assert_eq!(text(s, "D2"), "档案编号：");
    assert_eq!(text(s, "A3"), "身份证号：");
    assert_eq!(text(s, "F4"), "页数");
    // `ss:Index="3"` and the cells after it.
    assert_eq!(
        (text(s, "C5"), text(s, "D5"), text(s, "E5")),
        ("年".into(), "月".into(), "日".into())
    );
    assert_eq!(
        merges(s),
        [
            "A1:G1", "A2:C2", "D2:E2", "F2:G2", "A3:C3", "A4:A5", "B4:B5", "C4:E4", "F4:F5",
            "G4:G5"
        ]
    );
    assert!(s.red_cells.is_empty());
    // A `Span` column covers the columns after it.
    assert_eq!(s.col_widths[2], (2, 5, 7.32));
}

#[test]
fn person_open_header_matches_the_truth() {
    let file = "lizuohuan__daoyuan-admin/person_open.xml";
    let rep = inspect(file, &bytes(file));
    assert_eq!(rep.format.as_deref(), Some("xml2003"));
    assert!(rep.errors.is_empty(), "{:?}", rep.errors);
    let sheet = rep
        .sheets
        .iter()
        .find(|s| s.sheet == "Sheet1")
        .expect("Sheet1");
    assert_eq!(sheet.forms.len(), 1);
    let form = &sheet.forms[0];
    assert_eq!(form.header_rows, [2, 3]);
    let paths: Vec<Vec<String>> = form.fields.iter().map(|f| f.header_path.clone()).collect();
    let truth = [
        "序号",
        "职工姓名",
        "证件种类",
        "证件号码",
        "缴存基数（元）",
        "初次缴存时间",
        "人员身份",
        "个人联系电话",
        "个人固定电话",
        "个人邮箱",
    ];
    assert_eq!(paths, truth.map(|t| vec![t.to_string()]));
    // The dropdown's values reach the field.
    assert_eq!(form.fields[6].enum_values, ["1", "2"]);
}
