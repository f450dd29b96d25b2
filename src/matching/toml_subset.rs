//! A small, strict reader for the part of TOML the lexicon is written in, so the app does not
//! carry a full TOML parser: `# comments`, `[table]` and `[[array-of-tables]]` headers with
//! one-word names, `key = value` lines with bare or quoted keys, and values that are basic
//! strings (`"…"`, with `\" \\ \n \t \r \b \f \uXXXX \UXXXXXXXX`), literal strings (`'…'`),
//! `true`/`false`, integers, and lists of those (possibly over several lines, with comments and
//! a trailing comma). Anything else — multi-line strings, inline tables, dotted keys, floats,
//! dates — is refused with the line it is on, never guessed at.

use super::lexicon::{LexiconError, LexiconSyntax};

/// A value.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    /// A string.
    Str(String),
    /// `true` or `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A list (never of lists).
    List(Vec<Value>),
}

/// One `key = value` line.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Entry {
    pub key: String,
    pub value: Value,
    /// 1-based line of the key.
    pub line: u32,
}

/// What a section's header says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Header {
    /// The keys before the first header.
    Root,
    /// `[name]`.
    Table(String),
    /// `[[name]]`: one more item of the array `name`.
    Item(String),
}

/// A header and the entries under it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Section {
    pub header: Header,
    /// 1-based line of the header (1 for the root).
    pub line: u32,
    pub entries: Vec<Entry>,
}

fn err(line: u32, problem: LexiconSyntax) -> LexiconError {
    LexiconError::Syntax { line, problem }
}

struct Scanner<'a> {
    s: &'a str,
    pos: usize,
    line: u32,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<char> {
        self.s[self.pos..].chars().next()
    }

    fn rest(&self) -> &str {
        &self.s[self.pos..]
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        if c == '\n' {
            self.line += 1;
        }
        Some(c)
    }

    /// Spaces and tabs (and `\r`) on the current line.
    fn skip_blanks(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t' | '\r')) {
            self.bump();
        }
    }

    /// Blanks, newlines and comments.
    fn skip_space(&mut self) {
        loop {
            self.skip_blanks();
            match self.peek() {
                Some('\n') => {
                    self.bump();
                }
                Some('#') => self.skip_comment(),
                _ => return,
            }
        }
    }

    fn skip_comment(&mut self) {
        while !matches!(self.peek(), None | Some('\n')) {
            self.bump();
        }
    }

    /// After a header or a value: only blanks and a comment may follow on the line.
    fn end_of_line(&mut self) -> Result<(), LexiconError> {
        self.skip_blanks();
        match self.peek() {
            None | Some('\n') => Ok(()),
            Some('#') => {
                self.skip_comment();
                Ok(())
            }
            Some(_) => Err(err(self.line, LexiconSyntax::TrailingText)),
        }
    }

    /// A bare key (`A-Za-z0-9_-`) or a quoted one; `None` when there is none here.
    fn key(&mut self) -> Result<Option<String>, LexiconError> {
        match self.peek() {
            Some('"') => self.basic_string().map(Some),
            Some('\'') => self.literal_string().map(Some),
            _ => {
                let start = self.pos;
                while self
                    .peek()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                {
                    self.bump();
                }
                Ok((self.pos > start).then(|| self.s[start..self.pos].to_string()))
            }
        }
    }

    fn basic_string(&mut self) -> Result<String, LexiconError> {
        let line = self.line;
        if self.rest().starts_with("\"\"\"") {
            return Err(err(line, LexiconSyntax::Unsupported));
        }
        self.bump();
        let mut out = String::new();
        loop {
            match self.bump() {
                None | Some('\n') => return Err(err(line, LexiconSyntax::UnclosedString)),
                Some('"') => return Ok(out),
                Some('\\') => {
                    let c = self.bump();
                    let hex = |sc: &mut Self, n: usize| -> Option<char> {
                        let digits = sc.rest().get(..n)?;
                        let v = u32::from_str_radix(digits, 16).ok()?;
                        if !digits.chars().all(|d| d.is_ascii_hexdigit()) {
                            return None;
                        }
                        sc.pos += n;
                        char::from_u32(v)
                    };
                    let decoded = match c {
                        Some('"') => Some('"'),
                        Some('\\') => Some('\\'),
                        Some('n') => Some('\n'),
                        Some('t') => Some('\t'),
                        Some('r') => Some('\r'),
                        Some('b') => Some('\u{8}'),
                        Some('f') => Some('\u{c}'),
                        Some('u') => hex(self, 4),
                        Some('U') => hex(self, 8),
                        _ => None,
                    };
                    match decoded {
                        Some(d) => out.push(d),
                        None => {
                            let seq = match c {
                                Some('\n') | None => "\\".to_string(),
                                Some(c) => format!("\\{c}"),
                            };
                            return Err(err(line, LexiconSyntax::BadEscape(seq)));
                        }
                    }
                }
                Some(c) => out.push(c),
            }
        }
    }

    fn literal_string(&mut self) -> Result<String, LexiconError> {
        let line = self.line;
        if self.rest().starts_with("'''") {
            return Err(err(line, LexiconSyntax::Unsupported));
        }
        self.bump();
        let start = self.pos;
        loop {
            match self.peek() {
                None | Some('\n') => return Err(err(line, LexiconSyntax::UnclosedString)),
                Some('\'') => {
                    let s = self.s[start..self.pos].to_string();
                    self.bump();
                    return Ok(s);
                }
                Some(_) => {
                    self.bump();
                }
            }
        }
    }

    /// A value after `key =`; lists may span lines.
    fn value(&mut self, key: &str, in_list: bool) -> Result<Value, LexiconError> {
        let line = self.line;
        match self.peek() {
            Some('"') => self.basic_string().map(Value::Str),
            Some('\'') => self.literal_string().map(Value::Str),
            Some('[') if !in_list => {
                self.bump();
                let mut items = Vec::new();
                loop {
                    self.skip_space();
                    match self.peek() {
                        None => return Err(err(line, LexiconSyntax::UnclosedList(key.into()))),
                        Some(']') => {
                            self.bump();
                            return Ok(Value::List(items));
                        }
                        Some(_) => {}
                    }
                    items.push(self.value(key, true)?);
                    self.skip_space();
                    match self.peek() {
                        Some(',') => {
                            self.bump();
                        }
                        Some(']') => {}
                        None => return Err(err(line, LexiconSyntax::UnclosedList(key.into()))),
                        Some(_) => {
                            return Err(err(self.line, LexiconSyntax::ExpectedComma(key.into())))
                        }
                    }
                }
            }
            Some('[' | '{') => Err(err(line, LexiconSyntax::Unsupported)),
            Some(c) if c.is_ascii_alphanumeric() || c == '+' || c == '-' || c == '_' => {
                let start = self.pos;
                while self.peek().is_some_and(|c| {
                    c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '_' | '.' | ':')
                }) {
                    self.bump();
                }
                let word = &self.s[start..self.pos];
                match word {
                    "true" => Ok(Value::Bool(true)),
                    "false" => Ok(Value::Bool(false)),
                    _ if word
                        .strip_prefix(['+', '-'])
                        .unwrap_or(word)
                        .chars()
                        .all(|c| c.is_ascii_digit()) =>
                    {
                        word.parse()
                            .map(Value::Int)
                            .map_err(|_| err(line, LexiconSyntax::Unsupported))
                    }
                    _ if word.starts_with(|c: char| c.is_ascii_digit() || c == '+' || c == '-') => {
                        Err(err(line, LexiconSyntax::Unsupported))
                    }
                    _ => Err(err(line, LexiconSyntax::ExpectedValue(key.into()))),
                }
            }
            _ => Err(err(line, LexiconSyntax::ExpectedValue(key.into()))),
        }
    }

    /// `[name]` or `[[name]]`, the scanner on the first `[`.
    fn header(&mut self) -> Result<Header, LexiconError> {
        let line = self.line;
        self.bump();
        let item = self.peek() == Some('[');
        if item {
            self.bump();
        }
        self.skip_blanks();
        let name = self
            .key()?
            .ok_or_else(|| err(line, LexiconSyntax::BadHeader))?;
        self.skip_blanks();
        let close = if item { "]]" } else { "]" };
        if !self.rest().starts_with(close) {
            return Err(err(line, LexiconSyntax::BadHeader));
        }
        for _ in 0..close.len() {
            self.bump();
        }
        self.end_of_line()?;
        Ok(if item {
            Header::Item(name)
        } else {
            Header::Table(name)
        })
    }
}

/// Reads the text into its sections, in order; the root section comes first (possibly empty).
///
/// # Errors
/// [`LexiconError::Syntax`] with the line of the first problem.
pub(crate) fn parse(text: &str) -> Result<Vec<Section>, LexiconError> {
    let mut sc = Scanner {
        s: text.strip_prefix('\u{feff}').unwrap_or(text),
        pos: 0,
        line: 1,
    };
    let mut sections = vec![Section {
        header: Header::Root,
        line: 1,
        entries: Vec::new(),
    }];
    let mut tables: Vec<String> = Vec::new();
    loop {
        sc.skip_space();
        let line = sc.line;
        match sc.peek() {
            None => return Ok(sections),
            Some('[') => {
                let header = sc.header()?;
                if let Header::Table(name) = &header {
                    if tables.contains(name) {
                        return Err(err(line, LexiconSyntax::DuplicateTable(name.clone())));
                    }
                    tables.push(name.clone());
                }
                sections.push(Section {
                    header,
                    line,
                    entries: Vec::new(),
                });
            }
            Some(_) => {
                let key = sc
                    .key()?
                    .ok_or_else(|| err(line, LexiconSyntax::ExpectedKey))?;
                sc.skip_blanks();
                if sc.peek() != Some('=') {
                    return Err(err(line, LexiconSyntax::ExpectedEquals(key)));
                }
                sc.bump();
                sc.skip_blanks();
                let value = sc.value(&key, false)?;
                sc.end_of_line()?;
                let Some(section) = sections.last_mut() else {
                    return Ok(Vec::new());
                };
                if section.entries.iter().any(|e| e.key == key) {
                    return Err(err(line, LexiconSyntax::DuplicateKey(key)));
                }
                section.entries.push(Entry { key, value, line });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use LexiconSyntax as P;

    /// Parses and renders the sections compactly: `[t]@3 k=v@4 …`.
    fn render(text: &str) -> Result<String, (u32, LexiconSyntax)> {
        fn v(x: &Value) -> String {
            match x {
                Value::Str(s) => format!("{s:?}"),
                Value::Bool(b) => b.to_string(),
                Value::Int(i) => i.to_string(),
                Value::List(l) => format!("[{}]", l.iter().map(v).collect::<Vec<_>>().join(",")),
            }
        }
        match parse(text) {
            Ok(sections) => Ok(sections
                .iter()
                .map(|s| {
                    let h = match &s.header {
                        Header::Root => "root".to_string(),
                        Header::Table(n) => format!("[{n}]@{}", s.line),
                        Header::Item(n) => format!("[[{n}]]@{}", s.line),
                    };
                    std::iter::once(h)
                        .chain(
                            s.entries
                                .iter()
                                .map(|e| format!("{}={}@{}", e.key, v(&e.value), e.line)),
                        )
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .collect::<Vec<_>>()
                .join(" | ")),
            Err(LexiconError::Syntax { line, problem }) => Err((line, problem)),
            Err(other) => panic!("{other:?}"),
        }
    }

    #[track_caller]
    fn check(text: &str, expect: Result<&str, (u32, LexiconSyntax)>) {
        assert_eq!(render(text), expect.map(str::to_string), "{text:?}");
    }

    #[test]
    fn accepted() {
        check("", Ok("root"));
        check("# only a comment\n\n", Ok("root"));
        check("a = \"x\"", Ok("root a=\"x\"@1"));
        check(
            "\u{feff}a = 'lit\\n' # c\r\nb = true\nc = false\nd = -12\n",
            Ok("root a=\"lit\\\\n\"@1 b=true@2 c=false@3 d=-12@4"),
        );
        check(
            "k = \"q\\\" b\\\\ n\\n t\\t \\u8EAB\\U00008BC1\"",
            Ok("root k=\"q\\\" b\\\\ n\\n t\\t 身证\"@1"),
        );
        check(
            "[subjects]\nhead = [\"户主\", \"主申请人\"]\n\"民政\" = [\"民政\"]\n",
            Ok("root | [subjects]@1 head=[\"户主\",\"主申请人\"]@2 民政=[\"民政\"]@3"),
        );
        check(
            "list = [\"a\",   # first\n        \"b\",\n\n  # between\n  \"c\",\n]\nnext = []\n",
            Ok("root list=[\"a\",\"b\",\"c\"]@1 next=[]@7"),
        );
        check(
            "[[concept]]\nid = \"a\"\n\n[[concept]]  # second\nid = \"b\"\nsuffix = true\n",
            Ok("root | [[concept]]@1 id=\"a\"@2 | [[concept]]@4 id=\"b\"@5 suffix=true@6"),
        );
        check("[ subjects ]\n", Ok("root | [subjects]@1"));
        check("[[ concept ]]\n", Ok("root | [[concept]]@1"));
        check("x=[1,2]", Ok("root x=[1,2]@1"));
    }

    #[test]
    fn refused_with_their_lines() {
        check("[[concept]\n", Err((1, P::BadHeader)));
        check("a = 1\n[subjects\n", Err((2, P::BadHeader)));
        check("[]\n", Err((1, P::BadHeader)));
        check("[a.b]\n", Err((1, P::BadHeader)));
        check("[subjects] x\n", Err((1, P::TrailingText)));
        check(
            "[subjects]\n[subjects]\n",
            Err((2, P::DuplicateTable("subjects".into()))),
        );
        check("= \"x\"\n", Err((1, P::ExpectedKey)));
        check("\n\nid \"x\"\n", Err((3, P::ExpectedEquals("id".into()))));
        check("a.b = 1\n", Err((1, P::ExpectedEquals("a".into()))));
        check("kind = person\n", Err((1, P::ExpectedValue("kind".into()))));
        check("kind =\n", Err((1, P::ExpectedValue("kind".into()))));
        check("kind = 身份\n", Err((1, P::ExpectedValue("kind".into()))));
        check("a = \"x\" \"y\"\n", Err((1, P::TrailingText)));
        check("a = \"x\nb = 1\n", Err((1, P::UnclosedString)));
        check("a = 'x\n", Err((1, P::UnclosedString)));
        check("\na = \"\\q\"\n", Err((2, P::BadEscape("\\q".into()))));
        check("a = \"\\u12\"\n", Err((1, P::BadEscape("\\u".into()))));
        check("a = \"\\uD800\"\n", Err((1, P::BadEscape("\\u".into()))));
        check(
            "v = [\"a\",\n  \"b\"\n\n",
            Err((1, P::UnclosedList("v".into()))),
        );
        check(
            "v = [\"a\"\n  \"b\"]\n",
            Err((2, P::ExpectedComma("v".into()))),
        );
        check("v = [[\"a\"]]\n", Err((1, P::Unsupported)));
        check("v = {a = 1}\n", Err((1, P::Unsupported)));
        check("v = \"\"\"x\"\"\"\n", Err((1, P::Unsupported)));
        check("v = '''x'''\n", Err((1, P::Unsupported)));
        check("v = 1.5\n", Err((1, P::Unsupported)));
        check("v = 2024-01-01\n", Err((1, P::Unsupported)));
        check("v = 99999999999999999999\n", Err((1, P::Unsupported)));
        check("[x]\na = 1\na = 2\n", Err((3, P::DuplicateKey("a".into()))));
        check("a = 1 b = 2\n", Err((1, P::TrailingText)));
    }
}
