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
    out.push_str(to);
    if is_folder(to) {
        out.push_str("index.html");
    }
    out
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

/// Turns heading text into an id: lower case, spaces to hyphens, other punctuation dropped.
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
