//! (issue 10: being written)
