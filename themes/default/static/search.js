/* Site search for mps sites. Progressive: without this script the header shows a link to the
   site map instead of a search box, and every page reads the same. It loads search-index.json
   from this site only (no other requests) and shows results on the search page.

   The index is the one of the page's own language (beside the search page), and matching
   follows the language of the page (<html lang>): in every language it ignores case and
   accents (`ty` finds `tŷ`); in Welsh it also finds a word in its mutated forms (`gofal` finds
   `ofal` and `ngofal`). No stemming is applied in any language. The words shown (result counts
   and notices) are read from the search page's status element, so that each language's page
   brings its own. */
(function () {
  "use strict";

  var MARKS = /[\u0300-\u036f]/g;

  function fold(s) {
    s = String(s || "").toLowerCase();
    if (s.normalize) {
      s = s.normalize("NFD").replace(MARKS, "");
    }
    return s.replace(/[\u2018\u2019]/g, "'");
  }

  // `text` folded one character at a time, with where each folded character came from, so
  // that a match found in the folded text can be shown in the text as written (folding can
  // shorten a text: `é` written as `e` and a combining accent is one character once folded).
  function foldWithPlaces(text) {
    text = String(text || "");
    var folded = "";
    var from = [];
    for (var i = 0; i < text.length; i++) {
      var c = text.charAt(i);
      var code = text.charCodeAt(i);
      if (code >= 0xd800 && code < 0xdc00 && i + 1 < text.length) {
        c += text.charAt(i + 1);
      }
      var f = code < 0x80 ? c.toLowerCase() : fold(c);
      for (var j = 0; j < f.length; j++) {
        folded += f.charAt(j);
        from.push(i);
      }
      i += c.length - 1;
    }
    return { text: folded, from: from };
  }

  function isWelsh(lang) {
    return /^cy(-|$)/i.test(String(lang || ""));
  }

  // Query terms for substring matching (every language but Welsh): runs of letters and digits,
  // keeping money and percentages (`£4.8m`, `12%`) whole.
  function terms(q) {
    return fold(q).split(/[^a-z0-9'£%.-]+/).filter(long);
  }

  function long(t) {
    return t.length > 1 || /[0-9]/.test(t);
  }

  // A word, for word matching: letters (any alphabet, once folded) and digits. Apostrophes and
  // hyphens part words, as Welsh writes `i'r`, `a'r` and `ail-gylchu`.
  var WORD = /[a-z0-9\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u1fff\u2c00-\ud7ff]+/g;

  function words(s) {
    return fold(s).match(WORD) || [];
  }

  var VOWEL = /^[aeiouwy]/;

  // The forms `w` (folded) may be a mutation of, itself first. Welsh mutates a word's first
  // sound after certain words: soft (`gofal` -> `ofal`, `cartref` -> `gartref`), nasal
  // (`ngofal`, `nghartref`), aspirate (`chartref`), and `h` before a vowel (`ei hysgol`). Each
  // form here is a word that could have become `w`; a word may also be unmutated, so it is
  // always one of its own forms.
  function radicals(w) {
    var out = [w];
    function add(r) {
      if (r && out.indexOf(r) === -1) {
        out.push(r);
      }
    }
    var one = w.charAt(0);
    var two = w.slice(0, 2);
    var rest1 = w.slice(1);
    var rest2 = w.slice(2);
    // Nasal: mh <- p, nh <- t, ngh <- c, m <- b, n <- d, ng <- g.
    if (w.slice(0, 3) === "ngh") {
      add("c" + w.slice(3));
    } else if (two === "ng") {
      add("g" + rest2);
    } else if (two === "nh") {
      add("t" + rest2);
    } else if (one === "n") {
      add("d" + rest1);
    }
    if (two === "mh") {
      add("p" + rest2);
    } else if (one === "m") {
      add("b" + rest1);
    }
    // Aspirate: ch <- c, ph <- p, th <- t.
    if (two === "ch") {
      add("c" + rest2);
    } else if (two === "ph") {
      add("p" + rest2);
    } else if (two === "th") {
      add("t" + rest2);
    }
    // Soft: b <- p, d <- t, dd <- d, f <- b or m, g <- c, l <- ll, r <- rh, and g dropped
    // before a vowel, l or r.
    if (one === "b") {
      add("p" + rest1);
    } else if (two === "dd") {
      add("d" + rest2);
    } else if (one === "d") {
      add("t" + rest1);
    } else if (one === "f" && two !== "ff") {
      add("b" + rest1);
      add("m" + rest1);
    } else if (one === "g") {
      add("c" + rest1);
    } else if (one === "l" && two !== "ll") {
      add("ll" + rest1);
      add("g" + w);
    } else if (one === "r" && two !== "rh") {
      add("rh" + rest1);
      add("g" + w);
    } else if (VOWEL.test(w)) {
      add("g" + w);
    }
    // h before a vowel (after `ei` "her", `ein`, `eu`, and in `ar ôl`-type phrases).
    if (one === "h" && VOWEL.test(rest1)) {
      add(rest1);
    }
    return out;
  }

  // How much a match in each field counts: a word in the title counts most.
  var FIELDS = ["_title", "_section", "_desc", "_text"];
  var WEIGHTS = [10, 2, 4, 1];

  function count(hay, needle) {
    var n = 0;
    var i = hay.indexOf(needle);
    while (i !== -1 && n < 20) {
      n++;
      i = hay.indexOf(needle, i + needle.length);
    }
    return n;
  }

  function byScore(a, b) {
    return b.score - a.score || (a.page.title < b.page.title ? -1 : 1);
  }

  // Search as in every language but Welsh: each term is found anywhere in a page's folded
  // text (`care` finds `healthcare` and `carers`), and a page must have every term.
  function SubstringSearch(pages) {
    this.pages = pages;
    for (var i = 0; i < pages.length; i++) {
      var p = pages[i];
      p._title = fold(p.title);
      p._section = fold(p.section);
      p._desc = fold(p.description);
      p._text = fold(p.text);
    }
  }

  SubstringSearch.prototype.search = function (q) {
    var ts = terms(q);
    var found = [];
    if (!ts.length) {
      return { terms: ts, found: found };
    }
    for (var i = 0; i < this.pages.length; i++) {
      var p = this.pages[i];
      var total = 0;
      for (var t = 0; t < ts.length && total !== -1; t++) {
        var here = 0;
        for (var f = 0; f < FIELDS.length; f++) {
          here += count(p[FIELDS[f]], ts[t]) * WEIGHTS[f];
        }
        total = here ? total + here : -1;
      }
      if (total > 0) {
        found.push({ page: p, score: total });
      }
    }
    found.sort(byScore);
    return {
      terms: ts,
      found: found,
      // Where a term first is in a page's folded text (-1: nowhere), for its snippet.
      at: function (folded) {
        var at = -1;
        for (var k = 0; k < ts.length && at === -1; k++) {
          at = folded.indexOf(ts[k]);
        }
        return at;
      },
    };
  };

  // Search in Welsh: a query word finds the words that begin with it, and the words whose
  // unmutated forms begin with one of its unmutated forms. The words of every page, and their
  // forms, are worked out once, when the index loads; a search then looks its words up.
  function WelshSearch(pages) {
    this.pages = pages;
    var ids = new Map();
    var vocab = [];
    // postings[id]: page, weight, page, weight, ... for every page that has word `id`.
    var postings = [];
    // Per word, where it was last counted (field, page) and how much: marks rather than
    // fresh tables for each page keep the loading of a large index quick.
    var fieldMark = [];
    var fieldCount = [];
    var pageMark = [];
    var pageWeight = [];
    for (var i = 0; i < pages.length; i++) {
      var p = pages[i];
      var order = [];
      var fields = [p.title, p.section, p.description, p.text];
      for (var f = 0; f < fields.length; f++) {
        var ws = words(fields[f]);
        var mark = i * fields.length + f + 1;
        for (var k = 0; k < ws.length; k++) {
          var w = ws[k];
          var id = ids.get(w);
          if (id === undefined) {
            id = vocab.length;
            ids.set(w, id);
            vocab.push(w);
            postings.push([]);
            fieldMark.push(0);
            fieldCount.push(0);
            pageMark.push(-1);
            pageWeight.push(0);
          }
          if (fieldMark[id] !== mark) {
            fieldMark[id] = mark;
            fieldCount[id] = 0;
          }
          // As in the other languages, twenty of a word in one field count as many as more.
          if (++fieldCount[id] > 20) {
            continue;
          }
          if (pageMark[id] !== i) {
            pageMark[id] = i;
            pageWeight[id] = 0;
            order.push(id);
          }
          pageWeight[id] += WEIGHTS[f];
        }
      }
      for (var o = 0; o < order.length; o++) {
        postings[order[o]].push(i, pageWeight[order[o]]);
      }
    }
    // Every form of every word, sorted, so that the words with a form beginning with some
    // letters are one run of this list, found by halving.
    var forms = [];
    for (var v = 0; v < vocab.length; v++) {
      var rs = radicals(vocab[v]);
      for (var r = 0; r < rs.length; r++) {
        forms.push([rs[r], v]);
      }
    }
    forms.sort(function (a, b) {
      return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1];
    });
    this.vocab = vocab;
    this.postings = postings;
    this.formText = forms.map(function (e) {
      return e[0];
    });
    this.formWord = forms.map(function (e) {
      return e[1];
    });
  }

  // The words of the index matching query word `t`: {id: 2 when the word is `t` as written, 1
  // when `t` begins it as written, 0 when only a mutated form matches}.
  WelshSearch.prototype.matches = function (t) {
    var out = Object.create(null);
    var qs = radicals(t);
    var text = this.formText;
    for (var q = 0; q < qs.length; q++) {
      var prefix = qs[q];
      var lo = 0;
      var hi = text.length;
      while (lo < hi) {
        var mid = (lo + hi) >>> 1;
        if (text[mid] < prefix) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      for (var i = lo; i < text.length && text[i].lastIndexOf(prefix, 0) === 0; i++) {
        var id = this.formWord[i];
        if (out[id] === undefined) {
          var w = this.vocab[id];
          out[id] = w === t ? 2 : w.lastIndexOf(t, 0) === 0 ? 1 : 0;
        }
      }
    }
    return out;
  };

  WelshSearch.prototype.search = function (q) {
    var ts = words(q).filter(long);
    var found = [];
    if (!ts.length) {
      return { terms: ts, found: found };
    }
    var n = this.pages.length;
    var score = new Array(n);
    var closeness = new Array(n);
    var hits = new Array(n);
    for (var i = 0; i < n; i++) {
      score[i] = 0;
      closeness[i] = 0;
      hits[i] = 0;
    }
    var wanted = Object.create(null);
    for (var t = 0; t < ts.length; t++) {
      var m = this.matches(ts[t]);
      // Per page: how close its closest word came to the query word (1 + the level above).
      var best = Object.create(null);
      for (var id in m) {
        wanted[this.vocab[id]] = true;
        var list = this.postings[id];
        for (var k = 0; k < list.length; k += 2) {
          var p = list[k];
          // The word as written counts three times a mutated one; a longer word twice.
          var close = m[id] + 1;
          score[p] += close * list[k + 1];
          if (!(best[p] >= close)) {
            best[p] = close;
          }
        }
      }
      for (var a in best) {
        hits[a]++;
        closeness[a] += best[a];
      }
    }
    for (var j = 0; j < n; j++) {
      if (hits[j] === ts.length) {
        found.push({ page: this.pages[j], score: score[j], closeness: closeness[j] });
      }
    }
    // Pages with the words as written come first, then those with longer words beginning with
    // them, then those with them mutated, however often the others have them.
    found.sort(function (a, b) {
      return b.closeness - a.closeness || byScore(a, b);
    });
    return {
      terms: ts,
      found: found,
      at: function (folded) {
        WORD.lastIndex = 0;
        var w;
        while ((w = WORD.exec(folded)) !== null) {
          if (wanted[w[0]]) {
            return w.index;
          }
        }
        return -1;
      },
    };
  };

  function searcher(pages, lang) {
    return isWelsh(lang) ? new WelshSearch(pages) : new SubstringSearch(pages);
  }

  // About 160 characters of the page around the first match, or its description.
  function snippet(p, result) {
    var text = p.text || "";
    if (!p._places) {
      p._places = foldWithPlaces(text);
    }
    var hit = result.at(p._places.text);
    if (hit === -1) {
      return p.description || text.slice(0, 160);
    }
    var at = p._places.from[hit];
    var start = Math.max(0, at - 60);
    var end = Math.min(text.length, at + 100);
    if (start > 0) {
      var space = text.indexOf(" ", start);
      start = space !== -1 && space < at ? space + 1 : start;
    }
    return (start > 0 ? "… " : "") + text.slice(start, end) + (end < text.length ? " …" : "");
  }

  var engine = {
    fold: fold,
    isWelsh: isWelsh,
    radicals: radicals,
    searcher: searcher,
    snippet: snippet,
  };
  // Under Node (tests/search.rs runs tests/js/search.test.js), hand the matching over and stop.
  if (typeof module === "object" && module && module.exports) {
    module.exports = engine;
    return;
  }

  if (typeof window === "undefined" || !window.fetch || !document.querySelector) {
    return;
  }

  // The header box is hidden until search can work; without this script a note links the
  // site map instead.
  var header = document.querySelectorAll("form[data-search]");
  for (var h = 0; h < header.length; h++) {
    header[h].hidden = false;
  }

  var form = document.getElementById("search-form");
  if (!form) {
    return;
  }
  var input = document.getElementById("search-page-q");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var root = form.getAttribute("data-root") || "";
  var lang = document.documentElement.lang || "";
  var engineForPage = null;
  var MAX_RESULTS = 50;

  // A notice in the page's language, from the status element's `data-NAME`, with `{n}`, `{q}`
  // and `{max}` filled in.
  function say(name, values) {
    var text = status.getAttribute("data-" + name) || "";
    return text.replace(/\{(n|q|max)\}/g, function (all, key) {
      return values && values[key] !== undefined ? String(values[key]) : all;
    });
  }

  // `data-found-one`, `data-found-other`, or another plural form the language has
  // (`data-found-two`, `-few`, `-many`) when the page gives it.
  function foundText(n, q) {
    var plural = n === 1 ? "one" : "other";
    if (window.Intl && Intl.PluralRules) {
      try {
        plural = new Intl.PluralRules(lang || undefined).select(n);
      } catch (e) {
        // An unknown language tag: the forms above.
      }
    }
    var name = status.hasAttribute("data-found-" + plural) ? "found-" + plural : "found-other";
    return say(name, { n: n, q: q });
  }

  function show(q) {
    while (list.firstChild) {
      list.removeChild(list.firstChild);
    }
    var result = engineForPage.search(q);
    if (!result.terms.length) {
      status.textContent = q.trim() ? say("too-short") : "";
      return;
    }
    var found = result.found;
    var shown = found.slice(0, MAX_RESULTS);
    for (var r = 0; r < shown.length; r++) {
      var p = shown[r].page;
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = root + p.url;
      a.textContent = p.title;
      var heading = document.createElement("h2");
      heading.className = "search-result-title";
      heading.appendChild(a);
      var section = document.createElement("p");
      section.className = "search-result-section";
      section.textContent = p.section;
      var text = document.createElement("p");
      text.className = "search-result-snippet";
      text.textContent = snippet(p, result);
      li.appendChild(heading);
      li.appendChild(section);
      li.appendChild(text);
      list.appendChild(li);
    }
    var n = found.length;
    var what = q.trim();
    if (n === 0) {
      status.textContent = say("none", { q: what });
    } else if (n > MAX_RESULTS) {
      status.textContent = say("found-capped", { n: n, q: what, max: MAX_RESULTS });
    } else {
      status.textContent = foundText(n, what);
    }
  }

  function run() {
    var q = input.value;
    if (window.history && window.history.replaceState) {
      var url = q.trim() ? "?q=" + encodeURIComponent(q.trim()) : window.location.pathname;
      window.history.replaceState(null, "", url);
    }
    show(q);
  }

  var params = new URLSearchParams(window.location.search);
  input.value = params.get("q") || "";
  status.textContent = input.value.trim() ? say("searching") : "";

  fetch(form.getAttribute("data-index"))
    .then(function (r) {
      if (!r.ok) {
        throw new Error(String(r.status));
      }
      return r.json();
    })
    .then(function (index) {
      engineForPage = searcher(index.pages || [], lang);
      form.addEventListener("submit", function (e) {
        e.preventDefault();
        run();
      });
      var timer = null;
      input.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(run, 250);
      });
      if (input.value.trim()) {
        show(input.value);
      }
    })
    .catch(function () {
      // Opened from disk, or the index is missing: say so, and point to the site map.
      status.textContent = say("unavailable");
    });
})();
