// The framework editor's live preview: on every change, post the form to the preview URL
// (with its CSRF token) and show the recomputed scores. Nothing is saved.
(function () {
  "use strict";
  var form = document.getElementById("editor");
  var target = document.getElementById("preview");
  if (!form || !target) { return; }
  var url = form.getAttribute("data-preview-url");
  var timer = null;
  var sequence = 0;

  function refresh() {
    var mine = ++sequence;
    target.setAttribute("aria-busy", "true");
    fetch(url, {method: "POST", body: new FormData(form), credentials: "same-origin",
                headers: {"X-Requested-With": "fetch"}})
      .then(function (reply) { return reply.text(); })
      .then(function (html) {
        if (mine !== sequence) { return; }  // a later change already asked again
        // The fragment is rendered by Django's templates: every user text is escaped.
        target.innerHTML = html;
        target.setAttribute("aria-busy", "false");
        target.setAttribute("data-preview", String(mine));
      })
      .catch(function () { target.setAttribute("aria-busy", "false"); });
  }

  function later() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(refresh, 250);
  }

  form.addEventListener("change", later);
  form.addEventListener("input", later);
  refresh();
})();
