fn main() {
    for path in std::env::args().skip(1) {
        let bytes = std::fs::read(&path).unwrap();
        match yibiao::read::read(&path, &bytes) {
            Err(e) => println!("{path}: ERROR {e}"),
            Ok(wb) => {
                println!(
                    "{path}: {:?} {:?} errors={:?}",
                    wb.format, wb.encoding, wb.sheet_errors
                );
                for s in &wb.sheets {
                    println!(
                        "  sheet {} hidden={} {}x{} merges={:?} vals={:?} red={:?} notes={:?}",
                        s.name,
                        s.hidden,
                        s.grid.height(),
                        s.grid.width(),
                        s.merges.iter().map(|m| m.a1()).collect::<Vec<_>>(),
                        s.validations,
                        &s.red_cells[..s.red_cells.len().min(6)],
                        s.notes
                    );
                    for r in 0..s.grid.height().min(6) {
                        println!(
                            "    {}: {:?}",
                            r + 1,
                            s.grid.row(r).iter().map(|v| v.text()).collect::<Vec<_>>()
                        );
                    }
                }
            }
        }
    }
}
