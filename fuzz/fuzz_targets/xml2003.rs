//! Fuzzes the Excel 2003 XML (SpreadsheetML) reader on its own: any bytes must give a workbook
//! or an error — no panic, no abort, no hang. Run: `cargo +nightly fuzz run xml2003`.
//! Seed: `mkdir -p corpus/xml2003 && cp ../tests/fixtures/real-dev/*/*.xml corpus/xml2003/`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use yibiao::read::{spreadsheetml::read_spreadsheetml, Limits};

fuzz_target!(|data: &[u8]| {
    if let Ok(wb) = read_spreadsheetml(data, &Limits::default()) {
        std::hint::black_box(yibiao::inspect::report_workbook("fuzz.xml", &wb));
    }
});
