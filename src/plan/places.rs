//! Where things are in a planned set: the sheet and column each original field is filled in,
//! the sheets each original form went to, and the keys that join one sheet's rows to a base
//! table. The catalog (原表去向), the crosswalk and the instructions read them from here, so
//! they say what split does ([`crate::split::assemble`] fills each field from the same place and
//! joins on the same keys).

use super::build::key_alternatives;
use super::{FormSet, SetSheetKind};

/// A sheet of the set and a column of it (an index into [`super::SetSheet::columns`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Place {
    /// Index into [`FormSet::sheets`].
    pub sheet: usize,
    /// Index into that sheet's columns.
    pub column: usize,
}

/// How the rows of one sheet find their rows in a base table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Join {
    /// The base table (index into [`FormSet::sheets`]).
    pub base: usize,
    /// The joining sheet's columns that must match the base table's, in key order.
    pub columns: Vec<usize>,
}

impl FormSet {
    /// The sheet holding form `form`'s own rows (its topic sheet), if it has one.
    pub fn topic_of(&self, form: usize) -> Option<usize> {
        self.sheets
            .iter()
            .position(|s| s.kind == SetSheetKind::Topic && s.replaces.as_slice() == [form])
    }

    /// The column of `sheet` holding canonical field `id`, if any.
    pub fn column_of(&self, sheet: usize, id: &str) -> Option<usize> {
        self.sheets.get(sheet)?.columns.iter().position(|c| {
            self.canonical
                .get(c.canonical)
                .is_some_and(|cf| cf.id == id)
        })
    }

    /// Where field `field` of form `form` is filled: on the form's own sheet when that has its
    /// column, else in the base table of the field's level (whose row the form's row joins;
    /// a project file from before levels were kept names none: any base table holding it).
    /// `None` for 序号-like columns (the set numbers its own rows) and dropped fields.
    pub fn field_place(&self, form: usize, field: usize) -> Option<Place> {
        let f = self.sources.get(form)?.fields.get(field)?;
        let id = f.canonical.as_deref()?;
        if self.canonical.iter().any(|c| c.id == id && c.dropped) {
            return None;
        }
        if let Some(topic) = self.topic_of(form) {
            if let Some(column) = self.column_of(topic, id) {
                return Some(Place {
                    sheet: topic,
                    column,
                });
            }
        }
        self.sheets
            .iter()
            .enumerate()
            .filter(|(_, s)| {
                s.kind == SetSheetKind::Base && (s.grain == f.level || f.level.is_empty())
            })
            .find_map(|(sheet, _)| {
                Some(Place {
                    sheet,
                    column: self.column_of(sheet, id)?,
                })
            })
    }

    /// The sheets form `form`'s fields are filled in (its 原表去向), in sheet order: its own
    /// sheet, and a base table only when one of its fields lives there.
    pub fn destinations(&self, form: usize) -> Vec<usize> {
        let n = self.sources.get(form).map_or(0, |s| s.fields.len());
        let mut out: Vec<usize> = (0..n)
            .filter_map(|f| self.field_place(form, f).map(|p| p.sheet))
            .chain(self.topic_of(form))
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The base tables the rows of `sheet` are joined to, each with the columns of `sheet`
    /// that find the base row: the first of the base table's key alternatives
    /// ([`key_alternatives`]) that both sheets have all the columns of. A base table is
    /// joined to the other base tables the same way (a person's row gives the head's ID,
    /// which finds the household).
    pub fn joins(&self, sheet: usize) -> Vec<Join> {
        let mut out = Vec::new();
        for (base, b) in self.sheets.iter().enumerate() {
            if base == sheet || b.kind != SetSheetKind::Base {
                continue;
            }
            let found = key_alternatives(&b.grain).iter().find_map(|alt| {
                alt.iter()
                    .map(|id| {
                        self.column_of(base, id)?;
                        self.column_of(sheet, id)
                    })
                    .collect::<Option<Vec<usize>>>()
            });
            if let Some(columns) = found {
                out.push(Join { base, columns });
            }
        }
        out
    }
}
