//! TEMP stub until the writer lands.
use crate::error::Lang;
use crate::plan::FormSet;
/// stub
#[derive(Debug)]
pub struct WriteError;
impl WriteError {
    /// stub
    pub fn message(&self, _l: Lang) -> String {
        String::new()
    }
}
/// stub
pub fn to_xlsx(_s: &FormSet, _l: Lang) -> Result<Vec<u8>, WriteError> {
    Ok(Vec::new())
}
