use calamine::Reader;
use std::io::Cursor;
use std::time::Instant;
fn main() {
    let dir = std::env::args().nth(1).unwrap();
    let mut files = vec![];
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "xlsx") {
            files.push(std::fs::read(&p).unwrap());
        }
    }
    let limits = yibiao::read::Limits::default();
    let t = Instant::now();
    for b in &files {
        let _ = yibiao::read::zipguard::preflight(b, &limits).unwrap();
    }
    println!("preflight {:?}", t.elapsed());
    let t = Instant::now();
    for b in &files {
        let mut x: calamine::Xlsx<_> = calamine::Xlsx::new(Cursor::new(&b[..])).unwrap();
        let n = x.sheet_names()[0].clone();
        let mut r = x.worksheet_cells_reader(&n).unwrap();
        while let Some(_c) = r.next_cell_with_style_id().unwrap() {}
    }
    println!("calamine open+cells {:?}", t.elapsed());
    let t = Instant::now();
    for b in &files {
        let x: calamine::Xlsx<_> = calamine::Xlsx::new(Cursor::new(&b[..])).unwrap();
        std::hint::black_box(x);
    }
    println!("calamine open {:?}", t.elapsed());
    let t = Instant::now();
    let wbs: Vec<_> = files
        .iter()
        .map(|b| yibiao::read::read("x.xlsx", b).unwrap())
        .collect();
    println!("read {:?}", t.elapsed());
    let t = Instant::now();
    for wb in &wbs {
        let _ = yibiao::inspect::analyse(wb);
    }
    println!("analyse {:?}", t.elapsed());
}
