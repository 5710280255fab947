#!/usr/bin/env python3
"""Checks that a language overlay of the starter site matches the starter it translates.

    python3 scaffold-languages/check.py [LANG ...]      (default: every folder here, e.g. cy)

`mps init DIR --languages en-GB,cy` writes scaffold/ and then the overlay scaffold-languages/cy/.
The overlay must say the same thing as the starter, only in two languages, so for each language:

- every Markdown page content/X.md has its translation content/X.<lang>.md, whose front matter
  has the same keys and values apart from `title` and `description`, and whose body keeps the
  starter's links, shortcodes, headings and list items (same targets, same levels, same counts);
- every YAML file (site.yaml and content/data/**/*.yaml) has a replacement with the same path,
  which, with each language mapping `{en: ..., <lang>: ...}` replaced by its `en` text (and
  `languages: [en-GB, ...]` by `language: en-GB`), is EQUAL to the starter's file; every language
  mapping has exactly `en` and the language; every comment of the starter is kept, in order;
- placeholders (`%%TODAY%%` ...) are kept exactly: each translation has the same ones as its
  English text, and the files parse once they are filled in as `mps init` fills them.

Text under a key readers see (mps's TEXT_KEYS, read from src/config.rs) that is written once,
not per language, is listed as a note: mps reports it as untranslated in the other language.
Exits 1 if anything differs.
"""

import re
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
STARTER = ROOT / "scaffold"
DEFAULT = "en"
PLACEHOLDER = re.compile(r"%%[A-Z_]+%%")
PROTECTED = re.compile(r"PH__[A-Z_]+?__")
# What `mps init` puts in place of each placeholder (src/scaffold.rs, for a fixed "today"), so
# that the files parse as they will in a new site.
FILLED = {
    "%%TODAY%%": "2026-08-25",
    "%%REVIEW_BY%%": "2027-08-25",
    "%%AS_AT%%": "2026-05-25",
    "%%PLAN_YEAR%%": "2026/27",
    "%%NEXT_YEAR%%": "2027",
    "%%NOTICE_DATE%%": "2026-11-25",
}
# Used only if src/config.rs cannot be read.
FALLBACK_TEXT_KEYS = """title name description summary note label what reason role more_of
less_of outcomes in_practice mission definition conditions social_value place services tested
known_issues organisation team department source_name x_label y_label route unit period kind
purposes headline text""".split()

errors = []
notes = []


def error(path, message):
    errors.append(f"{path.relative_to(ROOT)}: {message}")


def note(path, message):
    notes.append(f"{path.relative_to(ROOT)}: {message}")


def text_keys():
    config = ROOT / "src" / "config.rs"
    try:
        source = config.read_text(encoding="utf-8")
    except OSError:
        return set(FALLBACK_TEXT_KEYS)
    m = re.search(r"TEXT_KEYS: &\[&str\] = &\[(.*?)\];", source, re.S)
    return set(re.findall(r'"([^"]+)"', m.group(1))) if m else set(FALLBACK_TEXT_KEYS)


def fill(text):
    for name, value in FILLED.items():
        text = text.replace(name, value)
    return text


def placeholders(text):
    """The placeholders in `text`, as written (`%%NAME%%`) or as loaded (`PH__NAME__`)."""
    loaded = ["%%" + p[4:-2] + "%%" for p in PROTECTED.findall(text)]
    return sorted(PLACEHOLDER.findall(text) + loaded)


def load(path, text):
    """The YAML in `text` (from `path`), or None if it fails to parse once its placeholders are
    filled in as `mps init` fills them. Placeholders come back as `PH__NAME__`, so that a
    translation can be checked to keep them."""
    for name in placeholders(text):
        if name not in FILLED:
            error(path, f"unknown placeholder {name} (mps init fills {', '.join(FILLED)})")
    try:
        yaml.safe_load(fill(text))
        return yaml.safe_load(PLACEHOLDER.sub(lambda m: "PH__" + m.group(0)[2:-2] + "__", text))
    except yaml.YAMLError as e:
        error(path, f"does not parse: {e}")
        return None


def is_language_map(value, lang):
    return (
        isinstance(value, dict)
        and value
        and all(isinstance(k, str) and k in (DEFAULT, lang, "en-GB") for k in value)
    )


def to_default(value, path, lang, where, keys, key=None):
    """`value` with each language mapping replaced by its English text; checks each mapping."""
    if is_language_map(value, lang):
        if set(value) != {DEFAULT, lang}:
            error(path, f"{where or '(top)'}: a language mapping needs exactly `{DEFAULT}` and `{lang}`, it has {sorted(value)}")
        en, tr = value.get(DEFAULT), value.get(lang)
        if isinstance(en, str) and isinstance(tr, str):
            if placeholders(en) != placeholders(tr):
                error(path, f"{where}: placeholders differ: {DEFAULT} has {placeholders(en)}, {lang} has {placeholders(tr)}")
            if not tr.strip():
                error(path, f"{where}: the {lang} text is empty")
            elif en == tr:
                note(path, f"{where}: the {lang} text is the same as the English: {en!r}")
        elif type(en) is not type(tr):
            error(path, f"{where}: `{DEFAULT}` is a {type(en).__name__}, `{lang}` a {type(tr).__name__}")
        if key not in keys:
            note(path, f"{where}: given per language, but `{key}` is not one of mps's TEXT_KEYS (mps still reads it per language; mps check will not list it when untranslated)")
        return en
    if isinstance(value, dict):
        return {
            k: to_default(v, path, lang, join(where, k), keys, k)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [to_default(v, path, lang, f"{where}[{i}]", keys, key) for i, v in enumerate(value)]
    if (
        isinstance(value, str)
        and key in keys
        and sum(c.isalpha() for c in value) >= 2
    ):
        note(path, f"{where}: {value!r} is written once, not per language (mps lists it as untranslated in {lang})")
    return value


def join(where, key):
    return f"{where}.{key}" if where else str(key)


def differences(a, b, where=""):
    """Paths at which `a` (the starter) and `b` (the overlay, in English) differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in a:
            if k not in b:
                out.append(f"{join(where, k)}: missing from the overlay")
        for k in b:
            if k not in a:
                out.append(f"{join(where, k)}: not in the starter")
        if list(k for k in a if k in b) != list(k for k in b if k in a):
            out.append(f"{where or '(top)'}: keys in another order")
        for k in a:
            if k in b:
                out += differences(a[k], b[k], join(where, k))
        return out
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{where}: {len(a)} items in the starter, {len(b)} in the overlay"]
        out = []
        for i, (x, y) in enumerate(zip(a, b)):
            out += differences(x, y, f"{where}[{i}]")
        return out
    if a != b or type(a) is not type(b):
        return [f"{where}: starter has {a!r}, overlay (in English) has {b!r}"]
    return []


def comments(text):
    return [line.strip() for line in text.splitlines() if line.lstrip().startswith("#")]


def check_yaml(lang, english, overlay, keys):
    en_text = english.read_text(encoding="utf-8")
    tr_text = overlay.read_text(encoding="utf-8")
    a = load(english, en_text)
    b = load(overlay, tr_text)
    if a is None or b is None:
        return
    if english.name == "site.yaml" and english.parent == STARTER and isinstance(b, dict):
        # The one deliberate difference: the site names its languages instead of its language.
        langs = b.get("languages")
        if "language" in b:
            error(overlay, "has `language:`; a bilingual site names `languages: [default, ...]`")
        elif not (isinstance(langs, list) and len(langs) >= 2 and lang in langs):
            error(overlay, f"`languages:` must list the default language first, then {lang}: it has {langs!r}")
        elif langs[0] != a.get("language"):
            error(overlay, f"`languages:` starts with {langs[0]!r}, the starter's language is {a.get('language')!r}")
        if "languages" in b and "language" not in b:
            b = {("language" if k == "languages" else k): (a.get("language") if k == "languages" else v) for k, v in b.items()}
    plain = to_default(b, overlay, lang, "", keys)
    for d in differences(a, plain):
        error(overlay, d)
    tr_comments = iter(comments(tr_text))
    for c in comments(en_text):
        if c not in tr_comments:
            error(overlay, f"the starter's comment is missing or out of order: {c}")
            break


FRONT = re.compile(r"\A---\n(.*?)\n---\n(.*)\Z", re.S)
LINK = re.compile(r"\]\(([^)\s]+)")
SHORTCODE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")
HEADING = re.compile(r"^(#{1,6}) ", re.M)
ITEM = re.compile(r"^\s*(?:[-*+]|\d+\.) ", re.M)
CODE = re.compile(r"`([^`]+)`")


def split_page(path):
    text = path.read_text(encoding="utf-8")
    m = FRONT.match(text)
    if not m:
        error(path, "has no front matter between --- lines")
        return None, None, text
    return m.group(1), m.group(2), text


def check_page(lang, english, overlay):
    en_front, en_body, _ = split_page(english)
    tr_front, tr_body, _ = split_page(overlay)
    if en_front is None or tr_front is None:
        return
    a = load(english, en_front)
    b = load(overlay, tr_front)
    if not isinstance(a, dict) or not isinstance(b, dict):
        return
    if list(a) != list(b):
        error(overlay, f"front matter keys differ: starter {list(a)}, translation {list(b)}")
    for k in a:
        if k not in b:
            continue
        if k in ("title", "description"):
            if placeholders(str(a[k])) != placeholders(str(b[k])):
                error(overlay, f"front matter `{k}`: placeholders differ: {placeholders(str(a[k]))} vs {placeholders(str(b[k]))}")
            if a[k] == b[k]:
                note(overlay, f"front matter `{k}` is the same as the English: {a[k]!r}")
        elif a[k] != b[k]:
            error(overlay, f"front matter `{k}`: starter has {a[k]!r}, translation has {b[k]!r}")
    if placeholders(en_body) != placeholders(tr_body):
        error(overlay, f"body placeholders differ: {placeholders(en_body)} vs {placeholders(tr_body)}")
    checks = [
        ("link targets", LINK.findall(en_body), LINK.findall(tr_body)),
        ("shortcodes", SHORTCODE.findall(en_body), SHORTCODE.findall(tr_body)),
        ("heading levels", HEADING.findall(en_body), HEADING.findall(tr_body)),
        ("list items", len(ITEM.findall(en_body)), len(ITEM.findall(tr_body))),
        ("paragraphs", len(en_body.strip().split("\n\n")), len(tr_body.strip().split("\n\n"))),
        # A page that names its own file names its translation's (`_index.cy.md`).
        (
            "code spans",
            CODE.findall(en_body),
            [c.replace(f".{lang}.md", ".md") for c in CODE.findall(tr_body)],
        ),
    ]
    for what, x, y in checks:
        if x != y:
            error(overlay, f"{what} differ: starter {x!r}, translation {y!r}")


def check_language(lang, keys):
    base = HERE / lang
    expected = set()
    for english in sorted(STARTER.rglob("*")):
        if not english.is_file():
            continue
        rel = english.relative_to(STARTER)
        if english.suffix == ".md":
            overlay = base / rel.with_name(f"{english.stem}.{lang}.md")
            expected.add(overlay)
            if overlay.is_file():
                check_page(lang, english, overlay)
            else:
                error(overlay, f"missing: the {lang} translation of {rel}")
        elif english.suffix in (".yaml", ".yml"):
            overlay = base / rel
            expected.add(overlay)
            if overlay.is_file():
                check_yaml(lang, english, overlay, keys)
            else:
                error(overlay, f"missing: the bilingual replacement of {rel}")
    for extra in sorted(p for p in base.rglob("*") if p.is_file()):
        if extra not in expected:
            error(extra, "is not the translation of any file in scaffold/")
    return len(expected)


def main():
    langs = sys.argv[1:] or sorted(p.name for p in HERE.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))
    keys = text_keys()
    for lang in langs:
        count = check_language(lang, keys)
        print(f"{lang}: {count} files compared with scaffold/")
    for n in notes:
        print(f"note: {n}")
    for e in errors:
        print(f"error: {e}")
    print(f"{len(errors)} error(s), {len(notes)} note(s)")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
