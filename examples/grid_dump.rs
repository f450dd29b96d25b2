//! Prints every non-blank cell of a file's sheets with its A1 reference, and the merges
//! (tuning aid for layout shapes): `cargo run --example grid_dump -- FILE`.

fn main() {
    for path in std::env::args().skip(1) {
        let bytes = std::fs::read(&path).expect("readable file");
        let wb = match yibiao::read::read(&path, &bytes) {
            Ok(wb) => wb,
            Err(e) => {
                println!("{path}: {e:?}");
                continue;
            }
        };
        for s in &wb.sheets {
            println!("== {path} / {} ({} rows)", s.name, s.grid.height());
            for r in 0..s.grid.height() {
                let cells: Vec<String> = s
                    .grid
                    .row(r)
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| !v.is_blank())
                    .map(|(c, v)| {
                        format!(
                            "{}{}={}",
                            yibiao::read::col_letter(c as u32),
                            r + 1,
                            v.text().trim().replace('\n', "⏎")
                        )
                    })
                    .collect();
                if !cells.is_empty() {
                    println!("{}", cells.join(" | "));
                }
            }
            let merges: Vec<String> = s.merges.iter().map(|m| format!("{m:?}")).collect();
            println!("merges: {}", merges.join(" "));
        }
    }
}
