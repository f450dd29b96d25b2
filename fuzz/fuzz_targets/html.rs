//! Fuzzes the HTML table reader on its own (web systems' exports saved as .xls, form pages):
//! any bytes must give a workbook or an error — no panic, no abort, no hang — and layout
//! detection over what was read must finish. Run: `cargo +nightly fuzz run html`.
//! Seed: `mkdir -p corpus/html && cp ../tests/fixtures/real-dev/*/*.html corpus/html/`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use yibiao::read::{html::read_html, Limits};

fuzz_target!(|data: &[u8]| {
    if let Ok(wb) = read_html("fuzz.xls", data, &Limits::default()) {
        std::hint::black_box(yibiao::inspect::report_workbook("fuzz.xls", &wb));
    }
});
