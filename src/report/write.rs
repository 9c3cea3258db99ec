//! Output files: checked writable before any computation, then written
//! atomically through a `tempfile` temporary in the target's folder (random
//! name, exclusive creation, removed on error, drop or panic) renamed over
//! the target, so a failed or interrupted run never leaves a partial result,
//! and two processes with the same PID on different nodes of a shared
//! filesystem never collide.

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use tempfile::NamedTempFile;

/// The folder a file at `target` is created in (`.` for a bare file name).
fn folder_of(target: &Path) -> &Path {
    match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Refuses an output target that cannot be written, with a sentence saying
/// why: a path that is a folder, a folder that is missing or is a file, or
/// a folder we may not create files in. Called before any computation, so
/// a long run never ends in "cannot write".
pub fn check_writable(target: &Path) -> Result<(), String> {
    let folder = folder_of(target);
    if target.is_dir() {
        return Err(format!(
            "{} is a folder; give a file name inside it",
            target.display()
        ));
    }
    if !folder.exists() {
        return Err(format!(
            "the folder {} does not exist; create it first or choose another path",
            folder.display()
        ));
    }
    if !folder.is_dir() {
        return Err(format!("{} is not a folder", folder.display()));
    }
    // A real probe: permissions, read-only mounts and quotas all show here.
    NamedTempFile::new_in(folder)
        .map(drop)
        .map_err(|e| format!("cannot create a file in {}: {e}", folder.display()))
}

/// Writes `target` atomically with what `fill` writes; the result is
/// readable by everyone (0644 on Unix, like a file the shell creates),
/// not the temporary's private 0600.
pub fn write_atomically_with(
    target: &Path,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let temporary = NamedTempFile::new_in(folder_of(target))?;
    {
        let mut out = BufWriter::new(temporary.as_file());
        fill(&mut out)?;
        out.flush()?;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        temporary
            .as_file()
            .set_permissions(fs::Permissions::from_mode(0o644))?;
    }
    temporary.as_file().sync_all()?;
    temporary.persist(target).map_err(|e| e.error)?;
    Ok(())
}

pub fn write_atomically(target: &Path, contents: &[u8]) -> io::Result<()> {
    write_atomically_with(target, |out| out.write_all(contents))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_whole_file_readable_by_all_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.json");
        write_atomically(&target, b"{}").unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"{}");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&target).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o644);
        }
    }

    #[test]
    fn replaces_an_existing_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.json");
        fs::write(&target, b"old, longer contents").unwrap();
        write_atomically(&target, b"new").unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"new");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn failure_while_writing_leaves_neither_target_nor_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.json");
        let failed = write_atomically_with(&target, |out| {
            out.write_all(b"half a result")?;
            Err(io::Error::other("the run failed midway"))
        });
        assert!(failed.is_err());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn failure_to_rename_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        // The target is a non-empty folder: the rename must fail.
        let target = dir.path().join("taken");
        fs::create_dir(&target).unwrap();
        fs::write(target.join("inside"), b"x").unwrap();
        assert!(write_atomically(&target, b"{}").is_err());
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("taken")]);
    }

    #[test]
    fn missing_folder_fails_and_creates_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("missing-folder").join("out.json");
        assert!(write_atomically(&target, b"{}").is_err());
        assert!(!target.exists());
    }

    #[test]
    fn check_writable_names_each_problem_and_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        assert!(check_writable(&dir.path().join("ok.json")).is_ok());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
        let missing = check_writable(&dir.path().join("no").join("x.json")).unwrap_err();
        assert!(missing.contains("does not exist"), "{missing}");
        let folder = check_writable(dir.path()).unwrap_err();
        assert!(folder.contains("is a folder"), "{folder}");
        let file = dir.path().join("file");
        fs::write(&file, b"").unwrap();
        let not_folder = check_writable(&file.join("x.json")).unwrap_err();
        assert!(not_folder.contains("is not a folder"), "{not_folder}");
        assert!(check_writable(Path::new("bare-name.json")).is_ok());
    }
}
