//! Fields: a form's header block → one [`Field`] per leaf column (header path, normalised
//! name, unit, type, enum values, required flag, role), and a first guess at the form's grain.
//!
//! Header paths keep the cell texts exactly; everything a later stage compares on (name, unit,
//! type) is derived here, with the evidence: dropdown lists from data validations and
//! dictionary sheets, types from the sample values first and the name second.

use std::collections::HashMap;

use crate::layout::{merged_value, Form, Merges, Shape};
use crate::read::{col_letter, ListSource, Sheet, Value, Workbook};
use crate::text::{
    has_required_marker, id_check_ok, is_id_number_shape, is_phone, is_unit_token,
    is_year_month_digits, normalize_name, parse_date,
};
use crate::warning::Warning;

/// The kind of value a field holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FieldType {
    /// Free text.
    Text,
    /// Whole numbers (counts).
    Integer,
    /// Numbers with decimals (amounts, areas).
    Decimal,
    /// Dates or year-months.
    Date,
    /// 18-character citizen ID numbers (GB 11643).
    IdNumber,
    /// Mobile or landline phone numbers.
    Phone,
    /// One of a list of values.
    Enum,
    /// 是 / 否.
    YesNo,
}

impl FieldType {
    /// The name used in JSON.
    pub fn name(self) -> &'static str {
        match self {
            FieldType::Text => "text",
            FieldType::Integer => "integer",
            FieldType::Decimal => "decimal",
            FieldType::Date => "date",
            FieldType::IdNumber => "id_number",
            FieldType::Phone => "phone",
            FieldType::Enum => "enum",
            FieldType::YesNo => "yes_no",
        }
    }
}

/// Whether a column carries data or only structure (row numbers, remarks).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// A fact about the row's subject.
    Data,
    /// Row numbering (序号) or free remarks (备注).
    Structural,
}

impl Role {
    /// The name used in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Role::Data => "data",
            Role::Structural => "structural",
        }
    }
}

/// One leaf column of a form.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// 0-based column.
    pub column: u32,
    /// Header texts from the top row down to the leaf, exactly as in the cells (trimmed).
    pub header_path: Vec<String>,
    /// The normalised leaf name.
    pub name: String,
    /// The unit, as written (`亩`, `元/月`, `m2`), if any.
    pub unit: Option<String>,
    /// The kind of value.
    pub ty: FieldType,
    /// Allowed values, from a dropdown list or a dictionary sheet.
    pub enum_values: Vec<String>,
    /// Marked required (`*`, `（必填）`, or a red header).
    pub required: bool,
    /// Data or structure.
    pub role: Role,
    /// A card's, indicator's or questionnaire's label cell (A1), where the field is an item.
    pub label_cell: Option<String>,
    /// The cell the item's value goes in (A1), if one was found.
    pub value_cell: Option<String>,
    /// The item's code (an indicator's 代码 column), if any.
    pub code: Option<String>,
}

/// What one row of a form stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GrainKind {
    /// One row per person.
    Person,
    /// One row per household.
    Household,
    /// One row per village (statistics tables).
    Village,
    /// One row per plot of land.
    Plot,
    /// Not clear from the form.
    Unknown,
}

impl GrainKind {
    /// The name used in JSON.
    pub fn name(self) -> &'static str {
        match self {
            GrainKind::Person => "per_person",
            GrainKind::Household => "per_household",
            GrainKind::Village => "per_village",
            GrainKind::Plot => "per_plot",
            GrainKind::Unknown => "unknown",
        }
    }
}

/// A guess at a form's grain, with the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grain {
    /// The guess.
    pub kind: GrainKind,
    /// Why, in Chinese (the evidence is Chinese header text).
    pub reason: String,
}

/// How many values of a column the type is judged from.
const TYPE_SAMPLES: usize = 64;

/// The most values kept for one dropdown list.
const MAX_ENUM_VALUES: usize = 1000;

/// Extracts the fields of a form; adds data warnings (lost digits, bad ID check digits,
/// duplicate headers) to `warnings`.
pub fn extract(
    workbook: &Workbook,
    dictionaries: &Dictionaries,
    sheet: &Sheet,
    form: &Form,
    warnings: &mut Vec<Warning>,
) -> Vec<Field> {
    if form.shape != Shape::Roster {
        let fields = item_fields(sheet, form);
        duplicate_warnings(&fields, warnings);
        return fields;
    }
    let grid = &sheet.grid;
    let merges = Merges::new(&sheet.merges);
    let mut fields = Vec::new();
    for c in form.first_col..=form.last_col {
        let mut path: Vec<String> = Vec::new();
        let mut leaf_anchor = None;
        for &r in &form.header_rows {
            let (anchor, value) = match merges.at(r, c) {
                // A cell merged down from a row above appears once, at its top row.
                Some(m) if m.top < r => continue,
                // A group merged across columns repeats its text for every column under it.
                Some(m) => ((m.top, m.left), grid.get(m.top, m.left)),
                None => ((r, c), grid.get(r, c)),
            };
            let value = if value.is_blank() {
                match unmerged_group(grid, &merges, form, r, c) {
                    Some(v) => v,
                    None => continue,
                }
            } else {
                value
            };
            path.push(value.text().trim().to_string());
            leaf_anchor = Some(anchor);
        }
        let Some(leaf) = path.last().cloned() else {
            continue;
        };
        // A leaf cell merged across columns is one field, at its first column (项目总面积 over
        // two columns); only a group's columns each hold a field of their own.
        if leaf_anchor.is_some_and(|(_, left)| left < c) {
            continue;
        }
        let name = normalize_name(&leaf);
        let samples: Vec<&Value> = form
            .data_rows
            .map(|(a, b)| {
                (a..=b)
                    .map(|r| grid.get(r, c))
                    .filter(|v| !v.is_blank())
                    .collect()
            })
            .unwrap_or_default();
        // The type is judged from the first values; a few dozen are plenty.
        let head = &samples[..samples.len().min(TYPE_SAMPLES)];
        let enum_values = enum_values_for(workbook, sheet, form, c)
            .or_else(|| dictionaries.0.get(&name).cloned())
            .unwrap_or_default();
        let ty = infer_type(&name, head, &enum_values);
        let unit_row_text = form
            .unit_row
            .map(|r| merged_value(grid, &merges, r, c).text().trim().to_string())
            .filter(|t| is_unit_token(t))
            .map(|t| crate::text::unbracket(&crate::text::fold_width(&t)).to_string());
        let unit = path
            .iter()
            .rev()
            .find_map(|p| unit_in_text(p))
            .or(unit_row_text)
            .or_else(|| implicit_unit(&name, ty))
            .or_else(|| {
                // A single unit declared for the table applies to its numeric columns.
                form.table_unit
                    .as_ref()
                    .filter(|u| {
                        is_unit_token(u) && matches!(ty, FieldType::Integer | FieldType::Decimal)
                    })
                    .filter(|_| !is_structural(&name))
                    .cloned()
            });
        let red = leaf_anchor.is_some_and(|a| sheet.red_cells.binary_search(&a).is_ok());
        let role = if is_structural(&name) {
            Role::Structural
        } else {
            Role::Data
        };
        data_warnings(c, &leaf, ty, &samples, warnings);
        fields.push(Field {
            column: c,
            header_path: path,
            name,
            unit,
            ty,
            enum_values,
            required: has_required_marker(&leaf) || red,
            role,
            label_cell: None,
            value_cell: None,
            code: None,
        });
    }
    duplicate_warnings(&fields, warnings);
    fields
}

/// The fields of a card, indicator or questionnaire: one per item. Its header path is the
/// section heading it sits under (when there is one) and its label; its column is the value
/// cell's (else the label's), and the label and value cells are kept as A1 references.
fn item_fields(sheet: &Sheet, form: &Form) -> Vec<Field> {
    let a1 = |(r, c): (u32, u32)| format!("{}{}", col_letter(c), r + 1);
    form.items
        .iter()
        .map(|item| {
            let mut header_path: Vec<String> = item.section.iter().cloned().collect();
            header_path.push(item.label.clone());
            let name = normalize_name(&item.label);
            let value = item
                .value_cell
                .map(|(r, c)| sheet.grid.get(r, c))
                .filter(|v| !v.is_blank());
            let samples: Vec<&Value> = value.into_iter().collect();
            let enum_values = item.options.clone();
            let ty = infer_type(&name, &samples, &enum_values);
            let unit = item
                .unit
                .clone()
                .or_else(|| unit_in_text(&item.label))
                .or_else(|| implicit_unit(&name, ty));
            let red = sheet.red_cells.binary_search(&item.label_cell).is_ok();
            // The reporting unit on a reporter line (填报单位, 单位名称) is the place the form
            // is from: a key of its record, written with the village, not a fact to fill.
            let place = form.meta_rows.contains(&item.label_cell.0) && is_place_label(&name);
            let role = if item.structural || place || is_structural(&name) {
                Role::Structural
            } else {
                Role::Data
            };
            Field {
                column: item.value_cell.unwrap_or(item.label_cell).1,
                header_path,
                name,
                unit,
                ty,
                enum_values,
                required: has_required_marker(&item.label) || red,
                role,
                label_cell: Some(a1(item.label_cell)),
                value_cell: item.value_cell.map(a1),
                code: item.code.clone(),
            }
        })
        .collect()
}

/// A reporter line's label for the unit that reports (`填报单位`, `单位名称（公章）`): the
/// place a card or indicator report is from.
pub fn is_place_label(name: &str) -> bool {
    name.contains("填报单位") || name.contains("单位名称")
}

/// A group label written once without merging: for a blank header cell that has a child below,
/// the nearest label to its left whose own column also has a child, with only blanks between.
fn unmerged_group<'g>(
    grid: &'g crate::read::Grid,
    merges: &Merges<'_>,
    form: &Form,
    row: u32,
    col: u32,
) -> Option<&'g Value> {
    if form.header_rows.last() == Some(&row) || merges.at(row, col).is_some() {
        return None;
    }
    if grid.get(row + 1, col).is_blank() {
        return None;
    }
    let mut g = col;
    while g > form.first_col {
        g -= 1;
        if merges.at(row, g).is_some() {
            return None;
        }
        let v = grid.get(row, g);
        if !v.is_blank() {
            return (!grid.get(row + 1, g).is_blank()).then_some(v);
        }
    }
    None
}

fn is_structural(name: &str) -> bool {
    is_remarks(name)
        || matches!(
            name,
            "序号" | "编号" | "顺序号" | "行号" | "序" | "xh" | "No" | "NO" | "No."
        )
}

/// A free-remarks column (备注): structural, as it takes no part in the merge, but its values
/// are the form's own and go to its own sheet of the set and back.
pub fn is_remarks(name: &str) -> bool {
    matches!(name, "备注" | "附注" | "成员备注")
}

/// The unit written in a header: in brackets (`（亩）`, `(元/月)`, `(m2` without its closing
/// bracket) or glued on as a symbol (`面积m2`, `宅基地面积 ㎡`).
pub fn unit_in_text(header: &str) -> Option<String> {
    // Required markers and numbering go first: `缴费档次(元/年)*`.
    let f = normalize_name(header);
    // The last bracketed group.
    if let Some(open) = f.rfind('(') {
        let inner = f[open + 1..].trim_end_matches(')').trim();
        if is_unit_token(inner) {
            return Some(inner.to_string());
        }
        // `(元/人·月)` and similar compound units.
        if inner.contains('/') && inner.split('/').all(|p| is_unit_token(p) || p == "人·月") {
            return Some(inner.to_string());
        }
    }
    for glued in ["m²", "m2", "㎡", "m³", "m3", "km²", "km2", "kg", "%"] {
        if f.ends_with(glued) && f.len() > glued.len() {
            let before = &f[..f.len() - glued.len()];
            if before
                .chars()
                .last()
                .is_some_and(|c| !c.is_ascii_alphanumeric())
            {
                return Some(glued.to_string());
            }
        }
    }
    None
}

/// Counts whose unit the name implies: 人数 → 人, 户数 → 户, 月数 → 月, 建成年份 → 年.
fn implicit_unit(name: &str, ty: FieldType) -> Option<String> {
    if !matches!(ty, FieldType::Integer | FieldType::Decimal) {
        return None;
    }
    let rules: &[(&str, &str)] = &[
        ("人数", "人"),
        ("人口数", "人"),
        ("家庭人口", "人"),
        ("男孩", "人"),
        ("女孩", "人"),
        ("子女数", "人"),
        ("户数", "户"),
        ("月数", "月"),
        ("层数", "层"),
        ("宗数", "宗"),
        ("个数", "个"),
        ("间数", "间"),
        ("天数", "天"),
        ("次数", "次"),
        ("年限", "年"),
    ];
    if let Some((_, u)) = rules.iter().find(|(k, _)| name.ends_with(k)) {
        return Some((*u).to_string());
    }
    if ty == FieldType::Integer {
        // Counts of people (…人口, …人员) and of places (村民小组, 自然村).
        if name.ends_with("人口") || name.ends_with("人员") {
            return Some("人".to_string());
        }
        if ["村民小组", "自然村", "行政村", "社区", "合作社"].contains(&name) {
            return Some("个".to_string());
        }
    }
    // A year something was built or happened is measured in years; the year a record belongs
    // to (所属年份, 统计年份) is a label.
    if name.ends_with("年份")
        && !["所属", "统计", "数据", "填报", "报告"]
            .iter()
            .any(|p| name.starts_with(p))
    {
        return Some("年".to_string());
    }
    None
}

/// The dropdown list that applies to a column's data cells.
fn enum_values_for(
    workbook: &Workbook,
    sheet: &Sheet,
    form: &Form,
    col: u32,
) -> Option<Vec<String>> {
    let below = form.header_rows.last().copied().unwrap_or(0) + 1;
    let last = form.data_rows.map_or(below + 50, |(_, b)| b.max(below + 1));
    let validation = sheet.validations.iter().find(|v| {
        v.ranges
            .iter()
            .any(|r| r.left <= col && col <= r.right && r.bottom >= below && r.top <= last)
    })?;
    let values = match &validation.source {
        ListSource::Values(v) => v.clone(),
        ListSource::Range { sheet: name, rect } => {
            let src = match name {
                None => Some(sheet),
                Some(n) => workbook.sheets.iter().find(|s| &s.name == n),
            }?;
            let mut out = Vec::new();
            for r in rect.top..=rect.bottom.min(rect.top + MAX_ENUM_VALUES as u32) {
                for c in rect.left..=rect.right.min(rect.left + 16) {
                    let v = src.grid.get(r, c);
                    if !v.is_blank() {
                        out.push(v.text().trim().to_string());
                    }
                }
            }
            out
        }
        ListSource::Formula(_) => return None,
    };
    let mut seen = std::collections::HashSet::new();
    let values: Vec<String> = values
        .into_iter()
        .filter(|v| !v.is_empty() && seen.insert(v.clone()))
        .take(MAX_ENUM_VALUES)
        .collect();
    (!values.is_empty()).then_some(values)
}

/// Lists standing in dictionary sheets: the first row names each list, the cells below are its
/// values. Keyed by the normalised list name.
#[derive(Clone, Debug, Default)]
pub struct Dictionaries(HashMap<String, Vec<String>>);

impl Dictionaries {
    /// Collects the lists of the given dictionary sheets.
    pub fn from_sheets<'a>(sheets: impl IntoIterator<Item = &'a Sheet>) -> Dictionaries {
        let mut out = HashMap::new();
        for sheet in sheets {
            let grid = &sheet.grid;
            for c in 0..grid.width().min(256) {
                let head = grid.get(0, c);
                if head.is_blank() {
                    continue;
                }
                let mut seen = std::collections::HashSet::new();
                let values: Vec<String> = (1..grid.height().min(MAX_ENUM_VALUES as u32 + 1))
                    .map(|r| grid.get(r, c))
                    .filter(|v| !v.is_blank())
                    .map(|v| v.text().trim().to_string())
                    .filter(|v| seen.insert(v.clone()))
                    .collect();
                if !values.is_empty() {
                    out.entry(normalize_name(&head.text())).or_insert(values);
                }
            }
        }
        Dictionaries(out)
    }
}

fn is_numeric_text(t: &str) -> bool {
    let t = t.trim().replace(',', "");
    !t.is_empty() && t.parse::<f64>().is_ok() && !t.starts_with('+')
}

/// Digit strings that are codes, not quantities: leading zeros, or eight or more digits.
fn is_code_digits(t: &str) -> bool {
    let t = t.trim();
    t.bytes().all(|b| b.is_ascii_digit()) && ((t.len() > 1 && t.starts_with('0')) || t.len() >= 8)
}

fn name_has(name: &str, keys: &[&str]) -> bool {
    keys.iter().any(|k| name.contains(k))
}

/// Infers a field's type from its sample values first, its name second.
fn infer_type(name: &str, samples: &[&Value], enum_values: &[String]) -> FieldType {
    let yes_no = |v: &str| matches!(v, "是" | "否");
    if !enum_values.is_empty() {
        if enum_values.iter().all(|v| yes_no(v)) {
            return FieldType::YesNo;
        }
        return FieldType::Enum;
    }
    let id_name = name_has(
        name,
        &["身份证", "公民身份号码", "证件号码", "证件号", "身份号码"],
    ) && !name_has(name, &["残疾", "证书"]);
    let phone_name = name_has(name, &["电话", "手机", "联系方式", "联系号码"]);
    let date_name = name_has(name, &["日期", "时间", "年月", "生日", "月份"])
        && !name_has(name, &["时间(月)", "时段"]);
    let texts: Vec<String> = samples
        .iter()
        .map(|v| v.text().trim().to_string())
        .collect();
    let n = texts.len();
    if n > 0 {
        let share = |f: &dyn Fn(&Value, &str) -> bool| {
            samples.iter().zip(&texts).filter(|(v, t)| f(v, t)).count() * 10 >= n * 8
        };
        if share(&|v, t| matches!(v, Value::Number(x) if *x >= 1e16) || is_id_number_shape(t)) {
            return FieldType::IdNumber;
        }
        if share(&|_, t| is_phone(t)) {
            return FieldType::Phone;
        }
        if texts.iter().all(|t| yes_no(t)) {
            return FieldType::YesNo;
        }
        if share(&|v, t| {
            matches!(v, Value::Date(_))
                || (matches!(v, Value::Text(_))
                    && parse_date(t).is_some()
                    && (date_name || t.contains(['-', '/', '年'])))
                || (date_name && is_year_month_digits(t))
        }) {
            return FieldType::Date;
        }
        let numeric = samples.iter().zip(&texts).all(|(v, t)| {
            matches!(v, Value::Number(_))
                || (matches!(v, Value::Text(_)) && is_numeric_text(t) && !is_code_digits(t))
        });
        if numeric {
            let integral = samples.iter().zip(&texts).all(|(v, t)| match v {
                Value::Number(x) => x.fract() == 0.0,
                _ => !t.contains('.'),
            });
            let money_or_measure = name_has(
                name,
                &[
                    "金额", "元", "标准", "收入", "面积", "产量", "资金", "补贴", "费", "价",
                ],
            );
            return if integral && !money_or_measure {
                FieldType::Integer
            } else {
                FieldType::Decimal
            };
        }
        return FieldType::Text;
    }
    // No samples (an empty template): go by the name.
    if id_name {
        FieldType::IdNumber
    } else if phone_name {
        FieldType::Phone
    } else if date_name {
        FieldType::Date
    } else if name.starts_with("是否") {
        FieldType::YesNo
    } else if name_has(name, &["金额", "(元", "标准", "收入", "面积", "产量"]) {
        FieldType::Decimal
    } else if name_has(name, &["人数", "户数", "个数", "数量", "年龄", "月数"]) {
        FieldType::Integer
    } else {
        FieldType::Text
    }
}

/// Warnings about a column's values: long numbers that lost digits, ID check digits.
fn data_warnings(
    col: u32,
    header: &str,
    ty: FieldType,
    samples: &[&Value],
    warnings: &mut Vec<Warning>,
) {
    // f64 holds integers exactly only up to 2^53 (16 digits): 18-digit IDs and 19-digit bank
    // accounts stored as numbers have already lost their last digits.
    let lost = samples
        .iter()
        .filter(|v| matches!(v, Value::Number(x) if x.abs() >= 1e15))
        .count() as u32;
    if lost > 0 {
        warnings.push(Warning::DigitsLost {
            column: col_letter(col),
            header: header.to_string(),
            count: lost,
        });
    }
    if ty == FieldType::IdNumber {
        let bad = samples
            .iter()
            .filter(|v| matches!(v, Value::Text(t) if is_id_number_shape(t.trim()) && !id_check_ok(t.trim())))
            .count() as u32;
        if bad > 0 {
            warnings.push(Warning::BadIdCheckDigit {
                column: col_letter(col),
                header: header.to_string(),
                count: bad,
            });
        }
    }
}

fn duplicate_warnings(fields: &[Field], warnings: &mut Vec<Warning>) {
    // Where each field is: a roster's column, an item's label cell (items of one indicator
    // block share their value column).
    let mut by_path: HashMap<&[String], Vec<(usize, String)>> = HashMap::new();
    for (i, f) in fields.iter().enumerate() {
        let at = f.label_cell.clone().unwrap_or_else(|| col_letter(f.column));
        by_path.entry(&f.header_path).or_default().push((i, at));
    }
    let mut dups: Vec<_> = by_path.into_iter().filter(|(_, c)| c.len() > 1).collect();
    dups.sort_by_key(|(_, c)| c[0].0);
    for (path, at) in dups {
        warnings.push(Warning::DuplicateHeader {
            header: path.join("/"),
            columns: at
                .into_iter()
                .map(|(_, a)| a)
                .collect::<Vec<_>>()
                .join("、"),
        });
    }
}

/// A first guess at what one row of the form stands for, from its fields and title.
/// `kind_of` says whose fact a field is (a person's or a household's) where the lexicon knows
/// its meaning; keys (names, ID numbers, household numbers) answer `None`.
pub fn guess_grain(
    title: Option<&str>,
    fields: &[Field],
    kind_of: impl Fn(&Field) -> Option<GrainKind>,
) -> Grain {
    let names: Vec<&str> = fields
        .iter()
        .filter(|f| f.role == Role::Data)
        .map(|f| f.name.as_str())
        .collect();
    let paths: Vec<String> = fields
        .iter()
        .map(|f| normalize_name(&f.header_path.join("/")))
        .collect();
    let title = title.unwrap_or("");
    let has = |k: &str| names.iter().any(|n| n.contains(k));
    let reason = |kind: GrainKind, why: String| Grain { kind, reason: why };

    if has("地块") || title.contains("地块") {
        return reason(GrainKind::Plot, "有“地块编号”等地块字段，每行一块地".into());
    }
    // An ID column by its values, or by its name on a template that has none yet.
    let person_id = fields.iter().any(|f| {
        f.ty == FieldType::IdNumber
            || (f.role == Role::Data
                && ["身份证", "公民身份号码", "证件号码", "社会保障号码"]
                    .iter()
                    .any(|k| f.name.contains(k)))
    });
    let person_name = names
        .iter()
        .any(|n| n.contains("姓名") || *n == "承包户" || n.contains("户主"));
    let count_fields = fields
        .iter()
        .filter(|f| matches!(f.ty, FieldType::Integer | FieldType::Decimal) && f.role == Role::Data)
        .count();
    if !person_id
        && !person_name
        && (has("村") || title.contains("村"))
        && count_fields * 2 >= names.len()
    {
        return reason(
            GrainKind::Village,
            "没有个人姓名或身份证号，以村为单位填写户数、人口等汇总数".into(),
        );
    }
    if has("与户主关系") {
        return reason(
            GrainKind::Person,
            "有“与户主关系”，每行一名家庭成员（户信息在成员行重复）".into(),
        );
    }
    // A person's own name beside a 户主 column: a person roster linking each person to the
    // head (户主身份证号), not a household roster.
    let own_name = names.iter().any(|n| {
        n.contains("姓名")
            && !["户主", "联系人", "配偶", "监护人", "填报", "经办", "开户"]
                .iter()
                .any(|q| n.contains(q))
    });
    let head_id = names
        .iter()
        .any(|n| n.contains("户主") && (n.contains("身份") || n.contains("证件")));
    // A column that names the head (户主, 户主姓名, 户主身份证号), not a long question that
    // mentions one (户主及家庭成员社会诚信……综合评价).
    let head_column = names.iter().any(|n| {
        *n == "户主"
            || (n.contains("户主")
                && n.chars().count() <= 8
                && ["姓名", "名字", "身份", "证件", "号码", "电话"]
                    .iter()
                    .any(|k| n.contains(k)))
    });
    if own_name && person_id && (head_id || head_column) {
        return reason(
            GrainKind::Person,
            "有本人姓名和身份证号，另有户主身份证号关联到户，每行一人".into(),
        );
    }
    if head_column {
        return reason(
            GrainKind::Household,
            "以户主姓名/户主身份证号标识，每行一户".into(),
        );
    }
    // Whose facts the other fields are: the lexicon's word for the field's meaning where it
    // knows one (`kind_of`), else the header's words. Names, ID numbers and household numbers
    // are keys on either kind of roster and say nothing; so do phones.
    let person_words = [
        "性别",
        "出生",
        "民族",
        "年龄",
        "文化程度",
        "婚姻",
        "残疾",
        "政治面貌",
        "健康",
    ];
    let household_words = [
        "家庭人口",
        "家庭住址",
        "家庭地址",
        "承包地",
        "宅基地",
        "户类型",
        "家庭年",
    ];
    let (mut person_score, mut household_score) = (0usize, 0usize);
    for (f, path) in fields.iter().zip(&paths) {
        // A phone is the contact of whoever answers for the row: the head's on a household
        // roster, the person's own on a person roster.
        if f.role != Role::Data
            || matches!(f.ty, FieldType::IdNumber | FieldType::Phone)
            || f.name.contains("姓名")
        {
            continue;
        }
        let side = if person_words.iter().any(|k| f.name.contains(k)) {
            Some(GrainKind::Person)
        } else if household_words
            .iter()
            .any(|k| f.name.contains(k) || path.contains(k))
        {
            Some(GrainKind::Household)
        } else {
            kind_of(f)
        };
        match side {
            Some(GrainKind::Person) => person_score += 1,
            Some(GrainKind::Household) => household_score += 1,
            _ => {}
        }
    }
    if person_id || has("姓名") {
        if household_score > person_score {
            return reason(
                GrainKind::Household,
                format!("有姓名和身份证号，但承包地、家庭住址等按户填写的字段更多（{household_score} 对 {person_score}）"),
            );
        }
        return reason(
            GrainKind::Person,
            "有姓名、身份证号等个人字段，每行一人".into(),
        );
    }
    reason(
        GrainKind::Unknown,
        "字段中没有姓名、身份证号、户主或村名等主键".into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_from_header_text() {
        for (h, u) in [
            ("承包地面积(亩)", Some("亩")),
            ("月保障金额（元）", Some("元")),
            ("基本生活标准（元/月）", Some("元/月")),
            ("面积m2", Some("m2")),
            ("面积（㎡）", Some("㎡")),
            ("面积(m2", Some("m2")),
            ("年龄（周岁）", Some("周岁")),
            ("户主（与户主关系）", None),
            ("行政村（社区）", None),
            ("补贴金额", None),
        ] {
            assert_eq!(unit_in_text(h).as_deref(), u, "{h}");
        }
        assert_eq!(
            crate::text::canonical_unit("㎡"),
            crate::text::canonical_unit("m2")
        );
    }

    #[test]
    fn implicit_units() {
        assert_eq!(
            implicit_unit("家庭人口数", FieldType::Integer).as_deref(),
            Some("人")
        );
        assert_eq!(
            implicit_unit("建成年份", FieldType::Integer).as_deref(),
            Some("年")
        );
        assert_eq!(implicit_unit("所属年份", FieldType::Integer), None);
        assert_eq!(implicit_unit("人数", FieldType::Text), None);
    }
}
