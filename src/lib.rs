pub mod error;
pub mod read;
