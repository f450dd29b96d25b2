//! The lexicon: government data elements and the names they go by, shipped as data
//! (`lexicon/lexicon.toml`) and extendable by staff with a file of the same format.

use std::collections::HashMap;

use super::toml_subset::{self, Header, Section, Value};
use crate::fields::GrainKind;
use crate::text::{canonical_unit, fold_width};

/// The built-in lexicon's source text (`lexicon/lexicon.toml` without its comment lines and
/// blank lines, by `build.rs`).
pub const BUILTIN: &str = include_str!(concat!(env!("OUT_DIR"), "/lexicon.toml"));

/// The value types a concept may name (`type = …`); `code` is an identifier that is not an ID
/// or phone number (accounts, certificate numbers, household and plot numbers, codes).
pub const TYPES: [&str; 9] = [
    "text",
    "integer",
    "decimal",
    "date",
    "id_number",
    "phone",
    "code",
    "enum",
    "yes_no",
];

/// The longest `length` a concept may give (a cell's text can be longer, an identifier not).
const MAX_LENGTH: i64 = 255;

/// Whose fact a concept is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ConceptKind {
    /// An attribute of a person (the row's person, the head, a spouse, a contact).
    Person,
    /// A household's fact.
    Household,
    /// A village's fact.
    Village,
    /// A plot's fact.
    Plot,
    /// Where the row is: 乡镇, 村, 组 — key columns.
    Place,
    /// The same fact on any row (bank account, fill date).
    Any,
}

impl ConceptKind {
    /// The word used in the lexicon file (`person`, `household`, …).
    pub fn word(self) -> &'static str {
        match self {
            ConceptKind::Person => "person",
            ConceptKind::Household => "household",
            ConceptKind::Village => "village",
            ConceptKind::Plot => "plot",
            ConceptKind::Place => "place",
            ConceptKind::Any => "any",
        }
    }

    /// The kind a lexicon word names.
    pub fn from_word(word: &str) -> Option<ConceptKind> {
        [
            ConceptKind::Person,
            ConceptKind::Household,
            ConceptKind::Village,
            ConceptKind::Plot,
            ConceptKind::Place,
            ConceptKind::Any,
        ]
        .into_iter()
        .find(|k| k.word() == word)
    }
}

/// One data element.
#[derive(Clone, Debug, PartialEq)]
pub struct Concept {
    /// Stable id (`person.id_number`).
    pub id: String,
    /// The name used in the form set.
    pub name: String,
    /// Whose fact it is (`any` when the file does not say).
    pub kind: ConceptKind,
    /// Expected value type (one of [`TYPES`]: `id_number`, `phone`, `code`, `date`, `enum` …),
    /// if the concept has one. `code` marks an identifier (an account, a certificate number, a
    /// code): written as text, never as a number.
    pub ty: Option<String>,
    /// How many characters every value has, when the data element fixes it (18 for an ID
    /// number, 6 for a postcode): the set checks it as the value is typed.
    pub length: Option<u32>,
    /// A header that ends with a variant also means this concept; the prefix says whose.
    pub suffix: bool,
    /// On a per-household form, without a qualifier, the household's own concept instead.
    pub on_household: Option<String>,
    /// Form grains on which the concept may be read (empty: all).
    pub grains: Vec<String>,
    /// Names seen for it.
    pub variants: Vec<String>,
}

/// Who a column's fact is about.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Subject {
    /// The row's own person (or the row itself for non-person facts).
    Own,
    /// The head of household.
    Head,
    /// The spouse.
    Spouse,
    /// A contact person or guardian.
    Contact,
    /// The male party (计生 forms).
    Male,
    /// The female party.
    Female,
    /// The household as a whole.
    Household,
    /// Who applies or claims for the person the form is about (申请人 of a funeral grant, 申领人
    /// of a dead worker's benefit) — on a form that is about someone else; on a form about the
    /// applicant alone, the applicant is the row's own person.
    Applicant,
    /// Who receives the post (收件人).
    Recipient,
}

impl Subject {
    /// The id prefix used for a non-own subject (`head`, `spouse` …).
    pub fn tag(&self) -> &'static str {
        match self {
            Subject::Own => "",
            Subject::Head => "head",
            Subject::Spouse => "spouse",
            Subject::Contact => "contact",
            Subject::Male => "male",
            Subject::Female => "female",
            Subject::Household => "household",
            Subject::Applicant => "applicant",
            Subject::Recipient => "recipient",
        }
    }

    /// The Chinese word put in front of a concept's name for this subject.
    pub fn label(&self) -> &'static str {
        match self {
            Subject::Own => "",
            Subject::Head => "户主",
            Subject::Spouse => "配偶",
            Subject::Contact => "联系人",
            Subject::Male => "男方",
            Subject::Female => "女方",
            Subject::Household => "户",
            Subject::Applicant => "申请人",
            Subject::Recipient => "收件人",
        }
    }

    /// Every subject but the row's own.
    pub const OTHERS: [Subject; 8] = [
        Subject::Head,
        Subject::Spouse,
        Subject::Contact,
        Subject::Male,
        Subject::Female,
        Subject::Household,
        Subject::Applicant,
        Subject::Recipient,
    ];
}

/// A lexicon file's content, in file order.
#[derive(Debug, Default)]
pub(crate) struct LexiconFile {
    pub(crate) subjects: Vec<(String, Vec<String>)>,
    pub(crate) generic_leaves: Vec<String>,
    pub(crate) neutral_groups: Vec<String>,
    pub(crate) program_words: Vec<String>,
    pub(crate) form_words: Vec<String>,
    pub(crate) identifier_endings: Vec<String>,
    pub(crate) not_identifiers: Vec<String>,
    pub(crate) program_bound: Vec<String>,
    pub(crate) departments: Vec<(String, Vec<String>)>,
    pub(crate) unit_dimensions: Vec<(String, Vec<String>)>,
    pub(crate) concept: Vec<Concept>,
}

fn syntax(line: u32, problem: LexiconSyntax) -> LexiconError {
    LexiconError::Syntax { line, problem }
}

fn text_of(e: toml_subset::Entry) -> Result<String, LexiconError> {
    match e.value {
        Value::Str(s) => Ok(s),
        _ => Err(syntax(
            e.line,
            LexiconSyntax::WrongType {
                key: e.key,
                expected: Expected::Text,
            },
        )),
    }
}

fn texts_of(e: toml_subset::Entry) -> Result<Vec<String>, LexiconError> {
    let texts = match e.value {
        Value::List(items) => items
            .into_iter()
            .map(|v| match v {
                Value::Str(s) => Some(s),
                _ => None,
            })
            .collect::<Option<Vec<String>>>(),
        _ => None,
    };
    texts.ok_or_else(|| {
        syntax(
            e.line,
            LexiconSyntax::WrongType {
                key: e.key,
                expected: Expected::TextList,
            },
        )
    })
}

impl LexiconFile {
    /// The lexicon's meaning of a file's sections; every name must be one the lexicon uses.
    pub(crate) fn from_sections(sections: Vec<Section>) -> Result<LexiconFile, LexiconError> {
        let mut file = LexiconFile::default();
        for section in sections {
            match section.header {
                Header::Root => {
                    for e in section.entries {
                        let list = match e.key.as_str() {
                            "generic_leaves" => &mut file.generic_leaves,
                            "neutral_groups" => &mut file.neutral_groups,
                            "program_words" => &mut file.program_words,
                            "form_words" => &mut file.form_words,
                            "identifier_endings" => &mut file.identifier_endings,
                            "not_identifiers" => &mut file.not_identifiers,
                            "program_bound" => &mut file.program_bound,
                            _ => return Err(syntax(e.line, LexiconSyntax::UnknownKey(e.key))),
                        };
                        list.extend(texts_of(e)?);
                    }
                }
                Header::Table(name)
                    if name == "subjects" || name == "departments" || name == "unit_dimensions" =>
                {
                    let mut groups = Vec::new();
                    for e in section.entries {
                        let key = e.key.clone();
                        groups.push((key, texts_of(e)?));
                    }
                    if name == "subjects" {
                        file.subjects = groups;
                    } else if name == "unit_dimensions" {
                        file.unit_dimensions = groups;
                    } else {
                        file.departments = groups;
                    }
                }
                Header::Item(name) if name == "concept" => {
                    file.concept
                        .push(concept_of(section.line, section.entries)?);
                }
                Header::Table(name) | Header::Item(name) => {
                    return Err(syntax(section.line, LexiconSyntax::UnknownTable(name)))
                }
            }
        }
        Ok(file)
    }
}

fn concept_of(line: u32, entries: Vec<toml_subset::Entry>) -> Result<Concept, LexiconError> {
    let mut c = Concept {
        id: String::new(),
        name: String::new(),
        kind: ConceptKind::Any,
        ty: None,
        length: None,
        suffix: false,
        on_household: None,
        grains: Vec::new(),
        variants: Vec::new(),
    };
    for e in entries {
        let at = e.line;
        match e.key.as_str() {
            "id" => c.id = text_of(e)?,
            "name" => c.name = text_of(e)?,
            "kind" => {
                let word = text_of(e)?;
                c.kind = ConceptKind::from_word(&word)
                    .ok_or_else(|| syntax(at, LexiconSyntax::UnknownKind(word)))?;
            }
            "type" => {
                let word = text_of(e)?;
                if !TYPES.contains(&word.as_str()) {
                    return Err(syntax(at, LexiconSyntax::UnknownType(word)));
                }
                c.ty = Some(word);
            }
            "length" => match e.value {
                Value::Int(n) if (1..=MAX_LENGTH).contains(&n) => c.length = Some(n as u32),
                _ => {
                    return Err(syntax(
                        at,
                        LexiconSyntax::WrongType {
                            key: e.key,
                            expected: Expected::Count,
                        },
                    ))
                }
            },
            "suffix" => match e.value {
                Value::Bool(b) => c.suffix = b,
                _ => {
                    return Err(syntax(
                        at,
                        LexiconSyntax::WrongType {
                            key: e.key,
                            expected: Expected::YesNo,
                        },
                    ))
                }
            },
            "on_household" => c.on_household = Some(text_of(e)?),
            "grains" => {
                c.grains = texts_of(e)?;
                if let Some(g) = c.grains.iter().find(|g| grain_word(g).is_none()) {
                    return Err(syntax(at, LexiconSyntax::UnknownGrain(g.clone())));
                }
            }
            "variants" => c.variants = texts_of(e)?,
            _ => return Err(syntax(at, LexiconSyntax::UnknownKey(e.key))),
        }
    }
    if c.id.trim().is_empty() {
        return Err(syntax(line, LexiconSyntax::MissingId));
    }
    Ok(c)
}

/// Why a lexicon file could not be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LexiconError {
    /// The file is not in the lexicon's format (a small part of TOML); `line` says where.
    Syntax {
        /// 1-based line of the problem.
        line: u32,
        /// What is wrong there.
        problem: LexiconSyntax,
    },
    /// A subject group other than head/spouse/contact/male/female/household/self.
    UnknownSubject {
        /// The group's name.
        name: String,
    },
}

/// What is wrong on a line of a lexicon file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LexiconSyntax {
    /// A `[…]` line that is not `[name]` or `[[name]]`.
    BadHeader,
    /// A header other than `[subjects]`, `[departments]`, `[[concept]]`.
    UnknownTable(String),
    /// `[name]` twice.
    DuplicateTable(String),
    /// A line that does not start with a name.
    ExpectedKey,
    /// A name without `=` after it.
    ExpectedEquals(String),
    /// `name =` without a value in a form the lexicon knows (e.g. text without quotes).
    ExpectedValue(String),
    /// A TOML form the lexicon does not use: multi-line text, inline tables, nested lists,
    /// decimals, dates.
    Unsupported,
    /// A quote that is not closed on its line.
    UnclosedString,
    /// A backslash sequence that is not `\" \\ \n \t \r \b \f \uXXXX \UXXXXXXXX`.
    BadEscape(String),
    /// A list whose `]` never comes.
    UnclosedList(String),
    /// Two list items without a comma between them.
    ExpectedComma(String),
    /// More text after a value or header on the same line.
    TrailingText,
    /// A name given twice in one section.
    DuplicateKey(String),
    /// A name the lexicon does not use in this section.
    UnknownKey(String),
    /// A value of the wrong kind for its name.
    WrongType {
        /// The name.
        key: String,
        /// What it must be.
        expected: Expected,
    },
    /// A `[[concept]]` without `id`.
    MissingId,
    /// A `kind` other than person/household/village/plot/place/any.
    UnknownKind(String),
    /// A `grains` word other than person/household/village/plot/unknown.
    UnknownGrain(String),
    /// A `type` other than those in [`TYPES`].
    UnknownType(String),
}

/// The kind of value a lexicon name takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expected {
    /// Text in quotes.
    Text,
    /// A list of texts.
    TextList,
    /// `true` or `false`.
    YesNo,
    /// A whole number from 1 to 255, without quotes.
    Count,
}

impl LexiconSyntax {
    /// The problem in the given language (without the line).
    pub fn message(&self, lang: crate::Lang) -> String {
        use crate::Lang::*;
        use LexiconSyntax::*;
        match (self, lang) {
            (BadHeader, Zh) => "方括号行的写法不对，应是 [subjects]、[departments] 或 [[concept]]".into(),
            (BadHeader, En) => "a bracket line must be [subjects], [departments] or [[concept]]".into(),
            (UnknownTable(n), Zh) => format!("不认识的表头“{n}”，只能是 [subjects]、[departments] 或 [[concept]]"),
            (UnknownTable(n), En) => format!("unknown header “{n}”; use [subjects], [departments] or [[concept]]"),
            (DuplicateTable(n), Zh) => format!("[{n}] 出现了两次，请合并成一处"),
            (DuplicateTable(n), En) => format!("[{n}] appears twice; put its lines together"),
            (ExpectedKey, Zh) => "每行应写成“名称 = 值”，中文名称要加英文双引号".into(),
            (ExpectedKey, En) => "each line must read “name = value”; put Chinese names in double quotes".into(),
            (ExpectedEquals(k), Zh) => format!("“{k}”后面缺少等号 ="),
            (ExpectedEquals(k), En) => format!("“{k}” must be followed by ="),
            (ExpectedValue(k), Zh) => format!("“{k}”的值写法不对：文字要用英文双引号括起来，如 \"身份证号\""),
            (ExpectedValue(k), En) => format!("the value of “{k}” is missing or not in quotes, e.g. \"身份证号\""),
            (Unsupported, Zh) => "用了词库不支持的写法；值只能是带双引号的文字、文字列表 [\"甲\", \"乙\"]、整数、true 或 false".into(),
            (Unsupported, En) => "a form the lexicon does not use; values are quoted text, lists of text [\"a\", \"b\"], whole numbers, true or false".into(),
            (UnclosedString, Zh) => "引号没有配对（文字必须在同一行内结束）".into(),
            (UnclosedString, En) => "a quote is not closed (text must end on its own line)".into(),
            (BadEscape(e), Zh) => format!("不认识的转义写法 {e}（反斜杠要写成 \\\\）"),
            (BadEscape(e), En) => format!("unknown escape {e} (write a backslash as \\\\)"),
            (UnclosedList(k), Zh) => format!("“{k}”的列表缺少右方括号 ]"),
            (UnclosedList(k), En) => format!("the list of “{k}” has no closing ]"),
            (ExpectedComma(k), Zh) => format!("“{k}”的列表中两项之间缺少逗号"),
            (ExpectedComma(k), En) => format!("two items of the list “{k}” need a comma between them"),
            (TrailingText, Zh) => "一行只能写一项，后面多出了内容".into(),
            (TrailingText, En) => "one item per line; there is more text after it".into(),
            (DuplicateKey(k), Zh) => format!("“{k}”写了两次"),
            (DuplicateKey(k), En) => format!("“{k}” is given twice"),
            (UnknownKey(k), Zh) => format!("不认识的名称“{k}”（检查拼写）"),
            (UnknownKey(k), En) => format!("unknown name “{k}” (check the spelling)"),
            (WrongType { key, expected }, Zh) => format!(
                "“{key}”应是{}",
                match expected {
                    Expected::Text => "带英文双引号的文字",
                    Expected::TextList => "文字列表，如 [\"甲\", \"乙\"]",
                    Expected::YesNo => "true 或 false",
                    Expected::Count => "1到255之间的整数，不加引号，如 18",
                }
            ),
            (WrongType { key, expected }, En) => format!(
                "“{key}” must be {}",
                match expected {
                    Expected::Text => "text in double quotes",
                    Expected::TextList => "a list of texts, e.g. [\"a\", \"b\"]",
                    Expected::YesNo => "true or false",
                    Expected::Count => "a whole number from 1 to 255, without quotes, e.g. 18",
                }
            ),
            (MissingId, Zh) => "[[concept]] 缺少 id".into(),
            (MissingId, En) => "[[concept]] has no id".into(),
            (UnknownKind(k), Zh) => format!("kind 不能是“{k}”，只能是 person、household、village、plot、place 或 any"),
            (UnknownKind(k), En) => format!("kind cannot be “{k}”; use person, household, village, plot, place or any"),
            (UnknownGrain(g), Zh) => format!("grains 中的“{g}”不认识，只能是 person、household、village、plot 或 unknown"),
            (UnknownGrain(g), En) => format!("grains cannot hold “{g}”; use person, household, village, plot or unknown"),
            (UnknownType(t), Zh) => format!("type 不能是“{t}”，只能是 {}", TYPES.join("、")),
            (UnknownType(t), En) => format!("type cannot be “{t}”; use {}", TYPES.join(", ")),
        }
    }
}

impl LexiconError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            LexiconError::Syntax { .. } => "lexicon_syntax",
            LexiconError::UnknownSubject { .. } => "lexicon_unknown_subject",
        }
    }

    /// The message in the given language.
    pub fn message(&self, lang: crate::Lang) -> String {
        use crate::Lang::*;
        match (self, lang) {
            (LexiconError::Syntax { line, problem }, Zh) => {
                format!(
                    "词库文件格式有误，请对照内置词库的写法修改：第 {line} 行，{}。",
                    problem.message(Zh)
                )
            }
            (LexiconError::Syntax { line, problem }, En) => {
                format!(
                    "The lexicon file is not in the lexicon format; compare it with the built-in lexicon: line {line}: {}.",
                    problem.message(En)
                )
            }
            (LexiconError::UnknownSubject { name }, Zh) => format!(
                "词库中的对象“{name}”不认识；只能是 head、spouse、contact、male、female、household 或 self。"
            ),
            (LexiconError::UnknownSubject { name }, En) => format!(
                "The lexicon names an unknown subject “{name}”; use head, spouse, contact, male, female, household or self."
            ),
        }
    }
}

impl std::fmt::Display for LexiconError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(crate::Lang::Zh))
    }
}

impl std::error::Error for LexiconError {}

/// The lexicon, indexed for lookups.
#[derive(Clone, Debug, Default)]
pub struct Lexicon {
    /// All concepts, built-in first.
    pub concepts: Vec<Concept>,
    by_variant: HashMap<String, Vec<usize>>,
    suffix_variants: Vec<(String, usize)>,
    subjects: Vec<(String, Subject)>,
    generic_leaves: Vec<String>,
    neutral_groups: Vec<String>,
    program_words: Vec<String>,
    form_words: Vec<String>,
    /// Name endings that mark an identifier column (号, 编码, 账号 …), as match keys.
    identifier_endings: Vec<String>,
    /// Words that keep a name from being an identifier whatever its ending (序号, 金额).
    not_identifiers: Vec<String>,
    /// Name endings whose meaning depends on the programme (…金额, …标准, 参保状态).
    program_bound: Vec<String>,
    /// Units by dimension (金额: 元, 万元 …), in canonical spelling.
    unit_dimensions: Vec<(String, Vec<String>)>,
    departments: Vec<(String, Vec<String>)>,
    /// Names staff assigned to a concept (overriding built-in names and variants).
    claimed: HashMap<String, String>,
}

/// A name's match in the lexicon.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    /// Index into [`Lexicon::concepts`].
    pub concept: usize,
    /// The variant that matched.
    pub variant: String,
    /// Whose fact the prefix says it is (`None`: no prefix).
    pub subject: Option<Subject>,
}

impl Lexicon {
    /// The built-in lexicon.
    pub fn builtin() -> Lexicon {
        // The built-in file is part of the crate and pinned by a test; it always parses.
        Lexicon::parse(BUILTIN).unwrap_or_default()
    }

    /// The built-in lexicon, parsed once and shared (reading uses it where a name's meaning
    /// decides how a form is read, before any staff additions exist).
    pub fn shared() -> &'static Lexicon {
        static BUILT: std::sync::OnceLock<Lexicon> = std::sync::OnceLock::new();
        BUILT.get_or_init(Lexicon::builtin)
    }

    /// Parses a lexicon file.
    ///
    /// # Errors
    /// [`LexiconError`] when the text is not a lexicon.
    pub fn parse(text: &str) -> Result<Lexicon, LexiconError> {
        let mut lex = Lexicon::default();
        lex.extend(text)?;
        Ok(lex)
    }

    /// Adds a staff file's entries: new concepts, and variants for existing ids.
    ///
    /// # Errors
    /// [`LexiconError`] when the text is not a lexicon; the lexicon is then unchanged.
    pub fn extend(&mut self, text: &str) -> Result<(), LexiconError> {
        let file = LexiconFile::from_sections(toml_subset::parse(text)?)?;
        let mut subjects = Vec::new();
        for (group, words) in &file.subjects {
            let subject = match group.as_str() {
                "head" => Subject::Head,
                "spouse" => Subject::Spouse,
                "contact" => Subject::Contact,
                "male" => Subject::Male,
                "female" => Subject::Female,
                "household" => Subject::Household,
                "applicant" => Subject::Applicant,
                "recipient" => Subject::Recipient,
                "self" => Subject::Own,
                _ => {
                    return Err(LexiconError::UnknownSubject {
                        name: group.clone(),
                    })
                }
            };
            for w in words {
                subjects.push((match_key(w), subject.clone()));
            }
        }
        self.subjects.extend(subjects);
        self.subjects.sort_by(|a, b| {
            b.0.chars()
                .count()
                .cmp(&a.0.chars().count())
                .then(a.0.cmp(&b.0))
        });
        self.generic_leaves
            .extend(file.generic_leaves.iter().map(|s| match_key(s)));
        self.neutral_groups
            .extend(file.neutral_groups.iter().map(|s| match_key(s)));
        self.program_words
            .extend(file.program_words.iter().map(|s| match_key(s)));
        self.form_words
            .extend(file.form_words.iter().map(|s| match_key(s)));
        self.identifier_endings
            .extend(file.identifier_endings.iter().map(|s| match_key(s)));
        self.not_identifiers
            .extend(file.not_identifiers.iter().map(|s| match_key(s)));
        self.program_bound
            .extend(file.program_bound.iter().map(|s| match_key(s)));
        for (dim, units) in file.unit_dimensions {
            let units: Vec<String> = units.iter().map(|u| unit_key(u)).collect();
            match self.unit_dimensions.iter_mut().find(|(d, _)| *d == dim) {
                Some((_, u)) => u.extend(units),
                None => self.unit_dimensions.push((dim, units)),
            }
        }
        let mut depts = file.departments;
        depts.sort();
        for (name, words) in depts {
            match self.departments.iter_mut().find(|(n, _)| *n == name) {
                Some((_, w)) => w.extend(words),
                None => self.departments.push((name, words)),
            }
        }
        // The first file is the base; later files are staff additions, which override: a
        // variant they name means their concept only. (Within the base, one name may belong
        // to several concepts told apart by grain: 人口数 of a household, of a village.)
        let is_addition = !self.concepts.is_empty();
        for mut c in file.concept {
            if is_addition {
                let added: Vec<String> = c.variants.iter().map(|v| match_key(v)).collect();
                for other in self.concepts.iter_mut().filter(|x| x.id != c.id) {
                    other.variants.retain(|v| !added.contains(&match_key(v)));
                }
                for k in added {
                    self.claimed.insert(k, c.id.clone());
                }
            }
            if c.name.is_empty() {
                c.name = c.variants.first().cloned().unwrap_or_else(|| c.id.clone());
            }
            match self.concepts.iter_mut().find(|x| x.id == c.id) {
                Some(existing) => {
                    existing.variants.extend(c.variants);
                    existing.suffix |= c.suffix;
                    // Staff who say what the values are (`type = "code"`, `length = 20`) are
                    // right about their own data.
                    if c.ty.is_some() {
                        existing.ty = c.ty;
                    }
                    if c.length.is_some() {
                        existing.length = c.length;
                    }
                }
                None => self.concepts.push(c),
            }
        }
        self.index();
        Ok(())
    }

    fn index(&mut self) {
        self.by_variant.clear();
        self.suffix_variants.clear();
        for (i, c) in self.concepts.iter().enumerate() {
            let names = std::iter::once(&c.name).chain(&c.variants);
            for v in names {
                let k = match_key(v);
                if k.is_empty() || self.claimed.get(&k).is_some_and(|id| *id != c.id) {
                    continue;
                }
                let e = self.by_variant.entry(k.clone()).or_default();
                if !e.contains(&i) {
                    e.push(i);
                }
                if c.suffix {
                    self.suffix_variants.push((k, i));
                }
            }
        }
        // Longest variants first, so 身份证号码 wins over 身份证号 and 号码.
        self.suffix_variants.sort_by(|a, b| {
            b.0.chars()
                .count()
                .cmp(&a.0.chars().count())
                .then(a.1.cmp(&b.1))
        });
        self.suffix_variants.dedup();
    }

    /// The data element a name names, whatever the form: one whose own name it is, else the
    /// first that goes by it.
    pub fn concept_named(&self, name: &str) -> Option<usize> {
        let key = match_key(name);
        if key.is_empty() {
            return None;
        }
        self.concepts
            .iter()
            .position(|c| match_key(&c.name) == key)
            .or_else(|| self.by_variant.get(&key).and_then(|v| v.first().copied()))
    }

    fn fits(&self, concept: usize, grain: GrainKind) -> bool {
        let g = &self.concepts[concept].grains;
        g.is_empty() || g.iter().any(|x| grain_word(x) == Some(grain))
    }

    /// Looks a match key up: exact variants first, then (for suffix concepts) a known variant
    /// at the end with a subject in front.
    pub fn lookup(&self, key: &str, grain: GrainKind) -> Option<Hit> {
        if let Some(list) = self.by_variant.get(key) {
            if let Some(&c) = list.iter().find(|&&c| self.fits(c, grain)) {
                return Some(Hit {
                    concept: c,
                    variant: key.to_string(),
                    subject: None,
                });
            }
        }
        for (v, c) in &self.suffix_variants {
            if key.len() > v.len() && key.ends_with(v.as_str()) && self.fits(*c, grain) {
                // Only a known subject in front: `退役证件号` is not an ID number of a 退役.
                let prefix = &key[..key.len() - v.len()];
                if let Some(subject) = self.subject_of(prefix) {
                    return Some(Hit {
                        concept: *c,
                        variant: v.clone(),
                        subject: Some(subject),
                    });
                }
            }
        }
        None
    }

    /// A suffix variant at the end of a key with a prefix the lexicon does not know as a
    /// subject (`参战人员身份证号` → person.id_number, `参战人员`): for [`Lexicon::own_qualifier`].
    pub fn lookup_qualified(&self, key: &str, grain: GrainKind) -> Option<(usize, String)> {
        self.suffix_variants
            .iter()
            .find(|(v, c)| key.len() > v.len() && key.ends_with(v.as_str()) && self.fits(*c, grain))
            .map(|(v, c)| (*c, key[..key.len() - v.len()].to_string()))
    }

    /// Whether a qualifier names the row's own subject on a form with this title: the roster
    /// of 参战人员 calls its person's ID 参战人员身份证号, the roster of 在乡人员 says
    /// 在乡复员人员身份证号. The qualifier, without a trailing 人员/人/对象, begins with two
    /// characters the title has together.
    pub fn own_qualifier(&self, qualifier: &str, title: &str) -> bool {
        let q = ["人员", "对象", "人"]
            .iter()
            .find_map(|e| qualifier.strip_suffix(e))
            .unwrap_or(qualifier);
        let head: String = q.chars().take(2).collect();
        head.chars().count() == 2 && match_key(title).contains(&head)
    }

    /// Whether a header names the household head (户主姓名, 户主身份证号, 主申请人).
    pub fn names_head(&self, key: &str) -> bool {
        self.subjects
            .iter()
            .any(|(w, s)| *s == Subject::Head && !w.is_empty() && key.starts_with(w.as_str()))
    }

    /// The subject a whole word names (`户主`, `配偶情况` → head, spouse), if any.
    pub fn subject_of(&self, word: &str) -> Option<Subject> {
        let stem = self.group_stem(word);
        self.subjects
            .iter()
            .find(|(w, _)| *w == word || (!stem.is_empty() && *w == stem))
            .map(|(_, s)| s.clone())
    }

    /// A group label without its ordinal and `情况/信息` ending: `二、户籍情况` → `户籍`.
    pub fn group_stem(&self, group: &str) -> String {
        let mut s = match_key(group);
        for suffix in ["基本情况", "基本信息", "情况", "信息", "明细"] {
            if let Some(x) = s.strip_suffix(suffix) {
                s = x.to_string();
                break;
            }
        }
        if self.neutral_groups.contains(&s) {
            return String::new();
        }
        s
    }

    /// A leaf that says little without its group (面积, 户数).
    pub fn is_generic_leaf(&self, key: &str) -> bool {
        self.generic_leaves.iter().any(|g| g == key)
    }

    /// A name that says its values are identifiers: it ends with one of the lexicon's
    /// `identifier_endings` (号, 编码, 账号 …) and holds none of its `not_identifiers` (序号 is a
    /// row number, 金额 an amount).
    pub fn names_identifier(&self, name: &str) -> bool {
        let key = match_key(name);
        !key.is_empty()
            && !self
                .not_identifiers
                .iter()
                .any(|w| !w.is_empty() && key.contains(w.as_str()))
            && self
                .identifier_endings
                .iter()
                .any(|e| !e.is_empty() && key.ends_with(e.as_str()))
    }

    /// A name whose meaning depends on the programme of its form whatever the department
    /// (补贴金额, 保障标准, 缴费档次): it ends with one of the lexicon's `program_bound` words.
    pub fn is_program_bound(&self, key: &str) -> bool {
        self.program_bound
            .iter()
            .any(|w| !w.is_empty() && key.ends_with(w.as_str()))
    }

    /// The dimension a unit measures (`万元` → 金额), if the lexicon lists it.
    pub fn dimension_of(&self, unit: &str) -> Option<&str> {
        let u = unit_key(unit);
        self.unit_dimensions
            .iter()
            .find(|(_, units)| units.contains(&u))
            .map(|(d, _)| d.as_str())
    }

    /// A unit that counts things (人, 户, 个 …): the lexicon's `数量` dimension.
    pub fn is_count_unit(&self, unit: &str) -> bool {
        self.dimension_of(unit) == Some("数量")
    }

    /// A unit of money (元, 万元): the lexicon's `金额` dimension.
    pub fn is_money_unit(&self, unit: &str) -> bool {
        self.dimension_of(unit).is_some_and(|d| d == "金额")
    }

    /// A name that is specific to one programme when not in the lexicon (…状态, …金额).
    pub fn is_program_specific(&self, key: &str) -> bool {
        self.program_words.iter().any(|w| key.ends_with(w.as_str()))
    }

    /// The programme a form's title names: the title without the county, years, department
    /// and form words (`青山县2024年农村最低生活保障对象花名册` → `农村最低生活保障`).
    pub fn program_of(&self, title: &str) -> String {
        let mut t: String = match_key(title)
            .chars()
            .filter(|c| !c.is_ascii_digit())
            .collect();
        // County (or city, district) prefix.
        if let Some((i, c)) = t
            .char_indices()
            .take(8)
            .find(|(_, c)| matches!(c, '县' | '市' | '区' | '旗'))
        {
            t = t[i + c.len_utf8()..].to_string();
        }
        let mut words: Vec<&str> = self
            .departments
            .iter()
            // Only the departments' own names: their other words (养老保险, 医疗保险) are the
            // programmes themselves.
            .map(|(n, _)| n.as_str())
            .chain(self.form_words.iter().map(String::as_str))
            .collect();
        words.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
        for w in words {
            if !w.is_empty() {
                t = t.replace(w, "");
            }
        }
        t
    }

    /// The department a file name or title names (`青山县民政局-…` → 民政).
    pub fn department_of(&self, text: &str) -> Option<String> {
        self.department_word(text).map(|(d, _)| d)
    }

    /// Like [`Lexicon::department_of`], with the word that named it.
    pub fn department_word(&self, text: &str) -> Option<(String, String)> {
        let mut best: Option<(usize, usize, &str, &str)> = None;
        for (name, words) in &self.departments {
            for w in words {
                if let Some(pos) = text.find(w.as_str()) {
                    // Earliest mention wins (the issuing office comes first in file names);
                    // among mentions at the same place, the longest word.
                    let better = match best {
                        None => true,
                        Some((p, l, _, _)) => pos < p || (pos == p && w.len() > l),
                    };
                    if better {
                        best = Some((pos, w.len(), name, w.as_str()));
                    }
                }
            }
        }
        best.map(|(_, _, n, w)| (n.to_string(), w.to_string()))
    }
}

pub(crate) fn grain_word(s: &str) -> Option<GrainKind> {
    Some(match s {
        "person" | "per_person" => GrainKind::Person,
        "household" | "per_household" => GrainKind::Household,
        "village" | "per_village" => GrainKind::Village,
        "plot" | "per_plot" => GrainKind::Plot,
        "unknown" => GrainKind::Unknown,
        _ => return None,
    })
}

/// The key a header is compared on: half-width, no spaces, no `*`/（必填）, no numbering, no
/// trailing unit in brackets, no brackets or punctuation, lower case.
pub fn match_key(name: &str) -> String {
    let s = crate::text::normalize_name(name);
    let s = strip_trailing_unit(&s);
    let s = s.strip_prefix("其中:").unwrap_or(&s);
    let s = s.strip_prefix("其中").unwrap_or(s);
    fold_width(s)
        .chars()
        .filter(|c| {
            !matches!(
                c,
                '(' | ')'
                    | '['
                    | ']'
                    | ':'
                    | '、'
                    | ','
                    | '.'
                    | '-'
                    | '/'
                    | '_'
                    | '"'
                    | '\''
                    | '·'
                    | '—'
                    | '*'
            )
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// A header as a field name for people: normalised, without a trailing unit, with full-width
/// brackets (`月保障金额（元）` → `月保障金额`, `行政村(社区)` → `行政村（社区）`).
pub fn display_name(header: &str) -> String {
    let s = strip_trailing_unit(&crate::text::normalize_name(header));
    let s = s.strip_prefix("其中:").unwrap_or(&s);
    s.replace('(', "（").replace(')', "）").replace(':', "：")
}

/// `月保障金额(元)` → `月保障金额`; `年龄(周岁)` → `年龄`; `面积m2` → `面积`.
fn strip_trailing_unit(s: &str) -> String {
    let t = s.trim_end();
    if let Some(open) = t.rfind('(') {
        let inner = t[open + 1..].trim_end_matches(')');
        if open > 0 && crate::fields::unit_in_text(&format!("({inner})")).is_some() {
            return t[..open].to_string();
        }
    }
    for unit in ["m2", "m²", "㎡", "m3", "km2"] {
        if let Some(x) = t.strip_suffix(unit) {
            if !x.is_empty() {
                return x.to_string();
            }
        }
    }
    t.to_string()
}

/// A unit in canonical spelling for comparison (`平方米`, `㎡`, `m2` → `m²`).
pub fn unit_key(unit: &str) -> String {
    canonical_unit(unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_lexicon_reads_as_the_file_with_its_comments() {
        let file = include_str!("../../lexicon/lexicon.toml");
        assert!(BUILTIN.len() < file.len() && !BUILTIN.contains("\n#"));
        let (a, b) = (
            Lexicon::parse(file).expect("parses"),
            Lexicon::parse(BUILTIN).expect("parses"),
        );
        // Everything but the hash maps (their Debug order varies from run to run).
        let plain = |l: &Lexicon| {
            format!(
                "{:?}",
                (
                    &l.concepts,
                    &l.suffix_variants,
                    &l.subjects,
                    &l.generic_leaves,
                    &l.neutral_groups,
                    &l.program_words,
                    &l.form_words,
                    &l.identifier_endings,
                    &l.not_identifiers,
                    &l.program_bound,
                    &l.unit_dimensions,
                    &l.departments,
                )
            )
        };
        assert_eq!(plain(&a), plain(&b));
        assert_eq!(a.by_variant.len(), b.by_variant.len());
    }

    #[test]
    fn builtin_parses_and_indexes_every_variant() {
        let lex = Lexicon::parse(BUILTIN).expect("built-in lexicon parses");
        assert!(lex.concepts.len() > 60, "{}", lex.concepts.len());
        let mut ids = std::collections::HashSet::new();
        for c in &lex.concepts {
            assert!(ids.insert(c.id.clone()), "duplicate id {}", c.id);
            if let Some(h) = &c.on_household {
                assert!(lex.concepts.iter().any(|x| &x.id == h), "{h}");
            }
            for g in &c.grains {
                assert!(grain_word(g).is_some(), "{}: grain {g}", c.id);
            }
        }
    }

    /// Issue 16: every name the lexicon lists for a data element finds that element, on at
    /// least one grain the element may be read on (a name two elements share is told apart by
    /// grain: 人口数 of a household, of a village), or finds the person's element whose
    /// household fact it is.
    #[test]
    fn every_variant_resolves_to_its_concept() {
        use GrainKind::*;
        let lex = Lexicon::builtin();
        let mut wrong = Vec::new();
        for (i, c) in lex.concepts.iter().enumerate() {
            let grains: Vec<GrainKind> = if c.grains.is_empty() {
                vec![Person, Household, Village, Plot, Unknown]
            } else {
                c.grains.iter().filter_map(|g| grain_word(g)).collect()
            };
            for v in std::iter::once(&c.name).chain(&c.variants) {
                let key = match_key(v);
                // A household's own name for a person's fact (家庭住址) is reached through the
                // person's element, whose `on_household` it is.
                let found = grains.iter().any(|g| {
                    lex.lookup(&key, *g).is_some_and(|h| {
                        h.concept == i
                            || lex.concepts[h.concept].on_household.as_deref() == Some(&c.id)
                    })
                });
                if !found {
                    let got = lex
                        .lookup(&key, grains[0])
                        .map(|h| lex.concepts[h.concept].id.clone());
                    wrong.push(format!("{}: {v} → {got:?}", c.id));
                }
            }
        }
        assert!(wrong.is_empty(), "{wrong:#?}");
    }

    #[track_caller]
    fn check(name: &str, grain: GrainKind, expect: Option<(&str, Option<Subject>)>) {
        let lex = Lexicon::builtin();
        let got = lex
            .lookup(&match_key(name), grain)
            .map(|h| (lex.concepts[h.concept].id.as_str(), h.subject));
        assert_eq!(got, expect, "{name}");
    }

    #[test]
    fn lookups() {
        use GrainKind::*;
        check("身份证号*", Person, Some(("person.id_number", None)));
        check("公民身份号码", Person, Some(("person.id_number", None)));
        check(
            "户主身份证号",
            Person,
            Some(("person.id_number", Some(Subject::Head))),
        );
        check(
            "配偶姓名",
            Person,
            Some(("person.name", Some(Subject::Spouse))),
        );
        check(
            "60岁退役士兵身份证号*",
            Person,
            Some(("person.id_number", Some(Subject::Own))),
        );
        check("收款人身份证号", Person, None);
        // Not the ID number of a 退役: the discharge certificate's number, an element of its own.
        check("退役证件号", Person, Some(("vet.discharge_cert_no", None)));
        check("人口数", Household, Some(("household.size", None)));
        check(
            "人口数",
            Village,
            Some(("village.registered_population", None)),
        );
        check("家庭人口（人）", Household, Some(("household.size", None)));
        check("行政村（社区）名称", Household, Some(("loc.village", None)));
        check(
            "行政村（社区）代码",
            Household,
            Some(("loc.village_code", None)),
        );
        check("伤残等级", Person, Some(("vet.mil_disability_grade", None)));
        check("残疾等级", Person, Some(("person.disability_grade", None)));
        check(
            "村级填报人姓名",
            Household,
            Some(("meta.filler_name", None)),
        );
        check("供养方式", Person, None);
    }

    #[test]
    fn programmes_from_titles() {
        let lex = Lexicon::builtin();
        for (title, program) in [
            ("青山县2024年农村最低生活保障对象花名册", "最低生活保障"),
            (
                "青山县城乡居民基本养老保险参保登记花名册",
                "城乡居民养老保险参保",
            ),
            (
                "青山县2025年度城乡居民基本医疗保险资助参保人员名册",
                "城乡居民医疗保险资助参保",
            ),
            ("青山县农业农村综合信息采集表（0001）", ""),
        ] {
            assert_eq!(lex.program_of(title), program, "{title}");
        }
    }

    #[test]
    fn departments() {
        let lex = Lexicon::builtin();
        for (text, dept) in [
            ("青山县民政局-2024年民政工作报表（2张）.xlsx", "民政"),
            (
                "青山县农业农村局（乡村振兴）-防止返贫监测对象信息采集表.xls",
                "农业农村",
            ),
            (
                "青山县人力资源和社会保障局（县居保中心）-城乡居民基本养老保险参保登记花名册.csv",
                "人社",
            ),
            ("青山县残疾人联合会-困难残疾人生活补贴.xlsx", "残联"),
            // Words of real templates whose file names say nothing.
            ("工业用水及废水处理、排放情况普查表", "生态环境"),
            ("压力管道基本信息汇总表——工业管道", "市场监管"),
            ("标准农田占补申请确认表", "自然资源"),
            ("初次缴存时间", "住房公积金"),
            ("组织关系介绍信编号", "组织部"),
            ("事业单位公开招聘岗位表", "人社"),
        ] {
            assert_eq!(lex.department_of(text).as_deref(), Some(dept), "{text}");
        }
    }

    /// A staff file's first problem (line, problem), or `None` when it is a lexicon.
    #[track_caller]
    fn check_file(text: &str, expect: Option<(u32, LexiconSyntax)>) {
        let got = match Lexicon::builtin().extend(text) {
            Ok(()) => None,
            Err(LexiconError::Syntax { line, problem }) => Some((line, problem)),
            Err(other) => panic!("{other:?}"),
        };
        assert_eq!(got, expect, "{text:?}");
    }

    #[test]
    fn identifier_types_lengths_and_name_markers_are_data() {
        use LexiconSyntax as P;
        check_file(
            "identifier_endings = [\"单号\"]\nnot_identifiers = [\"页号\"]\n[[concept]]\nid = \"staff.card\"\ntype = \"code\"\nlength = 20\nvariants = [\"救助证\"]\n",
            None,
        );
        check_file(
            "[[concept]]\nid = \"a\"\ntype = \"number\"\n",
            Some((3, P::UnknownType("number".into()))),
        );
        for bad in ["\"18\"", "0", "-3", "256", "true"] {
            check_file(
                &format!("[[concept]]\nid = \"a\"\nlength = {bad}\n"),
                Some((
                    3,
                    P::WrongType {
                        key: "length".into(),
                        expected: Expected::Count,
                    },
                )),
            );
        }
        let mut lex = Lexicon::builtin();
        let id = |lex: &Lexicon, id: &str| lex.concepts.iter().find(|c| c.id == id).cloned();
        let card = id(&lex, "person.disability_cert_no").expect("built in");
        assert_eq!((card.ty.as_deref(), card.length), (Some("code"), None));
        assert_eq!(
            id(&lex, "person.id_number").and_then(|c| c.length),
            Some(18)
        );
        // Staff who know their certificates' length say so.
        lex.extend("[[concept]]\nid = \"person.disability_cert_no\"\nlength = 20\nvariants = []\n")
            .expect("addition");
        let card = id(&lex, "person.disability_cert_no").expect("kept");
        assert_eq!((card.ty.as_deref(), card.length), (Some("code"), Some(20)));

        for (name, identifier) in [
            ("低保证号", true),
            ("医保编号", true),
            ("组织机构代码", true),
            ("银行帐户", true),
            ("户主银行卡号（必填）", true),
            ("序号", false),
            ("顺序号", false),
            ("补贴金额", false),
            ("姓名", false),
            ("号码牌数量", false),
        ] {
            assert_eq!(lex.names_identifier(name), identifier, "{name}");
        }
        assert!(!lex.names_identifier("发放凭证"));
        lex.extend("identifier_endings = [\"凭证\"]\nnot_identifiers = [\"纸质凭证\"]\n")
            .expect("words");
        assert!(lex.names_identifier("发放凭证"));
        assert!(!lex.names_identifier("纸质凭证"));
    }

    #[test]
    fn staff_files_are_checked_name_by_name() {
        use LexiconSyntax as P;
        check_file("", None);
        check_file(
            "# 补充\n[[concept]]\nid = \"staff.x\"\nname = \"某项\"\nkind = \"person\"\ntype = \"text\"\nsuffix = false\non_household = \"household.phone\"\ngrains = [\"person\", \"per_household\"]\nvariants = []\n",
            None,
        );
        check_file(
            "form_words = [\"名单\"]\n[subjects]\nhead = [\"户长\"]\n[departments]\n\"信访\" = [\"信访\"]\n",
            None,
        );
        check_file(
            "\n[concept]\nid = \"a\"\n",
            Some((2, P::UnknownTable("concept".into()))),
        );
        check_file(
            "[[concepts]]\n",
            Some((1, P::UnknownTable("concepts".into()))),
        );
        check_file("[[concept]]\nname = \"甲\"\n", Some((1, P::MissingId)));
        check_file(
            "[[concept]]\nid = \"a\"\nvarients = [\"甲\"]\n",
            Some((3, P::UnknownKey("varients".into()))),
        );
        check_file(
            "generic = [\"甲\"]\n",
            Some((1, P::UnknownKey("generic".into()))),
        );
        check_file(
            "[[concept]]\nid = \"a\"\nvariants = \"甲\"\n",
            Some((
                3,
                P::WrongType {
                    key: "variants".into(),
                    expected: Expected::TextList,
                },
            )),
        );
        check_file(
            "[[concept]]\nid = \"a\"\nvariants = [\"甲\", 2]\n",
            Some((
                3,
                P::WrongType {
                    key: "variants".into(),
                    expected: Expected::TextList,
                },
            )),
        );
        check_file(
            "[[concept]]\nid = [\"a\"]\n",
            Some((
                2,
                P::WrongType {
                    key: "id".into(),
                    expected: Expected::Text,
                },
            )),
        );
        check_file(
            "[[concept]]\nid = \"a\"\nsuffix = \"yes\"\n",
            Some((
                3,
                P::WrongType {
                    key: "suffix".into(),
                    expected: Expected::YesNo,
                },
            )),
        );
        check_file(
            "[[concept]]\nid = \"a\"\nkind = \"people\"\n",
            Some((3, P::UnknownKind("people".into()))),
        );
        check_file(
            "[[concept]]\nid = \"a\"\ngrains = [\"farm\"]\n",
            Some((3, P::UnknownGrain("farm".into()))),
        );
        check_file(
            "[departments]\n民政 = [\"民政\"]\n",
            Some((2, P::ExpectedKey)),
        );
    }

    #[test]
    fn syntax_messages_name_the_line_in_both_languages() {
        let e = Lexicon::builtin()
            .extend("[[concept]]\nid = \"a\"\nvariants = [\"甲\"\n")
            .unwrap_err();
        assert_eq!(
            e.message(crate::Lang::Zh),
            "词库文件格式有误，请对照内置词库的写法修改：第 3 行，“variants”的列表缺少右方括号 ]。"
        );
        assert_eq!(
            e.message(crate::Lang::En),
            "The lexicon file is not in the lexicon format; compare it with the built-in lexicon: line 3: the list of “variants” has no closing ].",
        );
    }

    #[test]
    fn staff_additions_extend_and_errors_are_pinned() {
        let mut lex = Lexicon::builtin();
        lex.extend("[[concept]]\nid = \"person.id_number\"\nvariants = [\"身份证明号\"]\n")
            .unwrap();
        assert_eq!(
            lex.lookup("身份证明号", GrainKind::Person)
                .map(|h| h.concept),
            lex.concepts.iter().position(|c| c.id == "person.id_number")
        );
        let e = lex.extend("[[concept]\n").unwrap_err();
        assert_eq!(e.code(), "lexicon_syntax");
        assert!(e.message(crate::Lang::Zh).starts_with("词库文件格式有误"));
        let e = lex.extend("[subjects]\nboss = [\"老板\"]\n").unwrap_err();
        assert_eq!(
            e.message(crate::Lang::Zh),
            "词库中的对象“boss”不认识；只能是 head、spouse、contact、male、female、household 或 self。"
        );
        assert_eq!(
            e.message(crate::Lang::En),
            "The lexicon names an unknown subject “boss”; use head, spouse, contact, male, female, household or self."
        );
    }
}
