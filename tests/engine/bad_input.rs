//! Bad input, built here byte by byte: every case is a clear per-file (or per-sheet) error or a
//! warning — never a panic, an abort, a hang or a huge allocation. Each test is named for the
//! trap it pins (see docs on reliability in ARCHITECTURE.md).

use std::io::{Cursor, Write};
use std::time::{Duration, Instant};

use yibiao::error::{Limit, ReadError, SheetErrorKind};
use yibiao::inspect::inspect;
use yibiao::read::{read, read_with_limits, Limits, Value};

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>"#;
const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;

/// A part of a hand-made workbook: its path and content.
type Part = (String, Vec<u8>);

fn zip(parts: &[Part], method: zip::CompressionMethod) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(method)
        .large_file(true);
    for (name, data) in parts {
        w.start_file(name.as_str(), opts).expect("start");
        w.write_all(data).expect("write");
    }
    w.finish().expect("finish").into_inner()
}

/// A sheet of a hand-made workbook: name, relationship type (`worksheet`, `xlMacrosheet`…),
/// and the XML of the part.
struct SheetSpec<'a> {
    name: &'a str,
    rel: &'a str,
    xml: String,
}

fn worksheet<'a>(name: &'a str, sheet_data: &str) -> SheetSpec<'a> {
    SheetSpec {
        name,
        rel: "worksheet",
        xml: format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{sheet_data}</sheetData></worksheet>"#
        ),
    }
}

/// Inline-string cells for a row: `row(1, &["序号", "姓名"])`.
fn row(r: u32, cells: &[&str]) -> String {
    let mut out = format!(r#"<row r="{r}">"#);
    for (i, text) in cells.iter().enumerate() {
        let col = yibiao::read::col_letter(i as u32);
        out.push_str(&format!(
            r#"<c r="{col}{r}" t="inlineStr"><is><t>{text}</t></is></c>"#
        ));
    }
    out.push_str("</row>");
    out
}

fn xlsx_parts(sheets: &[SheetSpec<'_>], extra: &[Part]) -> Vec<Part> {
    let mut wb = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>"#,
    );
    let mut rels = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    );
    let mut parts: Vec<Part> = vec![
        ("[Content_Types].xml".into(), CONTENT_TYPES.into()),
        ("_rels/.rels".into(), ROOT_RELS.into()),
    ];
    for (i, s) in sheets.iter().enumerate() {
        let n = i + 1;
        wb.push_str(&format!(
            r#"<sheet name="{}" sheetId="{n}" r:id="rId{n}"/>"#,
            s.name
        ));
        let dir = if s.rel == "worksheet" {
            "worksheets"
        } else {
            "macrosheets"
        };
        rels.push_str(&format!(
            r#"<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/{}" Target="{dir}/sheet{n}.xml"/>"#,
            s.rel
        ));
        parts.push((format!("xl/{dir}/sheet{n}.xml"), s.xml.clone().into_bytes()));
    }
    wb.push_str("</sheets></workbook>");
    rels.push_str("</Relationships>");
    parts.push(("xl/workbook.xml".into(), wb.into_bytes()));
    parts.push(("xl/_rels/workbook.xml.rels".into(), rels.into_bytes()));
    parts.extend(extra.iter().cloned());
    parts
}

fn xlsx(sheets: &[SheetSpec<'_>]) -> Vec<u8> {
    zip(&xlsx_parts(sheets, &[]), zip::CompressionMethod::Deflated)
}

fn good_sheet() -> SheetSpec<'static> {
    worksheet(
        "花名册",
        &[
            row(1, &["花名册"]),
            row(2, &["序号", "姓名", "身份证号"]),
            row(3, &["1", "张三", "99999919460110278X"]),
        ]
        .concat(),
    )
}

/// Runs a read and checks it is quick: a guard that works slowly is no guard in a browser tab.
#[track_caller]
fn timed<T>(f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "took {:?}",
        start.elapsed()
    );
    out
}

#[track_caller]
fn check_err(name: &str, bytes: &[u8], want: ReadError) {
    assert_eq!(timed(|| read(name, bytes)).err(), Some(want), "{name}");
}

#[test]
fn empty_file() {
    for name in ["a.xlsx", "a.xls", "a.csv"] {
        check_err(name, b"", ReadError::Empty);
    }
}

#[test]
fn not_a_spreadsheet_whatever_the_extension() {
    check_err(
        "a.xlsx",
        b"%PDF-1.7\n...",
        ReadError::NotSpreadsheet {
            looks_like: "PDF 文档",
        },
    );
    check_err(
        "a.xlsx",
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
        ReadError::NotSpreadsheet {
            looks_like: "PNG 图片",
        },
    );
    let plain_zip = zip(
        &[("readme.txt".into(), b"hello".to_vec())],
        zip::CompressionMethod::Deflated,
    );
    check_err(
        "a.xlsx",
        &plain_zip,
        ReadError::NotSpreadsheet {
            looks_like: "压缩包",
        },
    );
    let docx = zip(
        &[("word/document.xml".into(), b"<w:document/>".to_vec())],
        zip::CompressionMethod::Deflated,
    );
    check_err(
        "a.xlsx",
        &docx,
        ReadError::NotSpreadsheet {
            looks_like: "Word 文档",
        },
    );
    // A web page is read for its tables; one without any is not a spreadsheet.
    check_err(
        "a.xls",
        "<html><body><p>登录超时，请重新登录</p></body></html>".as_bytes(),
        ReadError::NotSpreadsheet {
            looks_like: "不含表格的网页",
        },
    );
}

#[test]
fn old_excel_is_named() {
    check_err(
        "old.xls",
        b"\x09\x04\x06\x00\x00\x00\x10\x00",
        ReadError::OldExcel,
    );
}

#[test]
fn truncated_zip_is_damaged_and_never_partly_imported() {
    let full = xlsx(&[good_sheet()]);
    for cut in [full.len() * 6 / 10, full.len() - 100] {
        let r = timed(|| read("cut.xlsx", &full[..cut]));
        assert!(matches!(r, Err(ReadError::Damaged { .. })), "{cut}: {r:?}");
    }
}

#[test]
fn zip_bomb_is_stopped_by_bytes_actually_inflated() {
    // 40 MB of spaces in one part compresses to about 40 KB; with a 10 MB budget it must stop.
    let sheet = good_sheet();
    let mut parts = xlsx_parts(&[sheet], &[]);
    parts.push(("xl/bomb.xml".into(), vec![b' '; 40 * 1024 * 1024]));
    let bytes = zip(&parts, zip::CompressionMethod::Deflated);
    assert!(bytes.len() < 1024 * 1024);
    let limits = Limits {
        max_inflated_bytes: 10 * 1024 * 1024,
        max_entry_bytes: 10 * 1024 * 1024,
        ..Limits::default()
    };
    let r = timed(|| read_with_limits("bomb.xlsx", &bytes, &limits));
    assert_eq!(
        r.err(),
        Some(ReadError::TooLarge {
            limit: Limit::Inflated {
                max: 10 * 1024 * 1024
            }
        })
    );
}

#[test]
fn zip_entry_that_lies_about_its_size() {
    // The headers claim 4,096 bytes; the data inflates to 8 MB. The count of real bytes decides.
    let mut parts = xlsx_parts(&[good_sheet()], &[]);
    parts.push(("xl/liar.xml".into(), vec![b'a'; 8 * 1024 * 1024]));
    let mut bytes = zip(&parts, zip::CompressionMethod::Deflated);
    patch_sizes(&mut bytes, "xl/liar.xml", 4096);
    let limits = Limits {
        max_entry_bytes: 1024 * 1024,
        ..Limits::default()
    };
    let r = timed(|| read_with_limits("liar.xlsx", &bytes, &limits));
    assert!(
        matches!(
            r,
            Err(ReadError::TooLarge { .. }) | Err(ReadError::Damaged { .. })
        ),
        "{r:?}"
    );
}

/// Rewrites the uncompressed size of an entry in its local and central headers.
fn patch_sizes(bytes: &mut [u8], name: &str, size: u32) {
    let name = name.as_bytes();
    let mut i = 0;
    while i + 46 < bytes.len() {
        let sig: [u8; 4] = [bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]];
        if &sig == b"PK\x03\x04" && bytes[i + 30..].starts_with(name) {
            bytes[i + 22..i + 26].copy_from_slice(&size.to_le_bytes());
        }
        if &sig == b"PK\x01\x02" && bytes[i + 46..].starts_with(name) {
            bytes[i + 24..i + 28].copy_from_slice(&size.to_le_bytes());
        }
        i += 1;
    }
}

#[test]
fn duplicate_zip_entry_names_are_refused() {
    let sheets = [good_sheet()];
    let mut parts = xlsx_parts(&sheets, &[]);
    parts.push(("xl/worksheets/sheet9.xml".into(), b"<worksheet/>".to_vec()));
    let mut bytes = zip(&parts, zip::CompressionMethod::Stored);
    // Rename sheet9 to sheet1 everywhere: two entries now share a name.
    let (from, to) = (b"xl/worksheets/sheet9.xml", b"xl/worksheets/sheet1.xml");
    for i in 0..bytes.len() - from.len() {
        if bytes[i..i + from.len()] == from[..] {
            bytes[i..i + to.len()].copy_from_slice(to);
        }
    }
    let r = timed(|| read("dup.xlsx", &bytes));
    assert!(
        matches!(&r, Err(ReadError::Damaged { detail }) if detail.contains("duplicate")),
        "{r:?}"
    );
}

#[test]
fn too_many_zip_entries() {
    let parts: Vec<Part> = (0..1001)
        .map(|i| (format!("x/{i}.xml"), b"<a/>".to_vec()))
        .collect();
    let bytes = zip(&parts, zip::CompressionMethod::Stored);
    check_err(
        "many.xlsx",
        &bytes,
        ReadError::TooLarge {
            limit: Limit::ZipEntries { max: 1000 },
        },
    );
}

#[test]
fn corner_cells_a1_and_xfd1048576_do_not_allocate_the_rectangle() {
    let data = r#"<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#;
    let bytes = xlsx(&[worksheet("corner", data), good_sheet()]);
    let wb = timed(|| read("corner.xlsx", &bytes)).expect("workbook still reads");
    assert_eq!(wb.sheets.len(), 2);
    let corner = &wb.sheets[0].grid;
    assert_eq!(corner.get(1_048_575, 16_383), &Value::Number(1.0));
    // With a small budget the same sheet is refused, and the other sheet still reads.
    let limits = Limits {
        max_cells: 10_000,
        ..Limits::default()
    };
    let wb = timed(|| read_with_limits("corner.xlsx", &bytes, &limits)).expect("reads");
    assert_eq!(wb.sheets.len(), 1, "the good sheet survives");
    assert!(matches!(
        wb.sheet_errors[0].kind,
        SheetErrorKind::TooLarge { .. }
    ));
}

#[test]
fn a_dimension_that_lies_costs_nothing() {
    let xml = format!(
        r#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:XFD1048576"/><sheetData>{}</sheetData></worksheet>"#,
        row(1, &["序号", "姓名"])
    );
    let bytes = xlsx(&[SheetSpec {
        name: "dim",
        rel: "worksheet",
        xml,
    }]);
    let wb = timed(|| read("dim.xlsx", &bytes)).expect("reads");
    assert_eq!(wb.sheets[0].grid.width(), 2);
    assert_eq!(wb.sheets[0].grid.height(), 1);
}

#[test]
fn cells_beyond_the_excel_grid_fail_that_sheet_only() {
    let data = r#"<row r="1"><c r="XFE1"><v>1</v></c></row>"#;
    let bytes = xlsx(&[worksheet("beyond", data), good_sheet()]);
    let wb = timed(|| read("beyond.xlsx", &bytes)).expect("reads");
    assert_eq!(wb.sheets.len(), 1);
    assert_eq!(wb.sheet_errors[0].sheet, "beyond");
}

#[test]
fn shared_string_count_that_lies() {
    let sst = r#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="4294967295"><si><t>姓名</t></si></sst>"#;
    let data = r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#;
    let mut parts = xlsx_parts(&[worksheet("s", data)], &[]);
    parts.push(("xl/sharedStrings.xml".into(), sst.as_bytes().to_vec()));
    let bytes = zip(&parts, zip::CompressionMethod::Deflated);
    let wb = timed(|| read("sst.xlsx", &bytes)).expect("reads");
    assert_eq!(wb.sheets[0].grid.get(0, 0), &Value::Text("姓名".into()));
}

#[test]
fn malformed_xml_in_one_sheet_keeps_the_others() {
    let broken = SheetSpec {
        name: "坏表",
        rel: "worksheet",
        xml: r#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1"><v>1</v></row></sheetData></worksheet>"#.into(),
    };
    let bytes = xlsx(&[broken, good_sheet()]);
    let wb = timed(|| read("broken.xlsx", &bytes)).expect("reads");
    assert_eq!(
        wb.sheets
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>(),
        ["花名册"]
    );
    assert_eq!(wb.sheet_errors[0].sheet, "坏表");
}

#[test]
fn a_macro_sheet_does_not_take_the_workbook_down() {
    let macro_sheet = SheetSpec {
        name: "Macro1",
        rel: "xlMacrosheet",
        xml: r#"<?xml version="1.0"?><xm:macrosheet xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"><sheetData/></xm:macrosheet>"#.into(),
    };
    let bytes = xlsx(&[macro_sheet, good_sheet()]);
    let wb = timed(|| read("macro.xlsm", &bytes)).expect("reads");
    assert_eq!(wb.sheets.len(), 1);
    assert_eq!(wb.sheet_errors[0].sheet, "Macro1");
    assert!(matches!(
        wb.sheet_errors[0].kind,
        SheetErrorKind::NotATable { what: "宏表" }
    ));
}

#[test]
fn xml_entity_bombs_are_never_expanded() {
    let xml = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c></row></sheetData></worksheet>"#;
    let bytes = xlsx(&[
        SheetSpec {
            name: "lol",
            rel: "worksheet",
            xml: xml.into(),
        },
        good_sheet(),
    ]);
    let wb = timed(|| read("lol.xlsx", &bytes)).expect("reads");
    assert_eq!(wb.sheets.len(), 1);
    assert_eq!(wb.sheet_errors[0].sheet, "lol");
}

#[test]
fn id_numbers_stored_as_numbers_are_flagged_with_their_column() {
    let data = [
        row(1, &["序号", "姓名", "身份证号"]),
        r#"<row r="2"><c r="A2"><v>1</v></c><c r="B2" t="inlineStr"><is><t>张三</t></is></c><c r="C2"><v>999999198001011234</v></c></row>"#.to_string(),
    ]
    .concat();
    let bytes = xlsx(&[worksheet("ids", &data)]);
    let rep = inspect("ids.xlsx", &bytes);
    let form = &rep.sheets[0].forms[0];
    let w = form
        .warnings
        .iter()
        .find(|w| w.code == "digits_lost")
        .expect("digits_lost warning");
    assert!(w.message.contains("第 C 列「身份证号」"), "{}", w.message);
    assert_eq!(form.fields[2].ty, "id_number");
}

#[test]
fn formulas_without_a_saved_result_are_reported() {
    let data = [
        row(1, &["姓名", "面积"]),
        row(2, &["张三", "1"]),
        r#"<row r="3"><c r="A3" t="inlineStr"><is><t>合计</t></is></c><c r="B3"><f>SUM(B2:B2)</f></c></row>"#.to_string(),
    ]
    .concat();
    let bytes = xlsx(&[worksheet("f", &data)]);
    let rep = inspect("f.xlsx", &bytes);
    let w = &rep.sheets[0].warnings;
    assert!(
        w.iter()
            .any(|w| w.code == "formula_without_value" && w.message.contains("B3")),
        "{w:?}"
    );
}

#[test]
fn encrypted_ooxml_says_so() {
    let mut comp = cfb::CompoundFile::create(Cursor::new(Vec::new())).expect("cfb");
    comp.create_stream("/EncryptionInfo")
        .and_then(|mut s| s.write_all(&[4, 0, 4, 0, 0x40, 0, 0, 0]))
        .expect("stream");
    comp.create_stream("/EncryptedPackage")
        .and_then(|mut s| s.write_all(&[0u8; 64]))
        .expect("stream");
    let bytes = comp.into_inner().into_inner();
    check_err("secret.xlsx", &bytes, ReadError::Encrypted);
}

#[test]
fn a_word_doc_named_xls_is_named() {
    let mut comp = cfb::CompoundFile::create(Cursor::new(Vec::new())).expect("cfb");
    comp.create_stream("/WordDocument")
        .and_then(|mut s| s.write_all(&[0u8; 600]))
        .expect("stream");
    let bytes = comp.into_inner().into_inner();
    check_err(
        "letter.xls",
        &bytes,
        ReadError::NotSpreadsheet {
            looks_like: "Word 文档",
        },
    );
}

#[test]
fn corrupt_ole_headers_fail_fast() {
    let real = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/qingshan/青山县统计局-村级基本情况统计表.xls"),
    )
    .expect("fixture");
    // Header only; huge FAT sector count; huge DIFAT count; truncated body.
    let mut cases: Vec<Vec<u8>> = vec![real[..512].to_vec(), real[..real.len() / 2].to_vec()];
    let mut fat = real.clone();
    fat[0x2C..0x30].copy_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
    cases.push(fat);
    let mut difat = real.clone();
    difat[0x44..0x48].copy_from_slice(&0u32.to_le_bytes());
    difat[0x48..0x4C].copy_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
    cases.push(difat);
    for (i, bytes) in cases.iter().enumerate() {
        let r = timed(|| read("bad.xls", bytes));
        assert!(
            r.is_err(),
            "case {i} should fail: {:?}",
            r.map(|w| w.sheets.len())
        );
    }
}

#[test]
fn one_bad_file_never_takes_down_the_batch() {
    let good = xlsx(&[good_sheet()]);
    let batch: Vec<(&str, &[u8])> = vec![
        ("a.xlsx", &good),
        ("b.xlsx", b"\x89PNG\r\n\x1a\n"),
        ("c.xlsx", &good[..good.len() / 2]),
        ("d.xlsx", &good),
    ];
    let reports: Vec<_> = batch.iter().map(|(n, b)| inspect(n, b)).collect();
    let ok: Vec<bool> = reports.iter().map(|r| r.errors.is_empty()).collect();
    assert_eq!(ok, [true, false, false, true]);
}

#[test]
fn csv_traps() {
    // Unterminated quote: the rest of the file stays rows.
    let text = "序号,姓名,备注\n1,张三,\"未闭合\n2,李四,好\n3,王五,好\n";
    let wb = read("q.csv", text.as_bytes()).expect("reads");
    assert!(wb.sheets[0].grid.height() >= 4, "{:?}", wb.sheets[0].grid);
    // GBK header must not turn into mojibake.
    let (gbk, _, _) = encoding_rs::GBK.encode("序号,姓名\n1,张三\n");
    let wb = read("g.csv", &gbk).expect("reads");
    assert_eq!(wb.encoding, Some("GB18030"));
    assert_eq!(wb.sheets[0].grid.get(0, 1), &Value::Text("姓名".into()));
    // NUL bytes are dropped.
    let wb = read("n.csv", b"a,b\0\n1,2\n").expect("reads");
    assert_eq!(wb.sheets[0].grid.get(0, 1), &Value::Text("b".into()));
}

/// Cheap deterministic mutation over every fixture: flipped bytes, cut tails and inserted
/// junk must give a report, never a panic. (cargo fuzz runs the same entry point for longer.)
#[test]
fn mutated_fixtures_never_panic() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut paths: Vec<std::path::PathBuf> = std::fs::read_dir(root.join("qingshan"))
        .expect("dir")
        .map(|entry| entry.expect("entry").path())
        .collect();
    // The Excel 2003 XML exports.
    for file in [
        "lizuohuan__daoyuan-admin/person_open.xml",
        "lizuohuan__daoyuan-admin/person_archive.xml",
        "lizuohuan__daoyuan-admin/person_unseal.xml",
        "lizuohuan__daoyuan-admin/add_member_cd.xml",
        "CaoHongchang__test/mr.xml",
        // HTML tables saved as .xls, and form pages.
        "WalkerOstarliang__CPS/stzapctbbexcelmode.xls",
        "WalkerOstarliang__CPS/weekqkexport.xls",
        "shwenguang__weboa/addNewApplyTable.xls",
        "GDongYang__testPro/tz_cer_305.html",
        "WalkerOstarliang__CPS/jwrkdypage.html",
        "xiaowx2010__xhwp/G203.html",
    ] {
        paths.push(root.join("real-dev").join(file));
    }
    for path in paths {
        if path.extension().is_some_and(|e| e == "json" || e == "md") {
            continue;
        }
        let bytes = std::fs::read(&path).expect("read");
        for _ in 0..40 {
            let mut m = bytes.clone();
            match next() % 3 {
                0 => {
                    for _ in 0..(1 + next() % 8) {
                        let i = (next() as usize) % m.len();
                        m[i] ^= 1 << (next() % 8);
                    }
                }
                1 => m.truncate((next() as usize) % m.len()),
                _ => {
                    let i = (next() as usize) % m.len();
                    let junk: Vec<u8> = (0..(next() % 64)).map(|_| next() as u8).collect();
                    m.splice(i..i, junk);
                }
            }
            let _ = timed(|| inspect("mutant", &m));
        }
    }
}

/// A SpreadsheetML document around some worksheets.
fn spreadsheetml(worksheets: &str) -> String {
    format!(
        r#"<?xml version="1.0"?><?mso-application progid="Excel.Sheet"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">{worksheets}</Workbook>"#
    )
}

fn xml_sheet(name: &str, rows: &str) -> String {
    format!(r#"<Worksheet ss:Name="{name}"><Table>{rows}</Table></Worksheet>"#)
}

const XML_ROW: &str = r#"<Row><Cell><Data ss:Type="String">序号</Data></Cell><Cell><Data ss:Type="String">姓名</Data></Cell></Row>"#;

#[test]
fn excel_2003_xml_traps() {
    let good = xml_sheet("好", XML_ROW);
    // Cut short: before any sheet the file is damaged; inside one, the sheets before it stay.
    let full = spreadsheetml(&format!("{good}{good}"));
    let cut = &full.as_bytes()[..60];
    assert!(matches!(
        timed(|| read("a.xml", cut)),
        Err(ReadError::Damaged { .. })
    ));
    let cut = &full.as_bytes()[..full.len() - 40];
    let wb = timed(|| read("a.xml", cut)).expect("first sheet");
    assert_eq!((wb.sheets.len(), wb.sheet_errors.len()), (1, 1));
    // Deeply nested elements: no recursion, no stack overflow.
    let deep = spreadsheetml(&format!(
        "{}{}{good}",
        "<x>".repeat(200_000),
        "</x>".repeat(200_000)
    ));
    assert_eq!(
        timed(|| read("a.xml", deep.as_bytes()))
            .expect("reads")
            .sheets
            .len(),
        1
    );
    // Huge positions and spans fail their sheet only, without allocating.
    for rows in [
        r#"<Row ss:Index="4000000000"><Cell><Data ss:Type="String">x</Data></Cell></Row>"#,
        r#"<Row><Cell ss:Index="99999999999999999999999"><Data ss:Type="String">x</Data></Cell></Row>"#,
        r#"<Row><Cell ss:MergeAcross="4294967295"/><Cell><Data ss:Type="String">x</Data></Cell></Row>"#,
    ] {
        let doc = spreadsheetml(&format!("{good}{}", xml_sheet("坏", rows)));
        let wb = timed(|| read("a.xml", doc.as_bytes())).expect("reads");
        assert_eq!(wb.sheets.len(), 1, "{rows}");
        assert_eq!(wb.sheet_errors[0].sheet, "坏");
        assert_eq!(
            wb.sheet_errors[0].kind,
            SheetErrorKind::TooLarge {
                limit: Limit::OutsideGrid
            }
        );
    }
    // A merge claiming the whole grid costs four numbers.
    let doc = spreadsheetml(&xml_sheet(
        "大",
        r#"<Row><Cell ss:MergeAcross="16383" ss:MergeDown="1048575"><Data ss:Type="String">t</Data></Cell></Row>"#,
    ));
    assert_eq!(
        timed(|| read("a.xml", doc.as_bytes()))
            .expect("reads")
            .sheets[0]
            .merges
            .len(),
        1
    );
    // The cell budget holds against many rows.
    let many = spreadsheetml(&xml_sheet(
        "多",
        &r#"<Row><Cell><Data ss:Type="Number">1</Data></Cell></Row>"#.repeat(2000),
    ));
    let limits = Limits {
        max_cells: 1000,
        ..Limits::default()
    };
    let wb = timed(|| read_with_limits("a.xml", many.as_bytes(), &limits)).expect("reads");
    assert_eq!(
        wb.sheet_errors[0].kind,
        SheetErrorKind::TooLarge {
            limit: Limit::Cells { max: 1000 }
        }
    );
    // Entities: a DTD is refused, undeclared entities are never expanded.
    let laughs = format!(
        r#"<?xml version="1.0"?><!DOCTYPE Workbook [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>{}"#,
        spreadsheetml(&xml_sheet(
            "S",
            r#"<Row><Cell><Data ss:Type="String">&lol2;</Data></Cell></Row>"#
        ))
        .trim_start_matches(r#"<?xml version="1.0"?>"#)
    );
    assert!(matches!(
        timed(|| read("a.xml", laughs.as_bytes())),
        Err(ReadError::Damaged { .. })
    ));
    let xxe = spreadsheetml(&xml_sheet(
        "S",
        r#"<Row><Cell><Data ss:Type="String">&xxe;</Data></Cell></Row>"#,
    ));
    assert!(matches!(
        timed(|| read("a.xml", xxe.as_bytes())),
        Err(ReadError::Damaged { .. })
    ));
    // Mis-encoded bytes: never a panic; what can be read is read.
    let mut mis = spreadsheetml(&good).into_bytes();
    let at = mis
        .windows(6)
        .position(|w| w == "姓名".as_bytes())
        .expect("姓名");
    mis[at + 1] = 0xFF;
    let wb = timed(|| read("a.xml", &mis)).expect("reads");
    assert_eq!(wb.sheets[0].grid.get(0, 0), &Value::Text("序号".into()));
    let utf16_odd = [
        &[0xFF, 0xFE][..],
        &spreadsheetml(&good)
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect::<Vec<u8>>()[..101],
    ]
    .concat();
    let _ = timed(|| inspect("a.xml", &utf16_odd));
}

#[test]
fn html_traps() {
    let table =
        "<table><tr><td>序号</td><td>姓名</td></tr><tr><td>1</td><td>张三</td></tr></table>";
    // Cut anywhere: never a panic, and the cells before the cut stay.
    let full = format!("<html><body>{table}{table}</body></html>");
    for cut in 1..full.len() {
        if full.is_char_boundary(cut) {
            let _ = timed(|| read("cut.xls", &full.as_bytes()[..cut]));
        }
    }
    let wb = read("cut.xls", &full.as_bytes()[..full.len() / 2 + 30]).expect("read");
    assert_eq!(wb.sheets[0].grid.get(0, 1), &Value::Text("姓名".into()));
    // Deeply nested tables and inline elements: bounded, fast.
    let deep = "<table><tr><td><span><b>".repeat(50_000);
    let wb = timed(|| read("deep.xls", deep.as_bytes())).expect("read");
    assert!(wb.sheets[0].grid.height() <= 64);
    // A colspan and rowspan of billions: clamped, no allocation from them.
    let huge = "<table><tr><td colspan=4000000000 rowspan=4000000000>x</td><td colspan=99999999>y</td></tr></table>";
    let wb = timed(|| read("huge.xls", huge.as_bytes())).expect("read");
    assert_eq!(wb.sheets[0].grid.get(0, 1000), &Value::Text("y".into()));
    // Entity-laden: a DTD declares nothing that is expanded; unknown entities stay as written.
    let entities = format!(
        "<!DOCTYPE html [<!ENTITY a \"{}\">]><table><tr><td>&a;&a;&amp;&#x41;</td></tr></table>",
        "x".repeat(1000)
    );
    let wb = read("ent.xls", entities.as_bytes()).expect("read");
    assert_eq!(wb.sheets[0].grid.get(0, 0), &Value::Text("&a;&a;&A".into()));
    // Mis-encoded: GBK bytes declared as UTF-8 are read as GB18030 (the CSV decoder's rules).
    let mut gbk = b"<meta charset=utf-8><table><tr><td>".to_vec();
    gbk.extend_from_slice(&[0xD0, 0xD5, 0xC3, 0xFB]); // 姓名 in GBK
    gbk.extend_from_slice(b"</td></tr></table>");
    let wb = read("gbk.xls", &gbk).expect("read");
    assert_eq!(wb.sheets[0].grid.get(0, 0), &Value::Text("姓名".into()));
    // A million cells claimed by one row of tiny tags: the cell budget stops it, with a reason.
    let flood = format!("<table><tr>{}</tr></table>", "<td>1".repeat(20_000));
    let limits = Limits {
        max_cells: 10_000,
        ..Limits::default()
    };
    let wb = timed(|| read_with_limits("flood.xls", flood.as_bytes(), &limits)).expect("read");
    assert!(matches!(
        wb.sheet_errors[0].kind,
        SheetErrorKind::TooLarge { .. }
    ));
}

#[test]
fn wps_et_files_are_read_by_their_bytes() {
    // WPS's .et is BIFF8 inside OLE, like .xls: the bytes decide, never the extension.
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/qingshan/青山县统计局-村级基本情况统计表.xls");
    let bytes = std::fs::read(path).expect("fixture");
    let as_xls = read("村级基本情况统计表.xls", &bytes).expect("xls");
    for name in ["村级基本情况统计表.et", "村级基本情况统计表.ett"] {
        assert_eq!(read(name, &bytes).expect("et"), as_xls, "{name}");
    }
}

/// Mutation over the new layouts, at the level of cells: the real cards, indicator reports and
/// a questionnaire-like form, with cells blanked, overwritten with long or odd text and numbers,
/// rows dropped and duplicated, and merges added out of place (overlapping, past the grid,
/// huge). Detection (as found and as each shape chosen by a person), field extraction and the
/// pre-fill that reads filled cards by their value cells must give an answer, never a panic,
/// and quickly.
#[test]
fn mutated_card_and_indicator_layouts_never_panic() {
    use yibiao::inspect::{report_workbook_with, HeaderChoice};
    use yibiao::read::{Grid, Rect, Workbook};
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real-dev");
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let odd = [
        "",
        "：",
        "姓名：",
        "${name}",
        "□是□否",
        "√",
        "合计",
        "计量单位",
        "指标名称",
        "年  月  日",
        "9999999999999999999999",
    ];
    for file in [
        "xiaoxinllleee__idap-service/农户信息采集表.xls",
        "xiaoxinllleee__idap-service/农户评议授信信息表.xls",
        "xiaoxinllleee__idap-service/农户背靠背评议表.xls",
        "GDongYang__testPro/tz_cer_445.html",
        "xiaowx2010__xhwp/G203.html",
        "xiaowx2010__xhwp/G204.html",
        "haogm123__fupingoa/workclass_blank.xls",
    ] {
        let bytes = std::fs::read(root.join(file)).expect("fixture");
        let original = read(file, &bytes).expect("reads");
        // The set planned from the blank form: pre-fill reads mutants by its value cells.
        let project = super::round_trip::project_of(&[(file.to_string(), bytes.clone())]);
        for round in 0..30 {
            let mut wb: Workbook = original.clone();
            for sheet in &mut wb.sheets {
                let (h, w) = (sheet.grid.height().max(1), sheet.grid.width().max(1));
                let mut rows: Vec<Vec<Value>> =
                    (0..h).map(|r| sheet.grid.row(r).to_vec()).collect();
                for _ in 0..(1 + next() % 12) {
                    let r = (next() % u64::from(h)) as usize;
                    let c = (next() % u64::from(w)) as usize;
                    if rows[r].len() <= c {
                        rows[r].resize(c + 1, Value::Empty);
                    }
                    rows[r][c] = match next() % 4 {
                        0 => Value::Empty,
                        1 => Value::Number((next() % 100_000) as f64 / 7.0),
                        2 => Value::Text("长".repeat((next() % 300) as usize)),
                        _ => Value::Text(odd[(next() as usize) % odd.len()].into()),
                    };
                }
                match next() % 3 {
                    0 if rows.len() > 1 => {
                        let at = (next() as usize) % rows.len();
                        rows.remove(at);
                    }
                    1 => {
                        let at = (next() as usize) % rows.len();
                        let copy = rows[at].clone();
                        rows.insert(at, copy);
                    }
                    _ => {}
                }
                sheet.grid = Grid::from_rows(rows);
                for _ in 0..(next() % 4) {
                    let top = (next() % u64::from(h + 3)) as u32;
                    let left = (next() % u64::from(w + 3)) as u32;
                    let (dh, dw) = if next() % 5 == 0 {
                        (1_000_000, 16_000)
                    } else {
                        ((next() % 6) as u32, (next() % 6) as u32)
                    };
                    sheet.merges.push(Rect::new(top, left, top + dh, left + dw));
                }
            }
            let _ = timed(|| report_workbook_with("mutant", &wb, &[]));
            let shape = ["roster", "card", "indicator", "questionnaire"][round % 4];
            let choices: Vec<HeaderChoice> = wb
                .sheets
                .iter()
                .map(|s| HeaderChoice {
                    sheet: s.name.clone(),
                    first: 1 + (next() % 5) as u32,
                    last: 1 + (next() % 8) as u32,
                    shape: Some(shape.into()),
                })
                .collect();
            let _ = timed(|| report_workbook_with("mutant", &wb, &choices));
            let _ = timed(|| yibiao::split::fill::fill(&project.set, &[(file, &wb)]));
        }
    }
}
