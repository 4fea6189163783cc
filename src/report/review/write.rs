//! Writing several files into a directory as one step: every file whole, or none changed.
//!
//! Each file goes to a temporary file beside its target first; only when all are written are
//! they renamed into place. Should a rename fail part-way (the target is a directory, the
//! directory changed under us), the files already renamed are put back as they were: an earlier
//! version restored from a hard link taken before, a new file removed.

use std::io::Write;
use std::path::{Path, PathBuf};

fn temp_name(name: &str, suffix: &str) -> String {
    format!(".{name}.{}.{suffix}", std::process::id())
}

fn write_one(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// Writes `files` (name, contents) into `dir`, which must exist.
pub fn write_files_atomically(dir: &Path, files: &[(&str, &[u8])]) -> std::io::Result<()> {
    let targets: Vec<PathBuf> = files.iter().map(|(n, _)| dir.join(n)).collect();
    let temps: Vec<PathBuf> = files
        .iter()
        .map(|(n, _)| dir.join(temp_name(n, "tmp")))
        .collect();
    let remove_all = |paths: &[PathBuf]| {
        for p in paths {
            let _ = std::fs::remove_file(p);
        }
    };

    for (i, (_, bytes)) in files.iter().enumerate() {
        if let Err(e) = write_one(&temps[i], bytes) {
            remove_all(&temps[..=i]);
            return Err(e);
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
            let backup = dir.join(temp_name(n, "old"));
            let _ = std::fs::remove_file(&backup);
            std::fs::hard_link(target, &backup)
                .or_else(|_| std::fs::copy(target, &backup).map(|_| ()))
                .ok()
                .map(|()| backup)
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
