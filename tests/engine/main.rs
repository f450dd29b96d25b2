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
