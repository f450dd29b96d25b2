//! stub
use crate::error::ReadError;
use crate::read::{zipguard::ZipEntries, Limits, Workbook};
pub fn read_xlsx(_bytes: &[u8], _entries: ZipEntries, _macros: bool, _limits: &Limits) -> Result<Workbook, ReadError> { Err(ReadError::Unsupported { format: "xlsx" }) }
pub fn read_xlsb(_bytes: &[u8], _limits: &Limits) -> Result<Workbook, ReadError> { Err(ReadError::Unsupported { format: "xlsb" }) }
