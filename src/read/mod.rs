//! Read: the bytes of one spreadsheet file → a [`Workbook`] of cell grids.
//!
//! The format is detected from the first bytes, never from the file name, and the matching
//! reader is called directly so its real error survives. Every reader is guarded: containers are
//! checked before a parser sees them (zip entry counts and inflated sizes, OLE header counts,
//! BIFF cell positions), grids are built from the cells actually present, and every size is
//! checked against [`Limits`]. No input can make this module panic, abort or allocate from a
//! size the file merely claims.
//!
//! One module per input format: [`xlsx`] (our own xlsx/xlsm reader; xlsb through calamine in
//! the command-line tool only), [`xls`] (our own BIFF8 reader over the OLE container read by
//! [`cfb`]), [`ods`] (our own
//! content.xml reader), [`spreadsheetml`] (Excel 2003 XML, our own over quick-xml), [`csv`]
//! (encoding detection and RFC 4180) and [`html`] (the tables of an HTML page: web systems'
//! "export to Excel" saved as .xls, and forms laid out in tables).

pub mod cfb;
pub mod csv;
pub mod gb18030;
pub mod grid;
pub mod html;
pub mod ods;
pub mod sniff;
pub mod spreadsheetml;
pub mod xls;
pub mod xlsx;
pub mod xmlutil;
pub mod zipguard;

pub use grid::{col_letter, parse_a1, parse_a1_range, Grid, Rect, Value};

use crate::error::{ReadError, SheetError};

/// The spreadsheet formats Yibiao reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// Office Open XML workbook (Excel 2007 and later, WPS).
    Xlsx,
    /// Office Open XML workbook with macros.
    Xlsm,
    /// Excel binary workbook.
    Xlsb,
    /// Legacy Excel 97–2003 workbook (BIFF8).
    Xls,
    /// OpenDocument spreadsheet (LibreOffice, WPS).
    Ods,
    /// Comma- or semicolon-separated text.
    Csv,
    /// Tab-separated text.
    Tsv,
    /// An HTML page's tables: a web system's "export to Excel" saved as .xls, or a form page.
    Html,
    /// Excel 2003 XML ("SpreadsheetML"), as many Java systems export "Excel".
    SpreadsheetMl,
}

impl Format {
    /// The lower-case name used in reports and JSON (`"xlsx"`, `"csv"`, …).
    pub fn name(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Xlsm => "xlsm",
            Format::Xlsb => "xlsb",
            Format::Xls => "xls",
            Format::Ods => "ods",
            Format::Csv => "csv",
            Format::Tsv => "tsv",
            Format::Html => "html",
            Format::SpreadsheetMl => "xml2003",
        }
    }
}

/// Safety limits for one file. The defaults suit a browser tab (wasm32 has at most 4 GiB of
/// memory in all) and are far above any real county form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest file accepted, in bytes.
    pub max_file_bytes: u64,
    /// Most entries a zip container (xlsx, ods) may hold.
    pub max_zip_entries: u64,
    /// Most bytes all zip entries together may inflate to.
    pub max_inflated_bytes: u64,
    /// Most bytes one zip entry may inflate to.
    pub max_entry_bytes: u64,
    /// Most cells (including the empty ones inside each row's span) one sheet may hold.
    pub max_cells: u64,
    /// Most columns one sheet may span.
    pub max_columns: u64,
    /// Longest text kept in one cell, in characters; longer text is cut with a warning.
    pub max_text_chars: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 100 * 1024 * 1024,
            max_zip_entries: 1000,
            max_inflated_bytes: 400 * 1024 * 1024,
            max_entry_bytes: 200 * 1024 * 1024,
            max_cells: 5_000_000,
            max_columns: 16_384,
            max_text_chars: 32_767,
        }
    }
}

/// One workbook as read from a file: its sheets, in tab order.
#[derive(Clone, Debug, PartialEq)]
pub struct Workbook {
    /// The detected format.
    pub format: Format,
    /// The detected text encoding (CSV/TSV only), e.g. `"UTF-8"`, `"GB18030"`.
    pub encoding: Option<&'static str>,
    /// The sheets that could be read, in tab order.
    pub sheets: Vec<Sheet>,
    /// Sheets that could not be read; the others are still here.
    pub sheet_errors: Vec<SheetError>,
}

/// One sheet: its cells and what the file says about them beyond their values.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sheet {
    /// The name on the sheet's tab (for CSV, the file name without its extension).
    pub name: String,
    /// Hidden or "very hidden" in the workbook.
    pub hidden: bool,
    /// The cell values.
    pub grid: Grid,
    /// Merged regions.
    pub merges: Vec<Rect>,
    /// List ("dropdown") data validations.
    pub validations: Vec<ListValidation>,
    /// Cells whose font is red, sorted (row, column). Offices mark required columns this way.
    pub red_cells: Vec<(u32, u32)>,
    /// Column widths the file sets, as (first column, last column, width in characters), 0-based
    /// and inclusive. Only xlsx and Excel 2003 XML files say; other formats leave this empty.
    pub col_widths: Vec<(u32, u32, f64)>,
    /// Things the reader noticed about this sheet that a person should know.
    pub notes: Vec<SheetNote>,
}

/// A list data validation: the cells in `ranges` take their values from `source`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListValidation {
    /// The cells the validation applies to.
    pub ranges: Vec<Rect>,
    /// Where the allowed values come from.
    pub source: ListSource,
}

/// Where the values of a list validation come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ListSource {
    /// Values written in the validation itself (`"男,女"`).
    Values(Vec<String>),
    /// A range of cells, on this sheet (`sheet` is `None`) or another one.
    Range { sheet: Option<String>, rect: Rect },
    /// A formula or defined name the reader does not resolve, kept as written.
    Formula(String),
}

/// Something a reader noticed about a sheet. Not an error: the sheet was read.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SheetNote {
    /// A formula whose result was not saved in the file; the cell reads as empty.
    FormulaWithoutValue { row: u32, col: u32 },
    /// Text longer than the limit was cut.
    TextTruncated { row: u32, col: u32 },
    /// CSV: a quoted field was never closed; the rest of the file was read as one field.
    UnterminatedQuote { row: u32 },
    /// CSV: some bytes are not valid in the detected encoding and were replaced (row, 0-based).
    DecodeErrors { first_row: u32 },
    /// CSV: NUL bytes were removed.
    NulBytesRemoved,
}

/// Reads one spreadsheet file from its bytes, with the default [`Limits`].
///
/// `name` is the file name; it is only used to name a CSV file's single sheet.
///
/// # Errors
/// A [`ReadError`] when the file as a whole cannot be read: empty, not a spreadsheet,
/// password-protected, damaged, over a safety limit, or a format this tool does not read.
/// Sheets that fail alone are listed in [`Workbook::sheet_errors`] instead.
pub fn read(name: &str, bytes: &[u8]) -> Result<Workbook, ReadError> {
    read_with_limits(name, bytes, &Limits::default())
}

/// Like [`read`], with explicit limits.
///
/// # Errors
/// As [`read`].
pub fn read_with_limits(name: &str, bytes: &[u8], limits: &Limits) -> Result<Workbook, ReadError> {
    if bytes.is_empty() {
        return Err(ReadError::Empty);
    }
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(ReadError::TooLarge {
            limit: crate::error::Limit::FileSize {
                max: limits.max_file_bytes,
            },
        });
    }
    match sniff::sniff(bytes) {
        sniff::Sniffed::Zip => {
            let entries = zipguard::preflight(bytes, limits)?;
            match entries.kind() {
                zipguard::ZipKind::Xlsx { macros } => {
                    xlsx::read_xlsx(bytes, entries, macros, limits)
                }
                zipguard::ZipKind::Xlsb => xlsx::read_xlsb(bytes, limits),
                zipguard::ZipKind::Ods => ods::read_ods(&entries, limits),
                zipguard::ZipKind::Other(looks_like) => {
                    Err(ReadError::NotSpreadsheet { looks_like })
                }
                zipguard::ZipKind::Unsupported(format) => Err(ReadError::Unsupported { format }),
            }
        }
        sniff::Sniffed::Ole => xls::read_xls(bytes, limits),
        sniff::Sniffed::OldExcel => Err(ReadError::OldExcel),
        sniff::Sniffed::Text => csv::read_text(name, bytes, limits),
        sniff::Sniffed::Html => html::read_html(name, bytes, limits),
        sniff::Sniffed::SpreadsheetMl => spreadsheetml::read_spreadsheetml(bytes, limits),
        sniff::Sniffed::NotSpreadsheet(looks_like) => Err(ReadError::NotSpreadsheet { looks_like }),
        sniff::Sniffed::Unsupported(format) => Err(ReadError::Unsupported { format }),
    }
}

/// The file name without directory and extension, used as a CSV file's sheet name.
pub(crate) fn file_stem(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    match base.rfind('.') {
        Some(i) if i > 0 => base[..i].to_string(),
        _ => base.to_string(),
    }
}
