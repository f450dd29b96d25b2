//! Fuzzes the read entry point: any bytes, as any file name, must give a report — no panic,
//! no abort, no hang. Run: `cargo +nightly fuzz run read -- -max_total_time=300`.
//! Seed the corpus with the fixtures: `mkdir -p corpus/read && cp ../tests/fixtures/qingshan/*.{xlsx,xls,ods,csv} ../tests/fixtures/real-dev/*/*.xml corpus/read/`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let report = yibiao::inspect::inspect("fuzz.xlsx", data);
    std::hint::black_box(report);
});
