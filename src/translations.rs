//! A site published in several languages: which pages each language has and which of them are
//! translated, and so, for any page, the same page in the other languages, which the language
//! switcher, the `hreflang` links and `sitemap.xml` show.
//!
//! Each language is built as a site of its own (its pages at the same addresses under its
//! folder); this is what ties the builds together, made once from every language's loaded site
//! before any of them renders.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::urls;

/// Every language of a site, the default first.
#[derive(Debug, Clone, Default)]
pub struct Languages {
    pub list: Vec<LanguagePages>,
}

/// One language of a site and its pages.
#[derive(Debug, Clone)]
pub struct LanguagePages {
    /// The language tag, as `site.yaml` writes it (`cy`).
    pub code: String,
    /// The language's own words for the switcher.
    pub words: LanguageWords,
    /// Where its pages are, under the site's folder: empty for the default, `cy/`.
    pub prefix: String,
    /// Its pages made from Markdown, by address, each with whether it is translated (false for
    /// a page shown in the default language's words). Pages made from the data (principles,
    /// plan entries, markets) are in every language.
    pub pages: BTreeMap<String, bool>,
}

/// What the language switcher says of a language, in that language.
#[derive(Debug, Clone, Default)]
pub struct LanguageWords {
    /// The language's own name (`Cymraeg`), as readers of it choose it.
    pub name: String,
    /// That a page has no translation into the language yet.
    pub no_translation: String,
    /// The link to the nearest page that has one.
    pub nearest: String,
}

/// The page being rendered in one of the site's languages.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, Hash)]
pub struct Alternate {
    /// Its language tag (`cy`), for `hreflang` and `lang`.
    pub lang: String,
    /// The language's own name.
    pub name: String,
    /// When not `translated`: that the page has no translation, and the words of the link to
    /// the nearest page that has, in the language; empty otherwise.
    pub no_translation: String,
    pub nearest: String,
    /// Whether this is the language of the page being rendered.
    pub current: bool,
    /// Whether the page is translated into this language. When it is not, `href` leads to
    /// the nearest page above it that is.
    pub translated: bool,
    /// Link from the page being rendered (relative).
    pub href: String,
    /// Absolute address of the page, or of the nearest translated page above it.
    pub url: String,
}

impl Languages {
    /// Whether the site has more than one language.
    pub fn is_multilingual(&self) -> bool {
        self.list.len() > 1
    }

    fn index_of(&self, code: &str) -> Option<usize> {
        self.list
            .iter()
            .position(|l| l.code.eq_ignore_ascii_case(code))
    }

    /// Whether language `l` publishes the page at `path` (made from Markdown when `markdown`),
    /// and if so whether it is translated.
    fn has(&self, l: usize, path: &str, markdown: bool) -> Option<bool> {
        match self.list[l].pages.get(path) {
            Some(&translated) => Some(translated),
            // A page made from the data is in every language (its text falls back as the
            // data's does); a Markdown page only where its language has it.
            None if !markdown => Some(true),
            None => None,
        }
    }

    /// The page at `path` of the language `code` (one made from Markdown when `markdown`) in
    /// every language, the site's order; `site_url` is the site's (default language's) address.
    pub fn alternates(
        &self,
        code: &str,
        path: &str,
        markdown: bool,
        site_url: &str,
    ) -> Vec<Alternate> {
        let Some(me) = self.index_of(code) else {
            return Vec::new();
        };
        let from = format!("{}{path}", self.list[me].prefix);
        self.list
            .iter()
            .enumerate()
            .map(|(l, lang)| {
                // The page itself may be shown untranslated, in the default language's words.
                let translated = match self.has(l, path, markdown) {
                    Some(t) => t,
                    None => l == me,
                };
                let target = if translated || l == me {
                    path.to_string()
                } else {
                    self.nearest(l, path)
                };
                let full = format!("{}{target}", lang.prefix);
                let (no_translation, nearest) = if translated {
                    (String::new(), String::new())
                } else {
                    (
                        lang.words.no_translation.clone(),
                        lang.words.nearest.clone(),
                    )
                };
                Alternate {
                    lang: lang.code.clone(),
                    name: lang.words.name.clone(),
                    no_translation,
                    nearest,
                    current: l == me,
                    translated,
                    href: urls::href(&from, &full),
                    url: format!("{site_url}{}", urls::encode(&full)),
                }
            })
            .collect()
    }

    /// The link from the page at `from` (in the language `me`) to the page a link to the
    /// Markdown file `target` names in another language: `framework.cy.md` is the Welsh
    /// framework page, `framework.en-GB.md` (or `framework.en.md`) the English one, whichever
    /// language links to it. `None` when `target` names no language or that language has no
    /// such page.
    pub fn page_in(&self, target: &str, me: &str, from: &str) -> Option<String> {
        let stem = target.strip_suffix(".md")?;
        let (base, code) = stem.rsplit_once('.')?;
        let same = |a: &str, b: &str| {
            a.eq_ignore_ascii_case(b)
                || b.split_once('-')
                    .is_some_and(|(p, _)| p.eq_ignore_ascii_case(a))
        };
        let to = self.list.iter().position(|l| same(code, &l.code))?;
        let mine = self.index_of(me)?;
        let path = crate::urls::site_path_of(&format!("{base}.md"));
        if !self.list[to].pages.contains_key(&path) {
            return None;
        }
        if to == mine {
            return Some(urls::href(from, &path));
        }
        let from = format!("{}{from}", self.list[mine].prefix);
        Some(urls::href(
            &from,
            &format!("{}{path}", self.list[to].prefix),
        ))
    }

    /// The nearest address above `path` that language `l` has translated; its home page when
    /// none is.
    fn nearest(&self, l: usize, path: &str) -> String {
        let mut at = path.trim_end_matches('/');
        while !at.is_empty() {
            at = at.rfind('/').map_or("", |i| &at[..i]);
            let candidate = if at.is_empty() {
                String::new()
            } else {
                format!("{at}/")
            };
            // Sections above a page are Markdown pages; one the language lacks is skipped.
            if self.list[l].pages.get(&candidate) == Some(&true) {
                return candidate;
            }
        }
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn languages() -> Languages {
        let pages = |list: &[(&str, bool)]| {
            list.iter()
                .map(|(p, t)| (p.to_string(), *t))
                .collect::<BTreeMap<_, _>>()
        };
        Languages {
            list: vec![
                LanguagePages {
                    code: "en-GB".into(),
                    words: LanguageWords {
                        name: "English".into(),
                        ..Default::default()
                    },
                    prefix: String::new(),
                    pages: pages(&[("", true), ("plan/", true), ("plan/notes/", true)]),
                },
                LanguagePages {
                    code: "cy".into(),
                    words: LanguageWords {
                        name: "Cymraeg".into(),
                        ..Default::default()
                    },
                    prefix: "cy/".into(),
                    pages: pages(&[("", true), ("plan/", true), ("plan/notes/", false)]),
                },
            ],
        }
    }

    #[test]
    fn a_translated_page_links_to_itself_in_the_other_language() {
        let l = languages();
        let alts = l.alternates("en-GB", "plan/", true, "https://x.test/");
        assert_eq!(alts.len(), 2);
        assert!(alts[0].current && alts[0].translated);
        assert_eq!(alts[1].href, "../cy/plan/index.html");
        assert_eq!(alts[1].url, "https://x.test/cy/plan/");
        assert!(alts[1].translated);
        let back = l.alternates("cy", "plan/", true, "https://x.test/");
        assert_eq!(back[0].href, "../../plan/index.html");
        assert_eq!(back[0].url, "https://x.test/plan/");
    }

    #[test]
    fn an_untranslated_page_leads_to_the_nearest_translated_one() {
        let l = languages();
        let alts = l.alternates("en-GB", "plan/notes/", true, "https://x.test/");
        assert!(!alts[1].translated);
        assert_eq!(alts[1].href, "../../cy/plan/index.html");
        assert_eq!(alts[1].url, "https://x.test/cy/plan/");
    }

    #[test]
    fn pages_made_from_the_data_are_in_every_language() {
        let l = languages();
        let alts = l.alternates("cy", "plan/item-1/", false, "https://x.test/");
        assert!(alts[0].translated);
        assert_eq!(alts[0].href, "../../../plan/item-1/index.html");
        // A Markdown page only one language has leads the other to its nearest page.
        let only = l.alternates("cy", "plan/only-welsh/", true, "https://x.test/");
        assert!(!only[0].translated);
        assert_eq!(only[0].url, "https://x.test/plan/");
    }
}
