//! Virtual artifacts: the bytes behind a recorded URL (`http(s)://`, `file://`, a cloud CLI).
//! A stub until the URL source lands (engineer H2 replaces this file).

use std::path::Path;

use anyhow::Result;

use super::written::Written;
use crate::error::UserError;

/// Downloads `url` into `into` (which does not exist yet).
pub(super) fn fetch(url: &str, into: &Path) -> Result<Written> {
    let _ = into;
    Err(UserError::new(format!(
        "downloading '{}' is not supported yet",
        crate::output::escape(url)
    ))
    .into())
}
