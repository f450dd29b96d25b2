//! A small xlsx writer of our own: the part of rust_xlsxwriter's API the two writers of this
//! crate use ([`super::xlsx`], [`super::forms`]), writing the same XML rust_xlsxwriter 0.102
//! writes for those calls — part for part, attribute for attribute — so that what Excel and WPS
//! have always opened is what they still get.
//!
//! Why not rust_xlsxwriter itself: it carries charts, images, tables, comments, conditional
//! formats and a zip writer with zopfli, none of which the form set needs, and it was the
//! largest part of the web app's bundle (some 200 KB of its gzip size). This module is a port
//! of the paths used: shared strings, cell formats (fonts, fills, borders, number formats,
//! alignment), column widths and formats, row heights, merged ranges, data validations,
//! internal hyperlinks, frozen panes, print setup and titles, an autofilter, hidden sheets and
//! the document's title and creation date. The package is zipped with deflate (flate2).
//!
//! Names, numbers and limits follow rust_xlsxwriter: [`Worksheet::set_name`] refuses what Excel
//! refuses, strings are capped at 32,767 UTF-16 units, rows and columns at 1,048,576 × 16,384;
//! errors are [`XlsxError`]s with rust_xlsxwriter's wording.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fmt::{self, Write as _};

/// A 0-based row.
pub type RowNum = u32;
/// A 0-based column.
pub type ColNum = u16;

const ROW_MAX: RowNum = 1_048_576;
const COL_MAX: ColNum = 16_384;
const MAX_STRING_LEN: usize = 32_767;
/// Excel's default column width (8.43 characters) and row height (15 points), in pixels.
const DEFAULT_COL_WIDTH: u32 = 64;
const DEFAULT_ROW_HEIGHT: u32 = 20;
const MAX_DIGIT_WIDTH: u32 = 7;
const CELL_PADDING: u32 = 5;
const MAX_COL_WIDTH: u32 = 1790;

/// Why a workbook could not be written (rust_xlsxwriter's errors, in its words).
#[derive(Clone, Debug, PartialEq)]
pub enum XlsxError {
    /// A row or column beyond Excel's grid.
    RowColumnLimitError,
    /// A range whose first row or column is after its last.
    RowColumnOrderError,
    /// An empty sheet name.
    SheetnameCannotBeBlank(String),
    /// A sheet name longer than 31 characters.
    SheetnameLengthExceeded(String),
    /// A sheet name with `[ ] : * ? / \`.
    SheetnameContainsInvalidCharacter(String),
    /// A sheet name starting or ending with `'`.
    SheetnameStartsOrEndsWithApostrophe(String),
    /// Two sheets with one name (ignoring case).
    SheetnameReused(String),
    /// Text longer than a cell can hold.
    MaxStringLengthExceeded,
    /// A merged range of one cell.
    MergeRangeSingleCell,
    /// Two merged ranges that overlap.
    MergeRangeOverlaps(String, String),
    /// A data validation over Excel's limits.
    DataValidationError(String),
    /// A date outside Excel's dates.
    DateTimeRangeError(String),
    /// Text that is not a date.
    DateTimeParseError(String),
    /// Writing the zip failed.
    ZipError(String),
}

impl fmt::Display for XlsxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            XlsxError::RowColumnLimitError => {
                f.write_str("Row or column exceeds Excel's allowed limits (1,048,576 x 16,384).")
            }
            XlsxError::RowColumnOrderError => {
                f.write_str("First row or column in range is greater than last row or column.")
            }
            XlsxError::SheetnameCannotBeBlank(name) => {
                write!(f, "Worksheet name '{name}' cannot be blank.")
            }
            XlsxError::SheetnameLengthExceeded(name) => write!(
                f,
                "Worksheet name '{name}' exceeds Excel's limit of 31 characters."
            ),
            XlsxError::SheetnameContainsInvalidCharacter(name) => write!(
                f,
                "Worksheet name '{name}' cannot contain invalid characters: '[ ] : * ? / \\'."
            ),
            XlsxError::SheetnameStartsOrEndsWithApostrophe(name) => write!(
                f,
                "Worksheet name '{name}' cannot start or end with an apostrophe."
            ),
            XlsxError::SheetnameReused(name) => write!(
                f,
                "Worksheet name '{name}' has already been used in this workbook."
            ),
            XlsxError::MaxStringLengthExceeded => {
                f.write_str("String exceeds Excel's limit of 32,767 characters.")
            }
            XlsxError::MergeRangeSingleCell => {
                f.write_str("A merge range cannot be a single cell in Excel.")
            }
            XlsxError::MergeRangeOverlaps(current, previous) => write!(
                f,
                "Merge range {current} overlaps with previous merge range {previous}."
            ),
            XlsxError::DataValidationError(e) => write!(f, "Data validation error: '{e}'."),
            XlsxError::DateTimeRangeError(e) => write!(f, "Date range error: '{e}'"),
            XlsxError::DateTimeParseError(e) => write!(f, "Date parse error: '{e}'"),
            XlsxError::ZipError(e) => write!(f, "Zip error: '{e}'."),
        }
    }
}

impl std::error::Error for XlsxError {}

fn utf16_len(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
}

// ---------------------------------------------------------------------------------------------
// XML text.

/// Escapes text for an attribute value.
fn attr_text(s: &str) -> Cow<'_, str> {
    escape(s, |c| match c {
        '&' => Some("&amp;"),
        '"' => Some("&quot;"),
        '<' => Some("&lt;"),
        '>' => Some("&gt;"),
        '\n' => Some("&#xA;"),
        _ => None,
    })
}

/// Escapes text for element content: markup characters, and control characters XML cannot
/// hold as Excel's `_xHHHH_` escapes.
fn data_text(s: &str) -> Cow<'_, str> {
    const CONTROL: [&str; 32] = [
        "_x0000_", "_x0001_", "_x0002_", "_x0003_", "_x0004_", "_x0005_", "_x0006_", "_x0007_",
        "_x0008_", "", "", "_x000B_", "_x000C_", "_x000D_", "_x000E_", "_x000F_", "_x0010_",
        "_x0011_", "_x0012_", "_x0013_", "_x0014_", "_x0015_", "_x0016_", "_x0017_", "_x0018_",
        "_x0019_", "_x001A_", "_x001B_", "_x001C_", "_x001D_", "_x001E_", "_x001F_",
    ];
    escape(s, |c| match c {
        '&' => Some("&amp;"),
        '<' => Some("&lt;"),
        '>' => Some("&gt;"),
        '\t' | '\n' => None,
        '\u{0}'..='\u{1F}' => CONTROL.get(c as usize).copied(),
        '\u{FFFE}' => Some("_xFFFE_"),
        '\u{FFFF}' => Some("_xFFFF_"),
        _ => None,
    })
}

fn escape(s: &str, f: impl Fn(char) -> Option<&'static str>) -> Cow<'_, str> {
    match s.char_indices().find(|&(_, c)| f(c).is_some()) {
        None => Cow::Borrowed(s),
        Some((i, _)) => {
            let mut out = String::with_capacity(s.len() + 8);
            out.push_str(&s[..i]);
            for c in s[i..].chars() {
                match f(c) {
                    Some(e) => out.push_str(e),
                    None => out.push(c),
                }
            }
            Cow::Owned(out)
        }
    }
}

/// Text that already looks like an `_xHHHH_` escape gets its underscore escaped, so that
/// Excel shows it as written.
fn escape_escapes(s: &str) -> Cow<'_, str> {
    if !s.contains("_x") {
        return Cow::Borrowed(s);
    }
    let mut out = s.to_string();
    for (i, _) in s.rmatch_indices("_x") {
        let hex = s.get(i + 2..i + 6);
        let close = s.get(i + 6..i + 7);
        if close == Some("_") && hex.is_some_and(|h| h.chars().all(|c| c.is_ascii_hexdigit())) {
            out.insert_str(i, "_x005F");
        }
    }
    Cow::Owned(out)
}

const XML_DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

/// `<tag a="v" …/>` (or `>` when `open`).
fn tag(out: &mut String, name: &str, attrs: &[(&str, &str)], open: bool) {
    out.push('<');
    out.push_str(name);
    for (k, v) in attrs {
        let _ = write!(out, " {k}=\"{}\"", attr_text(v));
    }
    out.push_str(if open { ">" } else { "/>" });
}

// ---------------------------------------------------------------------------------------------
// Cells and ranges.

/// Column letters for a 0-based column: 0 → `A`, 26 → `AA`.
pub fn column_number_to_name(col: ColNum) -> String {
    let mut n = u32::from(col) + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        out.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

fn cell_name(row: RowNum, col: ColNum) -> String {
    format!("{}{}", column_number_to_name(col), row + 1)
}

fn range_name(r1: RowNum, c1: ColNum, r2: RowNum, c2: ColNum) -> String {
    if r1 == r2 && c1 == c2 {
        cell_name(r1, c1)
    } else {
        format!("{}:{}", cell_name(r1, c1), cell_name(r2, c2))
    }
}

fn absolute_range(r1: RowNum, c1: ColNum, r2: RowNum, c2: ColNum) -> String {
    let cell = |r: RowNum, c: ColNum| format!("${}${}", column_number_to_name(c), r + 1);
    if r1 == r2 && c1 == c2 {
        cell(r1, c1)
    } else {
        format!("{}:{}", cell(r1, c1), cell(r2, c2))
    }
}

/// A sheet name as a formula refers to it: quoted when it is not a plain name, or when it could
/// be read as a cell reference (rust_xlsxwriter's `quote_sheet_name`).
fn quote_sheet_name(name: &str) -> String {
    if name.starts_with('\'') {
        return name.to_string();
    }
    let digit = name.find(|c: char| c.is_ascii_digit());
    let (letters, number) = match digit {
        Some(p) => (name[..p].to_uppercase(), name[p..].to_uppercase()),
        None => (String::new(), String::new()),
    };
    let rc_number = number
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .unwrap_or_default();
    let in_rows = |n: &str| {
        n.parse::<u64>()
            .is_ok_and(|r| r > 0 && r <= u64::from(ROW_MAX))
    };
    let in_cols = |n: &str| {
        n.parse::<u64>()
            .is_ok_and(|c| c > 0 && c <= u64::from(COL_MAX))
    };
    let quote = if !name
        .chars()
        .all(|c| c.is_alphanumeric() || c == '_' || c == '.')
        || name.starts_with(|c: char| c.is_ascii_digit() || c == '.')
    {
        true
    } else if digit.is_some_and(|p| name[..p].chars().all(|c| c.is_ascii_alphabetic()))
        && (1..=3).contains(&letters.len())
        && number.chars().all(|c| c.is_ascii_digit())
    {
        let col = letters
            .bytes()
            .fold(0u64, |n, b| n * 26 + u64::from(b - b'A' + 1));
        in_rows(&number) && col <= u64::from(COL_MAX)
    } else if letters == "R" {
        in_rows(rc_number)
    } else if letters == "RC" || letters == "C" {
        in_cols(rc_number)
    } else {
        matches!(name.to_uppercase().as_str(), "R" | "C" | "RC")
    };
    if quote {
        format!("'{}'", name.replace('\'', "''"))
    } else {
        name.to_string()
    }
}

// ---------------------------------------------------------------------------------------------
// Formats.

/// A colour.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Color {
    /// The default (automatic) colour.
    #[default]
    Default,
    /// `0xRRGGBB`.
    RGB(u32),
    /// Red (`FF0000`).
    Red,
}

impl Color {
    fn argb(self) -> Option<String> {
        match self {
            Color::Default => None,
            Color::RGB(c) => Some(format!("FF{c:06X}")),
            Color::Red => Some("FFFF0000".to_string()),
        }
    }
}

/// Horizontal and vertical alignment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FormatAlign {
    /// Centred across the cell.
    Center,
    /// Centred vertically.
    VerticalCenter,
    /// At the top.
    Top,
}

/// A cell border.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FormatBorder {
    /// A thin line on all four sides.
    Thin,
}

/// An underline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FormatUnderline {
    /// A single line.
    Single,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
struct Font {
    bold: bool,
    underline: bool,
    /// The size in points as written (`11`).
    size: String,
    color: Color,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
enum Horizontal {
    #[default]
    General,
    Center,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
enum Vertical {
    #[default]
    General,
    Center,
    Top,
}

/// A cell format.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Format {
    font: Font,
    horizontal: Horizontal,
    vertical: Vertical,
    wrap: bool,
    thin_border: bool,
    background: Color,
    num_format: String,
    num_format_index: u16,
}

impl Default for Format {
    fn default() -> Format {
        Format::new()
    }
}

impl Format {
    /// The default format (Calibri 11).
    pub fn new() -> Format {
        Format {
            font: Font {
                size: "11".into(),
                ..Font::default()
            },
            horizontal: Horizontal::General,
            vertical: Vertical::General,
            wrap: false,
            thin_border: false,
            background: Color::Default,
            num_format: String::new(),
            num_format_index: 0,
        }
    }

    /// Bold.
    pub fn set_bold(mut self) -> Format {
        self.font.bold = true;
        self
    }

    /// The font size in points.
    pub fn set_font_size(mut self, size: impl Into<f64>) -> Format {
        self.font.size = size.into().to_string();
        self
    }

    /// The font colour.
    pub fn set_font_color(mut self, color: Color) -> Format {
        self.font.color = color;
        self
    }

    /// Underlined.
    pub fn set_underline(mut self, _underline: FormatUnderline) -> Format {
        self.font.underline = true;
        self
    }

    /// An alignment; horizontal and vertical ones combine.
    pub fn set_align(mut self, align: FormatAlign) -> Format {
        match align {
            FormatAlign::Center => self.horizontal = Horizontal::Center,
            FormatAlign::VerticalCenter => self.vertical = Vertical::Center,
            FormatAlign::Top => self.vertical = Vertical::Top,
        }
        self
    }

    /// Text wraps within the cell.
    pub fn set_text_wrap(mut self) -> Format {
        self.wrap = true;
        self
    }

    /// A border on all four sides.
    pub fn set_border(mut self, _border: FormatBorder) -> Format {
        self.thin_border = true;
        self
    }

    /// A solid background colour.
    pub fn set_background_color(mut self, color: Color) -> Format {
        self.background = color;
        self
    }

    /// A custom number format (`yyyy-mm-dd`).
    pub fn set_num_format(mut self, code: impl Into<String>) -> Format {
        self.num_format = code.into();
        self
    }

    /// One of Excel's built-in number formats by index (49 is text, `@`).
    pub fn set_num_format_index(mut self, index: u8) -> Format {
        self.num_format_index = u16::from(index);
        self
    }

    fn has_alignment(&self) -> bool {
        self.horizontal != Horizontal::General
            || self.vertical == Vertical::Center
            || self.vertical == Vertical::Top
            || self.wrap
    }

    fn apply_alignment(&self) -> bool {
        self.horizontal != Horizontal::General || self.vertical != Vertical::General || self.wrap
    }
}

// ---------------------------------------------------------------------------------------------
// Dates, links, formulas, validations, properties.

/// A date (and time) as Excel stores it: a serial number of days.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ExcelDateTime {
    year: u16,
    month: u8,
    day: u8,
    hour: u16,
    min: u8,
    sec: f64,
}

fn is_leap_year(year: u16) -> bool {
    year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400))
}

impl ExcelDateTime {
    /// A date.
    ///
    /// # Errors
    /// [`XlsxError::DateTimeRangeError`] outside 1900–9999 or for a day the month lacks.
    pub fn from_ymd(year: u16, month: u8, day: u8) -> Result<ExcelDateTime, XlsxError> {
        if year > 9999 || year < 1900 && (year != 1899 || month != 12 || day != 31) {
            return Err(XlsxError::DateTimeRangeError(format!(
                "Year: '{year}' outside Excel range of 1900-9999"
            )));
        }
        if !(1..=12).contains(&month) {
            return Err(XlsxError::DateTimeRangeError(format!(
                "Month: '{month}' outside Excel range of 1-12"
            )));
        }
        let mut months = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
        if is_leap_year(year) || year == 1900 {
            months[1] = 29;
        }
        if day < 1 || day > months[usize::from(month - 1)] {
            return Err(XlsxError::DateTimeRangeError(format!(
                "Day: '{day}' is invalid for year '{year}' and month '{month}'"
            )));
        }
        Ok(ExcelDateTime {
            year,
            month,
            day,
            hour: 0,
            min: 0,
            sec: 0.0,
        })
    }

    fn and_hms(mut self, hour: u16, min: u8, sec: f64) -> Result<ExcelDateTime, XlsxError> {
        if min > 60 {
            return Err(XlsxError::DateTimeRangeError(format!(
                "Minutes: '{min}' outside Excel range of 0-60"
            )));
        }
        if !(0.0..=60.0).contains(&sec) {
            return Err(XlsxError::DateTimeRangeError(format!(
                "Seconds: '{sec}' outside Excel range of 0-60"
            )));
        }
        self.hour = hour;
        self.min = min;
        self.sec = sec;
        Ok(self)
    }

    /// Parses `yyyy-mm-dd`, `yyyy-mm-ddThh:mm:ss` (or with a space) and `hh:mm:ss` as
    /// rust_xlsxwriter does.
    ///
    /// # Errors
    /// [`XlsxError::DateTimeParseError`] for other text, [`XlsxError::DateTimeRangeError`] for
    /// an impossible date.
    pub fn parse_from_str(text: &str) -> Result<ExcelDateTime, XlsxError> {
        let parts: Vec<&str> = text.trim().split(['-', 'T', 'Z', ' ', ':']).collect();
        let int = |i: usize| -> u64 {
            parts
                .get(i)
                .and_then(|t| t.parse::<u64>().ok())
                .unwrap_or(0)
        };
        let sec = |i: usize| -> f64 {
            parts
                .get(i)
                .and_then(|t| t.parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        let small = |v: u64, max: u64| if v > max { 0 } else { v };
        if text.contains('-') {
            let (y, m, d) = (
                small(int(0), 65_535),
                small(int(1), 255),
                small(int(2), 255),
            );
            ExcelDateTime::from_ymd(y as u16, m as u8, d as u8)?.and_hms(
                small(int(3), 65_535) as u16,
                small(int(4), 255) as u8,
                sec(5),
            )
        } else if text.contains(':') {
            ExcelDateTime {
                year: 0,
                month: 0,
                day: 0,
                hour: 0,
                min: 0,
                sec: 0.0,
            }
            .and_hms(
                small(int(0), 65_535) as u16,
                small(int(1), 255) as u8,
                sec(2),
            )
        } else {
            Err(XlsxError::DateTimeParseError(text.to_string()))
        }
    }

    /// The Excel serial number (1900 date system, with Excel's 1900-02-29).
    fn to_excel(self) -> f64 {
        let seconds =
            (f64::from(self.hour) * 3600.0 + f64::from(self.min) * 60.0 + self.sec) / 86_400.0;
        let (year, month, day) = if self.year == 0 {
            (1899, 12, 31)
        } else {
            (self.year, self.month, self.day)
        };
        if (year, month, day) == (1899, 12, 31) {
            return seconds;
        }
        if (year, month, day) == (1900, 2, 29) {
            return 60.0 + seconds;
        }
        let mut months = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
        if is_leap_year(year) {
            months[1] = 29;
        }
        let mut days: u32 = u32::from(day);
        for m in &months[..usize::from(month.saturating_sub(1)).min(12)] {
            days += m;
        }
        for y in 1900..year {
            days += if is_leap_year(y) { 366 } else { 365 };
        }
        // Excel counts the 29th of February 1900, which did not exist.
        if year > 1900 || month > 2 {
            days += 1;
        }
        f64::from(days) + seconds
    }

    fn iso(self) -> String {
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            self.year, self.month, self.day, self.hour, self.min, self.sec as u32
        )
    }
}

/// A link to a place in the workbook (`internal:Sheet!A1`), with the text shown.
#[derive(Clone, Debug, PartialEq)]
pub struct Url {
    anchor: String,
    text: String,
}

impl Url {
    /// A link; only `internal:` links are written.
    pub fn new(link: impl Into<String>) -> Url {
        let link = link.into();
        let anchor = link.strip_prefix("internal:").unwrap_or(&link).to_string();
        Url {
            text: anchor.clone(),
            anchor,
        }
    }

    /// The text shown in the cell.
    pub fn set_text(mut self, text: impl Into<String>) -> Url {
        self.text = text.into();
        self
    }
}

/// A formula, as text (a leading `=` is dropped).
#[derive(Clone, Debug, PartialEq)]
pub struct Formula(String);

impl Formula {
    /// The formula.
    pub fn new(formula: impl AsRef<str>) -> Formula {
        let f = formula.as_ref();
        Formula(f.strip_prefix('=').unwrap_or(f).to_string())
    }
}

/// A validation's condition.
#[derive(Clone, Debug, PartialEq)]
pub enum DataValidationRule<T> {
    /// Equal to the value.
    EqualTo(T),
    /// Between the values, inclusive.
    Between(T, T),
    /// At least the value.
    GreaterThanOrEqualTo(T),
}

/// A value a validation compares with, as Excel writes it.
pub trait RuleValue {
    /// The value in the validation's formula.
    fn value(&self) -> String;
}

impl RuleValue for u32 {
    fn value(&self) -> String {
        self.to_string()
    }
}

impl RuleValue for i32 {
    fn value(&self) -> String {
        self.to_string()
    }
}

impl RuleValue for f64 {
    fn value(&self) -> String {
        self.to_string()
    }
}

impl RuleValue for ExcelDateTime {
    fn value(&self) -> String {
        self.to_excel().to_string()
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Rule {
    EqualTo(String),
    Between(String, String),
    GreaterThanOrEqualTo(String),
    List(String),
}

impl<T: RuleValue> From<DataValidationRule<T>> for Rule {
    fn from(r: DataValidationRule<T>) -> Rule {
        match r {
            DataValidationRule::EqualTo(v) => Rule::EqualTo(v.value()),
            DataValidationRule::Between(a, b) => Rule::Between(a.value(), b.value()),
            DataValidationRule::GreaterThanOrEqualTo(v) => Rule::GreaterThanOrEqualTo(v.value()),
        }
    }
}

/// A data validation: what a cell accepts, with the prompt and the error shown.
#[derive(Clone, Debug, PartialEq)]
pub struct DataValidation {
    kind: &'static str,
    rule: Option<Rule>,
    input_title: String,
    input_message: String,
    error_title: String,
    error_message: String,
}

impl Default for DataValidation {
    fn default() -> DataValidation {
        DataValidation::new()
    }
}

fn checked_text(text: String, max: usize, what: &str) -> Result<String, XlsxError> {
    let length = utf16_len(&text);
    if length > max {
        return Err(XlsxError::DataValidationError(format!(
            "Validation {what} length '{length}' greater than Excel's limit of {max} characters."
        )));
    }
    Ok(text)
}

impl DataValidation {
    /// A validation that allows anything (until a rule is set).
    pub fn new() -> DataValidation {
        DataValidation {
            kind: "any",
            rule: None,
            input_title: String::new(),
            input_message: String::new(),
            error_title: String::new(),
            error_message: String::new(),
        }
    }

    fn with(mut self, kind: &'static str, rule: Rule) -> DataValidation {
        self.kind = kind;
        self.rule = Some(rule);
        self
    }

    /// Text of a length.
    pub fn allow_text_length(self, rule: DataValidationRule<u32>) -> DataValidation {
        self.with("textLength", rule.into())
    }

    /// A date.
    pub fn allow_date(self, rule: DataValidationRule<ExcelDateTime>) -> DataValidation {
        self.with("date", rule.into())
    }

    /// A whole number.
    pub fn allow_whole_number(self, rule: DataValidationRule<i32>) -> DataValidation {
        self.with("whole", rule.into())
    }

    /// A number.
    pub fn allow_decimal_number(self, rule: DataValidationRule<f64>) -> DataValidation {
        self.with("decimal", rule.into())
    }

    /// One of the values given (255 characters at most, commas included).
    ///
    /// # Errors
    /// [`XlsxError::DataValidationError`] when the list is too long to write inline.
    pub fn allow_list_strings(self, list: &[impl AsRef<str>]) -> Result<DataValidation, XlsxError> {
        let joined = list
            .iter()
            .map(|s| s.as_ref().replace('"', "\"\""))
            .collect::<Vec<_>>()
            .join(",");
        let length = utf16_len(&joined);
        if length > 255 {
            return Err(XlsxError::DataValidationError(format!(
                "Validation list length '{length}' including commas is greater than Excel's limit of 255 characters: {joined}"
            )));
        }
        Ok(self.with("list", Rule::List(format!("\"{joined}\""))))
    }

    /// One of the values in a range.
    pub fn allow_list_formula(self, list: Formula) -> DataValidation {
        self.with("list", Rule::List(list.0))
    }

    /// The prompt's title (32 characters at most).
    ///
    /// # Errors
    /// [`XlsxError::DataValidationError`] when too long.
    pub fn set_input_title(mut self, text: impl Into<String>) -> Result<DataValidation, XlsxError> {
        self.input_title = checked_text(text.into(), 32, "title")?;
        Ok(self)
    }

    /// The prompt (255 characters at most).
    ///
    /// # Errors
    /// [`XlsxError::DataValidationError`] when too long.
    pub fn set_input_message(
        mut self,
        text: impl Into<String>,
    ) -> Result<DataValidation, XlsxError> {
        self.input_message = checked_text(text.into(), 255, "message")?;
        Ok(self)
    }

    /// The error's title (32 characters at most).
    ///
    /// # Errors
    /// [`XlsxError::DataValidationError`] when too long.
    pub fn set_error_title(mut self, text: impl Into<String>) -> Result<DataValidation, XlsxError> {
        self.error_title = checked_text(text.into(), 32, "title")?;
        Ok(self)
    }

    /// The error message (255 characters at most).
    ///
    /// # Errors
    /// [`XlsxError::DataValidationError`] when too long.
    pub fn set_error_message(
        mut self,
        text: impl Into<String>,
    ) -> Result<DataValidation, XlsxError> {
        self.error_message = checked_text(text.into(), 255, "message")?;
        Ok(self)
    }

    fn write(&self, out: &mut String, sqref: &str) {
        let mut attrs: Vec<(&str, &str)> = vec![("type", self.kind)];
        match &self.rule {
            Some(Rule::EqualTo(_)) => attrs.push(("operator", "equal")),
            Some(Rule::GreaterThanOrEqualTo(_)) => attrs.push(("operator", "greaterThanOrEqual")),
            _ => {}
        }
        attrs.push(("allowBlank", "1"));
        attrs.push(("showInputMessage", "1"));
        attrs.push(("showErrorMessage", "1"));
        for (k, v) in [
            ("errorTitle", &self.error_title),
            ("error", &self.error_message),
            ("promptTitle", &self.input_title),
            ("prompt", &self.input_message),
        ] {
            if !v.is_empty() {
                attrs.push((k, v));
            }
        }
        attrs.push(("sqref", sqref));
        tag(out, "dataValidation", &attrs, true);
        let mut formula = |name: &str, v: &str| {
            let _ = write!(out, "<{name}>{}</{name}>", data_text(v));
        };
        match &self.rule {
            Some(Rule::EqualTo(v) | Rule::GreaterThanOrEqualTo(v) | Rule::List(v)) => {
                formula("formula1", v);
            }
            Some(Rule::Between(a, b)) => {
                formula("formula1", a);
                formula("formula2", b);
            }
            None => {}
        }
        out.push_str("</dataValidation>");
    }
}

/// The document's properties.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DocProperties {
    title: String,
    created: Option<ExcelDateTime>,
}

impl DocProperties {
    /// No properties.
    pub fn new() -> DocProperties {
        DocProperties::default()
    }

    /// The title.
    pub fn set_title(mut self, title: impl Into<String>) -> DocProperties {
        self.title = title.into();
        self
    }

    /// The creation date (also written as the date last modified).
    pub fn set_creation_datetime(mut self, created: &ExcelDateTime) -> DocProperties {
        self.created = Some(*created);
        self
    }
}

// ---------------------------------------------------------------------------------------------
// Worksheets.

#[derive(Clone, Debug, PartialEq)]
enum Value {
    Text(String),
    Number(f64),
    Bool(bool),
    Blank,
}

#[derive(Clone, Debug, PartialEq)]
struct Cell {
    value: Value,
    /// Index into the sheet's own format list.
    xf: u32,
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct ColOptions {
    width: u32,
    xf: u32,
}

/// One worksheet.
#[derive(Clone, Debug)]
pub struct Worksheet {
    name: String,
    hidden: bool,
    cells: BTreeMap<RowNum, BTreeMap<ColNum, Cell>>,
    /// The sheet's formats in the order first used; 0 is the default.
    formats: Vec<Format>,
    format_index: HashMap<Format, u32>,
    cols: HashMap<ColNum, ColOptions>,
    /// Row heights in pixels.
    rows: HashMap<RowNum, u32>,
    /// First row, first column, last row, last column of everything written.
    dims: Option<(RowNum, ColNum, RowNum, ColNum)>,
    merges: Vec<(RowNum, ColNum, RowNum, ColNum)>,
    merged: HashMap<(RowNum, ColNum), usize>,
    validations: BTreeMap<String, DataValidation>,
    links: BTreeMap<(RowNum, ColNum), Url>,
    panes: (RowNum, ColNum),
    repeat_rows: Option<(RowNum, RowNum)>,
    autofilter: Option<(RowNum, ColNum, RowNum, ColNum)>,
    page_setup_changed: bool,
    portrait: bool,
    paper_size: u8,
    fit: Option<(u16, u16)>,
}

impl Default for Worksheet {
    fn default() -> Worksheet {
        Worksheet::new()
    }
}

impl Worksheet {
    /// An empty worksheet (named `Sheet1` and so on when added to a workbook unnamed).
    pub fn new() -> Worksheet {
        Worksheet {
            name: String::new(),
            hidden: false,
            cells: BTreeMap::new(),
            formats: vec![Format::new()],
            format_index: HashMap::from([(Format::new(), 0)]),
            cols: HashMap::new(),
            rows: HashMap::new(),
            dims: None,
            merges: Vec::new(),
            merged: HashMap::new(),
            validations: BTreeMap::new(),
            links: BTreeMap::new(),
            panes: (0, 0),
            repeat_rows: None,
            autofilter: None,
            page_setup_changed: false,
            portrait: true,
            paper_size: 0,
            fit: None,
        }
    }

    /// Names the sheet.
    ///
    /// # Errors
    /// A name Excel refuses: empty, longer than 31 characters, with `[ ] : * ? / \`, or
    /// starting or ending with `'`.
    pub fn set_name(&mut self, name: impl Into<String>) -> Result<&mut Worksheet, XlsxError> {
        let name = name.into();
        let message = format!(r#"worksheet.set_name("{name}")"#);
        if name.is_empty() {
            return Err(XlsxError::SheetnameCannotBeBlank(message));
        }
        if utf16_len(&name) > 31 {
            return Err(XlsxError::SheetnameLengthExceeded(message));
        }
        if name.contains(['*', '?', ':', '[', ']', '\\', '/']) {
            return Err(XlsxError::SheetnameContainsInvalidCharacter(message));
        }
        if name.starts_with('\'') || name.ends_with('\'') {
            return Err(XlsxError::SheetnameStartsOrEndsWithApostrophe(message));
        }
        self.name = name;
        Ok(self)
    }

    /// The sheet's name.
    pub fn name(&self) -> String {
        self.name.clone()
    }

    /// Hides the sheet (or shows it again).
    pub fn set_hidden(&mut self, hidden: bool) -> &mut Worksheet {
        self.hidden = hidden;
        self
    }

    fn check(&mut self, row: RowNum, col: ColNum) -> Result<(), XlsxError> {
        if row >= ROW_MAX || col >= COL_MAX {
            return Err(XlsxError::RowColumnLimitError);
        }
        self.dims = Some(match self.dims {
            None => (row, col, row, col),
            Some((r1, c1, r2, c2)) => (r1.min(row), c1.min(col), r2.max(row), c2.max(col)),
        });
        Ok(())
    }

    fn check_only(row: RowNum, col: ColNum) -> Result<(), XlsxError> {
        if row >= ROW_MAX || col >= COL_MAX {
            Err(XlsxError::RowColumnLimitError)
        } else {
            Ok(())
        }
    }

    fn xf(&mut self, format: &Format) -> u32 {
        if let Some(&i) = self.format_index.get(format) {
            return i;
        }
        let i = self.formats.len() as u32;
        self.formats.push(format.clone());
        self.format_index.insert(format.clone(), i);
        i
    }

    fn put(&mut self, row: RowNum, col: ColNum, value: Value, xf: u32) {
        self.cells
            .entry(row)
            .or_default()
            .insert(col, Cell { value, xf });
    }

    fn string(
        &mut self,
        row: RowNum,
        col: ColNum,
        text: &str,
        format: Option<&Format>,
    ) -> Result<&mut Worksheet, XlsxError> {
        if text.is_empty() {
            return match format {
                Some(f) => self.write_blank(row, col, f),
                None => Ok(self),
            };
        }
        self.check(row, col)?;
        if utf16_len(text) > MAX_STRING_LEN {
            return Err(XlsxError::MaxStringLengthExceeded);
        }
        let xf = format.map_or(0, |f| self.xf(f));
        self.put(row, col, Value::Text(text.to_string()), xf);
        Ok(self)
    }

    fn number(
        &mut self,
        row: RowNum,
        col: ColNum,
        n: f64,
        format: Option<&Format>,
    ) -> Result<&mut Worksheet, XlsxError> {
        self.check(row, col)?;
        if !n.is_finite() {
            let text = if n.is_nan() {
                "NAN"
            } else if n > 0.0 {
                "INF"
            } else {
                "-INF"
            };
            return self.string(row, col, text, format);
        }
        let xf = format.map_or(0, |f| self.xf(f));
        self.put(row, col, Value::Number(n), xf);
        Ok(self)
    }

    fn boolean(
        &mut self,
        row: RowNum,
        col: ColNum,
        b: bool,
        format: Option<&Format>,
    ) -> Result<&mut Worksheet, XlsxError> {
        self.check(row, col)?;
        let xf = format.map_or(0, |f| self.xf(f));
        self.put(row, col, Value::Bool(b), xf);
        Ok(self)
    }

    /// Writes text (as a shared string).
    ///
    /// # Errors
    /// A cell outside the grid, or text over 32,767 characters.
    pub fn write_string(
        &mut self,
        row: RowNum,
        col: ColNum,
        text: &str,
    ) -> Result<&mut Worksheet, XlsxError> {
        self.string(row, col, text, None)
    }

    /// Writes text with a format.
    ///
    /// # Errors
    /// A cell outside the grid, or text over 32,767 characters.
    pub fn write_string_with_format(
        &mut self,
        row: RowNum,
        col: ColNum,
        text: &str,
        format: &Format,
    ) -> Result<&mut Worksheet, XlsxError> {
        self.string(row, col, text, Some(format))
    }

    /// Writes a number.
    ///
    /// # Errors
    /// A cell outside the grid.
    pub fn write_number(
        &mut self,
        row: RowNum,
        col: ColNum,
        n: impl Into<f64>,
    ) -> Result<&mut Worksheet, XlsxError> {
        self.number(row, col, n.into(), None)
    }

    /// Writes a number with a format.
    ///
    /// # Errors
    /// A cell outside the grid.
    pub fn write_number_with_format(
        &mut self,
        row: RowNum,
        col: ColNum,
        n: impl Into<f64>,
        format: &Format,
    ) -> Result<&mut Worksheet, XlsxError> {
        self.number(row, col, n.into(), Some(format))
    }

    /// Writes TRUE or FALSE.
    ///
    /// # Errors
    /// A cell outside the grid.
    pub fn write_boolean(
        &mut self,
        row: RowNum,
        col: ColNum,
        b: bool,
    ) -> Result<&mut Worksheet, XlsxError> {
        self.boolean(row, col, b, None)
    }

    /// Writes TRUE or FALSE with a format.
    ///
    /// # Errors
    /// A cell outside the grid.
    pub fn write_boolean_with_format(
        &mut self,
        row: RowNum,
        col: ColNum,
        b: bool,
        format: &Format,
    ) -> Result<&mut Worksheet, XlsxError> {
        self.boolean(row, col, b, Some(format))
    }

    /// Writes a date as its serial number, with a (date) format.
    ///
    /// # Errors
    /// A cell outside the grid.
    pub fn write_datetime_with_format(
        &mut self,
        row: RowNum,
        col: ColNum,
        date: &ExcelDateTime,
        format: &Format,
    ) -> Result<&mut Worksheet, XlsxError> {
        self.number(row, col, date.to_excel(), Some(format))
    }

    /// Writes a formatted empty cell (a format-less one is not written at all).
    ///
    /// # Errors
    /// A cell outside the grid.
    pub fn write_blank(
        &mut self,
        row: RowNum,
        col: ColNum,
        format: &Format,
    ) -> Result<&mut Worksheet, XlsxError> {
        self.check(row, col)?;
        let xf = self.xf(format);
        self.put(row, col, Value::Blank, xf);
        Ok(self)
    }

    /// Writes a link's text with a format, and the link.
    ///
    /// # Errors
    /// A cell outside the grid.
    pub fn write_url_with_format(
        &mut self,
        row: RowNum,
        col: ColNum,
        url: Url,
        format: &Format,
    ) -> Result<&mut Worksheet, XlsxError> {
        self.string(row, col, &url.text, Some(format))?;
        self.links.insert((row, col), url);
        Ok(self)
    }

    /// Merges a range and writes text into it (every cell of the range gets the format).
    ///
    /// # Errors
    /// A cell outside the grid, a range out of order or of one cell, or one that overlaps a
    /// range merged before.
    pub fn merge_range(
        &mut self,
        first_row: RowNum,
        first_col: ColNum,
        last_row: RowNum,
        last_col: ColNum,
        text: &str,
        format: &Format,
    ) -> Result<&mut Worksheet, XlsxError> {
        Self::check_only(first_row, first_col)?;
        Self::check_only(last_row, last_col)?;
        if first_row > last_row || first_col > last_col {
            return Err(XlsxError::RowColumnOrderError);
        }
        if first_row == last_row && first_col == last_col {
            return Err(XlsxError::MergeRangeSingleCell);
        }
        self.write_string_with_format(first_row, first_col, text, format)?;
        for row in first_row..=last_row {
            for col in first_col..=last_col {
                if (row, col) != (first_row, first_col) {
                    self.write_blank(row, col, format)?;
                }
            }
        }
        let index = self.merges.len();
        for row in first_row..=last_row {
            for col in first_col..=last_col {
                if let Some(&other) = self.merged.get(&(row, col)) {
                    let (r1, c1, r2, c2) = self.merges.get(other).copied().unwrap_or_default();
                    return Err(XlsxError::MergeRangeOverlaps(
                        range_name(first_row, first_col, last_row, last_col),
                        range_name(r1, c1, r2, c2),
                    ));
                }
                self.merged.insert((row, col), index);
            }
        }
        self.merges.push((first_row, first_col, last_row, last_col));
        Ok(self)
    }

    /// Sets a column's width in characters.
    ///
    /// # Errors
    /// A column outside the grid.
    pub fn set_column_width(
        &mut self,
        col: ColNum,
        width: impl Into<f64>,
    ) -> Result<&mut Worksheet, XlsxError> {
        let width = width.into();
        let pixels = if width <= 0.0 {
            0
        } else if width < 1.0 {
            (width * f64::from(MAX_DIGIT_WIDTH + CELL_PADDING)).round() as u32
        } else {
            (width * f64::from(MAX_DIGIT_WIDTH)).round() as u32 + CELL_PADDING
        };
        if col >= COL_MAX {
            return Err(XlsxError::RowColumnLimitError);
        }
        let pixels = pixels.min(MAX_COL_WIDTH);
        self.cols
            .entry(col)
            .and_modify(|c| c.width = pixels)
            .or_insert(ColOptions {
                width: pixels,
                xf: 0,
            });
        Ok(self)
    }

    /// Sets a whole column's format (cells written without one take it).
    ///
    /// # Errors
    /// A column outside the grid.
    pub fn set_column_format(
        &mut self,
        col: ColNum,
        format: &Format,
    ) -> Result<&mut Worksheet, XlsxError> {
        let min_row = self.dims.map_or(0, |d| d.0);
        self.check(min_row, col)?;
        let xf = self.xf(format);
        self.cols
            .entry(col)
            .and_modify(|c| c.xf = xf)
            .or_insert(ColOptions {
                width: DEFAULT_COL_WIDTH,
                xf,
            });
        Ok(self)
    }

    /// Sets a row's height in points.
    ///
    /// # Errors
    /// A row outside the grid.
    pub fn set_row_height(
        &mut self,
        row: RowNum,
        height: impl Into<f64>,
    ) -> Result<&mut Worksheet, XlsxError> {
        let pixels = (height.into() * 4.0 / 3.0).round() as u32;
        let min_col = self.dims.map_or(0, |d| d.1);
        self.check(row, min_col)?;
        self.rows.insert(row, pixels);
        Ok(self)
    }

    /// Prints landscape.
    pub fn set_landscape(&mut self) -> &mut Worksheet {
        self.portrait = false;
        self.page_setup_changed = true;
        self
    }

    /// Prints portrait.
    pub fn set_portrait(&mut self) -> &mut Worksheet {
        self.portrait = true;
        self.page_setup_changed = true;
        self
    }

    /// The paper (9 is A4).
    pub fn set_paper_size(&mut self, size: u8) -> &mut Worksheet {
        self.paper_size = size;
        self.page_setup_changed = true;
        self
    }

    /// Fits the print to pages wide and high (0: as many as needed).
    pub fn set_print_fit_to_pages(&mut self, width: u16, height: u16) -> &mut Worksheet {
        self.fit = Some((width, height));
        self.page_setup_changed = true;
        self
    }

    /// Validates a range.
    ///
    /// # Errors
    /// A range outside the grid or out of order.
    pub fn add_data_validation(
        &mut self,
        first_row: RowNum,
        first_col: ColNum,
        last_row: RowNum,
        last_col: ColNum,
        validation: &DataValidation,
    ) -> Result<&mut Worksheet, XlsxError> {
        Self::check_only(first_row, first_col)?;
        Self::check_only(last_row, last_col)?;
        if first_row > last_row || first_col > last_col {
            return Err(XlsxError::RowColumnOrderError);
        }
        if validation.rule.is_none() {
            return Ok(self);
        }
        self.validations.insert(
            range_name(first_row, first_col, last_row, last_col),
            validation.clone(),
        );
        Ok(self)
    }

    /// Freezes the rows above and the columns left of a cell.
    ///
    /// # Errors
    /// A cell outside the grid.
    pub fn set_freeze_panes(
        &mut self,
        row: RowNum,
        col: ColNum,
    ) -> Result<&mut Worksheet, XlsxError> {
        Self::check_only(row, col)?;
        self.panes = (row, col);
        Ok(self)
    }

    /// Rows repeated at the top of every printed page.
    ///
    /// # Errors
    /// Rows outside the grid or out of order.
    pub fn set_repeat_rows(
        &mut self,
        first_row: RowNum,
        last_row: RowNum,
    ) -> Result<&mut Worksheet, XlsxError> {
        Self::check_only(first_row, 0)?;
        Self::check_only(last_row, 0)?;
        if first_row > last_row {
            return Err(XlsxError::RowColumnOrderError);
        }
        self.repeat_rows = Some((first_row, last_row));
        self.page_setup_changed = true;
        Ok(self)
    }

    /// An autofilter over a range.
    ///
    /// # Errors
    /// A range outside the grid or out of order.
    pub fn autofilter(
        &mut self,
        first_row: RowNum,
        first_col: ColNum,
        last_row: RowNum,
        last_col: ColNum,
    ) -> Result<&mut Worksheet, XlsxError> {
        Self::check_only(first_row, first_col)?;
        Self::check_only(last_row, last_col)?;
        if first_row > last_row || first_col > last_col {
            return Err(XlsxError::RowColumnOrderError);
        }
        self.autofilter = Some((first_row, first_col, last_row, last_col));
        Ok(self)
    }

    /// The worksheet XML, with cell formats mapped to the workbook's (`xfs`) and text to the
    /// shared strings (`sst`).
    fn xml(&self, selected: bool, xfs: &[u32], sst: &mut Strings) -> String {
        let global = |xf: u32| xfs.get(xf as usize).copied().unwrap_or(0);
        let mut out = String::with_capacity(4096);
        out.push_str(XML_DECLARATION);
        tag(
            &mut out,
            "worksheet",
            &[
                (
                    "xmlns",
                    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                ),
                (
                    "xmlns:r",
                    "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
                ),
            ],
            true,
        );
        if self.fit.is_some() {
            out.push_str("<sheetPr><pageSetUpPr fitToPage=\"1\"/></sheetPr>");
        }
        let dimension = match self.dims {
            Some((r1, c1, r2, c2)) => range_name(r1, c1, r2, c2),
            None => "A1".to_string(),
        };
        tag(&mut out, "dimension", &[("ref", &dimension)], false);
        out.push_str("<sheetViews>");
        let mut view: Vec<(&str, &str)> = Vec::new();
        if selected {
            view.push(("tabSelected", "1"));
        }
        view.push(("workbookViewId", "0"));
        let (prow, pcol) = self.panes;
        if (prow, pcol) == (0, 0) {
            tag(&mut out, "sheetView", &view, false);
        } else {
            tag(&mut out, "sheetView", &view, true);
            let (xs, ys, top) = (pcol.to_string(), prow.to_string(), cell_name(prow, pcol));
            let mut pane: Vec<(&str, &str)> = Vec::new();
            if pcol > 0 {
                pane.push(("xSplit", &xs));
            }
            if prow > 0 {
                pane.push(("ySplit", &ys));
            }
            pane.push(("topLeftCell", &top));
            let active = match (prow > 0, pcol > 0) {
                (true, true) => "bottomRight",
                (false, true) => "topRight",
                _ => "bottomLeft",
            };
            pane.push(("activePane", active));
            pane.push(("state", "frozen"));
            tag(&mut out, "pane", &pane, false);
            if prow > 0 && pcol > 0 {
                let (tr, bl) = (cell_name(0, pcol), cell_name(prow, 0));
                tag(
                    &mut out,
                    "selection",
                    &[("pane", "topRight"), ("activeCell", &tr), ("sqref", &tr)],
                    false,
                );
                tag(
                    &mut out,
                    "selection",
                    &[("pane", "bottomLeft"), ("activeCell", &bl), ("sqref", &bl)],
                    false,
                );
            }
            tag(&mut out, "selection", &[("pane", active)], false);
            out.push_str("</sheetView>");
        }
        out.push_str("</sheetViews><sheetFormatPr defaultRowHeight=\"15\"/>");
        self.write_cols(&mut out, &global);
        self.write_rows(&mut out, &global, sst);
        if let Some((r1, c1, r2, c2)) = self.autofilter {
            tag(
                &mut out,
                "autoFilter",
                &[("ref", &range_name(r1, c1, r2, c2))],
                false,
            );
        }
        if !self.merges.is_empty() {
            let _ = write!(out, "<mergeCells count=\"{}\">", self.merges.len());
            for &(r1, c1, r2, c2) in &self.merges {
                tag(
                    &mut out,
                    "mergeCell",
                    &[("ref", &range_name(r1, c1, r2, c2))],
                    false,
                );
            }
            out.push_str("</mergeCells>");
        }
        if !self.validations.is_empty() {
            let _ = write!(
                out,
                "<dataValidations count=\"{}\">",
                self.validations.len()
            );
            for (sqref, v) in &self.validations {
                v.write(&mut out, sqref);
            }
            out.push_str("</dataValidations>");
        }
        if !self.links.is_empty() {
            out.push_str("<hyperlinks>");
            for (&(row, col), url) in &self.links {
                tag(
                    &mut out,
                    "hyperlink",
                    &[
                        ("ref", &cell_name(row, col)),
                        ("location", &url.anchor),
                        ("display", &url.text),
                    ],
                    false,
                );
            }
            out.push_str("</hyperlinks>");
        }
        out.push_str(
            "<pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" bottom=\"0.75\" header=\"0.3\" footer=\"0.3\"/>",
        );
        if self.page_setup_changed {
            let paper = self.paper_size.to_string();
            let mut attrs: Vec<(&str, &str)> = Vec::new();
            if self.paper_size > 0 {
                attrs.push(("paperSize", &paper));
            }
            let (fw, fh) = self.fit.unwrap_or((1, 1));
            let (fw, fh) = (fw.to_string(), fh.to_string());
            if self.fit.is_some() {
                if fw != "1" {
                    attrs.push(("fitToWidth", &fw));
                }
                if fh != "1" {
                    attrs.push(("fitToHeight", &fh));
                }
            }
            attrs.push((
                "orientation",
                if self.portrait {
                    "portrait"
                } else {
                    "landscape"
                },
            ));
            attrs.push(("horizontalDpi", "200"));
            attrs.push(("verticalDpi", "200"));
            tag(&mut out, "pageSetup", &attrs, false);
        }
        out.push_str("</worksheet>");
        out
    }

    fn write_cols(&self, out: &mut String, global: &impl Fn(u32) -> u32) {
        if self.cols.is_empty() {
            return;
        }
        let mut cols: Vec<(ColNum, ColOptions)> = self.cols.iter().map(|(&c, &o)| (c, o)).collect();
        cols.sort_unstable_by_key(|c| c.0);
        out.push_str("<cols>");
        let mut runs: Vec<(ColNum, ColNum, ColOptions)> = Vec::new();
        for (col, o) in cols {
            match runs.last_mut() {
                Some((_, last, prev)) if *last + 1 == col && *prev == o => *last = col,
                _ => runs.push((col, col, o)),
            }
        }
        for (first, last, o) in runs {
            let width = f64::from(o.width * 256 / MAX_DIGIT_WIDTH) / 256.0;
            let (min, max, width) = (
                (first + 1).to_string(),
                (last + 1).to_string(),
                width.to_string(),
            );
            let style = global(o.xf).to_string();
            let mut attrs: Vec<(&str, &str)> =
                vec![("min", &min), ("max", &max), ("width", &width)];
            if o.xf > 0 {
                attrs.push(("style", &style));
            }
            if o.width != DEFAULT_COL_WIDTH {
                attrs.push(("customWidth", "1"));
            }
            tag(out, "col", &attrs, false);
        }
        out.push_str("</cols>");
    }

    fn write_rows(&self, out: &mut String, global: &impl Fn(u32) -> u32, sst: &mut Strings) {
        let Some((first, _, last, _)) = self.dims else {
            out.push_str("<sheetData/>");
            return;
        };
        if self.cells.is_empty() && self.rows.is_empty() {
            out.push_str("<sheetData/>");
            return;
        }
        // Spans: the columns used in each block of 16 rows.
        let mut spans: HashMap<RowNum, String> = HashMap::new();
        let mut span: Option<(ColNum, ColNum)> = None;
        for row in first..=last {
            if let Some(cols) = self.cells.get(&row) {
                for &c in cols.keys() {
                    span = Some(match span {
                        None => (c, c),
                        Some((a, b)) => (a.min(c), b.max(c)),
                    });
                }
            }
            if (row + 1) % 16 == 0 || row == last {
                if let Some((a, b)) = span.take() {
                    spans.insert(row / 16, format!("{}:{}", a + 1, b + 1));
                }
            }
        }
        out.push_str("<sheetData>");
        for row in first..=last {
            let cells = self.cells.get(&row);
            let height = self.rows.get(&row);
            if cells.is_none() && height.is_none() {
                continue;
            }
            let r = (row + 1).to_string();
            let ht = height.map(|h| (f64::from(*h) * 0.75).to_string());
            let mut attrs: Vec<(&str, &str)> = vec![("r", &r)];
            if let Some(s) = spans.get(&(row / 16)) {
                attrs.push(("spans", s));
            }
            if let Some(h) = &ht {
                if height.is_some_and(|&h| h != DEFAULT_ROW_HEIGHT) {
                    attrs.push(("ht", h));
                    attrs.push(("customHeight", "1"));
                }
            }
            let Some(cells) = cells else {
                tag(out, "row", &attrs, false);
                continue;
            };
            tag(out, "row", &attrs, true);
            for (&col, cell) in cells {
                let mut xf = cell.xf;
                if xf == 0 {
                    xf = self.cols.get(&col).map_or(0, |c| c.xf);
                }
                let s = global(xf);
                let name = column_number_to_name(col);
                let style = if s > 0 {
                    format!(" s=\"{s}\"")
                } else {
                    String::new()
                };
                match &cell.value {
                    Value::Text(t) => {
                        let _ = write!(
                            out,
                            "<c r=\"{name}{r}\"{style} t=\"s\"><v>{}</v></c>",
                            sst.index(t)
                        );
                    }
                    Value::Number(n) => {
                        let _ = write!(out, "<c r=\"{name}{r}\"{style}><v>{n}</v></c>");
                    }
                    Value::Bool(b) => {
                        let _ = write!(
                            out,
                            "<c r=\"{name}{r}\"{style} t=\"b\"><v>{}</v></c>",
                            u8::from(*b)
                        );
                    }
                    Value::Blank => {
                        if s > 0 {
                            let _ = write!(out, "<c r=\"{name}{r}\"{style}/>");
                        }
                    }
                }
            }
            out.push_str("</row>");
        }
        out.push_str("</sheetData>");
    }
}

// ---------------------------------------------------------------------------------------------
// The workbook.

/// The shared strings, numbered in the order first met.
#[derive(Default)]
struct Strings {
    index: HashMap<String, u32>,
    order: Vec<String>,
    count: u32,
}

impl Strings {
    fn index(&mut self, s: &str) -> u32 {
        self.count += 1;
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let i = self.order.len() as u32;
        self.index.insert(s.to_string(), i);
        self.order.push(s.to_string());
        i
    }

    fn xml(&self) -> String {
        let mut out = String::with_capacity(64 * self.order.len() + 256);
        out.push_str(XML_DECLARATION);
        let _ = write!(
            out,
            "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"{}\" uniqueCount=\"{}\">",
            self.count,
            self.order.len()
        );
        for s in &self.order {
            let ws = ['\t', '\n', ' '];
            let text = data_text(&escape_escapes(s)).into_owned();
            if s.starts_with(ws) || s.ends_with(ws) {
                let _ = write!(out, "<si><t xml:space=\"preserve\">{text}</t></si>");
            } else {
                let _ = write!(out, "<si><t>{text}</t></si>");
            }
        }
        out.push_str("</sst>");
        out
    }
}

/// A workbook: worksheets and document properties.
#[derive(Clone, Debug, Default)]
pub struct Workbook {
    worksheets: Vec<Worksheet>,
    properties: DocProperties,
}

/// The default theme (Office 2007–2010), as Excel and rust_xlsxwriter write it.
const THEME: &str = include_str!("theme1.xml");

impl Workbook {
    /// An empty workbook.
    pub fn new() -> Workbook {
        Workbook::default()
    }

    /// Sets the document properties.
    pub fn set_properties(&mut self, properties: &DocProperties) -> &mut Workbook {
        self.properties = properties.clone();
        self
    }

    /// Adds a worksheet at the end.
    pub fn push_worksheet(&mut self, sheet: Worksheet) {
        self.worksheets.push(sheet);
    }

    /// Adds an empty worksheet named `SheetN`.
    pub fn add_worksheet(&mut self) -> &mut Worksheet {
        let mut sheet = Worksheet::new();
        sheet.name = format!("Sheet{}", self.worksheets.len() + 1);
        self.worksheets.push(sheet);
        let last = self.worksheets.len() - 1;
        &mut self.worksheets[last]
    }

    /// The worksheets.
    pub fn worksheets(&self) -> &Vec<Worksheet> {
        &self.worksheets
    }

    /// The workbook as xlsx bytes.
    ///
    /// # Errors
    /// Two sheets with one name (ignoring case), or a failure writing the zip.
    pub fn save_to_buffer(&mut self) -> Result<Vec<u8>, XlsxError> {
        if self.worksheets.is_empty() {
            self.add_worksheet();
        }
        for (i, sheet) in self.worksheets.iter_mut().enumerate() {
            if sheet.name.is_empty() {
                sheet.name = format!("Sheet{}", i + 1);
            }
        }
        let mut seen = std::collections::HashSet::new();
        for sheet in &self.worksheets {
            let lower = sheet.name.to_lowercase();
            if !seen.insert(lower.clone()) {
                return Err(XlsxError::SheetnameReused(lower));
            }
        }
        let sheets = &self.worksheets;

        // Cell formats: the default, then each sheet's in order of first use.
        let mut formats: Vec<Format> = vec![Format::new()];
        let mut format_index: HashMap<Format, u32> = HashMap::from([(Format::new(), 0)]);
        let xfs: Vec<Vec<u32>> = sheets
            .iter()
            .map(|s| {
                s.formats
                    .iter()
                    .map(|f| {
                        *format_index.entry(f.clone()).or_insert_with(|| {
                            formats.push(f.clone());
                            formats.len() as u32 - 1
                        })
                    })
                    .collect()
            })
            .collect();

        // Shared strings: sheet by sheet, row by row.
        let mut sst = Strings::default();
        let mut parts: Vec<(String, Vec<u8>)> = Vec::new();
        let mut sheet_xml = Vec::with_capacity(sheets.len());
        for (i, s) in sheets.iter().enumerate() {
            let xf = xfs.get(i).map_or(&[][..], Vec::as_slice);
            sheet_xml.push(s.xml(i == 0, xf, &mut sst));
        }

        // Defined names: autofilters and print titles, sorted as Excel sorts them.
        let mut names: Vec<(String, String, usize, bool)> = Vec::new();
        for (i, s) in sheets.iter().enumerate() {
            let quoted = quote_sheet_name(&s.name);
            if let Some((r1, c1, r2, c2)) = s.autofilter {
                names.push((
                    "_filterdatabase{}".into(),
                    format!("{quoted}!{}", absolute_range(r1, c1, r2, c2)),
                    i,
                    true,
                ));
            }
            if let Some((r1, r2)) = s.repeat_rows {
                names.push((
                    "print_titles".into(),
                    format!("{quoted}!${}:${}", r1 + 1, r2 + 1),
                    i,
                    false,
                ));
            }
        }
        names.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));

        let n = sheets.len();
        let has_sst = sst.count > 0;
        parts.push((
            "[Content_Types].xml".into(),
            content_types(n, has_sst).into_bytes(),
        ));
        parts.push(("_rels/.rels".into(), ROOT_RELS.as_bytes().to_vec()));
        parts.push((
            "xl/_rels/workbook.xml.rels".into(),
            workbook_rels(n, has_sst).into_bytes(),
        ));
        parts.push(("xl/theme/theme1.xml".into(), THEME.as_bytes().to_vec()));
        parts.push(("xl/styles.xml".into(), styles(&formats).into_bytes()));
        parts.push((
            "xl/workbook.xml".into(),
            self.workbook_xml(&names).into_bytes(),
        ));
        for (i, xml) in sheet_xml.into_iter().enumerate() {
            parts.push((
                format!("xl/worksheets/sheet{}.xml", i + 1),
                xml.into_bytes(),
            ));
        }
        if has_sst {
            parts.push(("xl/sharedStrings.xml".into(), sst.xml().into_bytes()));
        }
        parts.push(("docProps/core.xml".into(), self.core_xml().into_bytes()));
        parts.push(("docProps/app.xml".into(), self.app_xml(&names).into_bytes()));
        zip(&parts)
    }

    fn workbook_xml(&self, names: &[(String, String, usize, bool)]) -> String {
        let mut out = String::from(XML_DECLARATION);
        out.push_str("<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><fileVersion appName=\"xl\" lastEdited=\"4\" lowestEdited=\"4\" rupBuild=\"4505\"/><workbookPr defaultThemeVersion=\"124226\"/><bookViews><workbookView xWindow=\"240\" yWindow=\"15\" windowWidth=\"16095\" windowHeight=\"9660\"/></bookViews><sheets>");
        for (i, s) in self.worksheets.iter().enumerate() {
            let (id, rid) = ((i + 1).to_string(), format!("rId{}", i + 1));
            let mut attrs: Vec<(&str, &str)> = vec![("name", &s.name), ("sheetId", &id)];
            if s.hidden {
                attrs.push(("state", "hidden"));
            }
            attrs.push(("r:id", &rid));
            tag(&mut out, "sheet", &attrs, false);
        }
        out.push_str("</sheets>");
        if !names.is_empty() {
            out.push_str("<definedNames>");
            for (sort, range, sheet, filter) in names {
                let name = if sort.starts_with('_') {
                    "_xlnm._FilterDatabase"
                } else {
                    "_xlnm.Print_Titles"
                };
                let sheet = sheet.to_string();
                let mut attrs: Vec<(&str, &str)> = vec![("name", name), ("localSheetId", &sheet)];
                if *filter {
                    attrs.push(("hidden", "1"));
                }
                tag(&mut out, "definedName", &attrs, true);
                let _ = write!(out, "{}</definedName>", data_text(range));
            }
            out.push_str("</definedNames>");
        }
        out.push_str("<calcPr calcId=\"124519\" fullCalcOnLoad=\"1\"/></workbook>");
        out
    }

    fn core_xml(&self) -> String {
        let created = self
            .properties
            .created
            .unwrap_or(ExcelDateTime {
                year: 2000,
                month: 1,
                day: 1,
                hour: 0,
                min: 0,
                sec: 0.0,
            })
            .iso();
        let mut out = String::from(XML_DECLARATION);
        out.push_str("<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" xmlns:dcmitype=\"http://purl.org/dc/dcmitype/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">");
        if !self.properties.title.is_empty() {
            let _ = write!(
                out,
                "<dc:title>{}</dc:title>",
                data_text(&self.properties.title)
            );
        }
        let _ = write!(
            out,
            "<dc:creator></dc:creator><cp:lastModifiedBy></cp:lastModifiedBy><dcterms:created xsi:type=\"dcterms:W3CDTF\">{created}</dcterms:created><dcterms:modified xsi:type=\"dcterms:W3CDTF\">{created}</dcterms:modified></cp:coreProperties>"
        );
        out
    }

    fn app_xml(&self, names: &[(String, String, usize, bool)]) -> String {
        let titles: Vec<String> = names
            .iter()
            .filter(|n| !n.3)
            .map(|n| {
                let sheet = self.worksheets.get(n.2).map_or("", |s| s.name.as_str());
                format!("{}!Print_Titles", quote_sheet_name(sheet))
            })
            .collect();
        let mut out = String::from(XML_DECLARATION);
        out.push_str("<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\" xmlns:vt=\"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes\"><Application>Microsoft Excel</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop><HeadingPairs>");
        let n = self.worksheets.len();
        if titles.is_empty() {
            let _ = write!(out, "<vt:vector size=\"2\" baseType=\"variant\"><vt:variant><vt:lpstr>Worksheets</vt:lpstr></vt:variant><vt:variant><vt:i4>{n}</vt:i4></vt:variant></vt:vector>");
        } else {
            let _ = write!(out, "<vt:vector size=\"4\" baseType=\"variant\"><vt:variant><vt:lpstr>Worksheets</vt:lpstr></vt:variant><vt:variant><vt:i4>{n}</vt:i4></vt:variant><vt:variant><vt:lpstr>Named Ranges</vt:lpstr></vt:variant><vt:variant><vt:i4>{}</vt:i4></vt:variant></vt:vector>", titles.len());
        }
        let _ = write!(
            out,
            "</HeadingPairs><TitlesOfParts><vt:vector size=\"{}\" baseType=\"lpstr\">",
            n + titles.len()
        );
        for s in &self.worksheets {
            let _ = write!(out, "<vt:lpstr>{}</vt:lpstr>", data_text(&s.name));
        }
        for t in &titles {
            let _ = write!(out, "<vt:lpstr>{}</vt:lpstr>", data_text(t));
        }
        out.push_str("</vt:vector></TitlesOfParts><Company></Company><LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged><AppVersion>12.0000</AppVersion></Properties>");
        out
    }
}

const ROOT_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/><Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/><Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties\" Target=\"docProps/app.xml\"/></Relationships>";

fn content_types(sheets: usize, sst: bool) -> String {
    const SML: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml";
    let mut out = String::from(XML_DECLARATION);
    out.push_str("<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/docProps/app.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.extended-properties+xml\"/><Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>");
    let _ = write!(out, "<Override PartName=\"/xl/styles.xml\" ContentType=\"{SML}.styles+xml\"/><Override PartName=\"/xl/theme/theme1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.theme+xml\"/><Override PartName=\"/xl/workbook.xml\" ContentType=\"{SML}.sheet.main+xml\"/>");
    for i in 1..=sheets {
        let _ = write!(
            out,
            "<Override PartName=\"/xl/worksheets/sheet{i}.xml\" ContentType=\"{SML}.worksheet+xml\"/>"
        );
    }
    if sst {
        let _ = write!(
            out,
            "<Override PartName=\"/xl/sharedStrings.xml\" ContentType=\"{SML}.sharedStrings+xml\"/>"
        );
    }
    out.push_str("</Types>");
    out
}

fn workbook_rels(sheets: usize, sst: bool) -> String {
    const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    let mut out = String::from(XML_DECLARATION);
    out.push_str(
        "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">",
    );
    let mut id = 0;
    let mut rel = |out: &mut String, kind: &str, target: &str| {
        id += 1;
        let _ = write!(
            out,
            "<Relationship Id=\"rId{id}\" Type=\"{REL}/{kind}\" Target=\"{target}\"/>"
        );
    };
    for i in 1..=sheets {
        rel(&mut out, "worksheet", &format!("worksheets/sheet{i}.xml"));
    }
    rel(&mut out, "theme", "theme/theme1.xml");
    rel(&mut out, "styles", "styles.xml");
    if sst {
        rel(&mut out, "sharedStrings", "sharedStrings.xml");
    }
    out.push_str("</Relationships>");
    out
}

/// styles.xml: number formats, fonts, fills and borders as first used by the cell formats, then
/// the cell formats.
fn styles(formats: &[Format]) -> String {
    let mut fonts: Vec<&Font> = Vec::new();
    let mut fills: Vec<Color> = Vec::new();
    let mut borders: Vec<bool> = Vec::new();
    let mut num_formats: Vec<&str> = Vec::new();
    let mut xfs: Vec<(u16, usize, usize, usize)> = Vec::new();
    for f in formats {
        let font = fonts.iter().position(|x| **x == f.font).unwrap_or_else(|| {
            fonts.push(&f.font);
            fonts.len() - 1
        });
        let fill = if f.background == Color::Default {
            0
        } else {
            2 + fills
                .iter()
                .position(|&x| x == f.background)
                .unwrap_or_else(|| {
                    fills.push(f.background);
                    fills.len() - 1
                })
        };
        let border = borders
            .iter()
            .position(|&x| x == f.thin_border)
            .unwrap_or_else(|| {
                borders.push(f.thin_border);
                borders.len() - 1
            });
        let num = if f.num_format_index > 0 || f.num_format.is_empty() {
            f.num_format_index
        } else {
            let i = num_formats
                .iter()
                .position(|&x| x == f.num_format)
                .unwrap_or_else(|| {
                    num_formats.push(&f.num_format);
                    num_formats.len() - 1
                });
            164 + i as u16
        };
        xfs.push((num, font, fill, border));
    }
    let mut out = String::from(XML_DECLARATION);
    out.push_str(
        "<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">",
    );
    if !num_formats.is_empty() {
        let _ = write!(out, "<numFmts count=\"{}\">", num_formats.len());
        for (i, code) in num_formats.iter().enumerate() {
            let id = (164 + i).to_string();
            tag(
                &mut out,
                "numFmt",
                &[("numFmtId", &id), ("formatCode", code)],
                false,
            );
        }
        out.push_str("</numFmts>");
    }
    let _ = write!(out, "<fonts count=\"{}\">", fonts.len());
    for font in &fonts {
        out.push_str("<font>");
        if font.bold {
            out.push_str("<b/>");
        }
        if font.underline {
            out.push_str("<u/>");
        }
        tag(&mut out, "sz", &[("val", &font.size)], false);
        match font.color.argb() {
            Some(argb) => tag(&mut out, "color", &[("rgb", &argb)], false),
            None => out.push_str("<color theme=\"1\"/>"),
        }
        out.push_str("<name val=\"Calibri\"/><family val=\"2\"/><scheme val=\"minor\"/></font>");
    }
    let _ = write!(
        out,
        "</fonts><fills count=\"{}\"><fill><patternFill patternType=\"none\"/></fill><fill><patternFill patternType=\"gray125\"/></fill>",
        fills.len() + 2
    );
    for fill in &fills {
        let argb = fill.argb().unwrap_or_default();
        let _ = write!(out, "<fill><patternFill patternType=\"solid\"><fgColor rgb=\"{argb}\"/><bgColor indexed=\"64\"/></patternFill></fill>");
    }
    let _ = write!(out, "</fills><borders count=\"{}\">", borders.len());
    for &thin in &borders {
        if thin {
            out.push_str("<border><left style=\"thin\"><color auto=\"1\"/></left><right style=\"thin\"><color auto=\"1\"/></right><top style=\"thin\"><color auto=\"1\"/></top><bottom style=\"thin\"><color auto=\"1\"/></bottom><diagonal/></border>");
        } else {
            out.push_str("<border><left/><right/><top/><bottom/><diagonal/></border>");
        }
    }
    out.push_str("</borders><cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>");
    let _ = write!(out, "<cellXfs count=\"{}\">", formats.len());
    for (i, (f, &(num, font, fill, border))) in formats.iter().zip(&xfs).enumerate() {
        let (num_s, font_s, fill_s, border_s) = (
            num.to_string(),
            font.to_string(),
            fill.to_string(),
            border.to_string(),
        );
        let mut attrs: Vec<(&str, &str)> = vec![
            ("numFmtId", &num_s),
            ("fontId", &font_s),
            ("fillId", &fill_s),
            ("borderId", &border_s),
            ("xfId", "0"),
        ];
        if num > 0 {
            attrs.push(("applyNumberFormat", "1"));
        }
        if font > 0 {
            attrs.push(("applyFont", "1"));
        }
        if fill > 0 {
            attrs.push(("applyFill", "1"));
        }
        if border > 0 {
            attrs.push(("applyBorder", "1"));
        }
        if i > 0 && f.apply_alignment() {
            attrs.push(("applyAlignment", "1"));
        }
        if f.has_alignment() {
            tag(&mut out, "xf", &attrs, true);
            let mut align: Vec<(&str, &str)> = Vec::new();
            if f.horizontal == Horizontal::Center {
                align.push(("horizontal", "center"));
            }
            match f.vertical {
                Vertical::Center => align.push(("vertical", "center")),
                Vertical::Top => align.push(("vertical", "top")),
                Vertical::General => {}
            }
            if f.wrap {
                align.push(("wrapText", "1"));
            }
            tag(&mut out, "alignment", &align, false);
            out.push_str("</xf>");
        } else {
            tag(&mut out, "xf", &attrs, false);
        }
    }
    out.push_str("</cellXfs><cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles><dxfs count=\"0\"/><tableStyles count=\"0\" defaultTableStyle=\"TableStyleMedium9\" defaultPivotStyle=\"PivotStyleLight16\"/></styleSheet>");
    out
}

// ---------------------------------------------------------------------------------------------
// The zip package.

/// Zips the parts, deflated, with the fixed date 1980-01-01 (the same bytes for the same parts).
fn zip(parts: &[(String, Vec<u8>)]) -> Result<Vec<u8>, XlsxError> {
    super::zip::pack(parts, super::zip::Method::Deflated).map_err(XlsxError::ZipError)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Read};

    /// The same calls as `tests/fixtures/write/rust_xlsxwriter-0.102.xlsx` was written with
    /// (by rust_xlsxwriter 0.102, before this module replaced it): every XML part must come out
    /// the same, byte for byte.
    fn golden_calls() -> Vec<u8> {
        let mut wb = Workbook::new();
        let created = ExcelDateTime::from_ymd(2000, 1, 1).unwrap();
        wb.set_properties(
            &DocProperties::new()
                .set_title("金 & <标题>")
                .set_creation_datetime(&created),
        );
        let head = Format::new()
            .set_bold()
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter)
            .set_text_wrap()
            .set_border(FormatBorder::Thin)
            .set_background_color(Color::RGB(0xF2F2F2));
        let red = head
            .clone()
            .set_font_color(Color::Red)
            .set_background_color(Color::RGB(0xFCE4D6));
        let link = Format::new()
            .set_font_color(Color::RGB(0x0563C1))
            .set_underline(FormatUnderline::Single);
        let text = Format::new().set_num_format_index(49);
        let date = Format::new().set_num_format("yyyy-mm-dd");
        let top = Format::new()
            .set_align(FormatAlign::Top)
            .set_text_wrap()
            .set_font_size(12);
        let mut a = Worksheet::new();
        a.set_name("目录").unwrap();
        a.merge_range(0, 0, 0, 3, "标题 _x0041_ \u{1}", &head)
            .unwrap();
        a.write_string_with_format(1, 0, " 前后有空格 ", &red)
            .unwrap();
        a.write_string(1, 1, "x\"y'<z>&").unwrap();
        a.write_number(1, 2, 0.1).unwrap();
        a.write_number_with_format(1, 3, -12345678901234.5, &top)
            .unwrap();
        a.write_boolean(2, 0, true).unwrap();
        a.write_boolean_with_format(2, 1, false, &head).unwrap();
        a.write_blank(2, 2, &red).unwrap();
        a.write_datetime_with_format(
            3,
            0,
            &ExcelDateTime::parse_from_str("2024-03-05T08:30:15").unwrap(),
            &date,
        )
        .unwrap();
        a.write_datetime_with_format(
            3,
            1,
            &ExcelDateTime::parse_from_str("1900-02-28").unwrap(),
            &date,
        )
        .unwrap();
        a.write_url_with_format(
            4,
            0,
            Url::new("internal:'二 表'!A1").set_text("去二表"),
            &link,
        )
        .unwrap();
        a.write_string(20, 40, "far").unwrap();
        a.set_column_width(0, 20).unwrap();
        a.set_column_width(1, 20).unwrap();
        a.set_column_width(2, 0.5).unwrap();
        a.set_column_format(5, &text).unwrap();
        a.set_column_width(6, 12).unwrap();
        a.set_column_format(6, &date).unwrap();
        a.write_string(7, 5, "文本列").unwrap();
        a.set_row_height(0, 28).unwrap();
        a.set_row_height(10, 15).unwrap();
        a.set_row_height(12, 40).unwrap();
        a.set_freeze_panes(2, 1).unwrap();
        a.set_repeat_rows(0, 1).unwrap();
        a.autofilter(1, 0, 4, 3).unwrap();
        a.set_landscape();
        a.set_paper_size(9);
        a.set_print_fit_to_pages(1, 0);
        let v = DataValidation::new()
            .allow_list_strings(&["是", "否", "a\"b"])
            .unwrap()
            .set_input_title("请选择")
            .unwrap()
            .set_input_message("从列表选")
            .unwrap()
            .set_error_title("错")
            .unwrap()
            .set_error_message("只能选")
            .unwrap();
        a.add_data_validation(5, 0, 100, 0, &v).unwrap();
        a.add_data_validation(
            5,
            27,
            100,
            27,
            &DataValidation::new().allow_text_length(DataValidationRule::EqualTo(18)),
        )
        .unwrap();
        a.add_data_validation(
            5,
            1,
            100,
            1,
            &DataValidation::new().allow_text_length(DataValidationRule::Between(7, 13)),
        )
        .unwrap();
        a.add_data_validation(
            5,
            2,
            100,
            2,
            &DataValidation::new().allow_whole_number(DataValidationRule::GreaterThanOrEqualTo(0)),
        )
        .unwrap();
        a.add_data_validation(
            5,
            3,
            100,
            3,
            &DataValidation::new()
                .allow_decimal_number(DataValidationRule::GreaterThanOrEqualTo(0.5)),
        )
        .unwrap();
        a.add_data_validation(
            5,
            4,
            100,
            4,
            &DataValidation::new().allow_date(DataValidationRule::Between(
                ExcelDateTime::from_ymd(1900, 1, 1).unwrap(),
                ExcelDateTime::from_ymd(2100, 12, 31).unwrap(),
            )),
        )
        .unwrap();
        a.add_data_validation(
            5,
            5,
            100,
            5,
            &DataValidation::new().allow_list_formula(Formula::new("='_lists'!$A$1:$A$3")),
        )
        .unwrap();
        let mut b = Worksheet::new();
        b.set_name("二 表").unwrap();
        b.set_portrait();
        b.set_freeze_panes(3, 0).unwrap();
        b.set_repeat_rows(0, 2).unwrap();
        b.write_string(0, 0, "第二").unwrap();
        let mut c = Worksheet::new();
        c.set_name("A1").unwrap();
        c.set_freeze_panes(0, 2).unwrap();
        let mut d = Worksheet::new();
        d.set_name("_lists").unwrap();
        for (r, v) in ["甲", "乙", "丙"].iter().enumerate() {
            d.write_string(r as u32, 0, v).unwrap();
        }
        d.set_hidden(true);
        wb.push_worksheet(a);
        wb.push_worksheet(b);
        wb.push_worksheet(c);
        wb.push_worksheet(d);
        wb.save_to_buffer().unwrap()
    }

    fn parts(bytes: &[u8]) -> Vec<(String, String)> {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes.to_vec())).unwrap();
        (0..zip.len())
            .map(|i| {
                let mut f = zip.by_index(i).unwrap();
                let mut text = String::new();
                f.read_to_string(&mut text).unwrap();
                (f.name().unwrap().to_string(), text)
            })
            .collect()
    }

    #[test]
    fn writes_what_rust_xlsxwriter_wrote() {
        let ours = parts(&golden_calls());
        let theirs = parts(include_bytes!(
            "../../tests/fixtures/write/rust_xlsxwriter-0.102.xlsx"
        ));
        let names = |p: &[(String, String)]| p.iter().map(|x| x.0.clone()).collect::<Vec<_>>();
        assert_eq!(names(&ours), names(&theirs));
        for ((name, a), (_, b)) in ours.iter().zip(&theirs) {
            assert_eq!(a, b, "{name}");
        }
    }

    #[test]
    fn limits_and_names_are_checked() {
        let mut ws = Worksheet::new();
        for bad in [
            "",
            "a[1]",
            "'quoted'",
            "三十二个字三十二个字三十二个字三十二个字三十二个字三十二个字三十",
        ] {
            assert!(ws.set_name(bad).is_err(), "{bad}");
        }
        assert_eq!(
            ws.write_string(ROW_MAX, 0, "x").err(),
            Some(XlsxError::RowColumnLimitError)
        );
        assert_eq!(
            ws.merge_range(0, 0, 0, 0, "x", &Format::new()).err(),
            Some(XlsxError::MergeRangeSingleCell)
        );
        ws.merge_range(0, 0, 1, 1, "x", &Format::new()).unwrap();
        assert!(matches!(
            ws.merge_range(1, 1, 2, 2, "y", &Format::new()),
            Err(XlsxError::MergeRangeOverlaps(..))
        ));
        assert!(ws.write_string(0, 0, &"长".repeat(32_768)).is_err());
        assert!(DataValidation::new()
            .allow_list_strings(&["很长的选项".repeat(60)])
            .is_err());
        assert!(ExcelDateTime::parse_from_str("1900-02-30").is_err());
        assert!(ExcelDateTime::parse_from_str("yesterday").is_err());
        let mut wb = Workbook::new();
        let mut a = Worksheet::new();
        a.set_name("表").unwrap();
        let b = a.clone();
        wb.push_worksheet(a);
        wb.push_worksheet(b);
        assert!(matches!(
            wb.save_to_buffer(),
            Err(XlsxError::SheetnameReused(_))
        ));
    }

    #[test]
    fn sheet_names_are_quoted_when_a_formula_needs_it() {
        for (name, quoted) in [
            ("人员基本信息", "人员基本信息"),
            ("人社-花名册", "'人社-花名册'"),
            ("A1", "'A1'"),
            ("XFD1048576", "'XFD1048576'"),
            ("XFE1", "XFE1"),
            ("R1C1", "'R1C1'"),
            ("rc", "'rc'"),
            ("1表", "'1表'"),
            ("it's", "'it''s'"),
            ("_lists", "_lists"),
        ] {
            assert_eq!(quote_sheet_name(name), quoted, "{name}");
        }
    }
}
