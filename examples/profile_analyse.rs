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
    let wbs: Vec<_> = files
        .iter()
        .map(|b| yibiao::read::read("x.xlsx", b).unwrap())
        .collect();
    let t = Instant::now();
    for _ in 0..5 {
        for wb in &wbs {
            std::hint::black_box(yibiao::inspect::analyse(wb));
        }
    }
    println!("analyse x5 {:?}", t.elapsed());
}
