//! The messages people see, pinned word for word in both languages: a change of wording must
//! be a deliberate act, made here too.

use yibiao::error::{Lang, Limit, ReadError, SheetError, SheetErrorKind};
use yibiao::warning::Warning;

#[track_caller]
fn check(got: (String, String), zh: &str, en: &str) {
    assert_eq!(got.0, zh);
    assert_eq!(got.1, en);
}

fn both(f: impl Fn(Lang) -> String) -> (String, String) {
    (f(Lang::Zh), f(Lang::En))
}

#[test]
fn file_errors() {
    let cases: &[(ReadError, &str, &str)] = &[
        (
            ReadError::Empty,
            "文件是空的（0 字节），请检查是否选错了文件。",
            "The file is empty (0 bytes). Check that you picked the right file.",
        ),
        (
            ReadError::NotSpreadsheet { looks_like: "PNG 图片" },
            "这不是电子表格文件（看起来是 PNG 图片）。请选择 Excel、WPS 或 CSV 表格文件。",
            "This is not a spreadsheet (it looks like a PNG image). Pick an Excel, WPS or CSV file.",
        ),
        (
            ReadError::OldExcel,
            "这是 Excel 95 或更早版本的 .xls 文件，无法读取。请在 Excel/WPS 中打开并另存为 .xlsx 后重新添加。",
            "This .xls file is from Excel 95 or older and cannot be read. Open it in Excel or WPS, save it as .xlsx and add it again.",
        ),
        (
            ReadError::Encrypted,
            "文件有密码保护，请在 Excel/WPS 中取消密码后重新添加。",
            "The file is protected by a password. Remove the password in Excel or WPS and add it again.",
        ),
        (
            ReadError::Damaged { detail: "Could not find EOCD".into() },
            "文件已损坏或不完整（可能下载或复制时中断）。请向发文单位重新索取。技术原因：Could not find EOCD",
            "The file is damaged or incomplete (perhaps a download or copy was cut short). Ask the sender for it again. Technical reason: Could not find EOCD",
        ),
        (
            ReadError::TooLarge { limit: Limit::Inflated { max: 300 * 1024 * 1024 } },
            "文件超出安全上限：解压后超过 300 MB（疑似“压缩炸弹”）。请删去多余的工作表或空行后重新添加。",
            "The file goes over a safety limit: it unpacks to more than 300 MB (a possible zip bomb). Remove extra sheets or empty rows and add it again.",
        ),
        (
            ReadError::TooLarge { limit: Limit::ZipEntries { max: 1000 } },
            "文件超出安全上限：压缩包内部件超过 1,000 个。请删去多余的工作表或空行后重新添加。",
            "The file goes over a safety limit: the file holds more than 1,000 parts. Remove extra sheets or empty rows and add it again.",
        ),
        (
            ReadError::TooLarge { limit: Limit::FileSize { max: 100 * 1024 * 1024 } },
            "文件超出安全上限：文件超过 100 MB。请删去多余的工作表或空行后重新添加。",
            "The file goes over a safety limit: the file is larger than 100 MB. Remove extra sheets or empty rows and add it again.",
        ),
        (
            ReadError::TooLarge { limit: Limit::Cells { max: 5_000_000 } },
            "文件超出安全上限：单元格超过 5,000,000 个。请删去多余的工作表或空行后重新添加。",
            "The file goes over a safety limit: it has more than 5,000,000 cells. Remove extra sheets or empty rows and add it again.",
        ),
        (
            ReadError::TooLarge { limit: Limit::Columns { max: 16384 } },
            "文件超出安全上限：列数超过 16,384 列。请删去多余的工作表或空行后重新添加。",
            "The file goes over a safety limit: it has more than 16,384 columns. Remove extra sheets or empty rows and add it again.",
        ),
        (
            ReadError::TooLarge { limit: Limit::OutsideGrid },
            "文件超出安全上限：单元格位置超出 Excel 表格范围（A1:XFD1048576）。请删去多余的工作表或空行后重新添加。",
            "The file goes over a safety limit: a cell lies outside the Excel grid (A1:XFD1048576). Remove extra sheets or empty rows and add it again.",
        ),
        (
            // A web page is read for its tables; one with none is not a spreadsheet.
            ReadError::NotSpreadsheet { looks_like: "不含表格的网页" },
            "这不是电子表格文件（看起来是 不含表格的网页）。请选择 Excel、WPS 或 CSV 表格文件。",
            "This is not a spreadsheet (it looks like a web page with no table). Pick an Excel, WPS or CSV file.",
        ),
        (
            // The web app's answer to an .xlsb file (the command-line tool reads them).
            ReadError::Unsupported { format: yibiao::read::xlsx::XLSB },
            "暂不支持读取「Excel 二进制工作簿（.xlsb）」格式的文件。请在 Excel/WPS 中打开，另存为 .xlsx 后重新添加。",
            "Excel binary workbook (.xlsb) files cannot be read. Open the file in Excel or WPS, save it as .xlsx and add it again.",
        ),
    ];
    for (e, zh, en) in cases {
        check(both(|l| e.message(l)), zh, en);
        assert_eq!(e.to_string(), *zh, "Display is the Chinese message");
    }
}

#[test]
fn sheet_errors_name_the_sheet() {
    let cases: &[(SheetErrorKind, &str, &str)] = &[
        (
            SheetErrorKind::Damaged { detail: "start tag not closed".into() },
            "工作表「表1」已损坏，无法读取，其他工作表不受影响。技术原因：start tag not closed",
            "Sheet \"表1\" is damaged and could not be read; the other sheets were read. Technical reason: start tag not closed",
        ),
        (
            SheetErrorKind::TooLarge { limit: Limit::Cells { max: 5_000_000 } },
            "工作表「表1」超出安全上限（单元格超过 5,000,000 个），已跳过。",
            "Sheet \"表1\" goes over a safety limit (it has more than 5,000,000 cells) and was skipped.",
        ),
        (
            SheetErrorKind::NotATable { what: "宏表" },
            "工作表「表1」是宏表，不含表格，已跳过。",
            "Sheet \"表1\" is a macro sheet and holds no table; it was skipped.",
        ),
        (
            SheetErrorKind::NotATable { what: "图表" },
            "工作表「表1」是图表，不含表格，已跳过。",
            "Sheet \"表1\" is a chart sheet and holds no table; it was skipped.",
        ),
    ];
    for (kind, zh, en) in cases {
        let e = SheetError {
            sheet: "表1".into(),
            kind: kind.clone(),
        };
        check(both(|l| e.message(l)), zh, en);
    }
}

#[test]
fn warnings() {
    let cases: &[(Warning, &str, &str)] = &[
        (
            Warning::HeaderDepthGuessed { rows: 2 },
            "表头没有合并单元格，按文字推断为 2 行，请核对。",
            "The header has no merged cells; it was judged from the text to be 2 rows deep. Please check.",
        ),
        (Warning::NoDataRows, "表头下方没有数据行（空表模板）。", "There are no data rows under the header (an empty template)."),
        (Warning::NoTitle, "表头上方没有找到表名。", "No title was found above the header."),
        (
            Warning::HeaderFarDown { row: 9 },
            "表头在第 10 行才开始，上方有未识别的内容，请核对表头位置。",
            "The header only starts at row 10, below content that was not understood. Please check where the header is.",
        ),
        (Warning::BlankHeader { column: "C".into() }, "第 C 列没有表头文字。", "Column C has no header text."),
        (
            Warning::DigitsLost { column: "E".into(), header: "身份证号".into(), count: 3 },
            "第 E 列「身份证号」有 3 个长号码以数字格式保存，Excel 只保留 15 位有效数字，末尾数字在原文件中已丢失，请向填报单位核实原号码。",
            "Column E \"身份证号\": 3 long number(s) were stored as numbers. Excel keeps only 15 significant digits, so their last digits are already lost in the file. Ask the sender for the original numbers.",
        ),
        (
            Warning::BadIdCheckDigit { column: "E".into(), header: "身份证号".into(), count: 1 },
            "第 E 列「身份证号」有 1 个身份证号码校验位不正确。",
            "Column E \"身份证号\": 1 ID number(s) with a wrong check digit.",
        ),
        (
            Warning::FormulaWithoutValue { cells: 1, first: "E12".into() },
            "有 1 个公式单元格（如 E12）在文件中没有保存计算结果，读作空值。请在 Excel/WPS 中打开并保存后重新添加。",
            "1 formula cell(s) (e.g. E12) have no saved result and read as empty. Open and save the file in Excel or WPS, then add it again.",
        ),
        (Warning::TextTruncated { cells: 2 }, "有 2 个单元格文字超过 32767 字，已截断。", "2 cell(s) held more than 32,767 characters and were cut."),
        (
            Warning::UnterminatedQuote { row: 4 },
            "第 5 行的引号没有闭合，已按普通字符读取，请核对该行。",
            "A quote on row 5 is never closed; it was read as a plain character. Please check that row.",
        ),
        (
            Warning::DecodeErrors { row: 2 },
            "从第 3 行起有无法识别的字符，已用 � 代替，请核对文件编码。",
            "From row 3 some characters could not be decoded and were replaced by �. Please check the file's encoding.",
        ),
        (
            Warning::DuplicateHeader { header: "姓名".into(), columns: "B、R".into() },
            "表头「姓名」重复出现在 B、R 列。",
            "The header \"姓名\" appears in more than one column: B、R.",
        ),
        (
            Warning::DuplicateHeader { header: "合计".into(), columns: "B7、B12".into() },
            "标签「合计」重复出现在 B7、B12 格。",
            "The label \"合计\" appears in more than one cell: B7、B12.",
        ),
        (
            Warning::ShapeUncertain { shape: "card".into(), labels: 3 },
            "只根据 3 个填写项判断这是单人（单户）登记表，请核对；不对时，在核对表格的预览上方“表格形式”处改选（列表还要指定表头行）。",
            "Read as a single-record form (card) from only 3 labels. Please check; if it is wrong, choose its shape above the preview in Check forms (for a table, also its header rows).",
        ),
    ];
    for (w, zh, en) in cases {
        check(both(|l| w.message(l)), zh, en);
    }
}

#[test]
fn split_findings() {
    use yibiao::split::{Finding, Problem};
    let at = |finding: Finding| Problem {
        file: "石桥村.xlsx".into(),
        sheet: Some("人员基本信息".into()),
        row: Some(5),
        finding,
    };
    let cases: Vec<(Finding, &str, &str)> = vec![
        (
            Finding::NotThisSet,
            "文件中没有本套表的任何工作表，不是本套表的填报文件。请选择用本套表填好的 Excel 文件。",
            "The file holds none of this set's sheets: it is not a filled copy of this set. Choose the Excel file filled from this set.",
        ),
        (
            Finding::MissingSheet,
            "缺少这张工作表，其中的信息无法拆分。",
            "This sheet is missing; what it would hold cannot be split back.",
        ),
        (
            Finding::MissingKeyColumn { column: "公民身份号码".into() },
            "找不到关键列「公民身份号码」，本表各行无法与其他表对应。请不要删除或改动套表的表头。",
            "Key column \"公民身份号码\" is missing, so the rows cannot be matched to other sheets. Do not delete or change the set's headers.",
        ),
        (
            Finding::MissingKey { column: "公民身份号码".into() },
            "本行有内容，但关键列「公民身份号码」为空，无法与其他表对应。",
            "The row has data but its key \"公民身份号码\" is empty, so it cannot be matched.",
        ),
        (
            Finding::DuplicateKey { key: "X".into(), first_file: None, first_row: 4 },
            "「X」重复出现（第一次在第4行），只采用第一次的内容。",
            "\"X\" appears twice (first in row 4); only the first row is used.",
        ),
        (
            Finding::DuplicateKey { key: "X".into(), first_file: Some("a.xlsx".into()), first_row: 4 },
            "「X」重复出现（第一次在a.xlsx 第4行），只采用第一次的内容。",
            "\"X\" appears twice (first in a.xlsx, row 4); only the first row is used.",
        ),
        (
            Finding::BadIdNumber { column: "公民身份号码".into(), value: "123".into() },
            "「公民身份号码」填的「123」不是有效的身份证号（位数或校验位不对）。",
            "\"123\" in \"公民身份号码\" is not a valid ID number (wrong length or check digit).",
        ),
        (
            Finding::NotInList { column: "性别".into(), value: "未说明".into() },
            "「性别」填的「未说明」不在下拉选项中。",
            "\"未说明\" in \"性别\" is not one of the dropdown choices.",
        ),
        (
            Finding::RequiredEmpty { column: "姓名".into(), rows: vec![5], count: 1 },
            "必填项「姓名」没有填。",
            "Required \"姓名\" is empty.",
        ),
        (
            Finding::RequiredEmpty { column: "姓名".into(), rows: vec![5, 7], count: 2 },
            "必填项「姓名」有 2 行没有填（第 5、7 行）。",
            "Required \"姓名\" is empty in 2 rows (rows 5, 7).",
        ),
        (
            Finding::RequiredEmpty { column: "姓名".into(), rows: vec![5, 7], count: 30 },
            "必填项「姓名」有 30 行没有填（第 5、7… 行）。",
            "Required \"姓名\" is empty in 30 rows (rows 5, 7…).",
        ),
        (
            Finding::NoBaseRow { base: "人员基本信息".into(), key: "张三".into() },
            "「张三」在「人员基本信息」中没有对应的行，基础表里的信息无法带入原表。",
            "\"张三\" has no row in \"人员基本信息\"; the base-table facts cannot be carried into the original form.",
        ),
        (
            Finding::NotOnAnyList { key: "张三".into() },
            "「张三」不在任何部门的名单中，这一行的信息没有用到任何原表。",
            "\"张三\" is on no department's list; this row's facts went into no original form.",
        ),
        (
            Finding::UnknownColumn { column: "备用".into() },
            "「备用」不是套表里的列，其中的内容没有用到任何原表。",
            "\"备用\" is not a column of the set; what it holds went into no original form.",
        ),
    ];
    for (finding, zh, en) in cases {
        check(both(|l| finding.message(l)), zh, en);
        let p = at(finding);
        check(
            both(|l| p.message(l)),
            &format!("石桥村.xlsx · 人员基本信息 · 第5行：{zh}"),
            &format!("石桥村.xlsx · 人员基本信息 · row 5: {en}"),
        );
    }
}

#[test]
fn lexicon_errors() {
    use yibiao::matching::{Lexicon, LexiconError};
    let broken = |text: &str| -> LexiconError {
        match Lexicon::builtin().extend(text) {
            Err(e) => e,
            Ok(()) => panic!("{text:?} was accepted"),
        }
    };
    let cases: &[(&str, &str, &str)] = &[
        (
            "[[concept]\n",
            "词库文件格式有误，请对照内置词库的写法修改：第 1 行，方括号行的写法不对，应是 [subjects]、[departments] 或 [[concept]]。",
            "The lexicon file is not in the lexicon format; compare it with the built-in lexicon: line 1: a bracket line must be [subjects], [departments] or [[concept]].",
        ),
        (
            "[[concept]]\nid = \"person.id_number\"\nvariants = [\"证件号码\" \"公民身份号码\"]\n",
            "词库文件格式有误，请对照内置词库的写法修改：第 3 行，“variants”的列表中两项之间缺少逗号。",
            "The lexicon file is not in the lexicon format; compare it with the built-in lexicon: line 3: two items of the list “variants” need a comma between them.",
        ),
        (
            "[[concept]]\nid = \"a\"\nkind = person\n",
            "词库文件格式有误，请对照内置词库的写法修改：第 3 行，“kind”的值写法不对：文字要用英文双引号括起来，如 \"身份证号\"。",
            "The lexicon file is not in the lexicon format; compare it with the built-in lexicon: line 3: the value of “kind” is missing or not in quotes, e.g. \"身份证号\".",
        ),
        (
            "[[concept]]\nid = \"a\"\nvarients = [\"甲\"]\n",
            "词库文件格式有误，请对照内置词库的写法修改：第 3 行，不认识的名称“varients”（检查拼写）。",
            "The lexicon file is not in the lexicon format; compare it with the built-in lexicon: line 3: unknown name “varients” (check the spelling).",
        ),
        (
            "[subjects]\nboss = [\"老板\"]\n",
            "词库中的对象“boss”不认识；只能是 head、spouse、contact、male、female、household 或 self。",
            "The lexicon names an unknown subject “boss”; use head, spouse, contact, male, female, household or self.",
        ),
    ];
    for (text, zh, en) in cases {
        check(both(|l| broken(text).message(l)), zh, en);
    }
}

#[test]
fn pre_fill_lines() {
    use yibiao::split::fill::{Conflict, Unplaced};
    let conflict = Conflict {
        file: "民政.xlsx".into(),
        sheet: "低保".into(),
        row: 6,
        column: 4,
        set_sheet: "人员基本信息".into(),
        field: "联系电话".into(),
        kept: "13800000000".into(),
        other: "13900000000".into(),
    };
    check(
        both(|l| conflict.message(l)),
        "民政.xlsx · 低保 · 第6行：「联系电话」此处为「13900000000」，前面的表为「13800000000」，采用「13800000000」。",
        "民政.xlsx · 低保 · row 6: \"联系电话\" is \"13900000000\" here but \"13800000000\" in an earlier form; kept \"13800000000\".",
    );
    let unplaced = Unplaced {
        file: "农业农村.xlsx".into(),
        sheet: "耕地".into(),
        row: 9,
        set_sheet: "农户基本信息".into(),
    };
    check(
        both(|l| unplaced.message(l)),
        "农业农村.xlsx · 耕地 · 第9行：缺少「农户基本信息」的关键列，共用信息未能填入。",
        "农业农村.xlsx · 耕地 · row 9: no key for \"农户基本信息\"; its shared facts were not filled in.",
    );
    let extended = yibiao::split::fill::Extended {
        file: "防返贫.xls".into(),
        row: 9,
        set_sheet: "人员基本信息".into(),
        field: "文化程度".into(),
        canonical: 0,
        value: "本科及以上".into(),
    };
    check(
        both(|l| extended.message(l)),
        "防返贫.xls · 第9行：「文化程度」的「本科及以上」不在套表的下拉选项中，已加入预填表的选项。",
        "防返贫.xls · row 9: \"本科及以上\" of \"文化程度\" is not one of the set's choices; it was added to the pre-filled set's dropdown.",
    );
}
