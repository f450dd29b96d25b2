//! Staff additions to the lexicon as the app edits them. The additions stay one text in the
//! lexicon's own format (the project keeps it as `lexicon_additions`, the CLI reads it with
//! `--lexicon`); here an entry is written as that text, the entries of a text are listed (to
//! show them and remove one), and an imported file is added to what is there.

use super::lexicon::{Concept, ConceptKind, Lexicon, LexiconError, LexiconFile};
use super::toml_subset::{self, Header};

/// The id prefix of data elements staff create.
pub const STAFF_PREFIX: &str = "staff.";

/// One entry staff add: names for a data element, which may be a new one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Addition {
    /// The data element's id: an existing one, or a new one ([`STAFF_PREFIX`] + its name).
    pub id: String,
    /// A new element's name (`None` when adding names to an existing one).
    pub name: Option<String>,
    /// A new element's kind (`None`: `any`, decided by each form's grain).
    pub kind: Option<ConceptKind>,
    /// The names it goes by.
    pub variants: Vec<String>,
}

impl Addition {
    /// More names for an existing data element.
    pub fn names_for(id: &str, variants: Vec<String>) -> Addition {
        Addition {
            id: id.to_string(),
            name: None,
            kind: None,
            variants,
        }
    }

    /// A new data element; its own name is one of the names it goes by.
    pub fn new_element(name: &str, kind: ConceptKind, variants: Vec<String>) -> Addition {
        let name = name.trim().to_string();
        let mut all = vec![name.clone()];
        all.extend(variants.into_iter().filter(|v| *v != name));
        Addition {
            id: format!("{STAFF_PREFIX}{name}"),
            name: Some(name),
            kind: Some(kind),
            variants: all,
        }
    }

    /// What staff typed: the element (a name it already goes by, or a new name), more names
    /// for it, and — for a new element — whose fact it is. `None` when there is nothing to add.
    pub fn from_input(
        lex: &Lexicon,
        element: &str,
        names: &[String],
        kind: ConceptKind,
    ) -> Option<Addition> {
        let element = element.trim();
        let mut variants: Vec<String> = Vec::new();
        for n in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
            if !variants.iter().any(|v| v == n) {
                variants.push(n.to_string());
            }
        }
        if element.is_empty() {
            return None;
        }
        match lex.concept_named(element) {
            Some(c) => {
                variants.retain(|v| v != element);
                (!variants.is_empty()).then(|| Addition::names_for(&lex.concepts[c].id, variants))
            }
            None => Some(Addition::new_element(element, kind, variants)),
        }
    }

    /// The entry in the lexicon's format.
    pub fn to_toml(&self) -> String {
        concept_toml(&Concept {
            id: self.id.clone(),
            name: self.name.clone().unwrap_or_default(),
            kind: self.kind.unwrap_or(ConceptKind::Any),
            ty: None,
            length: None,
            suffix: false,
            on_household: None,
            grains: Vec::new(),
            variants: self.variants.clone(),
        })
    }
}

/// What one entry of an additions text holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EntryKind {
    /// A `[[concept]]`: names for a data element (new or existing).
    Concept {
        /// Its id.
        id: String,
        /// Its name, when the entry gives one.
        name: Option<String>,
        /// Its names.
        variants: Vec<String>,
    },
    /// `[subjects]` or `[departments]` (their words), or `""` for the word lists at the top.
    Words(String),
}

/// One entry of an additions text, with the lines it spans (1-based, inclusive).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// What it holds.
    pub kind: EntryKind,
    /// Its first line.
    pub first_line: u32,
    /// Its last line.
    pub last_line: u32,
}

/// The entries of an additions text, in order.
///
/// # Errors
/// [`LexiconError`] when the text is not a lexicon file.
pub fn entries(text: &str) -> Result<Vec<Entry>, LexiconError> {
    check(text)?;
    let sections = toml_subset::parse(text)?;
    let lines = text.lines().count().max(1) as u32;
    let starts: Vec<u32> = sections.iter().map(|s| s.line).collect();
    let mut out = Vec::new();
    for (i, s) in sections.into_iter().enumerate() {
        let last_line = starts
            .get(i + 1)
            .map(|next| next.saturating_sub(1))
            .unwrap_or(lines)
            .max(s.line);
        let kind = match s.header {
            Header::Root if s.entries.is_empty() => continue,
            Header::Root => EntryKind::Words(String::new()),
            Header::Table(name) => EntryKind::Words(name),
            Header::Item(_) => {
                let text_of = |key: &str| {
                    s.entries
                        .iter()
                        .find(|e| e.key == key)
                        .and_then(|e| match &e.value {
                            toml_subset::Value::Str(v) => Some(v.clone()),
                            _ => None,
                        })
                };
                let variants = s
                    .entries
                    .iter()
                    .find(|e| e.key == "variants")
                    .map(|e| match &e.value {
                        toml_subset::Value::List(l) => l
                            .iter()
                            .filter_map(|v| match v {
                                toml_subset::Value::Str(x) => Some(x.clone()),
                                _ => None,
                            })
                            .collect(),
                        _ => Vec::new(),
                    })
                    .unwrap_or_default();
                EntryKind::Concept {
                    id: text_of("id").unwrap_or_default(),
                    name: text_of("name"),
                    variants,
                }
            }
        };
        out.push(Entry {
            kind,
            first_line: s.line,
            last_line,
        });
    }
    Ok(out)
}

/// The text without its `index`-th entry (as listed by [`entries`]); unchanged when there is
/// no such entry or the text is not a lexicon file.
pub fn remove(text: &str, index: usize) -> String {
    let Some(entry) = entries(text).ok().and_then(|e| e.get(index).cloned()) else {
        return text.to_string();
    };
    let kept: Vec<&str> = text
        .split_inclusive('\n')
        .enumerate()
        .filter(|(i, _)| {
            let line = *i as u32 + 1;
            line < entry.first_line || line > entry.last_line
        })
        .map(|(_, l)| l)
        .collect();
    let out = kept.concat();
    if out.trim().is_empty() {
        String::new()
    } else {
        out
    }
}

/// Checks a staff text against the built-in lexicon.
///
/// # Errors
/// The first [`LexiconError`].
pub fn check(text: &str) -> Result<(), LexiconError> {
    Lexicon::builtin().extend(text)
}

/// `addition` (a whole staff file, or one entry) after `text`. Both must be lexicon files;
/// errors name lines of `addition` itself. When the two cannot simply follow one another
/// (both have `[subjects]`, or the addition has word lists at its top), they are written
/// again as one file, without their comments.
///
/// # Errors
/// [`LexiconError`] when `addition` is not a lexicon file (or `text` is not one).
pub fn append(text: &str, addition: &str) -> Result<String, LexiconError> {
    check(addition)?;
    if text.trim().is_empty() {
        return Ok(addition.to_string());
    }
    let mut joined = text.to_string();
    if !joined.ends_with('\n') {
        joined.push('\n');
    }
    if !addition.starts_with('\n') {
        joined.push('\n');
    }
    joined.push_str(addition);
    if check(&joined).is_ok() {
        return Ok(joined);
    }
    let mut a = LexiconFile::from_sections(toml_subset::parse(text)?)?;
    let b = LexiconFile::from_sections(toml_subset::parse(addition)?)?;
    a.generic_leaves.extend(b.generic_leaves);
    a.neutral_groups.extend(b.neutral_groups);
    a.program_words.extend(b.program_words);
    a.form_words.extend(b.form_words);
    a.identifier_endings.extend(b.identifier_endings);
    a.not_identifiers.extend(b.not_identifiers);
    a.program_bound.extend(b.program_bound);
    for (groups, more) in [
        (&mut a.subjects, b.subjects),
        (&mut a.departments, b.departments),
        (&mut a.unit_dimensions, b.unit_dimensions),
    ] {
        for (name, words) in more {
            match groups.iter_mut().find(|(n, _)| *n == name) {
                Some((_, w)) => w.extend(words),
                None => groups.push((name, words)),
            }
        }
    }
    a.concept.extend(b.concept);
    let out = file_toml(&a);
    check(&out)?;
    Ok(out)
}

/// A string in TOML basic-string form.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn list(items: &[String]) -> String {
    let parts: Vec<String> = items.iter().map(|s| quote(s)).collect();
    format!("[{}]", parts.join(", "))
}

/// A bare key where TOML allows one, else quoted.
fn key(k: &str) -> String {
    if !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        k.to_string()
    } else {
        quote(k)
    }
}

fn concept_toml(c: &Concept) -> String {
    let mut out = format!("[[concept]]\nid = {}\n", quote(&c.id));
    if !c.name.is_empty() {
        out.push_str(&format!("name = {}\n", quote(&c.name)));
    }
    if !c.name.is_empty() || c.kind != ConceptKind::Any {
        out.push_str(&format!("kind = {}\n", quote(c.kind.word())));
    }
    if let Some(t) = &c.ty {
        out.push_str(&format!("type = {}\n", quote(t)));
    }
    if let Some(n) = c.length {
        out.push_str(&format!("length = {n}\n"));
    }
    if c.suffix {
        out.push_str("suffix = true\n");
    }
    if let Some(h) = &c.on_household {
        out.push_str(&format!("on_household = {}\n", quote(h)));
    }
    if !c.grains.is_empty() {
        out.push_str(&format!("grains = {}\n", list(&c.grains)));
    }
    out.push_str(&format!("variants = {}\n", list(&c.variants)));
    out
}

fn file_toml(f: &LexiconFile) -> String {
    let mut out = String::new();
    for (name, words) in [
        ("generic_leaves", &f.generic_leaves),
        ("neutral_groups", &f.neutral_groups),
        ("program_words", &f.program_words),
        ("form_words", &f.form_words),
        ("identifier_endings", &f.identifier_endings),
        ("not_identifiers", &f.not_identifiers),
        ("program_bound", &f.program_bound),
    ] {
        if !words.is_empty() {
            out.push_str(&format!("{name} = {}\n", list(words)));
        }
    }
    for (table, groups) in [
        ("subjects", &f.subjects),
        ("departments", &f.departments),
        ("unit_dimensions", &f.unit_dimensions),
    ] {
        if !groups.is_empty() {
            out.push_str(&format!("\n[{table}]\n"));
            for (name, words) in groups {
                out.push_str(&format!("{} = {}\n", key(name), list(words)));
            }
        }
    }
    for c in &f.concept {
        out.push('\n');
        out.push_str(&concept_toml(c));
    }
    out.trim_start().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_is_written_in_the_lexicon_format() {
        let a = Addition::names_for("person.id_number", vec!["证件号码".into()]);
        assert_eq!(
            a.to_toml(),
            "[[concept]]\nid = \"person.id_number\"\nvariants = [\"证件号码\"]\n"
        );
        let b = Addition::new_element(
            " 个人编号 ",
            ConceptKind::Person,
            vec![
                "残疾人证号".into(),
                "个人编号".into(),
                "编号\"甲\"\\".into(),
            ],
        );
        assert_eq!(
            b.to_toml(),
            "[[concept]]\nid = \"staff.个人编号\"\nname = \"个人编号\"\nkind = \"person\"\nvariants = [\"个人编号\", \"残疾人证号\", \"编号\\\"甲\\\"\\\\\"]\n"
        );
        check(&b.to_toml()).expect("valid");
    }

    #[test]
    fn what_staff_type_becomes_an_entry() {
        let lex = Lexicon::builtin();
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let id = |a: Option<Addition>| a.map(|a| (a.id, a.name, a.variants));
        // A name the lexicon knows (a variant of the ID number) takes its element.
        assert_eq!(
            id(Addition::from_input(
                &lex,
                " 公民身份号码 ",
                &names(&["证件号码", " ", "证件号码", "公民身份号码"]),
                ConceptKind::Any
            )),
            Some(("person.id_number".into(), None, names(&["证件号码"])))
        );
        // Nothing new for a known element.
        assert_eq!(
            id(Addition::from_input(
                &lex,
                "公民身份号码",
                &names(&[]),
                ConceptKind::Any
            )),
            None
        );
        assert_eq!(
            id(Addition::from_input(
                &lex,
                "  ",
                &names(&["甲"]),
                ConceptKind::Any
            )),
            None
        );
        // A name it does not know makes a new element, which goes by its own name too.
        assert_eq!(
            id(Addition::from_input(
                &lex,
                "个人编号",
                &names(&["残疾人证号"]),
                ConceptKind::Person
            )),
            Some((
                "staff.个人编号".into(),
                Some("个人编号".into()),
                names(&["个人编号", "残疾人证号"])
            ))
        );
    }

    #[test]
    fn entries_are_listed_and_removed_one_by_one() {
        let a = Addition::names_for("person.id_number", vec!["证件号码".into()]).to_toml();
        let b = Addition::new_element("个人编号", ConceptKind::Any, vec!["残疾人证号".into()])
            .to_toml();
        let text = append(&append("", &a).expect("a"), &b).expect("b");
        let list = entries(&text).expect("entries");
        assert_eq!(list.len(), 2);
        assert_eq!(
            list[0].kind,
            EntryKind::Concept {
                id: "person.id_number".into(),
                name: None,
                variants: vec!["证件号码".into()]
            }
        );
        assert_eq!((list[0].first_line, list[0].last_line), (1, 4));
        assert_eq!((list[1].first_line, list[1].last_line), (5, 9));
        assert_eq!(remove(&text, 1).trim_end(), a.trim_end());
        assert_eq!(remove(&text, 0), b);
        assert_eq!(remove(&remove(&text, 0), 0), "");
        assert_eq!(remove(&text, 7), text);

        // A hand-written file: comments and word lists are entries too.
        let file = "# 本县补充\nform_words = [\"名单\"]\n\n[departments]\n\"信访\" = [\"信访\"]\n[[concept]]\nid = \"a\"\nvariants = [\n  \"甲\",\n]\n";
        let kinds: Vec<(EntryKind, u32, u32)> = entries(file)
            .expect("entries")
            .into_iter()
            .map(|e| (e.kind, e.first_line, e.last_line))
            .collect();
        assert_eq!(
            kinds,
            vec![
                (EntryKind::Words(String::new()), 1, 3),
                (EntryKind::Words("departments".into()), 4, 5),
                (
                    EntryKind::Concept {
                        id: "a".into(),
                        name: None,
                        variants: vec!["甲".into()]
                    },
                    6,
                    10
                ),
            ]
        );
        assert_eq!(
            remove(file, 1),
            "# 本县补充\nform_words = [\"名单\"]\n\n[[concept]]\nid = \"a\"\nvariants = [\n  \"甲\",\n]\n"
        );
        assert!(entries("[[concept]\n").is_err());
    }

    #[test]
    fn an_imported_file_is_added_to_what_is_there() {
        let first = "[subjects]\nhead = [\"户长\"]\n";
        // Errors name lines of the imported file.
        let e = append(first, "\n\n[[concept]]\nid = 1\n").unwrap_err();
        assert!(matches!(e, LexiconError::Syntax { line: 4, .. }), "{e:?}");
        // Follows as it is when it can.
        let joined = append(first, "[[concept]]\nid = \"a\"\nvariants = [\"甲\"]\n").expect("ok");
        assert_eq!(
            joined,
            "[subjects]\nhead = [\"户长\"]\n\n[[concept]]\nid = \"a\"\nvariants = [\"甲\"]\n"
        );
        // Written again as one file when both have [subjects] or the addition has top lists.
        let merged = append(
            &joined,
            "form_words = [\"名单\"]\n[subjects]\nhead = [\"家长\"]\nspouse = [\"老伴\"]\n",
        )
        .expect("merged");
        assert_eq!(
            merged,
            "form_words = [\"名单\"]\n\n[subjects]\nhead = [\"户长\", \"家长\"]\nspouse = [\"老伴\"]\n\n[[concept]]\nid = \"a\"\nvariants = [\"甲\"]\n"
        );
        check(&merged).expect("valid");
        let lex = crate::merge::lexicon_with(&[merged.as_str()]).expect("lexicon");
        assert!(lex.subject_of("老伴").is_some());
    }
}
