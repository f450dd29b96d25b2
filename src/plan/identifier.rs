//! Which columns hold identifiers — ID and phone numbers, bank accounts, certificate numbers,
//! household and plot numbers, codes — decided here and nowhere else, so that every writer
//! (the set, the pre-filled set, the departments' workbooks) writes them as text: no digit lost
//! to a number (`6.22848E+18`), no leading zero dropped.
//!
//! Three sources, strongest first: the lexicon's `type` of the field's data element
//! (`id_number`, `phone`, `code`) and its `length`; a name the lexicon marks as an identifier
//! (`identifier_endings`, not `not_identifiers`); and, where there are values, the values
//! themselves (digit strings too long for a count, or with a leading zero). The first two are
//! settled when the set is planned ([`decide`], kept as [`CanonicalField::ty`] and
//! [`CanonicalField::length`]); the third when rows are written ([`column_type`]).

use std::borrow::Cow;

use super::CanonicalField;
use crate::matching::lexicon::Concept;
use crate::matching::Lexicon;
use crate::read::grid::format_number;
use crate::read::Value;

/// The canonical type of an identifier that is not an ID or phone number.
pub const CODE: &str = "code";

/// Digit strings longer than this are identifiers, not counts: no village counts in the
/// hundreds of billions, and an 11-digit mobile number is already a phone.
const MAX_COUNT_DIGITS: usize = 11;

/// Whether values of this canonical type are identifiers, written as text.
pub fn is_identifier_type(ty: &str) -> bool {
    matches!(ty, "id_number" | "phone" | CODE)
}

/// The type and fixed length of a canonical field, from its data element (`concept`, if the
/// lexicon knows it), its `name` and `unit`, and the type its members' values suggest
/// (`members`).
///
/// A data element's own type wins when it is an identifier or a date; a data element with any
/// other type keeps its members' type. A field the lexicon does not type is an identifier
/// when its name says so and nothing says it is a measure (a unit, decimals, a list or a date).
pub fn decide(
    concept: Option<&Concept>,
    name: &str,
    unit: Option<&str>,
    members: String,
    lex: &Lexicon,
) -> (String, Option<u32>) {
    let typed = concept.and_then(|c| c.ty.as_deref());
    let ty = match typed {
        Some(t) if is_identifier_type(t) || t == "date" => t.to_string(),
        Some(_) => members,
        None if unit.is_none()
            && matches!(members.as_str(), "text" | "integer")
            && lex.names_identifier(name) =>
        {
            CODE.to_string()
        }
        None => members,
    };
    let length = concept
        .filter(|c| c.ty.as_deref() == Some(ty.as_str()))
        .and_then(|c| c.length);
    (ty, length)
}

/// The type a column of the set is written with, given the values about to go in it: the
/// canonical field's type, or [`CODE`] when a text or whole-number column without a unit
/// holds values only an identifier has.
pub fn column_type<'a, 'v>(
    canon: &'a CanonicalField,
    values: impl IntoIterator<Item = &'v Value>,
) -> &'a str {
    let ty = canon.ty.as_str();
    if !is_identifier_type(ty)
        && canon.unit.is_none()
        && matches!(ty, "text" | "integer")
        && values_say_identifier(values)
    {
        CODE
    } else {
        ty
    }
}

/// Whether any value is one only an identifier has: a digit string longer than a count's
/// (read as text, or as a whole number), or one with a leading zero.
pub fn values_say_identifier<'v>(values: impl IntoIterator<Item = &'v Value>) -> bool {
    values.into_iter().any(|v| match v {
        Value::Text(t) => {
            let t = t.trim();
            !t.is_empty()
                && t.bytes().all(|b| b.is_ascii_digit())
                && (t.len() > MAX_COUNT_DIGITS || (t.len() > 1 && t.starts_with('0')))
        }
        Value::Number(n) => n.fract() == 0.0 && n.abs() >= 1e11,
        _ => false,
    })
}

/// An identifier's value as it is written: a number read from a source (which may already have
/// lost digits, and was warned about) becomes its digits as text, never a number again.
pub fn as_text(value: &Value) -> Cow<'_, Value> {
    match value {
        Value::Number(n) => Cow::Owned(Value::Text(format_number(*n))),
        other => Cow::Borrowed(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lex() -> Lexicon {
        Lexicon::builtin()
    }

    /// The type and length `decide` gives a field called `name` (looked up in the lexicon as
    /// the planner does) whose members were typed `members`.
    #[track_caller]
    fn check(name: &str, unit: Option<&str>, members: &str, expect: (&str, Option<u32>)) {
        let lex = lex();
        let concept = lex.concept_named(name).map(|i| &lex.concepts[i]);
        let (ty, length) = decide(concept, name, unit, members.to_string(), &lex);
        assert_eq!((ty.as_str(), length), expect, "{name}");
    }

    #[test]
    fn the_lexicon_types_say_what_is_an_identifier() {
        check("身份证号", None, "text", ("id_number", Some(18)));
        check("手机号码", None, "text", ("phone", None));
        // Read as numbers, bank accounts look like ID numbers to the field detector.
        check("银行卡号", None, "id_number", ("code", None));
        check("银行账号", None, "integer", ("code", None));
        check("残疾人证号", None, "text", ("code", None));
        check("户编号", None, "integer", ("code", None));
        check("地块编号", None, "text", ("code", None));
        check("行政区划代码", None, "integer", ("code", Some(12)));
        check("邮政编码", None, "integer", ("code", Some(6)));
        check("统一社会信用代码", None, "text", ("code", Some(18)));
        check("出生日期", None, "text", ("date", None));
        // A typed element that is not an identifier keeps its members' type.
        check("性别", None, "enum", ("enum", None));
    }

    #[test]
    fn a_name_marked_in_the_lexicon_is_an_identifier() {
        check("低保证号", None, "text", ("code", None));
        check("特困供养证号", None, "integer", ("code", None));
        check("优待证号", None, "text", ("code", None));
        check("医保编号", None, "text", ("code", None));
        check("组织机构代码", None, "text", ("code", None));
        check("社保卡号", None, "integer", ("code", None));
        check("服役部队代号", None, "text", ("code", None));
        // 序号 numbers rows; 金额 is an amount; a unit or decimals make a measure.
        check("序号", None, "integer", ("integer", None));
        check("顺序号", None, "integer", ("integer", None));
        check("补贴金额", None, "decimal", ("decimal", None));
        check("金额账号", None, "text", ("text", None));
        check("里程桩号", Some("公里"), "integer", ("integer", None));
        check("批次号", None, "enum", ("enum", None));
        check("家庭人口数", None, "integer", ("integer", None));
        check("备注", None, "text", ("text", None));
    }

    #[track_caller]
    fn check_values(ty: &str, unit: Option<&str>, values: &[Value], expect: &str) {
        let canon = CanonicalField {
            ty: ty.into(),
            unit: unit.map(Into::into),
            ..CanonicalField::default()
        };
        assert_eq!(column_type(&canon, values), expect, "{values:?}");
    }

    #[test]
    fn values_seen_make_an_identifier() {
        let text = |t: &str| Value::Text(t.into());
        check_values("text", None, &[text("6228480012345678901")], "code");
        check_values("text", None, &[text("0101"), text("0102")], "code");
        check_values(
            "integer",
            None,
            &[Value::Number(6.228_480_012_345_679e18)],
            "code",
        );
        check_values("integer", None, &[Value::Number(123_456_789_012.0)], "code");
        // Counts, names and short codes without a leading zero stay what they are.
        check_values(
            "integer",
            None,
            &[Value::Number(3.0), text("12")],
            "integer",
        );
        check_values("text", None, &[text("张三"), text("13800138000")], "text");
        check_values("text", None, &[text("0"), text("")], "text");
        // An amount never is one, whatever its values.
        check_values("decimal", None, &[text("012345678901234")], "decimal");
        check_values("integer", Some("元"), &[Value::Number(1e12)], "integer");
        check_values("enum", None, &[text("01")], "enum");
        // What planning decided stays.
        check_values("id_number", None, &[], "id_number");
        check_values("code", None, &[text("1")], "code");
    }

    #[test]
    fn a_number_read_from_a_source_is_written_as_its_digits() {
        assert_eq!(
            as_text(&Value::Number(6.228_480_012_345_679e18)).into_owned(),
            Value::Text("6228480012345678848".into())
        );
        assert_eq!(
            as_text(&Value::Number(110_101.0)).into_owned(),
            Value::Text("110101".into())
        );
        let t = Value::Text("0101".into());
        assert_eq!(as_text(&t).into_owned(), t);
    }
}
