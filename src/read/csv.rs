//! stub
use crate::error::ReadError;
use crate::read::{Limits, Workbook};
pub fn read_text(_name: &str, _bytes: &[u8], _limits: &Limits) -> Result<Workbook, ReadError> {
    Err(ReadError::Unsupported { format: "csv" })
}
