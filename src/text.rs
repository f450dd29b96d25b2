//! Text rules for Chinese form headers and values: width folding, name normalisation, unit
//! tokens, line kinds (title, reporter, note, footer) and value shapes (ID number, phone, date).
//!
//! These are the small facts about county forms that every stage leans on; keeping them in one
//! place keeps the stages consistent with each other.

/// Folds full-width ASCII (`（`, `Ａ`, `１`) to half-width and U+3000 to a space.
pub fn fold_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// Widths folded and all white space removed: the form lines are compared in.
fn compact(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// A set sheet's header as compared when a filled copy is read back (and when the plan makes
/// headers distinct): width-folded, without the `*` of required columns, without spaces.
pub fn header_key(text: &str) -> String {
    fold_width(text)
        .trim_start_matches(['*', '＊'])
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// Collapses every run of white space (including U+3000 and line breaks) into one space and
/// trims the ends.
pub fn norm_space(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The normalised name of a header: widths folded, all white space removed, required markers
/// (`*`, `（必填）`) and leading numbering (`（一）`, `1.`, `一、`) stripped.
pub fn normalize_name(header: &str) -> String {
    let folded = fold_width(header);
    let mut s: String = folded.chars().filter(|c| !c.is_whitespace()).collect();
    for marker in ["(必填)", "(必填项)", "(选填)", "※"] {
        s = s.replace(marker, "");
    }
    s = s.trim_matches(|c| c == '*' || c == '★').to_string();
    s = strip_numbering(&s);
    s.trim_matches(|c| c == '*').to_string()
}

/// True when a header text is marked required (`*`, `（必填）`).
pub fn has_required_marker(header: &str) -> bool {
    let f = fold_width(header);
    f.contains('*') || f.contains("(必填") || f.contains('★') || f.contains('※')
}

const CN_NUMS: &str = "一二三四五六七八九十";

fn strip_numbering(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    // (一) (1) 【1】
    if let Some(&open) = chars.first() {
        if matches!(open, '(' | '【' | '[') {
            if let Some(close) = chars.iter().position(|&c| matches!(c, ')' | '】' | ']')) {
                let inner: String = chars[1..close].iter().collect();
                if !inner.is_empty()
                    && inner
                        .chars()
                        .all(|c| c.is_ascii_digit() || CN_NUMS.contains(c))
                    && close + 1 < chars.len()
                {
                    return chars[close + 1..].iter().collect();
                }
            }
        }
    }
    // 一、 1. 1、 1) — only when something follows and the number is short.
    let digits = chars
        .iter()
        .take_while(|c| c.is_ascii_digit() || CN_NUMS.contains(**c))
        .count();
    if digits > 0 && digits <= 3 && digits + 1 < chars.len() {
        let sep = chars[digits];
        let all_cn = chars[..digits].iter().all(|c| CN_NUMS.contains(*c));
        let numbering_sep =
            matches!(sep, '、' | ')' | '．') || (sep == '.' && !chars[digits + 1].is_ascii_digit());
        if numbering_sep
            && (all_cn || sep != '、' || chars[..digits].iter().all(char::is_ascii_digit))
        {
            return chars[digits + 1..].iter().collect();
        }
    }
    // 01申请人姓名, 30联系电话: an item number written straight before the label (cards number
    // their items so). Not a count or an age: 18岁以下, 3个月, 2人以上 keep their digits.
    let ascii_digits = chars.iter().take_while(|c| c.is_ascii_digit()).count();
    if (1..=2).contains(&ascii_digits) && ascii_digits + 1 < chars.len() {
        let next = chars[ascii_digits];
        let cjk = ('\u{4e00}'..='\u{9fff}').contains(&next);
        if cjk && !NUMBER_WORDS.contains(next) {
            return chars[ascii_digits..].iter().collect();
        }
    }
    s.to_string()
}

/// Characters that make a leading number part of the name: a unit, a count word, a time.
const NUMBER_WORDS: &str =
    "岁周年月日号时分秒天次个人户口名元角万千百亿亩顷斤克吨米里级类项档期代批轮届胎孩辆头只台套张条宗块座所家件起倍成度层间以及至到余多寸";

/// Units seen in county forms, in brackets, unit rows and `单位：` lines.
const UNITS: &[&str] = &[
    "个",
    "户",
    "人",
    "口",
    "亩",
    "元",
    "万元",
    "亿元",
    "千元",
    "吨",
    "万吨",
    "公斤",
    "千克",
    "斤",
    "克",
    "kg",
    "t",
    "平方米",
    "㎡",
    "m²",
    "m2",
    "平方公里",
    "km²",
    "km2",
    "公顷",
    "千公顷",
    "立方米",
    "m³",
    "m3",
    "米",
    "m",
    "千米",
    "公里",
    "km",
    "年",
    "月",
    "日",
    "天",
    "周岁",
    "岁",
    "%",
    "％",
    "‰",
    "件",
    "间",
    "次",
    "人次",
    "户次",
    "宗",
    "层",
    "株",
    "头",
    "只",
    "羽",
    "台",
    "辆",
    "套",
    "处",
    "所",
    "张",
    "本",
    "份",
    "座",
    "条",
    "起",
    "项",
    "家",
    "名",
    "元/月",
    "元/年",
    "元/亩",
    "元/人",
    "元/人/月",
    "元/人/年",
    "元/月/人",
    "元/年/人",
    "万元/年",
    "公斤/亩",
    "千克/亩",
    "kg/亩",
    "小时",
    "h",
    "度",
    "千瓦时",
    "kWh",
    "标准亩",
    "栋",
    "幢",
    "眼",
    "口井",
];

/// True for a unit token: `亩`, `元/月`, `m²`, `万元` …
pub fn is_unit_token(s: &str) -> bool {
    let s = fold_width(s.trim());
    let s = unbracket(&s);
    !s.is_empty() && UNITS.iter().any(|u| u.eq_ignore_ascii_case(s))
}

/// The text inside one pair of brackets around the whole of it (`（条）` after width folding is
/// `(条)` → `条`): unit rows often write their units so.
pub fn unbracket(s: &str) -> &str {
    let t = s.trim();
    t.strip_prefix('(')
        .and_then(|x| x.strip_suffix(')'))
        .or_else(|| t.strip_prefix('[').and_then(|x| x.strip_suffix(']')))
        .or_else(|| t.strip_prefix('【').and_then(|x| x.strip_suffix('】')))
        .map_or(t, str::trim)
}

/// The canonical spelling of a unit: `㎡`, `m2`, `平方米` → `m²`; `千克` → `公斤`; widths folded.
pub fn canonical_unit(s: &str) -> String {
    let f = fold_width(s.trim());
    let lower = f.to_lowercase();
    match lower.as_str() {
        "㎡" | "m2" | "m²" | "平方米" | "平米" => "m²".into(),
        "m3" | "m³" | "立方米" => "m³".into(),
        "km2" | "km²" | "平方公里" => "km²".into(),
        "千克" | "kg" => "公斤".into(),
        "％" => "%".into(),
        _ => f,
    }
}

/// Keywords of reporter lines: who fills, when, for which unit. Written as they read after
/// [`fold_width`] with white space removed, which is how lines are compared.
const META_KEYS: &[&str] = &[
    "填报单位",
    "填报人",
    "填表人",
    "制表人",
    "填报日期",
    "填报时间",
    "填表日期",
    "填表时间",
    "制表日期",
    "制表时间",
    "统计单位",
    "统计时间",
    "统计日期",
    "制表机关",
    "表号",
    "数据来源",
    "导出时间",
    "采集单位",
    "采集人",
    "采集时间",
    "核实人",
    "公示日期",
    "经办人",
    "审核人",
    "复核人",
    "稽核人",
    "审批人",
    "盖章",
    "单位负责人",
    "统计负责人",
    "报出日期",
    "批准文号",
    "登记日期",
    "信息采集员",
    "联系电话:",
    "联系电话:",
    "电话:",
    "负责人",
    "综合机关名称",
    "有效期至",
    "文号",
];

/// True for a reporter line (`填报单位：… 填报人：… 填报日期：…`) or a signature line.
pub fn is_meta_line(text: &str) -> bool {
    let t = compact(text);
    if META_KEYS.iter().any(|k| t.contains(k)) {
        return true;
    }
    // Two or more "label：" pairs on one line.
    t.matches(':').count() >= 2 && t.chars().count() < 120
}

/// The town and village a filled reporter line names — what
/// [`crate::write::forms::fill_place`] wrote into its blanks: `填报单位：青山镇石桥村`,
/// `乡镇（盖章）：青山镇　村（居）：石桥村`, `青山镇　石桥村`. Empty where it names none.
pub fn reporter_place(line: &str) -> (String, String) {
    let blank = |c: char| c.is_whitespace() || c == '_' || c == '＿' || c == '\u{3000}';
    let (mut town, mut village) = (String::new(), String::new());
    let mut label = String::new();
    for token in line.split(blank).filter(|t| !t.is_empty()) {
        let mut rest = token;
        // `label：value` pairs within the token; the value of the one before is whole.
        loop {
            let Some(i) = rest.find(['：', ':']) else {
                place_value(&label, rest, &mut town, &mut village);
                label.clear();
                break;
            };
            let colon = rest[i..].chars().next().map_or(1, char::len_utf8);
            label = rest[..i].to_string();
            rest = &rest[i + colon..];
            if rest.is_empty() {
                break;
            }
        }
    }
    (town, village)
}

/// The place a reporter line's `label：value` names, by its label (none: by the value's ending).
fn place_value(label: &str, value: &str, town: &mut String, village: &mut String) {
    let value = value.trim();
    if value.is_empty() {
        return;
    }
    let set = |slot: &mut String, v: &str| {
        if slot.is_empty() {
            *slot = v.to_string();
        }
    };
    if label.is_empty() && !is_village_name(value) {
        if ["镇", "乡", "街道"].iter().any(|e| value.ends_with(e)) {
            set(town, value);
        }
    } else if label.contains("填报单位") || label.contains("单位名称") || label.is_empty() {
        let (t, v) = split_place(value);
        set(town, &t);
        set(village, &v);
    } else if label.contains('村') || label.contains("社区") {
        set(village, value);
    } else if label.contains('乡') || label.contains('镇') || label.contains("街道") {
        set(town, value);
    }
}

fn is_village_name(v: &str) -> bool {
    ["村", "社区", "居委会", "村委会"]
        .iter()
        .any(|e| v.ends_with(e))
}

/// `青山镇石桥村` → (`青山镇`, `石桥村`): the town is up to the last 镇, 乡 or 街道 that leaves
/// a village after it.
pub fn split_place(place: &str) -> (String, String) {
    let place = place.trim();
    let cut = place
        .char_indices()
        .filter(|(i, c)| {
            (matches!(c, '镇' | '乡') || place[*i..].starts_with("街道"))
                && place[*i..].chars().count() > 1
        })
        .map(|(i, c)| {
            if c == '街' {
                i + "街道".len()
            } else {
                i + c.len_utf8()
            }
        })
        .rfind(|&end| end < place.len());
    match cut {
        Some(end) => (place[..end].to_string(), place[end..].to_string()),
        None => (String::new(), place.to_string()),
    }
}

/// True for a note line: `注：…`, `说明：…`, `填表说明…`, `导入注意事项…`.
pub fn is_note_line(text: &str) -> bool {
    let t = compact(text);
    [
        "注:",
        "注1",
        "注①",
        "说明:",
        "填表说明",
        "操作说明",
        "导入注意事项",
        "注意事项",
        "备注:",
        "平衡关系",
        "指标解释",
        "温馨提示",
    ]
    .iter()
    .any(|k| t.starts_with(k))
        || (t.starts_with('注')
            && t.chars()
                .nth(1)
                .is_some_and(|c| c.is_ascii_digit() || c == '、'))
}

/// True for a block of enumerated notes in one cell (`封存原因：\n1、…\n2、…`): a code legend
/// or instructions beside a table, never a header label or a title.
pub fn is_note_block(text: &str) -> bool {
    let enumerated = text
        .lines()
        .map(str::trim_start)
        .filter(|l| {
            let mut chars = l.chars();
            let first = chars.next();
            match first {
                Some('①'..='⑳') => true,
                Some('(' | '（') => chars.next().is_some_and(|c| c.is_ascii_digit()),
                Some(c) if c.is_ascii_digit() => {
                    let rest = l.trim_start_matches(|c: char| c.is_ascii_digit());
                    rest.starts_with(['、', '.', '．', ')', '）'])
                }
                _ => false,
            }
        })
        .count();
    enumerated >= 2
}

/// True for a footer line: totals and signatures below the data.
pub fn is_footer_line(text: &str) -> bool {
    let t = compact(text);
    let first = t.split([':', ' ']).next().unwrap_or("");
    if ["合计", "总计", "小计", "共计", "累计"]
        .iter()
        .any(|k| first.ends_with(k) && first.chars().count() <= 8)
    {
        return true;
    }
    [
        "审核人",
        "复核人",
        "负责人",
        "盖章",
        "签字",
        "签名",
        "声明:",
        "此表统计时间",
        "制表人",
        "填表人",
        "填报人",
        "经办人",
        "稽核人",
        "审批人",
    ]
    .iter()
    .any(|k| t.contains(k))
}

/// True for the cells of a column-number row: `1`, `001`, `甲`, `A`, `D1`, `(1)`.
pub fn is_code_like(t: &str) -> bool {
    let t = fold_width(t.trim());
    let t = t.trim_matches(|c| c == '(' || c == ')');
    if t.is_empty() || t.chars().count() > 4 {
        return false;
    }
    if t.chars().all(|c| c.is_ascii_digit()) {
        return true;
    }
    if t.chars().count() == 1 && "甲乙丙丁戊己庚辛壬癸".contains(t) {
        return true;
    }
    let mut cs = t.chars();
    matches!(cs.next(), Some(c) if c.is_ascii_uppercase()) && cs.all(|c| c.is_ascii_digit())
}

/// True when a text looks like a data value rather than a header: numbers, ID numbers, phone
/// numbers, dates, codes of digits.
pub fn looks_like_data(t: &str) -> bool {
    let t = fold_width(t.trim());
    if t.is_empty() {
        return false;
    }
    if t.parse::<f64>().is_ok() {
        return true;
    }
    if is_id_number_shape(&t) || parse_date(&t).is_some() {
        return true;
    }
    let digits = t.chars().filter(char::is_ascii_digit).count();
    digits >= 6 && digits * 10 >= t.chars().count() * 7
}

/// 18 characters: 17 digits and a digit or X. (The check digit is checked by [`id_check_ok`].)
pub fn is_id_number_shape(t: &str) -> bool {
    let b = t.as_bytes();
    b.len() == 18
        && b[..17].iter().all(u8::is_ascii_digit)
        && (b[17].is_ascii_digit() || b[17] == b'X' || b[17] == b'x')
}

/// The GB 11643 (ISO 7064 MOD 11-2) check digit of an 18-character citizen ID number is right.
pub fn id_check_ok(t: &str) -> bool {
    if !is_id_number_shape(t) {
        return false;
    }
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = t
        .bytes()
        .take(17)
        .zip(W)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    let check = b"10X98765432"[(sum % 11) as usize];
    t.as_bytes()[17].to_ascii_uppercase() == check
}

/// A Chinese mobile number (11 digits, 1[3-9]…) or a landline (0xxx-xxxxxxx).
pub fn is_phone(t: &str) -> bool {
    let t = t.trim();
    if !t.is_ascii() {
        // Full-width digits: fold once and look again (folding makes the text ASCII or not).
        let folded = fold_width(t);
        return folded.is_ascii() && is_phone(&folded);
    }
    let b = t.as_bytes();
    if b.len() == 11
        && b[0] == b'1'
        && (b'3'..=b'9').contains(&b[1])
        && b.iter().all(u8::is_ascii_digit)
    {
        return true;
    }
    if let Some((area, num)) = t.split_once('-') {
        return area.starts_with('0')
            && (3..=4).contains(&area.len())
            && area.bytes().all(|c| c.is_ascii_digit())
            && (7..=8).contains(&num.len())
            && num.bytes().all(|c| c.is_ascii_digit());
    }
    false
}

/// Parses the date shapes county forms use: `2024-03-05`, `2024/3/5`, `2024.03`, `2024年3月`,
/// `2024年3月5日`, `2024-03`. Returns (year, month, day or 0).
pub fn parse_date(t: &str) -> Option<(u32, u32, u32)> {
    let t = t.trim();
    let t = t.split('T').next().unwrap_or(t);
    let t = t.split(' ').next().unwrap_or(t);
    if !t.contains(['-', '/', '.', '年']) {
        return None;
    }
    let mut parts = [""; 3];
    let mut n = 0;
    for p in t
        .split(['-', '/', '.', '年', '月', '日'])
        .filter(|p| !p.is_empty())
    {
        if n == 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        parts[n] = p;
        n += 1;
    }
    if n < 2 || parts[0].len() != 4 || parts[1].len() > 2 {
        return None;
    }
    let y: u32 = parts[0].parse().ok()?;
    let m: u32 = parts[1].parse().ok()?;
    let d: u32 = if n == 3 { parts[2].parse().ok()? } else { 0 };
    if !(1900..=2100).contains(&y) || !(1..=12).contains(&m) || d > 31 {
        return None;
    }
    Some((y, m, d))
}

/// `YYYYMM` written as six digits (`202306`), as 防返贫 exports do.
pub fn is_year_month_digits(t: &str) -> bool {
    let b = t.trim().as_bytes();
    if b.len() != 6 || !b.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let y: u32 = t[..4].parse().unwrap_or(0);
    let m: u32 = t[4..6].parse().unwrap_or(0);
    (1900..=2100).contains(&y) && (1..=12).contains(&m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_normalise() {
        for (raw, want) in [
            ("姓　　名", "姓名"),
            ("身份证号*", "身份证号"),
            ("（一）乡村 户 数", "乡村户数"),
            ("1.户主姓名", "户主姓名"),
            ("一、农村基层组织", "农村基层组织"),
            ("序\n\n号", "序号"),
            ("联系方式（必填）", "联系方式"),
            ("承包地面积（亩）", "承包地面积(亩)"),
            ("60周岁及以上人口", "60周岁及以上人口"),
            ("2024种植品种", "2024种植品种"),
            ("01申请人姓名", "申请人姓名"),
            ("30联系电话", "联系电话"),
            ("09实际居住地址：", "实际居住地址:"),
            ("18岁（含）以下", "18岁(含)以下"),
            ("3个月以上", "3个月以上"),
            ("60周岁以上农村籍退役士兵", "60周岁以上农村籍退役士兵"),
            ("2人以上户数", "2人以上户数"),
        ] {
            assert_eq!(normalize_name(raw), want, "{raw}");
        }
    }

    #[test]
    fn id_numbers_check() {
        assert!(id_check_ok("99999919460110278X"));
        assert!(id_check_ok("999999197510018412"));
        assert!(!id_check_ok("999999197510018413"));
        assert!(!id_check_ok("9999991975100184"));
    }

    #[test]
    fn places_read_back_from_filled_reporter_lines() {
        let cases = [
            ("填报单位：青山镇石桥村", ("青山镇", "石桥村")),
            ("填报单位：石桥村", ("", "石桥村")),
            (
                "乡镇（盖章）：青山镇\u{3000}村（居）：石桥村",
                ("青山镇", "石桥村"),
            ),
            (
                "乡镇：青山镇\u{3000}村：石桥村\u{3000}核实人：",
                ("青山镇", "石桥村"),
            ),
            ("青山镇\u{3000}石桥村", ("青山镇", "石桥村")),
            ("填报单位：\u{3000}\u{3000}填报人：", ("", "")),
            ("乡镇：　　　村：　　", ("", "")),
        ];
        for (line, (town, village)) in cases {
            assert_eq!(
                reporter_place(line),
                (town.to_string(), village.to_string()),
                "{line}"
            );
        }
    }

    #[test]
    fn shapes() {
        assert!(is_phone("13217097179"));
        assert!(is_phone("0731-8888888"));
        assert!(!is_phone("12217097179"));
        assert_eq!(parse_date("2024-03-05"), Some((2024, 3, 5)));
        assert_eq!(parse_date("2019年02月"), Some((2019, 2, 0)));
        assert_eq!(parse_date("1937.06"), Some((1937, 6, 0)));
        assert_eq!(parse_date("106.68"), None);
        assert!(is_year_month_digits("202306"));
        assert!(is_meta_line("填报单位：　　乡（镇）　　填报人："));
        assert!(!is_meta_line("其中：经营性收入"));
        assert!(is_note_line("注：1、红色字体字段为必填项。"));
        assert!(is_footer_line("面积合计："));
        assert!(is_footer_line("村（居）委会审核人：　　"));
        assert!(is_code_like("甲"));
        assert!(is_code_like("12"));
        assert!(is_unit_token("亩"));
        assert!(is_unit_token("（条）") && is_unit_token("(人)") && is_unit_token("【起】"));
        assert!(is_note_block(
            "封存原因：\n1、保留劳动关系\n2、符合销户条件"
        ));
        assert!(is_note_block("①甲\n②乙") && is_note_block("说明\n(1)甲\n（2）乙"));
        assert!(!is_note_block("人\n口\n数") && !is_note_block("1、用水总量"));
        assert!(!is_unit_token("（条") && !is_unit_token("（备注）"));
        assert_eq!(unbracket(&fold_width("（万元）")), "万元");
        assert_eq!(canonical_unit("㎡"), "m²");
    }
}
