//! Site paths and the relative links between them.
//!
//! A site path names a page the way a reader sees it: `""` (home), `plan/`, `plan/largest/`, or a
//! file such as `404.html`. Links are always written relative to the page that holds them, and
//! always end in `index.html`, so the site works from any subfolder and straight from disk.

/// Whether the site path names a folder, whose output file is its `index.html`.
fn is_folder(path: &str) -> bool {
    path.is_empty() || path.ends_with('/')
}

/// How many folders the output file of a site path is in: one per `/` (`plan/` ->
/// `plan/index.html`).
fn depth(path: &str) -> usize {
    path.matches('/').count()
}

/// The site path of a Markdown file under `content/`: `_index.md` -> ``, `plan/_index.md` ->
/// `plan/`, `plan/largest.md` -> `plan/largest/`.
pub fn site_path_of(rel: &str) -> String {
    let stem = rel.strip_suffix(".md").unwrap_or(rel);
    if stem == "_index" {
        String::new()
    } else if let Some(dir) = stem.strip_suffix("/_index") {
        format!("{dir}/")
    } else {
        format!("{stem}/")
    }
}

/// The output file of a site path: `plan/` -> `plan/index.html`.
pub fn output_file(path: &str) -> String {
    if is_folder(path) {
        format!("{path}index.html")
    } else {
        path.to_string()
    }
}

/// `../` once for each folder the page's output file is in: `plan/largest/` -> `../../`.
pub fn root_prefix(path: &str) -> String {
    "../".repeat(depth(path))
}

/// The link from the page at `from` to the page at `to`: [`root_prefix`] then [`output_file`],
/// written into one string (it is made for every link of every page).
pub fn href(from: &str, to: &str) -> String {
    let up = depth(from);
    let mut out = String::with_capacity(3 * up + to.len() + "index.html".len());
    for _ in 0..up {
        out.push_str("../");
    }
    out.push_str(&encode(to));
    if is_folder(to) {
        out.push_str("index.html");
    }
    out
}

/// An address as a link holds it: Welsh and other names are UTF-8 in the output's file names and
/// percent-encoded in links (`tŷ-gwyn/` -> `t%C5%B7-gwyn/`); ASCII addresses are unchanged.
pub fn encode(path: &str) -> std::borrow::Cow<'_, str> {
    if path.is_ascii() {
        std::borrow::Cow::Borrowed(path)
    } else {
        percent_encoding::utf8_percent_encode(path, percent_encoding::CONTROLS).into()
    }
}

/// Resolves `target` (a `/`-separated path that may hold `.` and `..`) against the folder
/// `base`. `None` when it climbs above the top.
pub fn join(base: &str, target: &str) -> Option<String> {
    let mut parts: Vec<&str> = base.split('/').filter(|s| !s.is_empty()).collect();
    for seg in target.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// The folder part of a `/`-separated path: `a/b/c.md` -> `a/b`.
pub fn parent(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

/// Whether `c` may be part of a name in a web address: a lower-case letter of any script
/// (`ŷ`, `â`; letters of scripts without case count as lower case), a digit or a hyphen.
pub fn is_slug_char(c: char) -> bool {
    c.is_ascii_digit() || c == '-' || (c.is_alphabetic() && !c.is_uppercase())
}

/// Whether `s` is a valid slug (of an outcome theme, a principle): [`is_slug_char`]s, not
/// starting or ending with a hyphen. The one rule for names in addresses; file names follow
/// it too (see [`is_file_name`]).
pub fn is_slug(s: &str) -> bool {
    !s.is_empty() && s.chars().all(is_slug_char) && !s.starts_with('-') && !s.ends_with('-')
}

/// Whether a file or folder name in `content/` can be part of a web address: the characters
/// of a slug, and for compatibility also ASCII capitals, `_` and `.` (as in `_index.md`).
pub fn is_file_name(seg: &str) -> bool {
    seg.chars()
        .all(|c| is_slug_char(c) || c.is_ascii_alphabetic() || matches!(c, '_' | '.'))
}

/// Turns heading text into an id: letters of any script in lower case, digits and hyphens are
/// kept; spaces, `-` and `_` become one hyphen; everything else (apostrophes, other
/// punctuation, symbols) is dropped. An id with nothing left is `section`.
pub fn slugify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut hyphen = false;
    let mut lower = String::new();
    let text = if text.is_ascii() {
        text
    } else {
        lower.extend(text.chars().flat_map(char::to_lowercase));
        &lower
    };
    for c in text.chars().map(|c| c.to_ascii_lowercase()) {
        if c.is_alphanumeric() {
            if hyphen && !out.is_empty() {
                out.push('-');
            }
            hyphen = false;
            out.push(c);
        } else if c.is_whitespace() || c == '-' || c == '_' {
            hyphen = true;
        }
    }
    if out.is_empty() {
        "section".into()
    } else {
        out
    }
}

pub fn is_web_url(s: &str) -> bool {
    (s.starts_with("https://") || s.starts_with("http://")) && s.len() > 10 && !s.contains(' ')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_links_reach_index_files() {
        assert_eq!(href("", "plan/"), "plan/index.html");
        assert_eq!(href("principles/x/", "plan/"), "../../plan/index.html");
        assert_eq!(href("plan/", ""), "../index.html");
        assert_eq!(href("404.html", "plan/"), "plan/index.html");
        assert_eq!(href("a/b/", "x.css"), "../../x.css");
        assert_eq!(root_prefix("404.html"), "");
        assert_eq!(root_prefix("plan/largest/"), "../../");
    }

    #[test]
    fn join_resolves_dots() {
        assert_eq!(
            join("mps", "../plan/_index.md").as_deref(),
            Some("plan/_index.md")
        );
        assert_eq!(join("", "a/./b.md").as_deref(), Some("a/b.md"));
        assert_eq!(join("", "../x.md"), None);
    }

    #[test]
    fn welsh_and_other_lower_case_letters_are_slugs() {
        for ok in ["tŷ-gwyn", "ŵyn", "cân", "a1-b2", "日本", "straße"] {
            assert!(is_slug(ok), "{ok}");
        }
        for bad in ["Tŷ", "TŶ", "-a", "a-", "", "a b", "a_b", "a.b", "a'b"] {
            assert!(!is_slug(bad), "{bad}");
        }
        assert!(is_file_name("tŷ-gwyn.md"));
        assert_eq!(encode("tŷ-gwyn/"), "t%C5%B7-gwyn/");
        assert_eq!(encode("plan/index.html#a-b"), "plan/index.html#a-b");
        assert!(is_file_name("_index.md"));
        assert!(!is_file_name("Tŷ Gwyn.md"));
        assert_eq!(href("a/", "tŷ-gwyn/"), "../t%C5%B7-gwyn/index.html");
        assert_eq!(slugify("Tŷ Gwyn’s garden"), "tŷ-gwyns-garden");
        // The README's example.
        assert_eq!(
            slugify("What’s next for Tŷ Gwyn?"),
            "whats-next-for-tŷ-gwyn"
        );
    }

    #[test]
    fn slugs_drop_punctuation() {
        assert_eq!(slugify("Our values"), "our-values");
        assert_eq!(slugify("What’s next? (2019/20)"), "whats-next-201920");
        assert_eq!(slugify("!!!"), "section");
        assert_eq!(
            slugify("Ärger über Straßen – ÉTÉ"),
            "ärger-über-straßen-été"
        );
    }
}
