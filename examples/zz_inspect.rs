fn main() {
    let dir = "target/bench-scale/scale";
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "xlsx"))
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(5);
    let t = std::time::Instant::now();
    for _ in 0..n {
        for (name, bytes) in &files {
            std::hint::black_box(yibiao::inspect::inspect(name, bytes));
        }
    }
    println!("{:?} per pass", t.elapsed() / n as u32);
}
