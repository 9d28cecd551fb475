//! The warnings of one input, capped: the only way a reader adds one, so that no reader can list
//! more than [`MAX_WARNINGS`]. Past the cap, warnings are counted and the assembly says how many
//! were left out in one summary.

use crate::error::Location;
use crate::model::{Diagnostic, Severity};

/// Warnings listed per input; the rest are counted. A file of a million bad lines then costs no
/// more than reading it, and its report stays readable.
pub const MAX_WARNINGS: usize = 100;

#[derive(Debug, Default)]
pub struct Warnings {
    listed: Vec<Diagnostic>,
    suppressed: usize,
}

impl Warnings {
    /// How many warnings were added, listed or not.
    #[cfg(any(test, feature = "oracle"))]
    pub fn count(&self) -> usize {
        self.listed.len() + self.suppressed
    }

    /// Adds a warning, built only if it will be listed.
    pub fn warn(&mut self, make: impl FnOnce() -> Diagnostic) {
        if self.listed.len() < MAX_WARNINGS {
            self.listed.push(make());
        } else {
            self.suppressed += 1;
        }
    }

    pub fn add(&mut self, diagnostic: Diagnostic) {
        self.warn(|| diagnostic);
    }

    pub fn extend(&mut self, diagnostics: impl IntoIterator<Item = Diagnostic>) {
        diagnostics.into_iter().for_each(|d| self.add(d));
    }

    /// What a reader noted about entry `index` (from 0), each a warning at that entry that reads
    /// "`what` `index + 1` `note`." ("Interaction 3 has no request and was skipped.").
    pub fn entry_notes(&mut self, what: &str, index: usize, notes: Vec<String>) {
        for note in notes {
            self.warn(|| Diagnostic {
                severity: Severity::Warning,
                message: format!("{what} {} {note}.", index + 1),
                location: Some(Location::entry(index)),
            });
        }
    }

    /// Puts a warning first (a summary of the input); it counts against the cap like any other,
    /// and the last listed one makes room for it.
    pub fn first(&mut self, diagnostic: Diagnostic) {
        self.listed.insert(0, diagnostic);
        if self.listed.len() > MAX_WARNINGS {
            self.listed.pop();
            self.suppressed += 1;
        }
    }

    /// The warnings listed, in order, and how many more were counted but not listed.
    pub fn into_parts(self) -> (Vec<Diagnostic>, usize) {
        (self.listed, self.suppressed)
    }
}
