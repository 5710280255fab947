//! The commonest YAML, read in one pass over its bytes: lines of `key: value`, such as a page's
//! front matter or a words file. For such text the YAML crates' readers cost far more than the
//! text is worth (a page's three lines of front matter took a fifth of its build's reading
//! time); here they are read only when the text is anything else, or when the quick reading
//! cannot give the value the crates would, so that every error still comes from them.

use serde::de::{self, DeserializeOwned, Deserializer, IntoDeserializer, MapAccess, Visitor};

use super::{Pos, Positions};

/// A text of `key: value` lines, with its positions (as [`super::index`] finds them) and its
/// entries in the order written.
#[derive(Debug)]
pub(super) struct Flat<'a> {
    pub positions: Positions,
    entries: Vec<Entry<'a>>,
}

/// One `key: value` line: the key, the value's text and whether it was in double quotes.
#[derive(Debug, Clone, Copy)]
struct Entry<'a> {
    key: &'a str,
    text: &'a str,
    quoted: bool,
}

/// Reads `source` (starting on line `first_line`) when it is nothing but lines of `key: value`
/// with plain text (no `:` or `#`, not starting with a sign YAML reads specially), or text in
/// double quotes without escapes, as the value, and comment and blank lines between them.
/// `None` for anything else (comments after a value, lists, nesting, repeated keys, other
/// quoting), which the YAML crates read.
pub(super) fn read(source: &str, first_line: usize) -> Option<Flat<'_>> {
    if memchr::memchr(b'\r', source.as_bytes()).is_some() {
        return None;
    }
    // Kept with the page for the whole build: room for one entry a line, and no more.
    let lines = memchr::memchr_iter(b'\n', source.as_bytes()).count() + 1;
    let mut positions: Vec<(Box<str>, Pos, Pos)> = Vec::with_capacity(lines + 1);
    let mut entries = Vec::with_capacity(lines);
    for (i, line) in source.lines().enumerate() {
        let b = line.as_bytes();
        if b.first() == Some(&b'#') || b.iter().all(|&c| c == b' ') {
            continue;
        }
        let colon = memchr::memchr(b':', b)?;
        let key = &line[..colon];
        let key_ok = key
            .bytes()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == b'_')
            && key
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-');
        let spaces = b[colon + 1..].iter().take_while(|&&c| c == b' ').count();
        let start = colon + 1 + spaces;
        let value = &b[start..];
        let (text, quoted) = match value.split_first() {
            Some((b'"', inner)) => match inner.split_last() {
                Some((b'"', text))
                    if text
                        .iter()
                        .all(|&c| (c >= b' ' && c != 0x7f) && c != b'"' && c != b'\\') =>
                {
                    (&line[start + 1..line.len() - 1], true)
                }
                _ => return None,
            },
            // No `:`, `#` or other sign that could start or end something else, and a
            // first character that starts plain text (not one of YAML's signs).
            Some((&first, rest))
                if first > b' '
                    && first != 0x7f
                    && !b"-?:,[]{}#&*!|>'\"%@`".contains(&first)
                    && rest.last() != Some(&b' ')
                    && rest.iter().all(|&c| {
                        (c >= b' ' && c != 0x7f) && !matches!(c, b':' | b'#' | b'"' | b'\\')
                    }) =>
            {
                (&line[start..], false)
            }
            _ => return None,
        };
        if spaces == 0 || !key_ok || !text.chars().all(is_plain_character) {
            return None;
        }
        let line_no = first_line + i;
        let key_pos = Pos {
            line: line_no,
            column: 1,
        };
        let value_pos = Pos {
            line: line_no,
            column: start + 1,
        };
        if positions.is_empty() {
            positions.push(("".into(), key_pos, key_pos));
        }
        positions.push((key.into(), value_pos, key_pos));
        entries.push(Entry { key, text, quoted });
    }
    if positions.is_empty() {
        return None;
    }
    positions.sort_by(|a, b| a.0.cmp(&b.0));
    // A key written twice is an error the YAML crates report. Found once sorted, so that a
    // file of many keys is not compared key by key.
    if positions.windows(2).any(|w| w[0].0 == w[1].0) {
        return None;
    }
    Some(Flat {
        positions: Positions { entries: positions },
        entries,
    })
}

/// Whether every YAML reader takes `c` in a line of text as itself. YAML 1.1 (serde_yaml's
/// reader) ends a line at U+0085, U+2028 and U+2029 and refuses the C1 controls and U+FFFE/FFFF;
/// a byte-order mark inside a text is left to the crates too.
fn is_plain_character(c: char) -> bool {
    matches!(c, ' '..='~' | '\u{a0}'..='\u{2027}' | '\u{202a}'..='\u{fefe}' | '\u{ff00}'..='\u{fffd}')
        || c >= '\u{10000}'
}

/// The typed value of `flat`, when it can be made exactly as serde_yaml makes it from the same
/// text; `None` when serde_yaml should read the text (it also gives the error, if there is one).
pub(super) fn value<T: DeserializeOwned>(flat: &Flat) -> Option<T> {
    T::deserialize(Document(&flat.entries)).ok()
}

/// Why the quick reading gave up. Never shown: the text is read again by serde_yaml.
#[derive(Debug)]
struct GiveUp;

impl std::fmt::Display for GiveUp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("left to the YAML reader")
    }
}

impl std::error::Error for GiveUp {}

impl de::Error for GiveUp {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        GiveUp
    }
}

/// The whole text: a mapping.
struct Document<'a, 'b>(&'b [Entry<'a>]);

impl<'de> Deserializer<'de> for Document<'de, '_> {
    type Error = GiveUp;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, GiveUp> {
        Err(GiveUp)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, GiveUp> {
        visitor.visit_map(Entries {
            rest: self.0.iter(),
            value: None,
        })
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, GiveUp> {
        self.deserialize_map(visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct enum identifier ignored_any
    }
}

struct Entries<'a, 'b> {
    rest: std::slice::Iter<'b, Entry<'a>>,
    value: Option<Scalar<'a>>,
}

impl<'de> MapAccess<'de> for Entries<'de, '_> {
    type Error = GiveUp;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, GiveUp> {
        let Some(e) = self.rest.next() else {
            return Ok(None);
        };
        self.value = Some(Scalar {
            text: e.text,
            quoted: e.quoted,
        });
        seed.deserialize(Scalar {
            text: e.key,
            quoted: false,
        })
        .map(Some)
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, GiveUp> {
        seed.deserialize(self.value.take().ok_or(GiveUp)?)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.rest.len())
    }
}

/// One key or value, given to the type that reads it as serde_yaml gives a scalar: text to
/// anything that reads text, `true`/`false` and whole numbers written plainly to what reads
/// those, plain `null` or `~` as nothing. Whatever serde_yaml would read another way
/// (numbers in other forms, anything read as "any value") gives up.
#[derive(Clone, Copy)]
struct Scalar<'a> {
    text: &'a str,
    quoted: bool,
}

impl Scalar<'_> {
    fn plain(&self) -> Option<&str> {
        (!self.quoted).then_some(self.text)
    }

    /// A whole number written the one way every reader reads alike: digits with no leading
    /// zero. (Text starting with a minus sign is not read quickly at all.)
    fn decimal(&self) -> Option<&str> {
        let t = self.plain()?;
        let ok = !t.is_empty()
            && t.bytes().all(|c| c.is_ascii_digit())
            && (!t.starts_with('0') || t == "0");
        ok.then_some(t)
    }
}

impl<'de> Deserializer<'de> for Scalar<'de> {
    type Error = GiveUp;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, GiveUp> {
        // Plain text may be a number, a truth value or nothing, by YAML's rules: left to it.
        match self.quoted {
            true => visitor.visit_borrowed_str(self.text),
            false => Err(GiveUp),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, GiveUp> {
        visitor.visit_borrowed_str(self.text)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, GiveUp> {
        visitor.visit_borrowed_str(self.text)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, GiveUp> {
        visitor.visit_borrowed_str(self.text)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, GiveUp> {
        match self.plain() {
            Some("null" | "Null" | "NULL" | "~") => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, GiveUp> {
        match self.plain() {
            Some("true" | "True" | "TRUE") => visitor.visit_bool(true),
            Some("false" | "False" | "FALSE") => visitor.visit_bool(false),
            _ => Err(GiveUp),
        }
    }

    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, GiveUp> {
        let n = self.decimal().and_then(|t| t.parse().ok()).ok_or(GiveUp)?;
        visitor.visit_i64(n)
    }

    fn deserialize_i32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, GiveUp> {
        self.deserialize_i64(visitor)
    }

    fn deserialize_i16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, GiveUp> {
        self.deserialize_i64(visitor)
    }

    fn deserialize_i8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, GiveUp> {
        self.deserialize_i64(visitor)
    }

    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, GiveUp> {
        let n = self.decimal().and_then(|t| t.parse().ok()).ok_or(GiveUp)?;
        visitor.visit_u64(n)
    }

    fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, GiveUp> {
        self.deserialize_u64(visitor)
    }

    fn deserialize_u16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, GiveUp> {
        self.deserialize_u64(visitor)
    }

    fn deserialize_u8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, GiveUp> {
        self.deserialize_u64(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, GiveUp> {
        visitor.visit_enum(self.text.into_deserializer())
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, GiveUp> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, GiveUp> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        i128 u128 f32 f64 char bytes byte_buf unit unit_struct seq tuple tuple_struct map struct
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use std::collections::BTreeMap;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Front {
        title: String,
        #[serde(default)]
        description: Option<String>,
        #[serde(default)]
        date: Option<chrono::NaiveDate>,
        #[serde(default)]
        weight: Option<i64>,
        #[serde(default)]
        count: Option<u8>,
        #[serde(default)]
        draft: bool,
        #[serde(default)]
        kind: Option<Kind>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "lowercase")]
    enum Kind {
        Plan,
        Themes,
    }

    /// What serde_yaml makes of `text`, and what the quick reading makes (`None` when it
    /// leaves the text to serde_yaml).
    fn both<T: DeserializeOwned>(text: &str) -> (Result<T, String>, Option<T>) {
        let slow = serde_yaml::from_str(text).map_err(|e| e.to_string());
        let fast = read(text, 1).and_then(|f| value::<T>(&f));
        (slow, fast)
    }

    #[test]
    fn where_it_reads_a_value_it_is_serde_yaml_s() {
        let texts = [
            "title: Home\n",
            "title: \"Home: the start\"\ndescription: \"\"\n",
            "title: 2024\n",
            "title: true\ndraft: true\n",
            "title: null\ndescription: null\n",
            "title: x\ndescription: ~\n",
            "title: x\ndescription: Null\ndraft: False\n",
            "title: x\ndate: 2024-01-31\nweight: 3\ncount: 200\n",
            "title: x\nweight: -3\n",
            "title: x\nweight: 0\n",
            "title: x\nkind: plan\n",
            "title: x\nkind: \"themes\"\n",
            "title: x\nweight: \"3\"\n",
            "title: x\nweight: 007\n",
            "title: x\nweight: +3\n",
            "title: x\nweight: -0\n",
            "title: x\nweight: 0x1f\n",
            "title: x\nweight: 1.5\n",
            "title: x\nweight: 99999999999999999999\n",
            "title: x\ncount: 300\n",
            "title: x\ncount: -1\n",
            "title: x\ndraft: yes\n",
            "title: x\ndraft: \"true\"\n",
            "title: x\ndate: 2024-13-01\n",
            "title: x\nkind: other\n",
            "title: x\nother: y\n",
            "description: no title\n",
            "title: Ŵyn, defaid (a) & 100% [x] {y} *z* !w\n",
            "title: a\u{2028}b\n",
            "title: a\u{85}b\n",
            "title: a\u{9f}b\n",
            "title: a\u{feff}b\n",
            "title: tŷ’r  gwyn\n",
            "# c\ntitle: x\n\n# end\n",
        ];
        let mut read_quickly = 0;
        for text in texts {
            let (slow, fast) = both::<Front>(text);
            if let Some(fast) = fast {
                read_quickly += 1;
                assert_eq!(slow.as_ref(), Ok(&fast), "{text:?}");
            }
        }
        // Most of them are read quickly, so the comparison above is not empty.
        assert_eq!(read_quickly, 14, "{read_quickly}");
        let (slow, fast) =
            both::<BTreeMap<String, String>>(include_str!("../../themes/default/i18n/cy.yaml"));
        assert_eq!(slow.ok(), fast);
    }

    #[test]
    fn what_serde_yaml_reads_another_way_is_left_to_it() {
        let given_up = [
            "title: x\nweight: 007\n",
            "title: x\nweight: +3\n",
            "title: x\nweight: 0x1f\n",
            "title: x\ndraft: yes\n",
            "title: x\ndraft: \"true\"\n",
            "title: x\nother: y\n",
            "title: a\u{2028}b\n",
            "title: a\u{85}b\n",
        ];
        for text in given_up {
            assert!(both::<Front>(text).1.is_none(), "{text:?}");
        }
        // Anything read as "any value" depends on YAML's rules for plain text.
        let (slow, fast) = both::<serde_json::Value>("a: 1\nb: x\n");
        assert!(slow.is_ok() && fast.is_none());
        let (slow, fast) = both::<BTreeMap<String, String>>("a: x\nb: \"1\"\n");
        assert_eq!(slow.ok(), fast);
    }
}
