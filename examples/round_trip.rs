//! The round trip on a folder of original forms (tuning aid): pre-fill the set, write it,
//! read it back, split it and compare every original data cell; prints the share back and
//! what was lost by cause. `cargo run --release --example round_trip [DIR]` (default: the
//! 200-form scale set, target/bench-scale/scale; see benches/make-scale.sh).
#[path = "../tests/engine/round_trip.rs"]
mod round_trip;

fn main() {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/bench-scale/scale".into());
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("folder of forms")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e != "json" && e != "md"))
        .collect();
    paths.sort();
    let files: Vec<(String, Vec<u8>)> = paths
        .iter()
        .map(|p| {
            let name = p
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            (name, std::fs::read(p).expect("reads"))
        })
        .collect();
    let project = round_trip::project_of(&files);
    let rt = round_trip::measure(&project, &files);
    println!("{} forms: {}", project.set.sources.len(), rt.summary());
    use round_trip::Cause;
    // A fact two forms disagree on has one cell in the set: the earlier form's value is kept
    // and the other cell is listed as a conflict (fill::Conflict). Such a cell is accounted
    // for, not lost silently; every other cell must come back as it was.
    let listed = rt.lost_in(&[Cause::Conflict]);
    let lost = rt.lost_in(&[
        Cause::NotJoined,
        Cause::OwnEmpty,
        Cause::Changed,
        Cause::NotInSet,
    ]);
    // ROUND_TRIP_ALL=1: every lost cell, not the first few per cause.
    if std::env::var_os("ROUND_TRIP_ALL").is_some() {
        for (cause, cells) in &rt.lost {
            for c in cells {
                println!("{}: {c}", cause.label());
            }
        }
    }
    println!(
        "{} of {} back or listed as a conflict; {listed} listed conflicts; {lost} lost silently",
        rt.back + listed,
        rt.compared
    );
}
