//! Small helpers over quick-xml shared by the readers that parse XML parts themselves.

use quick_xml::events::{BytesRef, BytesStart};

/// The value of an attribute by local name, with entities resolved; `None` when absent or
/// malformed.
pub fn attr(e: &BytesStart<'_>, key: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == key)
        .and_then(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()
                .map(|v| v.into_owned())
        })
}

/// The text an entity reference stands for: the five predefined XML entities and character
/// references. Any other entity is `None`: DTD entities are never expanded.
pub fn entity_text(r: &BytesRef<'_>) -> Option<String> {
    if r.is_char_ref() {
        return r.resolve_char_ref().ok().flatten().map(String::from);
    }
    let s = match r.xml10_content().as_ref() {
        "lt" => "<",
        "gt" => ">",
        "amp" => "&",
        "quot" => "\"",
        "apos" => "'",
        _ => return None,
    };
    Some(s.to_string())
}
