/* Site search for mps sites. Progressive: without this script the header shows a link to the
   site map instead of a search box, and every page reads the same. It loads search-index.json
   from this site only (no other requests) and shows results on the search page. */
(function () {
  "use strict";
  if (!window.fetch || !document.querySelector) {
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
  var pages = null;
  var MAX_RESULTS = 50;

  function fold(s) {
    s = String(s || "").toLowerCase();
    if (s.normalize) {
      s = s.normalize("NFD").replace(/[\u0300-\u036f]/g, "");
    }
    return s.replace(/[\u2018\u2019]/g, "'");
  }

  function terms(q) {
    return fold(q).split(/[^a-z0-9'£%.-]+/).filter(function (t) {
      return t.length > 1 || /[0-9]/.test(t);
    });
  }

  function count(hay, needle) {
    var n = 0;
    var i = hay.indexOf(needle);
    while (i !== -1 && n < 20) {
      n++;
      i = hay.indexOf(needle, i + needle.length);
    }
    return n;
  }

  function score(p, ts) {
    var total = 0;
    for (var i = 0; i < ts.length; i++) {
      var t = ts[i];
      var inTitle = count(p._title, t);
      var inSection = count(p._section, t);
      var inDesc = count(p._desc, t);
      var inText = count(p._text, t);
      if (!inTitle && !inSection && !inDesc && !inText) {
        return 0;
      }
      total += inTitle * 10 + inSection * 2 + inDesc * 4 + inText;
    }
    return total;
  }

  // About 160 characters of the page around the first match, or its description.
  function snippet(p, ts) {
    var text = p.text || "";
    var at = -1;
    for (var i = 0; i < ts.length && at === -1; i++) {
      at = p._text.indexOf(ts[i]);
    }
    if (at === -1) {
      return p.description || text.slice(0, 160);
    }
    var start = Math.max(0, at - 60);
    var end = Math.min(text.length, at + 100);
    if (start > 0) {
      var space = text.indexOf(" ", start);
      start = space !== -1 && space < at ? space + 1 : start;
    }
    return (start > 0 ? "… " : "") + text.slice(start, end) + (end < text.length ? " …" : "");
  }

  function show(q) {
    while (list.firstChild) {
      list.removeChild(list.firstChild);
    }
    var ts = terms(q);
    if (!ts.length) {
      status.textContent = q.trim() ? "Type a longer word to search." : "";
      return;
    }
    var found = [];
    for (var i = 0; i < pages.length; i++) {
      var s = score(pages[i], ts);
      if (s > 0) {
        found.push({ page: pages[i], score: s });
      }
    }
    found.sort(function (a, b) {
      return b.score - a.score || (a.page.title < b.page.title ? -1 : 1);
    });
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
      text.textContent = snippet(p, ts);
      li.appendChild(heading);
      li.appendChild(section);
      li.appendChild(text);
      list.appendChild(li);
    }
    var n = found.length;
    var what = "\u2018" + q.trim() + "\u2019";
    if (n === 0) {
      status.textContent = "No pages found for " + what + ". Try another word, or browse the site map.";
    } else if (n > MAX_RESULTS) {
      status.textContent = n + " pages found for " + what + "; showing the first " + MAX_RESULTS + ".";
    } else {
      status.textContent = (n === 1 ? "1 page" : n + " pages") + " found for " + what + ".";
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
  status.textContent = input.value.trim() ? "Searching…" : "";

  fetch(form.getAttribute("data-index"))
    .then(function (r) {
      if (!r.ok) {
        throw new Error(String(r.status));
      }
      return r.json();
    })
    .then(function (index) {
      pages = (index.pages || []).map(function (p) {
        p._title = fold(p.title);
        p._section = fold(p.section);
        p._desc = fold(p.description);
        p._text = fold(p.text);
        return p;
      });
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
      status.textContent = "Search is not available here. The site map below lists every page.";
    });
})();
