//! stub
use crate::error::ReadError;
use crate::read::{zipguard::ZipEntries, Limits, Workbook};
pub fn read_ods(_entries: &ZipEntries, _limits: &Limits) -> Result<Workbook, ReadError> {
    Err(ReadError::Unsupported { format: "ODS" })
}
