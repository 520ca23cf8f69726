//! `UserError`: a mistake the user can fix, with an optional hint. Everything else is an `anyhow`
//! error with context. `main.rs` turns both into exit code 1 and a message on stderr. The shell's
//! type: the core refuses with its own `PlanError`, which `commands/refusal.rs` turns into this.

use std::fmt;

/// A mistake the user can fix: bad input, a refused operation. Carries GTO's wording where GTO has
/// one (reference §12), so scripts that match on it keep working.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserError {
    pub message: String,
    pub hint: Option<String>,
}

impl UserError {
    pub fn new(message: impl Into<String>) -> Self {
        UserError {
            message: message.into(),
            hint: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for UserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for UserError {}

/// A command line that parses but does not make sense (exit code 2, like clap's own errors).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}
