//! The native integration tests of the engine, as one binary: the fixture county against its
//! truth, layout cases, bad input, and the messages people see.

mod app_state;
mod bad_input;
// Shared with `examples/calibrate.rs`, which prints what the test does not check.
#[allow(dead_code)]
mod calibration_eval;
mod cards;
mod catalog;
mod county;
mod export;
mod identifiers;
mod layout_cases;
mod matching;
mod merging;
mod messages;
mod real_dev;
mod real_dev_eval;
mod round_trip;
mod split;
mod spreadsheetml;
mod year_to_year;

/// A valid ID number (region 999999, check digit computed) for person `n`.
pub(crate) fn id_number(n: u32) -> String {
    let body = format!("99999919800101{:03}", n % 1000);
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .chars()
        .zip(W)
        .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
        .sum();
    let check = ["1", "0", "X", "9", "8", "7", "6", "5", "4", "3", "2"][(sum % 11) as usize];
    format!("{body}{check}")
}
