//! Reading the site's source files as text. Every file a user writes is read here, so that a
//! file that is not UTF-8 is reported at the line and column of its first bad byte, and a file
//! over a size limit is refused without being read whole.

use std::path::Path;

use crate::error::Diagnostic;

/// Reads a text file, refusing invalid UTF-8 at the line and column of the first bad byte and
/// (with `limit`) files larger than `limit` bytes without reading them whole.
pub fn read_text(file: &Path, limit: Option<usize>) -> Result<String, Diagnostic> {
    use std::io::Read;
    let unreadable = |e: std::io::Error| {
        Diagnostic::error(file, format!("could not read this file: {e}"))
            .help("check that the file exists and that you are allowed to read it")
    };
    let mut bytes = Vec::new();
    let f = std::fs::File::open(file).map_err(unreadable)?;
    match limit {
        Some(max) => {
            f.take(max as u64 + 1)
                .read_to_end(&mut bytes)
                .map_err(unreadable)?;
            if bytes.len() > max {
                let line = bytes[..max].iter().filter(|&&b| b == b'\n').count() + 1;
                return Err(Diagnostic::error(
                    file,
                    format!(
                        "this file is larger than {} MB, the most mps reads",
                        max / (1024 * 1024)
                    ),
                )
                .at(Some(line), Some(1))
                .help("split the data or remove what is not needed; a YAML file for mps is rarely more than a few hundred kilobytes"));
            }
        }
        None => {
            let mut f = f;
            f.read_to_end(&mut bytes).map_err(unreadable)?;
        }
    }
    String::from_utf8(bytes).map_err(|e| {
        let good = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        // The text before the bad byte is valid, so its lines and characters can be counted.
        let before = std::str::from_utf8(&bytes[..good]).unwrap_or_default();
        let (line, column) = crate::error::line_col(before, good);
        Diagnostic::error(
            file,
            "this file is not UTF-8 text: the character here cannot be read",
        )
        .at(Some(line), Some(column))
        .help("save the file as UTF-8 (most editors offer it under \"Save as\" or \"Encoding\") and check the character here")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_byte_is_reported_at_its_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        std::fs::write(&path, b"---\ntitle: \xc3\xa9t\xe9\n---\n").unwrap();
        let d = read_text(&path, None).unwrap_err();
        assert_eq!((d.line, d.column), (Some(2), Some(10)), "{d}");
    }

    #[test]
    fn a_file_over_the_limit_is_refused_at_the_line_where_it_passes_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.yaml");
        std::fs::write(&path, "a\n".repeat(10)).unwrap();
        let d = read_text(&path, Some(7)).unwrap_err();
        assert!(d.message.contains("larger than"), "{d}");
        assert_eq!(d.line, Some(4));
        assert_eq!(read_text(&path, Some(20)).unwrap(), "a\n".repeat(10));
    }
}
