//! What a file that is not a regular file is, in words, for the errors that refuse it (a FIFO
//! where a config, a ref, an object or a CI output file should be). One wording everywhere.

use std::fs::FileType;
use std::os::unix::fs::FileTypeExt as _;

/// `a FIFO (named pipe)`, `a character device`, `a symbolic link`, …
pub(crate) fn describe(kind: FileType) -> &'static str {
    if kind.is_dir() {
        "a directory"
    } else if kind.is_fifo() {
        "a FIFO (named pipe)"
    } else if kind.is_char_device() {
        "a character device"
    } else if kind.is_block_device() {
        "a block device"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_symlink() {
        "a symbolic link"
    } else {
        "not a regular file"
    }
}
