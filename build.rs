//! Embeds the built-in lexicon without its comment lines: they explain the format to people
//! who edit `lexicon/lexicon.toml` and would only weigh down the web app's bundle (~2.4 KB
//! gzip). The parser skips comment lines anyway, so what is read is the same.

use std::path::Path;

fn main() {
    let source = "lexicon/lexicon.toml";
    println!("cargo:rerun-if-changed={source}");
    let text = std::fs::read_to_string(source).expect("lexicon/lexicon.toml is readable");
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let t = line.trim_start();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    let dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    std::fs::write(Path::new(&dir).join("lexicon.toml"), out).expect("OUT_DIR is writable");
}
