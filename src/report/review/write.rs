//! Writing several files into a directory as one step: every file whole, or none changed.
//!
//! Each file goes to a temporary file beside its target first; only when all are written are
//! they renamed into place. Should a rename fail part-way (the target is a directory, the
//! directory changed under us), the files already renamed are put back as they were: an earlier
//! version restored from a hard link taken before, a new file removed.
//!
//! Temporary names are random and created exclusively (`O_EXCL`), so a link planted in the
//! output folder is never followed, and a rename replaces a planted link rather than writing
//! through it.

use std::io::Write;
use std::path::{Path, PathBuf};

/// A new file beside `name` in `dir`, with a random name, made by `make` (which must create it
/// exclusively); the file stays when this returns.
fn fresh(
    dir: &Path,
    name: &str,
    suffix: &str,
    make: impl FnMut(&Path) -> std::io::Result<()>,
) -> std::io::Result<PathBuf> {
    let made = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(suffix)
        .make_in(dir, make)?;
    made.into_temp_path().keep().map_err(|e| e.error)
}

/// Creates `path`, which must not exist yet, with `bytes`; removes it again when writing fails.
fn create_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let result = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)?;
        f.write_all(bytes)?;
        f.sync_all()
    })();
    if let Err(e) = &result
        && e.kind() != std::io::ErrorKind::AlreadyExists
    {
        let _ = std::fs::remove_file(path);
    }
    result
}

/// Writes one file whole or not at all; see [`write_files_atomically`].
pub fn write_file_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path.file_name().ok_or_else(|| {
        std::io::Error::new(std::io::ErrorKind::InvalidInput, "the path names no file")
    })?;
    write_files_atomically(dir, &[(&name.to_string_lossy(), bytes)])
}

/// While several files are written into a folder, a second writer into the same folder is
/// refused: otherwise the Markdown of one report could end up beside the HTML of another.
const LOCK: &str = ".nines-writing.lock";

/// Holds the folder's lock; removes it when dropped.
struct Lock(PathBuf);

impl Lock {
    fn take(dir: &Path) -> std::io::Result<Lock> {
        let path = dir.join(LOCK);
        match create_new(&path, std::process::id().to_string().as_bytes()) {
            Ok(()) => Ok(Lock(path)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(std::io::Error::new(
                e.kind(),
                format!(
                    "another nines is writing into {} (if none is, remove {})",
                    crate::model::error::shown_path(dir),
                    crate::model::error::shown_path(&path)
                ),
            )),
            Err(e) => Err(e),
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Writes `files` (name, contents) into `dir`, which must exist.
pub fn write_files_atomically(dir: &Path, files: &[(&str, &[u8])]) -> std::io::Result<()> {
    let _lock = match files.len() {
        0 | 1 => None,
        _ => Some(Lock::take(dir)?),
    };
    let targets: Vec<PathBuf> = files.iter().map(|(n, _)| dir.join(n)).collect();
    let remove_all = |paths: &[PathBuf]| {
        for p in paths {
            let _ = std::fs::remove_file(p);
        }
    };
    let mut temps: Vec<PathBuf> = Vec::with_capacity(files.len());
    for (name, bytes) in files {
        match fresh(dir, name, ".tmp", |p| create_new(p, bytes)) {
            Ok(t) => temps.push(t),
            Err(e) => {
                remove_all(&temps);
                return Err(e);
            }
        }
    }

    // Earlier versions, kept until every rename has succeeded.
    let backups: Vec<Option<PathBuf>> = files
        .iter()
        .zip(&targets)
        .map(|((n, _), target)| {
            if !target.is_file() {
                return None;
            }
            fresh(dir, n, ".old", |backup| {
                std::fs::hard_link(target, backup)
                    .or_else(|_| create_new(backup, &std::fs::read(target)?))
            })
            .ok()
        })
        .collect();
    let discard_backups = || {
        for b in backups.iter().flatten() {
            let _ = std::fs::remove_file(b);
        }
    };

    for i in 0..files.len() {
        if let Err(e) = std::fs::rename(&temps[i], &targets[i]) {
            for j in (0..i).rev() {
                match &backups[j] {
                    Some(b) => {
                        let _ = std::fs::rename(b, &targets[j]);
                    }
                    None => {
                        let _ = std::fs::remove_file(&targets[j]);
                    }
                }
            }
            remove_all(&temps[i..]);
            discard_backups();
            return Err(e);
        }
    }
    discard_backups();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_writer_into_the_same_folder_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let files: &[(&str, &[u8])] = &[("a.md", b"one"), ("b.html", b"two")];
        let held = Lock::take(dir.path()).unwrap();
        let err = write_files_atomically(dir.path(), files).unwrap_err();
        assert!(
            err.to_string().contains("another nines is writing"),
            "{err}"
        );
        assert_eq!(listing(dir.path()), vec![LOCK.to_string()]);
        drop(held);
        write_files_atomically(dir.path(), files).unwrap();
        assert_eq!(listing(dir.path()), vec!["a.md", "b.html"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_planted_link_is_never_followed() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let victim = outside.path().join("victim");
        std::fs::write(&victim, b"precious").unwrap();
        // Links at the target and at every name the old scheme would have used.
        let pid = std::process::id();
        for name in [
            "a.md",
            &format!(".a.md.{pid}.tmp"),
            &format!(".a.md.{pid}.old"),
        ] {
            std::os::unix::fs::symlink(&victim, dir.path().join(name)).unwrap();
        }
        write_files_atomically(dir.path(), &[("a.md", b"report")]).unwrap();
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
        let written = dir.path().join("a.md");
        assert!(!written.symlink_metadata().unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read(&written).unwrap(), b"report");
        write_file_atomically(&written, b"again").unwrap();
        assert_eq!(std::fs::read(&written).unwrap(), b"again");
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
    }

    fn listing(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn writes_every_file() {
        let dir = tempfile::tempdir().unwrap();
        write_files_atomically(dir.path(), &[("a.md", b"one"), ("b.html", b"two")]).unwrap();
        assert_eq!(listing(dir.path()), ["a.md", "b.html"]);
        assert_eq!(std::fs::read(dir.path().join("b.html")).unwrap(), b"two");
        // Overwriting leaves no backups behind.
        write_files_atomically(dir.path(), &[("a.md", b"three"), ("b.html", b"four")]).unwrap();
        assert_eq!(listing(dir.path()), ["a.md", "b.html"]);
        assert_eq!(std::fs::read(dir.path().join("a.md")).unwrap(), b"three");
    }

    #[test]
    fn a_failed_second_rename_undoes_the_first() {
        let dir = tempfile::tempdir().unwrap();
        // A directory where the second file goes: its rename fails after the first succeeded.
        std::fs::create_dir(dir.path().join("b.html")).unwrap();
        std::fs::write(dir.path().join("b.html").join("keep"), b"x").unwrap();
        let err = write_files_atomically(dir.path(), &[("a.md", b"new"), ("b.html", b"new")]);
        assert!(err.is_err());
        assert_eq!(
            listing(dir.path()),
            ["b.html"],
            "no report file, no temporary file"
        );
    }

    #[test]
    fn a_failed_rename_restores_the_earlier_version() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.md"), b"old").unwrap();
        std::fs::create_dir(dir.path().join("b.html")).unwrap();
        std::fs::write(dir.path().join("b.html").join("keep"), b"x").unwrap();
        assert!(
            write_files_atomically(dir.path(), &[("a.md", b"new"), ("b.html", b"new")]).is_err()
        );
        assert_eq!(listing(dir.path()), ["a.md", "b.html"]);
        assert_eq!(std::fs::read(dir.path().join("a.md")).unwrap(), b"old");
    }

    #[test]
    fn a_failed_write_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("no-such-dir");
        assert!(write_files_atomically(&missing, &[("a.md", b"x")]).is_err());
        assert_eq!(listing(dir.path()), Vec::<String>::new());
    }
}
