//! Prints the matcher's clusters and near misses for the files in a directory (tuning aid).
use yibiao::matching::{cluster, Lexicon};
use yibiao::plan::sources_from_reports;

fn main() {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "tests/fixtures/qingshan".into());
    let mut reports = Vec::new();
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .expect("dir")
        .flatten()
        .map(|e| e.path())
        .collect();
    names.sort();
    for p in names {
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        if name.ends_with(".json") || name.ends_with(".py") || name.ends_with(".txt") {
            continue;
        }
        let bytes = std::fs::read(&p).expect("read");
        reports.push(yibiao::inspect(&name, &bytes));
    }
    let lex = Lexicon::builtin();
    let sources = sources_from_reports(&reports, &lex);
    for s in &sources {
        println!("# {} [{}] {} {}", s.title, s.department, s.grain, s.file);
    }
    let c = cluster(&sources, &lex);
    for cl in &c.clusters {
        let names: Vec<String> = cl
            .members
            .iter()
            .map(|m| {
                format!(
                    "{}:{}",
                    &sources[m[0]].department,
                    sources[m[0]].fields[m[1]].header_path.join("/")
                )
            })
            .collect();
        println!(
            "{:.2} {} [{}] {:?} {} | {}",
            cl.confidence,
            cl.key,
            cl.name,
            cl.level,
            names.join(", "),
            cl.reasons.join("；")
        );
    }
    println!("--- near misses");
    for n in &c.near_misses {
        let f = |m: [usize; 2]| {
            format!(
                "{}:{}",
                &sources[m[0]].department,
                sources[m[0]].fields[m[1]].header_path.join("/")
            )
        };
        println!("{:.2} {} vs {}: {}", n.similarity, f(n.a), f(n.b), n.reason);
    }
    let project = yibiao::merge::merge(&reports, "", &[]).expect("merge");
    println!("--- set: {}", project.set.title);
    for sh in &project.set.sheets {
        let cols: Vec<String> = sh
            .columns
            .iter()
            .map(|c| format!("{}{}", if c.key { "🔑" } else { "" }, c.header))
            .collect();
        println!(
            "[{}] {} ({}) {} | {}",
            sh.name,
            sh.grain,
            sh.frequency,
            sh.departments.join("、"),
            cols.join(", ")
        );
    }
    println!("{:#?}", project.set.burden.total);
    println!("{:?}", project.summary());
}
