//! Progress bars on stderr: shown only when stderr is a terminal and the
//! user did not ask for `--quiet`, so pipes, CI, tests and stdout (tables,
//! JSON) never see them. Drawing never changes a result.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};

use indicatif::{ProgressBar, ProgressStyle};

/// Set once by `main` from `--quiet`; a process-wide display preference,
/// never read by a computation.
static QUIET: AtomicBool = AtomicBool::new(false);

pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

pub fn quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

/// A bar counting `len` units of `what` (e.g. "samples") with rate and
/// ETA, or a hidden one when nobody is watching.
pub fn bar(len: u64, what: &str) -> ProgressBar {
    if quiet() || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    let template = format!("{{bar:40}} {{pos}}/{{len}} {what}, {{per_sec}}, eta {{eta}}");
    bar.set_style(
        ProgressStyle::with_template(&template).unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}
