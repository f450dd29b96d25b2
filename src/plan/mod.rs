//! Plan: clusters + staff decisions → the consolidated form set (base tables per grain, topic
//! sheets per original form, canonical fields, burden figures).

pub mod build;
pub mod decisions;
pub mod identifier;
pub mod model;
pub mod places;
pub mod sources;

pub use build::{build, identifies_rows};
pub use decisions::{Decision, DecisionOutcome, FieldRef};
pub use model::*;
pub use places::{Join, Place};
pub use sources::sources_from_reports;
