/* Offline search of the static compendium (no server, works from file://).
   The index is a script (search-index-LANG.js) defining window.COMPENDIUM_INDEX:
   [{u: url, t: title, o: organisation, h: theme, s: "Synthetic" label or "",
   x: searchable text}, ...].
   Every word of the query must appear (accents and case ignored). Results are built
   with textContent only: no text from the index is ever parsed as HTML. */
(function () {
  "use strict";
  var entries = window.COMPENDIUM_INDEX || [];
  var form = document.getElementById("search-form");
  var input = document.getElementById("search-q");
  var list = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  if (!form || !input || !list || !status) { return; }

  function fold(text) {
    return String(text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  var folded = entries.map(function (e) { return fold([e.t, e.o, e.h, e.x].join(" ")); });

  function words(query) {
    return fold(query).split(/[^0-9a-z\u00c0-\u024f]+/).filter(function (w) { return w.length > 0; });
  }

  function render(query) {
    while (list.firstChild) { list.removeChild(list.firstChild); }
    var wanted = words(query);
    if (!wanted.length) { status.textContent = ""; return; }
    var found = 0;
    entries.forEach(function (entry, i) {
      var text = folded[i];
      if (!wanted.every(function (w) { return text.indexOf(w) !== -1; })) { return; }
      found += 1;
      var item = document.createElement("li");
      item.className = "practice-item";
      var link = document.createElement("a");
      link.href = entry.u;
      link.textContent = entry.t;
      item.appendChild(link);
      var meta = document.createElement("span");
      meta.className = "muted";
      meta.textContent = " — " + entry.o + " · " + entry.h + (entry.s ? " · " + entry.s : "");
      item.appendChild(meta);
      list.appendChild(item);
    });
    status.textContent = found ? status.getAttribute("data-some") + " " + found
                               : status.getAttribute("data-none");
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    render(input.value);
  });
  input.addEventListener("input", function () { render(input.value); });
  var initial = new URLSearchParams(window.location.search).get("q");
  if (initial) { input.value = initial; render(initial); }
}());
