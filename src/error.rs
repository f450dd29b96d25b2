//! Errors of the read stage, in the words a county clerk understands.
//!
//! Every variant says what happened to the file and, where there is one, what to do about it.
//! The messages exist in Chinese (the default) and English; both are pinned by tests in
//! `tests/engine.rs` so a change of wording is a deliberate act.

use std::fmt;

/// The language of a message shown to a person.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    /// 简体中文 (the default).
    #[default]
    Zh,
    /// English.
    En,
}

/// A safety limit that a file went over. Limits protect the browser tab: a crafted file must not
/// make the reader allocate gigabytes or run for minutes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Limit {
    /// The file itself is larger than `max` bytes.
    FileSize { max: u64 },
    /// The zip container holds more than `max` entries.
    ZipEntries { max: u64 },
    /// The zip content inflates to more than `max` bytes (a "zip bomb").
    Inflated { max: u64 },
    /// A sheet holds more than `max` cells.
    Cells { max: u64 },
    /// A sheet is wider than `max` columns.
    Columns { max: u64 },
    /// A cell reference lies outside the largest sheet Excel can hold (A1:XFD1048576).
    OutsideGrid,
}

/// Why a whole file could not be read. One bad file never stops the others.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReadError {
    /// The file has no content at all (0 bytes).
    Empty,
    /// The file is not a spreadsheet; `looks_like` names what it seems to be instead
    /// (for example "PDF 文档", "PNG 图片", "HTML 网页").
    NotSpreadsheet { looks_like: &'static str },
    /// An .xls file from Excel 95 or older, which this tool does not read.
    OldExcel,
    /// The workbook is protected by a password to open, so its content is encrypted.
    Encrypted,
    /// The file is damaged or incomplete (cut short during download or copy, or corrupted).
    /// `detail` is the reader's own technical reason, kept for support.
    Damaged { detail: String },
    /// The file goes over a safety limit.
    TooLarge { limit: Limit },
    /// Apple Numbers, WPS .et or another spreadsheet format this tool does not read.
    Unsupported { format: &'static str },
}

/// Why one sheet of a workbook could not be read; the other sheets still are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SheetError {
    /// The sheet's name as shown on its tab.
    pub sheet: String,
    /// What went wrong.
    pub kind: SheetErrorKind,
}

/// What went wrong with one sheet.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SheetErrorKind {
    /// The sheet's data is damaged; `detail` is the reader's technical reason.
    Damaged { detail: String },
    /// The sheet goes over a safety limit.
    TooLarge { limit: Limit },
    /// The sheet is a chart, macro or dialog sheet; it holds no table to read.
    NotATable { what: &'static str },
}

fn mib(bytes: u64) -> u64 {
    bytes / (1024 * 1024)
}

impl Limit {
    /// The limit in words.
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (Limit::FileSize { max }, Lang::Zh) => format!("文件超过 {} MB", mib(*max)),
            (Limit::FileSize { max }, Lang::En) => {
                format!("the file is larger than {} MB", mib(*max))
            }
            (Limit::ZipEntries { max }, Lang::Zh) => {
                format!("压缩包内部件超过 {} 个", grouped(*max))
            }
            (Limit::ZipEntries { max }, Lang::En) => {
                format!("the file holds more than {} parts", grouped(*max))
            }
            (Limit::Inflated { max }, Lang::Zh) => {
                format!("解压后超过 {} MB（疑似“压缩炸弹”）", mib(*max))
            }
            (Limit::Inflated { max }, Lang::En) => {
                format!(
                    "it unpacks to more than {} MB (a possible zip bomb)",
                    mib(*max)
                )
            }
            (Limit::Cells { max }, Lang::Zh) => format!("单元格超过 {} 个", grouped(*max)),
            (Limit::Cells { max }, Lang::En) => format!("it has more than {} cells", grouped(*max)),
            (Limit::Columns { max }, Lang::Zh) => format!("列数超过 {} 列", grouped(*max)),
            (Limit::Columns { max }, Lang::En) => {
                format!("it has more than {} columns", grouped(*max))
            }
            (Limit::OutsideGrid, Lang::Zh) => {
                "单元格位置超出 Excel 表格范围（A1:XFD1048576）".into()
            }
            (Limit::OutsideGrid, Lang::En) => {
                "a cell lies outside the Excel grid (A1:XFD1048576)".into()
            }
        }
    }
}

impl ReadError {
    /// A stable machine-readable code, used in `inspect --json`.
    pub fn code(&self) -> &'static str {
        match self {
            ReadError::Empty => "empty",
            ReadError::NotSpreadsheet { .. } => "not_spreadsheet",
            ReadError::OldExcel => "old_excel",
            ReadError::Encrypted => "encrypted",
            ReadError::Damaged { .. } => "damaged",
            ReadError::TooLarge { .. } => "too_large",
            ReadError::Unsupported { .. } => "unsupported",
        }
    }

    /// The message shown to a person, with what to do about it.
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (ReadError::Empty, Lang::Zh) => "文件是空的（0 字节），请检查是否选错了文件。".into(),
            (ReadError::Empty, Lang::En) => {
                "The file is empty (0 bytes). Check that you picked the right file.".into()
            }
            (ReadError::NotSpreadsheet { looks_like }, Lang::Zh) => format!(
                "这不是电子表格文件（看起来是 {looks_like}）。请选择 Excel、WPS 或 CSV 表格文件。"
            ),
            (ReadError::NotSpreadsheet { looks_like }, Lang::En) => format!(
                "This is not a spreadsheet (it looks like {}). Pick an Excel, WPS or CSV file.",
                english_kind(looks_like)
            ),
            (ReadError::OldExcel, Lang::Zh) => {
                "这是 Excel 95 或更早版本的 .xls 文件，无法读取。请在 Excel/WPS 中打开并另存为 .xlsx 后重新添加。".into()
            }
            (ReadError::OldExcel, Lang::En) => {
                "This .xls file is from Excel 95 or older and cannot be read. Open it in Excel or WPS, save it as .xlsx and add it again.".into()
            }
            (ReadError::Encrypted, Lang::Zh) => {
                "文件有密码保护，请在 Excel/WPS 中取消密码后重新添加。".into()
            }
            (ReadError::Encrypted, Lang::En) => {
                "The file is protected by a password. Remove the password in Excel or WPS and add it again.".into()
            }
            (ReadError::Damaged { detail }, Lang::Zh) => format!(
                "文件已损坏或不完整（可能下载或复制时中断）。请向发文单位重新索取。技术原因：{detail}"
            ),
            (ReadError::Damaged { detail }, Lang::En) => format!(
                "The file is damaged or incomplete (perhaps a download or copy was cut short). Ask the sender for it again. Technical reason: {detail}"
            ),
            (ReadError::TooLarge { limit }, Lang::Zh) => format!(
                "文件超出安全上限：{}。请删去多余的工作表或空行后重新添加。",
                limit.message(lang)
            ),
            (ReadError::TooLarge { limit }, Lang::En) => format!(
                "The file goes over a safety limit: {}. Remove extra sheets or empty rows and add it again.",
                limit.message(lang)
            ),
            (ReadError::Unsupported { format }, Lang::Zh) => format!(
                "暂不支持读取「{format}」格式的文件。请在 Excel/WPS 中打开，另存为 .xlsx 后重新添加。"
            ),
            (ReadError::Unsupported { format }, Lang::En) => format!(
                "{} files cannot be read. Open the file in Excel or WPS, save it as .xlsx and add it again.",
                english_format(format)
            ),
        }
    }
}

impl SheetErrorKind {
    /// A stable machine-readable code, used in `inspect --json`.
    pub fn code(&self) -> &'static str {
        match self {
            SheetErrorKind::Damaged { .. } => "sheet_damaged",
            SheetErrorKind::TooLarge { .. } => "sheet_too_large",
            SheetErrorKind::NotATable { .. } => "sheet_not_table",
        }
    }
}

impl SheetError {
    /// A stable machine-readable code, used in `inspect --json`.
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }

    /// The message shown to a person; it names the sheet.
    pub fn message(&self, lang: Lang) -> String {
        let sheet = &self.sheet;
        match (&self.kind, lang) {
            (SheetErrorKind::Damaged { detail }, Lang::Zh) => format!(
                "工作表「{sheet}」已损坏，无法读取，其他工作表不受影响。技术原因：{detail}"
            ),
            (SheetErrorKind::Damaged { detail }, Lang::En) => format!(
                "Sheet \"{sheet}\" is damaged and could not be read; the other sheets were read. Technical reason: {detail}"
            ),
            (SheetErrorKind::TooLarge { limit }, Lang::Zh) => format!(
                "工作表「{sheet}」超出安全上限（{}），已跳过。",
                limit.message(lang)
            ),
            (SheetErrorKind::TooLarge { limit }, Lang::En) => format!(
                "Sheet \"{sheet}\" goes over a safety limit ({}) and was skipped.",
                limit.message(lang)
            ),
            (SheetErrorKind::NotATable { what }, Lang::Zh) => {
                format!("工作表「{sheet}」是{what}，不含表格，已跳过。")
            }
            (SheetErrorKind::NotATable { what }, Lang::En) => format!(
                "Sheet \"{sheet}\" is a {} and holds no table; it was skipped.",
                english_kind(what)
            ),
        }
    }
}

/// English names of the formats named in Chinese in [`ReadError::Unsupported`].
fn english_format(zh: &str) -> &str {
    match zh {
        "Excel 二进制工作簿（.xlsb）" => "Excel binary workbook (.xlsb)",
        other => other,
    }
}

/// Groups digits by thousands: 5000000 → 5,000,000.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// English names of the kinds of file and sheet named in Chinese in the variants above.
fn english_kind(zh: &str) -> &str {
    match zh {
        "PDF 文档" => "a PDF document",
        "PNG 图片" => "a PNG image",
        "JPEG 图片" => "a JPEG image",
        "GIF 图片" => "a GIF image",
        "BMP 图片" => "a BMP image",
        "HTML 网页" => "an HTML web page",
        "不含表格的网页" => "a web page with no table",
        "XML 文件" => "an XML file",
        "Word 文档" => "a Word document",
        "PowerPoint 演示文稿" => "a PowerPoint presentation",
        "压缩包" => "a compressed archive",
        "RAR 压缩包" => "a RAR archive",
        "7z 压缩包" => "a 7z archive",
        "gzip 压缩包" => "a gzip archive",
        "可执行程序" => "a program",
        "二进制数据" => "binary data",
        "富文本文档" => "an RTF document",
        "Apple Numbers" => "Apple Numbers",
        "Excel 2003 XML" => "Excel 2003 XML",
        "宏表" => "macro sheet",
        "图表" => "chart sheet",
        "对话框表" => "dialog sheet",
        other => other,
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::Zh))
    }
}

impl std::error::Error for ReadError {}

impl fmt::Display for SheetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::Zh))
    }
}

impl std::error::Error for SheetError {}
