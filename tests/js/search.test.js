// The matching of themes/default/static/search.js, run by Node (tests/search.rs starts it):
// accents and case folded in every language, Welsh mutations found, exact words first, and no
// stemming. Exits non-zero, naming the failed check, when one fails.
"use strict";

const assert = require("assert");
const path = require("path");
const search = require(path.join(__dirname, "../../themes/default/static/search.js"));

// A fresh copy: the searcher keeps its folded forms on the pages it is given.
function site(pages) {
  return pages.map((p) => Object.assign({ section: "Hafan", description: null }, p));
}

function urls(engine, q) {
  return engine.search(q).found.map((f) => f.page.url);
}

// Folding, in any language.
assert.strictEqual(search.fold("Tŷ Café ŴYR ‘a’"), "ty cafe wyr 'a'");

// Every page below holds the one mutated form of its address's word.
const welsh = site([
  { url: "ty/", title: "Ein tai", text: "Mae pob tŷ yn cael ei asesu." },
  { url: "gofal/", title: "Gofal cartref", text: "Gofal i bawb sydd ei angen." },
  { url: "ofal/", title: "Ein gwasanaethau", text: "Rydym yn trefnu ei ofal yn lleol." },
  { url: "ngofal/", title: "Fy nghynllun", text: "Mae fy ngofal yn bwysig i mi." },
  { url: "hofal/", title: "Ei chynllun", text: "Mae ei hofal yn bwysig iddi." },
  { url: "gartref/", title: "Byw adref", text: "Byw gartref yn hirach." },
  { url: "nghartref/", title: "Fy lle", text: "Yn fy nghartref i." },
  { url: "chartref/", title: "Ei lle", text: "Yn ei chartref hi." },
  { url: "lety/", title: "Lle i aros", text: "Darparu lety dros dro." },
  { url: "bobl/", title: "Cymunedau", text: "Gwaith gyda bobl ifanc." },
  { url: "mhobl/", title: "Fy nghymuned", text: "Fy mhobl i." },
  { url: "dal/", title: "Costau", text: "Sut i dal am wasanaeth." },
  { url: "nhal/", title: "Fy nghostau", text: "Fy nhal i." },
  { url: "thal/", title: "Ei chostau", text: "Ei thal hi." },
  { url: "raglen/", title: "Cynllunio", text: "Ein raglen waith." },
  { url: "famau/", title: "Teuluoedd", text: "Cymorth i famau newydd." },
  { url: "ddarparwyr/", title: "Marchnad", text: "Gwybodaeth i ddarparwyr." },
  { url: "narparwyr/", title: "Ein marchnad", text: "Fy narparwyr i." },
  { url: "gofalwyr/", title: "Cymorth", text: "Cymorth i ofalwyr di-dâl." },
]);
const cy = search.searcher(welsh, "cy-GB");

function finds(q, expected) {
  const got = urls(cy, q).sort();
  assert.deepStrictEqual(got, expected.slice().sort(), `Welsh search for ${q}`);
}

finds("ty", ["ty/"]);
finds("tŷ", ["ty/"]);
finds("TY", ["ty/"]);
// `gofal` begins `gofalwyr`, so a reader typing it finds the carers' page too.
finds("gofal", ["gofal/", "ofal/", "ngofal/", "gofalwyr/"]);
finds("ofal", ["gofal/", "ofal/", "ngofal/", "hofal/", "gofalwyr/"]);
finds("cartref", ["gofal/", "gartref/", "nghartref/", "chartref/"]);
finds("pobl", ["bobl/", "mhobl/"]);
// `di-dâl` (unpaid): a hyphen parts words, and `dâl` is `tâl` mutated.
finds("tal", ["dal/", "nhal/", "thal/", "gofalwyr/"]);
finds("llety", ["lety/"]);
finds("rhaglen", ["raglen/"]);
finds("mamau", ["famau/"]);
finds("darparwyr", ["ddarparwyr/", "narparwyr/"]);
// While typing: the start of a word finds its mutated forms.
finds("cartr", ["gofal/", "gartref/", "nghartref/", "chartref/"]);
// A soft mutation drops a g: a word beginning with a vowel matches it with the g.
{
  const garden = search.searcher(
    site([
      { url: "gardd/", title: "Tyfu bwyd", text: "Gardd gymunedol." },
      { url: "arall/", title: "Arall", text: "Dim." },
    ]),
    "cy"
  );
  assert.deepStrictEqual(urls(garden, "ardd"), ["gardd/"]);
  assert.deepStrictEqual(urls(garden, "gardd"), ["gardd/"]);
}
// No stemming: a longer word is not cut back to a shorter one.
finds("gofalwyr", ["gofalwyr/"]);
// Every word of the query must be found.
finds("gofal lleol", ["ofal/"]);
finds("gofal pobl", []);

// The word as written ranks first, however the pages compare otherwise.
assert.strictEqual(urls(cy, "ofal")[0], "ofal/", "ofal as written first");
assert.strictEqual(urls(cy, "gofal")[0], "gofal/", "gofal as written first");

// Mutated forms.
assert.deepStrictEqual(search.radicals("nghartref"), ["nghartref", "cartref"]);
assert.deepStrictEqual(search.radicals("famau"), ["famau", "bamau", "mamau"]);
assert.deepStrictEqual(search.radicals("lety"), ["lety", "llety", "glety"]);
assert.deepStrictEqual(search.radicals("hofal"), ["hofal", "ofal"]);
assert.deepStrictEqual(search.radicals("ty"), ["ty"]);

// The snippet shows the matched word as written, however many accents come before it.
{
  const pages = site([
    {
      url: "a/",
      title: "Tai",
      // Accents written as a letter and a combining mark, as some editors save them: the
      // folded text is 150 characters shorter than the text before the word.
      text: "Tŷ, tân, " + "dw\u0302r ".repeat(150) + "y gofalwyr.",
    },
  ]);
  const s = search.searcher(pages, "cy");
  const r = s.search("gofalwyr");
  const text = search.snippet(r.found[0].page, r);
  assert.ok(text.includes("gofalwyr"), `snippet ${text}`);
  const en = search.searcher(site(pages), "en-GB");
  const r2 = en.search("gofalwyr");
  const text2 = search.snippet(r2.found[0].page, r2);
  assert.ok(text2.includes("gofalwyr"), `English snippet ${text2}`);
}

// English (and any other language) matches letters anywhere in a word, as before, with no
// mutations and no stemming.
{
  const en = search.searcher(
    site([
      { url: "providers/", title: "For providers", text: "Providers of home care." },
      { url: "provider/", title: "A provider", text: "One provider." },
      { url: "cafe/", title: "Café", text: "A café." },
      { url: "ofal/", title: "Ofal", text: "Ofal." },
    ]),
    "en-GB"
  );
  assert.deepStrictEqual(urls(en, "provider").sort(), ["provider/", "providers/"]);
  assert.deepStrictEqual(urls(en, "providers"), ["providers/"]);
  assert.deepStrictEqual(urls(en, "cafe"), ["cafe/"]);
  assert.deepStrictEqual(urls(en, "CAFÉ"), ["cafe/"]);
  assert.deepStrictEqual(urls(en, "gofal"), []);
  assert.deepStrictEqual(urls(en, "x"), []);
  assert.deepStrictEqual(en.search("x").terms, []);
}

assert.ok(search.isWelsh("cy") && search.isWelsh("CY-gb") && !search.isWelsh("cym") && !search.isWelsh("en-GB"));

console.log("search.js: all checks passed");
