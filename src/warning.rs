//! Warnings: things a person should check, found while reading a form. Not errors — the form
//! was still read — but each says what was unsure and why.

use crate::error::Lang;

/// Something detection was unsure about, or a problem in the data a person should know.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Warning {
    /// The header block has no merged cells to go by; its depth was judged from the text.
    HeaderDepthGuessed { rows: u32 },
    /// No data rows were found under the header.
    NoDataRows,
    /// No title line was found above the header.
    NoTitle,
    /// The header starts far down the sheet, below rows that were not understood.
    HeaderFarDown { row: u32 },
    /// A column inside the table has no header text.
    BlankHeader { column: String },
    /// Long numbers (ID or account numbers) were stored as numbers: Excel keeps only 15
    /// significant digits, so the last digits are already lost in the file.
    DigitsLost {
        column: String,
        header: String,
        count: u32,
    },
    /// ID numbers whose check digit is wrong.
    BadIdCheckDigit {
        column: String,
        header: String,
        count: u32,
    },
    /// Formulas whose results were not saved in the file; those cells read as empty.
    FormulaWithoutValue { cells: u32, first: String },
    /// Text longer than a cell can hold in Excel was cut.
    TextTruncated { cells: u32 },
    /// CSV: a quote was opened and never closed.
    UnterminatedQuote { row: u32 },
    /// CSV: some bytes could not be decoded and were replaced.
    DecodeErrors { row: u32 },
    /// Two columns of the form have the same header, or two labels of a card or an indicator
    /// report the same text (`columns` then names their cells: `B7、B12`).
    DuplicateHeader { header: String, columns: String },
    /// The form was read as a card, indicator or questionnaire on little evidence (few
    /// labels); staff may choose its header block to read it as a table instead.
    ShapeUncertain { shape: String, labels: u32 },
}

impl Warning {
    /// A stable machine-readable code, used in `inspect --json`.
    pub fn code(&self) -> &'static str {
        match self {
            Warning::HeaderDepthGuessed { .. } => "header_depth_guessed",
            Warning::NoDataRows => "no_data_rows",
            Warning::NoTitle => "no_title",
            Warning::HeaderFarDown { .. } => "header_far_down",
            Warning::BlankHeader { .. } => "blank_header",
            Warning::DigitsLost { .. } => "digits_lost",
            Warning::BadIdCheckDigit { .. } => "bad_id_check_digit",
            Warning::FormulaWithoutValue { .. } => "formula_without_value",
            Warning::TextTruncated { .. } => "text_truncated",
            Warning::UnterminatedQuote { .. } => "unterminated_quote",
            Warning::DecodeErrors { .. } => "decode_errors",
            Warning::DuplicateHeader { .. } => "duplicate_header",
            Warning::ShapeUncertain { .. } => "shape_uncertain",
        }
    }

    /// The warning in words, with the reason.
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (Warning::HeaderDepthGuessed { rows }, Lang::Zh) => {
                format!("表头没有合并单元格，按文字推断为 {rows} 行，请核对。")
            }
            (Warning::HeaderDepthGuessed { rows }, Lang::En) => format!(
                "The header has no merged cells; it was judged from the text to be {rows} rows deep. Please check."
            ),
            (Warning::NoDataRows, Lang::Zh) => "表头下方没有数据行（空表模板）。".into(),
            (Warning::NoDataRows, Lang::En) => {
                "There are no data rows under the header (an empty template).".into()
            }
            (Warning::NoTitle, Lang::Zh) => "表头上方没有找到表名。".into(),
            (Warning::NoTitle, Lang::En) => "No title was found above the header.".into(),
            (Warning::HeaderFarDown { row }, Lang::Zh) => format!(
                "表头在第 {} 行才开始，上方有未识别的内容，请核对表头位置。",
                row + 1
            ),
            (Warning::HeaderFarDown { row }, Lang::En) => format!(
                "The header only starts at row {}, below content that was not understood. Please check where the header is.",
                row + 1
            ),
            (Warning::BlankHeader { column }, Lang::Zh) => {
                format!("第 {column} 列没有表头文字。")
            }
            (Warning::BlankHeader { column }, Lang::En) => {
                format!("Column {column} has no header text.")
            }
            (Warning::DigitsLost { column, header, count }, Lang::Zh) => format!(
                "第 {column} 列「{header}」有 {count} 个长号码以数字格式保存，Excel 只保留 15 位有效数字，末尾数字在原文件中已丢失，请向填报单位核实原号码。"
            ),
            (Warning::DigitsLost { column, header, count }, Lang::En) => format!(
                "Column {column} \"{header}\": {count} long number(s) were stored as numbers. Excel keeps only 15 significant digits, so their last digits are already lost in the file. Ask the sender for the original numbers."
            ),
            (Warning::BadIdCheckDigit { column, header, count }, Lang::Zh) => format!(
                "第 {column} 列「{header}」有 {count} 个身份证号码校验位不正确。"
            ),
            (Warning::BadIdCheckDigit { column, header, count }, Lang::En) => format!(
                "Column {column} \"{header}\": {count} ID number(s) with a wrong check digit."
            ),
            (Warning::FormulaWithoutValue { cells, first }, Lang::Zh) => format!(
                "有 {cells} 个公式单元格（如 {first}）在文件中没有保存计算结果，读作空值。请在 Excel/WPS 中打开并保存后重新添加。"
            ),
            (Warning::FormulaWithoutValue { cells, first }, Lang::En) => format!(
                "{cells} formula cell(s) (e.g. {first}) have no saved result and read as empty. Open and save the file in Excel or WPS, then add it again."
            ),
            (Warning::TextTruncated { cells }, Lang::Zh) => {
                format!("有 {cells} 个单元格文字超过 32767 字，已截断。")
            }
            (Warning::TextTruncated { cells }, Lang::En) => {
                format!("{cells} cell(s) held more than 32,767 characters and were cut.")
            }
            (Warning::UnterminatedQuote { row }, Lang::Zh) => format!(
                "第 {} 行的引号没有闭合，已按普通字符读取，请核对该行。",
                row + 1
            ),
            (Warning::UnterminatedQuote { row }, Lang::En) => format!(
                "A quote on row {} is never closed; it was read as a plain character. Please check that row.",
                row + 1
            ),
            (Warning::DecodeErrors { row }, Lang::Zh) => format!(
                "从第 {} 行起有无法识别的字符，已用 � 代替，请核对文件编码。",
                row + 1
            ),
            (Warning::DecodeErrors { row }, Lang::En) => format!(
                "From row {} some characters could not be decoded and were replaced by �. Please check the file's encoding.",
                row + 1
            ),
            // A card's or an indicator's labels are named by their cells (B5、B9), a roster's
            // columns by their letters.
            (Warning::DuplicateHeader { header, columns }, Lang::Zh)
                if columns.contains(|c: char| c.is_ascii_digit()) =>
            {
                format!("标签「{header}」重复出现在 {columns} 格。")
            }
            (Warning::DuplicateHeader { header, columns }, Lang::En)
                if columns.contains(|c: char| c.is_ascii_digit()) =>
            {
                format!("The label \"{header}\" appears in more than one cell: {columns}.")
            }
            (Warning::DuplicateHeader { header, columns }, Lang::Zh) => {
                format!("表头「{header}」重复出现在 {columns} 列。")
            }
            (Warning::DuplicateHeader { header, columns }, Lang::En) => {
                format!("The header \"{header}\" appears in more than one column: {columns}.")
            }
            (Warning::ShapeUncertain { shape, labels }, Lang::Zh) => {
                let shape = match shape.as_str() {
                    "card" => "单人（单户）登记表",
                    "indicator" => "指标表",
                    "questionnaire" => "问卷表",
                    _ => "列表",
                };
                format!("只根据 {labels} 个填写项判断这是{shape}，请核对；不对时，在核对表格的预览上方“表格形式”处改选（列表还要指定表头行）。")
            }
            (Warning::ShapeUncertain { shape, labels }, Lang::En) => {
                let shape = match shape.as_str() {
                    "card" => "single-record form (card)",
                    "indicator" => "indicator table",
                    "questionnaire" => "questionnaire",
                    _ => "table",
                };
                format!(
                    "Read as a {shape} from only {labels} labels. Please check; if it is wrong, choose its shape above the preview in Check forms (for a table, also its header rows)."
                )
            }
        }
    }
}
