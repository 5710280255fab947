//! What `mps serve` keeps from one build to the next, so that an edit re-renders only the pages
//! it changes.
//!
//! Nothing here says by hand what depends on what. A page is reused only when everything its
//! template can see (its whole context, as JSON) and the templates themselves hash the same as
//! last time: a section page that lists an edited title is rendered again because its `children`
//! changed, and a page that no edit reaches is not. A missed dependency is therefore impossible
//! short of a 64-bit hash collision, and the preview stays identical to `mps build`. Full builds
//! (`mps build`) use no memo at all.

// HashMap is used for lookups only: nothing here is ever iterated into output.
use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;
use xxhash_rust::xxh3::Xxh3;

use crate::links::PageLinks;
use crate::markdown::Rendered;

/// A finished page, as kept for reuse.
#[derive(Debug, Clone)]
pub struct PageOut {
    pub fingerprint: u64,
    pub html: Arc<str>,
    pub links: Arc<PageLinks>,
}

/// The previous build's rendered Markdown and pages.
#[derive(Debug, Default)]
pub struct RenderMemo {
    /// By source path relative to `content/`: (fingerprint of the inputs, the output).
    pub markdown: HashMap<String, (u64, Arc<Rendered>)>,
    /// By output file (`plan/index.html`).
    pub pages: HashMap<String, PageOut>,
    /// Hash of every file name and every page's ids, from a build whose links all passed: while
    /// it holds, a reused page's links need no checking again.
    pub link_targets: Option<u64>,
}

impl RenderMemo {
    /// The page `output` rendered last time from the same fingerprint.
    pub fn page(&self, output: &str, fingerprint: u64) -> Option<&PageOut> {
        self.pages
            .get(output)
            .filter(|p| p.fingerprint == fingerprint)
    }

    /// The Markdown of `rel` rendered last time from the same fingerprint.
    pub fn markdown(&self, rel: &str, fingerprint: u64) -> Option<Arc<Rendered>> {
        self.markdown
            .get(rel)
            .filter(|(f, _)| *f == fingerprint)
            .map(|(_, m)| m.clone())
    }
}

/// Hashes named values as templates see them (their JSON). Equal inputs give equal hashes; a
/// value that cannot be serialised spoils the fingerprint, so that page is never reused.
pub struct Fingerprint {
    hasher: Xxh3,
    spoilt: bool,
}

struct Feed<'a>(&'a mut Xxh3);

impl std::io::Write for Feed<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Fingerprint {
    pub fn new(seed: u64) -> Self {
        let mut hasher = Xxh3::new();
        hasher.update(&seed.to_le_bytes());
        Fingerprint {
            hasher,
            spoilt: false,
        }
    }

    /// Adds `value` under `name` (the name keeps `a: "xy"` apart from `ax: "y"`).
    pub fn add<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) {
        self.hasher.update(name.as_bytes());
        self.hasher.update(&[0xff]);
        if serde_json::to_writer(Feed(&mut self.hasher), value).is_err() {
            self.spoilt = true;
        }
        self.hasher.update(&[0xfe]);
    }

    /// The hash, or `None` when some value could not be hashed.
    pub fn finish(&self) -> Option<u64> {
        (!self.spoilt).then(|| self.hasher.digest())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fp(pairs: &[(&str, &str)]) -> Option<u64> {
        let mut f = Fingerprint::new(7);
        for (k, v) in pairs {
            f.add(k, v);
        }
        f.finish()
    }

    #[test]
    fn equal_inputs_hash_equal_and_boundaries_matter() {
        assert_eq!(fp(&[("a", "xy")]), fp(&[("a", "xy")]));
        assert_ne!(fp(&[("a", "xy")]), fp(&[("ax", "y")]));
        assert_ne!(fp(&[("a", "x"), ("b", "y")]), fp(&[("a", "xb"), ("", "y")]));
        let mut seeded = Fingerprint::new(8);
        seeded.add("a", "xy");
        assert_ne!(seeded.finish(), fp(&[("a", "xy")]));
    }

    #[test]
    fn unserialisable_values_spoil_the_fingerprint() {
        let mut map = std::collections::BTreeMap::new();
        map.insert(vec![1u8], 1);
        let mut f = Fingerprint::new(0);
        f.add("map", &map);
        assert_eq!(f.finish(), None);
    }
}
