//! The words that say why fields were put together or kept apart, and what staff decided.
//!
//! They are stored in Chinese, in the project file and the set's 字段对照 sheet, as the set is a
//! Chinese form set. Every such sentence is written by a builder here, and [`in_lang`] gives it
//! in English for the UI and the CLI: the Chinese and the English of each one sit side by side,
//! so a sentence changed in one language is changed in the other.
//!
//! A sentence this module did not write (a project file from an older version, edited by hand)
//! is shown as it is.

use std::borrow::Cow;

use crate::error::Lang;
use crate::fields::GrainKind;

/// What staff did to a field; the first reason of a field they decided on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Staff {
    /// 确认: the members belong together.
    Accepted,
    /// 改名.
    Renamed,
    /// 取消此项: no basis for asking it.
    Dropped,
    /// A member split out into a field of its own.
    SplitOut,
    /// 拆出 on a field with one member: it stays on its own.
    KeptAlone,
    /// A member moved in from another field.
    Moved,
    /// Another field merged into this one.
    Merged,
}

const STAFF: [(Staff, &str, &str); 7] = [
    (Staff::Accepted, "已人工确认", "Confirmed by staff"),
    (Staff::Renamed, "名称已人工修改", "Renamed by staff"),
    (
        Staff::Dropped,
        "已人工取消（无依据）",
        "Dropped by staff (no basis)",
    ),
    (Staff::SplitOut, "已人工拆分", "Split out by staff"),
    (
        Staff::KeptAlone,
        "已人工确认单独列出",
        "Kept on its own by staff",
    ),
    (Staff::Moved, "已人工调整", "Members moved by staff"),
    (Staff::Merged, "已人工合并", "Merged by staff"),
];

/// The reason put first on a field staff decided on.
pub fn staff(act: Staff) -> String {
    STAFF
        .iter()
        .find(|s| s.0 == act)
        .map(|s| s.1.to_string())
        .unwrap_or_default()
}

/// Whether a reason records a staff decision (any of [`Staff`]).
pub fn by_staff(reason: &str) -> bool {
    STAFF.iter().any(|s| s.1 == reason)
}

// Sentences with no variable part: (Chinese, English).
const KEY_COLUMN: (&str, &str) = (
    "关键列：用来把各表的行对应起来",
    "Key column: it joins the rows of the forms",
);
const OPTIONS_UNION: (&str, &str) = (
    "各表的选项列表不一致，已合并为并集，请核对",
    "The forms' option lists differ; the set offers all their options, please check",
);
const OPTIONS_DISJOINT: (&str, &str) = (
    "选项列表完全不同，请核对",
    "The option lists have nothing in common, please check",
);
const SAME_FORM: (&str, &str) = (
    "同一张表里的两列，含义必然不同",
    "Two columns of one form cannot mean the same",
);
const FORM_TAKEN: (&str, &str) = (
    "同一张表里已有相同的列，未合并",
    "That form already has such a column: not merged",
);
const STRUCTURAL: (&str, &str) = (
    "该列是序号或备注，不参与合并",
    "That column is a row number or a remark; it takes no part in the merge",
);
const REMARKS: (&str, &str) = (
    "原表自己的备注，填在该表自己的工作表上，拆分时写回原表",
    "The original form's own remarks, filled on its own sheet and written back to it on split",
);
const FIXED: [(&str, &str); 7] = [
    KEY_COLUMN,
    REMARKS,
    OPTIONS_UNION,
    OPTIONS_DISJOINT,
    SAME_FORM,
    FORM_TAKEN,
    STRUCTURAL,
];

/// Why a staff decision was not applied: its fields are gone (`file › sheet › header`, as
/// [`crate::plan::FieldRef::describe`] gives them).
pub fn fields_missing(fields: &[String]) -> String {
    format!("找不到字段：{}（原表可能已改版）", fields.join("；"))
}

/// Why a staff decision was not applied: it names a 序号 or 备注 column.
pub fn structural_column() -> String {
    STRUCTURAL.0.into()
}

/// A key column of the set (乡镇, 村, 身份证号 …).
pub fn key_column() -> String {
    KEY_COLUMN.0.into()
}

/// A form's own 备注 column: on its own sheet, back to the form on split.
pub fn remarks() -> String {
    REMARKS.0.into()
}

/// The members' value lists disagree and the set offers their union.
pub fn options_union() -> String {
    OPTIONS_UNION.0.into()
}

/// The members' value lists share nothing.
pub fn options_disjoint() -> String {
    OPTIONS_DISJOINT.0.into()
}

/// Two columns of one form.
pub fn same_form() -> String {
    SAME_FORM.0.into()
}

/// The cluster already has a column of that form.
pub fn form_taken() -> String {
    FORM_TAKEN.0.into()
}

/// `同义词：a ≈ b ≈ c`: the headers as written, different but synonyms.
pub fn synonyms(shown: &[&str]) -> String {
    format!("同义词：{}", shown.join(" ≈ "))
}

/// `名称相同：x`.
pub fn same_name(shown: &str) -> String {
    format!("名称相同：{shown}")
}

/// `标准数据项：公民身份号码`: the lexicon's data element.
pub fn data_element(name: &str) -> String {
    format!("标准数据项：{name}")
}

/// Names alike enough to join, with their similarity.
pub fn similar(similarity: f32, a: &str, b: &str) -> String {
    format!("名称相似 {similarity:.2}：“{a}” ≈ “{b}”")
}

/// Whose fact it is when not the row's own (`户主`, `配偶` …, see [`crate::matching::Subject`]).
pub fn subject(label: &str) -> String {
    format!("对象：{label}")
}

/// All members in one unit.
pub fn same_unit(unit: &str) -> String {
    format!("单位一致：{unit}")
}

/// All members of one value type (`text`, `id_number` …).
pub fn same_type(ty: &str) -> String {
    format!("类型一致：{}", type_word(ty))
}

/// How many departments ask for it.
pub fn departments(n: usize) -> String {
    format!("{n} 个部门都要这一项")
}

/// How much the members' value lists overlap, 0–1.
pub fn options_overlap(share: f32) -> String {
    format!("选项重合 {:.0}%", share * 100.0)
}

/// Kept apart: one is filled per person, the other per household (…).
pub fn levels_differ(a: GrainKind, b: GrainKind) -> String {
    format!("填报对象不同：{} vs {}", level_word(a), level_word(b))
}

/// Kept apart: 本人 vs 配偶 (…); the subjects' Chinese labels.
pub fn subjects_differ(a: &str, b: &str) -> String {
    format!("对象不同：{a} vs {b}")
}

/// Kept apart: 元 vs 万元.
pub fn units_differ(a: &str, b: &str) -> String {
    format!("单位不同：{a} vs {b}")
}

/// Kept apart: an ID number vs free text.
pub fn types_differ(a: &str, b: &str) -> String {
    format!("类型不同：{} vs {}", type_word(a), type_word(b))
}

/// Kept apart: one dimension at two scales (元 vs 万元); joining would need a conversion.
pub fn units_scale(a: &str, b: &str) -> String {
    format!("同一量纲的不同单位：{a} vs {b}，需换算后才能合并，未自动合并")
}

/// Kept apart: a generic leaf (合计, 其他) under groups that mean different things.
pub fn generic_leaf_groups(leaf: &str, a: &str, b: &str) -> String {
    format!("通用列名“{leaf}”，所属栏目不同：{a} vs {b}")
}

/// Kept apart: a generic leaf with no group to say what it counts.
pub fn generic_leaf_alone(leaf: &str) -> String {
    format!("通用列名“{leaf}”，没有栏目说明它统计什么，不据名称合并")
}

/// Kept apart: an identifier (a number that names something) vs an amount or a count.
pub fn identifier_vs_amount(a: &str, b: &str) -> String {
    format!("编号不是数额：{a} vs {b}")
}

/// Kept apart: a count of things vs a yes/no flag.
pub fn count_vs_flag(a: &str, b: &str) -> String {
    format!("数量不是是否标志：{a} vs {b}")
}

/// Kept apart: a programme's own field on forms of two programmes.
pub fn programs_differ(a: &str, b: &str) -> String {
    format!("业务字段，两张表的业务不同（{a} vs {b}），口径可能不同")
}

/// Kept apart: the same header meaning two data elements (`姓名` of a person vs of a household
/// head).
pub fn same_name_other_meaning(
    shown: &str,
    a: &str,
    a_level: GrainKind,
    b: &str,
    b_level: GrainKind,
) -> String {
    format!(
        "名称相同（{shown}），但口径不同：{a}（每{}）≠ {b}（每{}）",
        level_word(a_level),
        level_word(b_level)
    )
}

/// Kept apart: two different data elements of the lexicon.
pub fn two_elements(a: &str, b: &str) -> String {
    format!("词库中是两个不同的标准数据项：{a} ≠ {b}")
}

/// Kept apart: names alike, not enough to join.
pub fn too_weak(similarity: f32) -> String {
    format!("名称相似度 {similarity:.2}，未达到合并标准")
}

/// Kept apart: `known` is the lexicon's `element`, `unknown` is not in the lexicon.
pub fn one_in_lexicon(known: &str, element: &str, unknown: &str) -> String {
    format!("“{known}”是词库中的“{element}”，“{unknown}”不在词库中，未自动合并")
}

/// A level in Chinese, as the reasons write it.
pub(crate) fn level_word(g: GrainKind) -> &'static str {
    match g {
        GrainKind::Person => "人",
        GrainKind::Household => "户",
        GrainKind::Village => "村",
        GrainKind::Plot => "地块",
        GrainKind::Unknown => "未知",
    }
}

/// A form's shape (as [`crate::layout::Shape`] names it) in Chinese and English, as the
/// reasons write it.
const SHAPES: [(&str, &str, &str); 4] = [
    ("roster", "列表", "table"),
    ("card", "登记表", "card"),
    ("indicator", "指标表", "indicator table"),
    ("questionnaire", "问卷表", "questionnaire"),
];

/// The members were read from forms of different shapes (`card`, `roster` …): such merges
/// were measured right less often, so the merge is shown less sure and says why.
pub fn shapes_differ(shapes: &[&str]) -> String {
    let words: Vec<&str> = shapes
        .iter()
        .map(|s| SHAPES.iter().find(|w| w.0 == *s).map_or(*s, |w| w.1))
        .collect();
    format!("来自不同形式的表（{}），请核对", words.join("、"))
}

/// A value type in Chinese, as the reasons write it.
fn type_word(t: &str) -> &str {
    match t {
        "text" => "文本",
        "integer" => "整数",
        "decimal" => "数值",
        "date" => "日期",
        "id_number" => "身份证号",
        "phone" => "电话",
        "enum" => "选项",
        "yes_no" => "是/否",
        other => other,
    }
}

/// The Chinese words the sentences embed (levels, types, subjects) in English.
const WORDS: [(&str, &str); 19] = [
    ("人", "person"),
    ("户", "household"),
    ("村", "village"),
    ("地块", "plot"),
    ("未知", "unknown"),
    ("文本", "text"),
    ("整数", "whole number"),
    ("数值", "number"),
    ("日期", "date"),
    ("身份证号", "ID number"),
    ("电话", "phone"),
    ("选项", "choice"),
    ("是/否", "yes/no"),
    ("本人", "self"),
    ("户主", "household head"),
    ("配偶", "spouse"),
    ("联系人", "contact"),
    ("男方", "husband"),
    ("女方", "wife"),
];

fn word(zh: &str) -> &str {
    WORDS.iter().find(|w| w.0 == zh).map_or(zh, |w| w.1)
}

fn pair(rest: &str) -> String {
    match rest.split_once(" vs ") {
        Some((a, b)) => format!("{} vs {}", word(a), word(b)),
        None => rest.to_string(),
    }
}

/// Where a form's department came from: a department word in the file name.
pub fn department_from_file(word: &str) -> String {
    format!("文件名中有“{word}”")
}

/// The issuing office named before the dash of the file name (`青山县某某局-表名`).
pub fn department_from_issuer() -> String {
    DEPT_ISSUER.0.into()
}

/// A department word in the form's title.
pub fn department_from_title(word: &str) -> String {
    format!("表名中有“{word}”")
}

/// A department word in the sheet's name.
pub fn department_from_sheet(word: &str) -> String {
    format!("工作表名中有“{word}”")
}

/// Department words in the field names (`word` the most frequent, `n` fields naming it).
pub fn department_from_fields(word: &str, n: usize) -> String {
    format!("{n} 个字段名中有“{word}”等业务词")
}

/// Nothing on the form names its department; the file's other forms do.
pub fn department_from_same_file() -> String {
    DEPT_SAME_FILE.0.into()
}

/// Nothing names a department.
pub fn department_unknown() -> String {
    DEPT_UNKNOWN.0.into()
}

const DEPT_ISSUER: (&str, &str) = (
    "文件名开头写明了发文单位",
    "The file name starts with the issuing office",
);
const DEPT_SAME_FILE: (&str, &str) = (
    "与同一文件中的其他表相同",
    "The same as the other forms of its file",
);
const DEPT_UNKNOWN: (&str, &str) = (
    "文件名、表名、工作表名和字段名都没有说明是哪个部门",
    "Neither the file name, the title, the sheet name nor the field names say which department",
);

/// A stored reason in `lang`; a sentence not written here is given as it is.
pub fn in_lang(lang: Lang, zh: &str) -> Cow<'_, str> {
    match lang {
        Lang::Zh => Cow::Borrowed(zh),
        Lang::En => english(zh).map_or(Cow::Borrowed(zh), Cow::Owned),
    }
}

/// The English of a sentence written here, or `None`.
fn english(zh: &str) -> Option<String> {
    if let Some(s) = STAFF.iter().find(|s| s.1 == zh) {
        return Some(s.2.into());
    }
    if let Some(s) = FIXED.iter().find(|s| s.0 == zh) {
        return Some(s.1.into());
    }
    if let Some(s) = [DEPT_ISSUER, DEPT_SAME_FILE, DEPT_UNKNOWN]
        .iter()
        .find(|s| s.0 == zh)
    {
        return Some(s.1.into());
    }
    let quoted = |prefix: &str| {
        zh.strip_prefix(prefix)
            .and_then(|r| r.strip_prefix('“'))
            .and_then(|r| r.strip_suffix('”'))
    };
    if let Some(w) = quoted("文件名中有") {
        return Some(format!("The file name says “{w}”"));
    }
    if let Some(w) = quoted("表名中有") {
        return Some(format!("The title says “{w}”"));
    }
    if let Some(w) = quoted("工作表名中有") {
        return Some(format!("The sheet name says “{w}”"));
    }
    if let Some(r) = zh.strip_suffix("”等业务词") {
        let (n, w) = r.split_once(" 个字段名中有“")?;
        return Some(format!("{n} field names name the programme, e.g. “{w}”"));
    }
    let after = |prefix: &str| zh.strip_prefix(prefix);
    if let Some(r) = after("找不到字段：") {
        let fields = r.strip_suffix("（原表可能已改版）")?;
        return Some(format!(
            "Field not found: {} (the original form may have changed)",
            fields.replace('；', "; ")
        ));
    }
    if let Some(r) = after("同义词：") {
        return Some(format!("Synonyms: {r}"));
    }
    if let Some(r) = after("名称相同：") {
        return Some(format!("Same name: {r}"));
    }
    if let Some(r) = after("标准数据项：") {
        return Some(format!("Data element: {r}"));
    }
    if let Some(r) = after("名称相似 ") {
        let (s, names) = r.split_once('：')?;
        return Some(format!("Similar names {s}: {names}"));
    }
    if let Some(r) = after("对象：") {
        return Some(format!("Whose: {}", word(r)));
    }
    if let Some(r) = after("单位一致：") {
        return Some(format!("Same unit: {r}"));
    }
    if let Some(r) = after("类型一致：") {
        return Some(format!("Same type: {}", word(r)));
    }
    if let Some(n) = zh.strip_suffix(" 个部门都要这一项") {
        return Some(format!("{n} departments ask for it"));
    }
    if let Some(r) = after("选项重合 ") {
        return Some(format!("Options overlap {r}"));
    }
    if let Some(r) = after("填报对象不同：") {
        return Some(format!("Filled per a different level: {}", pair(r)));
    }
    if let Some(r) = after("对象不同：") {
        return Some(format!("About different people: {}", pair(r)));
    }
    if let Some(r) = after("单位不同：") {
        return Some(format!("Different units: {r}"));
    }
    if let Some(r) = after("类型不同：") {
        return Some(format!("Different value types: {}", pair(r)));
    }
    if let Some(r) = after("同一量纲的不同单位：") {
        let units = r.strip_suffix("，需换算后才能合并，未自动合并")?;
        return Some(format!(
            "One dimension in different units: {units}; they would join only converted, so they were not joined"
        ));
    }
    if let Some(r) = after("通用列名“") {
        if let Some((leaf, groups)) = r.split_once("”，所属栏目不同：") {
            return Some(format!(
                "“{leaf}” is a generic column name, under groups that differ: {groups}"
            ));
        }
        let leaf = r.strip_suffix("”，没有栏目说明它统计什么，不据名称合并")?;
        return Some(format!(
            "“{leaf}” is a generic column name with no group saying what it counts: not joined by name"
        ));
    }
    if let Some(r) = after("来自不同形式的表（") {
        let words: Vec<&str> = r
            .strip_suffix("），请核对")?
            .split('、')
            .map(|w| SHAPES.iter().find(|s| s.1 == w).map_or(w, |s| s.2))
            .collect();
        return Some(format!(
            "From forms of different kinds ({}), please check",
            words.join(", ")
        ));
    }
    if let Some(r) = after("编号不是数额：") {
        return Some(format!("An identifier is not an amount: {r}"));
    }
    if let Some(r) = after("数量不是是否标志：") {
        return Some(format!("A count is not a yes/no flag: {r}"));
    }
    if let Some(r) = after("业务字段，两张表的业务不同（") {
        let programs = r.strip_suffix("），口径可能不同")?;
        return Some(format!(
            "A programme's own field, on forms of different programmes ({programs}): it may be counted differently"
        ));
    }
    if let Some(r) = after("名称相同（") {
        let (shown, rest) = r.rsplit_once("），但口径不同：")?;
        let mut rest = rest.to_string();
        for (zh_level, en_level) in &WORDS[..5] {
            rest = rest.replace(&format!("（每{zh_level}）"), &format!(" (per {en_level})"));
        }
        let rest = rest.replace(")≠ ", ") ≠ ");
        return Some(format!(
            "Same name ({shown}) but a different meaning: {rest}"
        ));
    }
    if let Some(r) = after("词库中是两个不同的标准数据项：") {
        return Some(format!("Two different data elements of the lexicon: {r}"));
    }
    if let Some(r) = after("名称相似度 ") {
        let s = r.strip_suffix("，未达到合并标准")?;
        return Some(format!("Name similarity {s}, below the bar for merging"));
    }
    if let Some(r) = zh.strip_suffix("”不在词库中，未自动合并") {
        let (known, rest) = r.strip_prefix('“')?.split_once("”是词库中的“")?;
        let (element, unknown) = rest.split_once("”，“")?;
        return Some(format!(
            "“{known}” is the lexicon's “{element}”, “{unknown}” is not in the lexicon: not merged automatically"
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use GrainKind::*;

    /// The sentence a builder writes, and its English.
    fn check(zh: String, en: &str) {
        assert_eq!(in_lang(Lang::Zh, &zh), zh.as_str());
        assert_eq!(in_lang(Lang::En, &zh), en, "English of {zh}");
    }

    #[test]
    fn every_sentence_has_its_english() {
        check(
            synonyms(&["身份证号", "公民身份号码"]),
            "Synonyms: 身份证号 ≈ 公民身份号码",
        );
        check(same_name("姓名"), "Same name: 姓名");
        check(department_from_file("民政"), "The file name says “民政”");
        check(
            department_from_issuer(),
            "The file name starts with the issuing office",
        );
        check(department_from_title("扶贫"), "The title says “扶贫”");
        check(department_from_sheet("优抚"), "The sheet name says “优抚”");
        check(
            department_from_fields("低保", 3),
            "3 field names name the programme, e.g. “低保”",
        );
        check(
            department_from_same_file(),
            "The same as the other forms of its file",
        );
        check(
            department_unknown(),
            "Neither the file name, the title, the sheet name nor the field names say which department",
        );
        check(data_element("公民身份号码"), "Data element: 公民身份号码");
        check(
            similar(0.8, "宅基地面积", "宅基地面积（㎡）"),
            "Similar names 0.80: “宅基地面积” ≈ “宅基地面积（㎡）”",
        );
        check(subject("户主"), "Whose: household head");
        check(same_unit("亩"), "Same unit: 亩");
        check(same_type("id_number"), "Same type: ID number");
        check(same_type("yes_no"), "Same type: yes/no");
        check(departments(7), "7 departments ask for it");
        check(options_overlap(0.5), "Options overlap 50%");
        check(
            options_disjoint(),
            "The option lists have nothing in common, please check",
        );
        check(
            options_union(),
            "The forms' option lists differ; the set offers all their options, please check",
        );
        check(key_column(), "Key column: it joins the rows of the forms");
        check(same_form(), "Two columns of one form cannot mean the same");
        check(
            form_taken(),
            "That form already has such a column: not merged",
        );
        check(
            shapes_differ(&["card", "roster"]),
            "From forms of different kinds (card, table), please check",
        );
        check(
            levels_differ(Person, Household),
            "Filled per a different level: person vs household",
        );
        check(
            subjects_differ("本人", "配偶"),
            "About different people: self vs spouse",
        );
        check(units_differ("元", "万元"), "Different units: 元 vs 万元");
        check(
            units_scale("元", "万元"),
            "One dimension in different units: 元 vs 万元; they would join only converted, so they were not joined",
        );
        check(
            generic_leaf_groups("合计", "资金到户", "出院人数"),
            "“合计” is a generic column name, under groups that differ: 资金到户 vs 出院人数",
        );
        check(
            generic_leaf_alone("其他"),
            "“其他” is a generic column name with no group saying what it counts: not joined by name",
        );
        check(
            identifier_vs_amount("医疗保险号", "医疗保险（元/年）"),
            "An identifier is not an amount: 医疗保险号 vs 医疗保险（元/年）",
        );
        check(
            count_vs_flag("危房户（户）", "危房户"),
            "A count is not a yes/no flag: 危房户（户） vs 危房户",
        );
        check(
            types_differ("date", "text"),
            "Different value types: date vs text",
        );
        check(
            programs_differ("低保", "特困"),
            "A programme's own field, on forms of different programmes (低保 vs 特困): it may be counted differently",
        );
        check(
            same_name_other_meaning("姓名", "姓名", Person, "户主姓名", Household),
            "Same name (姓名) but a different meaning: 姓名 (per person) ≠ 户主姓名 (per household)",
        );
        check(
            fields_missing(&["医保.xlsx › Sheet1 › 联系方式".into(), "民政.xlsx › 低保 › 低保证号".into()]),
            "Field not found: 医保.xlsx › Sheet1 › 联系方式; 民政.xlsx › 低保 › 低保证号 (the original form may have changed)",
        );
        check(
            structural_column(),
            "That column is a row number or a remark; it takes no part in the merge",
        );
        check(
            remarks(),
            "The original form's own remarks, filled on its own sheet and written back to it on split",
        );
        check(
            two_elements("常住人口", "户籍人口"),
            "Two different data elements of the lexicon: 常住人口 ≠ 户籍人口",
        );
        check(
            too_weak(0.61),
            "Name similarity 0.61, below the bar for merging",
        );
        check(
            one_in_lexicon("证件号码", "公民身份号码", "证号"),
            "“证件号码” is the lexicon's “公民身份号码”, “证号” is not in the lexicon: not merged automatically",
        );
    }

    #[test]
    fn staff_decisions_are_known_in_both_languages() {
        for (act, en) in [
            (Staff::Accepted, "Confirmed by staff"),
            (Staff::Renamed, "Renamed by staff"),
            (Staff::Dropped, "Dropped by staff (no basis)"),
            (Staff::SplitOut, "Split out by staff"),
            (Staff::KeptAlone, "Kept on its own by staff"),
            (Staff::Moved, "Members moved by staff"),
            (Staff::Merged, "Merged by staff"),
        ] {
            assert!(by_staff(&staff(act)), "{act:?}");
            check(staff(act), en);
        }
        assert!(!by_staff(&same_name("已人工确认的字段")));
    }

    #[test]
    fn a_sentence_not_written_here_is_shown_as_it_is() {
        for s in [
            "旧版本的说明",
            "名称相似 没有冒号",
            "“a”是词库中的“b” 缺少后半句",
        ] {
            assert_eq!(in_lang(Lang::En, s), s);
        }
    }
}
