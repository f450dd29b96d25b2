//! Format detection from a file's first bytes; the file name is never trusted.
//!
//! County systems routinely send HTML tables named `.xls`, CSV named `.xlsx` and pictures of
//! forms named like spreadsheets, so the extension says little. The magic bytes decide which
//! reader runs, and anything that is not a spreadsheet gets a name a person recognises.

/// What the first bytes say a file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sniffed {
    /// A zip container: xlsx, xlsm, xlsb, ods — or a Word file or a plain archive.
    Zip,
    /// An OLE compound file: legacy xls — or an encrypted xlsx, a Word .doc, …
    Ole,
    /// A bare BIFF2–4 stream: Excel 2.x–4.0.
    OldExcel,
    /// Text: CSV, TSV.
    Text,
    /// An HTML page or fragment (a web system's table export named .xls, a form page).
    Html,
    /// Excel 2003 XML ("SpreadsheetML"), in any of the encodings its reader decodes.
    SpreadsheetMl,
    /// Not a spreadsheet; the text names what it looks like.
    NotSpreadsheet(&'static str),
    /// A spreadsheet format this tool does not read.
    Unsupported(&'static str),
}

const OLE: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Detects the format of a file from its first bytes.
pub fn sniff(bytes: &[u8]) -> Sniffed {
    let starts = |m: &[u8]| bytes.starts_with(m);
    if starts(b"PK\x03\x04") || starts(b"PK\x05\x06") || starts(b"PK\x07\x08") {
        return Sniffed::Zip;
    }
    if starts(&OLE) {
        return Sniffed::Ole;
    }
    // BIFF2/3/4 BOF records: 09 00, 09 02, 09 04 followed by a small length.
    if bytes.len() >= 4
        && bytes[0] == 0x09
        && matches!(bytes[1], 0x00 | 0x02 | 0x04)
        && matches!(bytes[2], 0x04 | 0x06 | 0x08)
        && bytes[3] == 0x00
    {
        return Sniffed::OldExcel;
    }
    let binary: &[(&[u8], &'static str)] = &[
        (b"%PDF", "PDF 文档"),
        (b"\x89PNG", "PNG 图片"),
        (b"\xFF\xD8\xFF", "JPEG 图片"),
        (b"GIF87a", "GIF 图片"),
        (b"GIF89a", "GIF 图片"),
        (b"Rar!", "RAR 压缩包"),
        (b"7z\xBC\xAF\x27\x1C", "7z 压缩包"),
        (b"\x1F\x8B", "gzip 压缩包"),
        (b"{\\rtf", "富文本文档"),
        (b"\x7FELF", "可执行程序"),
    ];
    for (magic, what) in binary {
        if starts(magic) {
            return Sniffed::NotSpreadsheet(what);
        }
    }
    if starts(b"MZ") && bytes.iter().take(512).any(|&b| b == 0) {
        return Sniffed::NotSpreadsheet("可执行程序");
    }
    if starts(b"BM") && bytes.len() > 26 && bytes[6..10] == [0, 0, 0, 0] {
        return Sniffed::NotSpreadsheet("BMP 图片");
    }
    if let Some(markup) = markup_kind(bytes) {
        return markup;
    }
    Sniffed::Text
}

/// HTML pages and XML documents (Excel 2003 XML among them) start with `<` after white space.
fn markup_kind(bytes: &[u8]) -> Option<Sniffed> {
    // UTF-16 with a BOM: the markup is ASCII, one byte of each pair.
    let ascii_of_utf16 = |from: usize| -> Vec<u8> {
        bytes[from..bytes.len().min(8192)]
            .iter()
            .step_by(2)
            .copied()
            .collect()
    };
    let utf16 = if bytes.starts_with(b"\xFF\xFE") {
        Some(ascii_of_utf16(2))
    } else if bytes.starts_with(b"\xFE\xFF") {
        Some(ascii_of_utf16(3))
    } else {
        None
    };
    let body = match &utf16 {
        Some(ascii) => ascii.as_slice(),
        None => bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes),
    };
    let start = body.iter().position(|b| !b.is_ascii_whitespace())?;
    if body[start] != b'<' {
        return None;
    }
    let head: String =
        String::from_utf8_lossy(&body[start..body.len().min(start + 4096)]).to_ascii_lowercase();
    if is_spreadsheetml(&head) {
        return Some(Sniffed::SpreadsheetMl);
    }
    if crate::read::html::looks_like_html(&head) {
        return Some(Sniffed::Html);
    }
    if head.starts_with("<?xml") {
        return Some(Sniffed::NotSpreadsheet("XML 文件"));
    }
    None
}

/// Excel 2003 XML names its namespace on the root element, after the `mso-application`
/// instruction Excel writes; either one decides (`head` is lower-cased).
fn is_spreadsheetml(head: &str) -> bool {
    head.contains("urn:schemas-microsoft-com:office:spreadsheet")
        || head.contains("progid=\"excel.sheet\"")
        || head.contains("progid='excel.sheet'")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(bytes: &[u8], expect: Sniffed) {
        assert_eq!(sniff(bytes), expect);
    }

    #[test]
    fn magic_bytes_decide() {
        check(b"PK\x03\x04rest", Sniffed::Zip);
        check(&OLE, Sniffed::Ole);
        check(b"\x09\x00\x04\x00\x02\x00\x10\x00", Sniffed::OldExcel);
        check(b"%PDF-1.7", Sniffed::NotSpreadsheet("PDF 文档"));
        check(b"\x89PNG\r\n\x1a\n", Sniffed::NotSpreadsheet("PNG 图片"));
        check(b"<html><table><tr><td>1</td></tr></table>", Sniffed::Html);
        check(
            b"\xEF\xBB\xBF\r\n<HTML xmlns:x=\"urn:schemas-microsoft-com:office:excel\">",
            Sniffed::Html,
        );
        check(b"  <meta charset=gbk><table>", Sniffed::Html);
        check(b"\xFF\xFE<\0t\0a\0b\0l\0e\0>\0", Sniffed::Html);
        check(
            b"<?xml version=\"1.0\"?><Workbook xmlns=\"urn:schemas-microsoft-com:office:spreadsheet\">",
            Sniffed::SpreadsheetMl,
        );
        check(
            b"\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"GBK\"?>\n<?mso-application progid=\"Excel.Sheet\"?>\n<Workbook>",
            Sniffed::SpreadsheetMl,
        );
        let utf16: Vec<u8> = "\u{FEFF}<?xml version=\"1.0\"?><Workbook xmlns=\"urn:schemas-microsoft-com:office:spreadsheet\">"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        check(&utf16, Sniffed::SpreadsheetMl);
        // Any other XML is not a spreadsheet.
        check(
            b"<?xml version=\"1.0\"?><workbook/>",
            Sniffed::NotSpreadsheet("XML 文件"),
        );
        check("序号,姓名\n1,张三\n".as_bytes(), Sniffed::Text);
        check(b"\xFF\xFE\x41\x00", Sniffed::Text);
        // A CSV whose first header happens to start with "BM" is still text.
        check(b"BMI,weight\n1,2\n", Sniffed::Text);
    }
}
