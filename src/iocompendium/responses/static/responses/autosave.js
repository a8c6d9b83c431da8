/* Autosave for the web questionnaire (no library).
 *
 * Each change is sent on its own with the revision the page holds; the server's reply
 * (relevance, required, messages, calculations, progress) is applied to the page, so the
 * server-side engine stays the single source of truth. Unsent changes are kept in
 * localStorage and retried, so a lost connection or a reload loses nothing. A stale
 * revision is refused by the server (409) and the colleague's answer is shown.
 */
(function () {
  "use strict";
  var form = document.getElementById("questionnaire");
  var configNode = document.getElementById("autosave-config");
  if (!form || !configNode || !window.fetch) { return; }
  var config = JSON.parse(configNode.textContent);
  var strings = config.strings;
  var revisions = config.revisions;
  var statusNode = document.getElementById("save-status");
  var revisionsInput = document.getElementById("revisions");
  var storageKey = "iocompendium-unsaved-" + config.response;
  var TYPING_DELAY = 700;
  var pending = loadPending();
  var timers = {};
  var touched = {};
  var inFlight = false;
  var retryDelay = 0;
  var retryTimer = null;
  var waiters = [];

  document.documentElement.classList.add("js");

  function loadPending() {
    try { return JSON.parse(window.localStorage.getItem(storageKey) || "{}"); } catch (e) { return {}; }
  }
  function storePending() {
    try {
      if (Object.keys(pending).length) { window.localStorage.setItem(storageKey, JSON.stringify(pending)); }
      else { window.localStorage.removeItem(storageKey); }
    } catch (e) { /* private mode: nothing to keep */ }
  }
  function format(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (match, key) { return values[key]; });
  }
  function escapeSelector(text) {
    return window.CSS && window.CSS.escape ? window.CSS.escape(text) : text.replace(/(["\\\[\]\/])/g, "\\$1");
  }
  function csrfToken() {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function controlsFor(path) {
    return Array.prototype.filter.call(form.elements, function (element) {
      return element.name === path && element.form === form && element.tagName !== "OUTPUT";
    });
  }
  function boxFor(path) {
    return form.querySelector('.question[data-path="' + escapeSelector(path) + '"]');
  }
  function otherBase(path) {
    return path.slice(-6) === "_other" && !boxFor(path) ? path.slice(0, -6) : path;
  }
  function valueOf(path) {
    var controls = controlsFor(path);
    if (!controls.length) { return null; }
    var first = controls[0];
    if (first.type === "radio") {
      var checked = controls.filter(function (c) { return c.checked; })[0];
      return checked ? checked.value : "";
    }
    if (first.type === "checkbox") {
      var box = boxFor(path);
      if (box && box.getAttribute("data-type") === "acknowledge") { return first.checked ? first.value : ""; }
      return controls.filter(function (c) { return c.checked; }).map(function (c) { return c.value; }).join(" ");
    }
    return first.value;
  }
  function setValue(path, value) {
    var controls = controlsFor(path);
    var names = value.split(/\s+/);
    controls.forEach(function (control) {
      if (control.type === "radio") { control.checked = control.value === value; }
      else if (control.type === "checkbox") {
        var box = boxFor(path);
        control.checked = box && box.getAttribute("data-type") === "acknowledge" ? value === control.value : names.indexOf(control.value) !== -1;
      } else { control.value = value; }
    });
    updateOther(path);
  }
  function setStatus(text, kind) {
    if (!statusNode) { return; }
    statusNode.textContent = text;
    statusNode.className = "save-status" + (kind ? " " + kind : "");
  }
  function updateRevisionsInput() {
    if (revisionsInput) { revisionsInput.value = JSON.stringify(revisions); }
  }
  function updateOther(path) {
    var other = form.querySelector('.other-text[data-other-for="' + escapeSelector(path) + '"]');
    if (other) { other.hidden = (" " + valueOf(path) + " ").indexOf(" other ") === -1; }
  }

  // --- sending ---------------------------------------------------------------------------
  function remember(path) {
    if (!(path in revisions)) { return false; }
    var base = pending[path] ? pending[path].base : revisions[path];
    pending[path] = { value: valueOf(path), base: base };
    storePending();
    return true;
  }
  function schedule(path, delay) {
    if (!remember(path)) { return; }
    clearTimeout(timers[path]);
    timers[path] = setTimeout(function () { delete timers[path]; sendNext(); }, delay);
  }
  function nextPath() {
    var paths = Object.keys(pending);
    for (var i = 0; i < paths.length; i++) { if (!timers[paths[i]]) { return paths[i]; } }
    return null;
  }
  function settled() {
    if (inFlight || Object.keys(pending).length) { return; }
    var done = waiters; waiters = [];
    done.forEach(function (resolve) { resolve(); });
  }
  function sendNext() {
    if (inFlight || retryTimer) { return; }
    var path = nextPath();
    if (path === null) { settled(); return; }
    var entry = pending[path];
    var body = new URLSearchParams();
    body.set("path", path);
    body.set("value", entry.value);
    body.set("revision", String(entry.base));
    body.set("section", config.section);
    inFlight = true;
    setStatus(strings.saving, "saving");
    fetch(config.url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" }
    }).then(function (reply) {
      return reply.json().catch(function () { return {}; }).then(function (data) { return { status: reply.status, data: data }; });
    }).then(function (result) {
      inFlight = false;
      handle(path, entry, result.status, result.data);
    }).catch(function () {
      inFlight = false;
      offline();
    });
  }
  function handle(path, entry, status, data) {
    if (status >= 500 || status === 0) { offline(); return; }
    retryDelay = 0;
    var current = pending[path];
    var changedMeanwhile = current && current.value !== entry.value;
    if (status === 200) {
      revisions[path] = data.revision;
      touched[path] = true;
      if (changedMeanwhile) { current.base = data.revision; } else { delete pending[path]; }
      clearConflict(path);
      applyReply(data);
      setStatus(strings.saved, "saved");
    } else if (status === 409) {
      delete pending[path];
      showConflict(path, data);
      setStatus(strings.conflictNote, "offline");
    } else {
      delete pending[path];
      showFailure(path, data.error || String(status));
      setStatus(strings.failed + " " + (data.error || status), "offline");
    }
    storePending();
    updateRevisionsInput();
    sendNext();
  }
  function offline() {
    setStatus(strings.offline, "offline");
    retryDelay = Math.min(retryDelay ? retryDelay * 2 : 1000, 15000);
    retryTimer = setTimeout(function () { retryTimer = null; sendNext(); }, retryDelay);
  }
  function flush() {
    Object.keys(timers).forEach(function (path) { clearTimeout(timers[path]); delete timers[path]; });
    return new Promise(function (resolve) {
      waiters.push(resolve);
      sendNext();
      settled();
    });
  }

  // --- showing the server's evaluation -------------------------------------------------------
  function showMessage(box, selector, text, prefix) {
    var node = box.querySelector(selector);
    if (!node) { return; }
    node.hidden = !text;
    node.textContent = text ? (prefix ? prefix + " " : "") + text : "";
  }
  function applyReply(data) {
    var states = data.states || {};
    Object.keys(states).forEach(function (path) {
      var box = boxFor(path);
      if (!box) { return; }
      var state = states[path];
      box.hidden = !state.relevant;
      var mark = box.querySelector(".required-mark");
      if (mark) { mark.hidden = !state.required; }
      var value = valueOf(path);
      var showError = !!state.error && (touched[path] || (value !== null && value !== ""));
      showMessage(box, ".error-message", showError ? state.error : "");
      box.classList.toggle("has-error", showError);
      showMessage(box, ".warning-message", state.warning || "", strings.check);
      if ("value" in state) {
        var output = box.querySelector("output");
        if (output) { output.textContent = state.value; }
      }
    });
    Object.keys(data.choices || {}).forEach(function (path) {
      var box = boxFor(path);
      if (!box) { return; }
      var visible = data.choices[path];
      Array.prototype.forEach.call(box.querySelectorAll(".choice[data-choice]"), function (choice) {
        var input = choice.querySelector("input");
        var name = choice.getAttribute("data-choice");
        choice.hidden = visible.indexOf(name) === -1 && name !== "other" && !(input && input.checked);
      });
      // A drop-down list: its options come and go with the earlier answers (cascades).
      Array.prototype.forEach.call(box.querySelectorAll("option[data-choice]"), function (option) {
        var hide = visible.indexOf(option.getAttribute("data-choice")) === -1 && !option.selected;
        option.hidden = hide;
        option.disabled = hide;
      });
    });
    var groups = form.querySelectorAll("[data-group]");
    for (var i = groups.length - 1; i >= 0; i--) {
      var questions = groups[i].querySelectorAll(".question");
      var anyVisible = Array.prototype.some.call(questions, function (q) { return !q.hidden; });
      groups[i].hidden = questions.length > 0 && !anyVisible;
    }
    Object.keys(data.repeats || {}).forEach(function (path) {
      var repeat = form.querySelector('[data-repeat="' + escapeSelector(path) + '"]');
      if (repeat) { repeat.hidden = !data.repeats[path]; }
    });
    if (data.section) {
      var sectionNode = document.getElementById("section-progress");
      if (sectionNode) { sectionNode.textContent = format(strings.sectionProgress, data.section); }
      var menuNode = document.querySelector('[data-section-progress="' + escapeSelector(data.section.name) + '"]');
      if (menuNode) { menuNode.textContent = format(strings.menuProgress, data.section); }
    }
    if (data.progress) {
      var totalNode = document.getElementById("total-progress");
      if (totalNode) { totalNode.textContent = format(strings.totalProgress, data.progress); }
    }
  }

  // --- conflicts -------------------------------------------------------------------------------
  function conflictBox(path) {
    var box = boxFor(otherBase(path));
    return box ? box.querySelector(".conflict-box") : null;
  }
  function clearConflict(path) {
    var node = conflictBox(path);
    if (node) { node.hidden = true; node.textContent = ""; }
  }
  function showConflict(path, data) {
    var node = conflictBox(path);
    if (!node) { return; }
    node.textContent = "";
    var intro = document.createElement("p");
    intro.textContent = data.by ? format(strings.conflict, { by: data.by }) : strings.conflictNobody;
    var theirs = document.createElement("p");
    theirs.className = "their-value";
    theirs.textContent = data.value === "" ? strings.empty : data.value;
    var note = document.createElement("p");
    note.textContent = strings.conflictNote;
    var useTheirs = document.createElement("button");
    useTheirs.type = "button";
    useTheirs.className = "secondary";
    useTheirs.textContent = strings.useTheirs;
    useTheirs.addEventListener("click", function () {
      revisions[path] = data.revision;
      setValue(path, data.value);
      updateRevisionsInput();
      clearConflict(path);
    });
    var keepMine = document.createElement("button");
    keepMine.type = "button";
    keepMine.textContent = strings.keepMine;
    keepMine.addEventListener("click", function () {
      revisions[path] = data.revision;
      updateRevisionsInput();
      clearConflict(path);
      schedule(path, 0);
    });
    node.appendChild(intro);
    node.appendChild(theirs);
    node.appendChild(note);
    node.appendChild(useTheirs);
    node.appendChild(document.createTextNode(" "));
    node.appendChild(keepMine);
    node.hidden = false;
    node.setAttribute("role", "alert");
  }
  function showFailure(path, message) {
    var box = boxFor(otherBase(path));
    if (box) { showMessage(box, ".error-message", message); box.classList.add("has-error"); }
  }

  // --- answers given in several fields (a geopoint's latitude and longitude, a rank) ------------
  function composedValue(path) {
    var hidden = form.querySelector('input[type=hidden][name="' + escapeSelector(path) + '"]');
    var parts = form.querySelectorAll('[data-part-of="' + escapeSelector(path) + '"]');
    if (!hidden) { return null; }
    if (hidden.getAttribute("data-composed") === "geopoint") {
      var values = {};
      Array.prototype.forEach.call(parts, function (part) { values[part.getAttribute("data-part")] = part.value.trim(); });
      return (values.lat || values.lon) ? (values.lat + " " + values.lon).trim() : "";
    }
    var ranked = [];
    Array.prototype.forEach.call(parts, function (part, order) {
      if (part.value) { ranked.push([parseInt(part.value, 10), order, part.getAttribute("data-part")]); }
    });
    ranked.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
    return ranked.map(function (item) { return item[2]; }).join(" ");
  }
  function composePart(target) {
    var path = target.getAttribute("data-part-of");
    var value = composedValue(path);
    if (value === null) { return; }
    form.querySelector('input[type=hidden][name="' + escapeSelector(path) + '"]').value = value;
    return path;
  }

  // --- events ------------------------------------------------------------------------------------
  function isTyping(target) {
    return target.tagName === "TEXTAREA" || (target.tagName === "INPUT" &&
      ["text", "number", "search", "email", "url", "tel"].indexOf(target.type) !== -1);
  }
  form.addEventListener("input", function (event) {
    var target = event.target;
    if (target.hasAttribute && target.hasAttribute("data-part-of")) {
      var composed = composePart(target);
      if (composed && isTyping(target)) { setStatus(strings.unsaved, "saving"); schedule(composed, TYPING_DELAY); }
      return;
    }
    if (!target.name || target.form !== form || !isTyping(target)) { return; }
    setStatus(strings.unsaved, "saving");
    schedule(target.name, TYPING_DELAY);
  });
  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target.hasAttribute && target.hasAttribute("data-part-of")) {
      var composed = composePart(target);
      if (composed) { schedule(composed, isTyping(target) ? 0 : 50); }
      return;
    }
    if (!target.name || target.form !== form) { return; }
    updateOther(target.name);
    schedule(target.name, isTyping(target) ? 0 : 50);
  });
  form.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    if (submitter && submitter.hasAttribute("data-confirm") && !window.confirm(strings.confirmRemove)) {
      event.preventDefault();
      return;
    }
    if (inFlight || Object.keys(pending).length) {
      event.preventDefault();
      flush().then(function () { form.requestSubmit(submitter || undefined); });
    }
  });
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[href]") : null;
    if (!link || link.target || event.defaultPrevented || !(inFlight || Object.keys(pending).length)) { return; }
    event.preventDefault();
    var timeout = new Promise(function (resolve) { setTimeout(resolve, 4000); });
    Promise.race([flush(), timeout]).then(function () { window.location.href = link.href; });
  });
  window.addEventListener("pagehide", function () {
    // Last chance for changes still waiting: send them; they also stay in localStorage.
    if (!navigator.sendBeacon) { return; }
    Object.keys(pending).forEach(function (path) {
      var data = new FormData();
      data.set("csrfmiddlewaretoken", csrfToken());
      data.set("path", path);
      data.set("value", pending[path].value);
      data.set("revision", String(pending[path].base));
      navigator.sendBeacon(config.url, data);
    });
  });
  window.addEventListener("online", function () {
    if (retryTimer) { clearTimeout(retryTimer); retryTimer = null; }
    sendNext();
  });

  // Changes a previous visit could not save: put them back and send them again.
  Object.keys(pending).forEach(function (path) {
    if (!(path in revisions) || valueOf(path) === null) { delete pending[path]; return; }
    if (valueOf(path) === pending[path].value) { delete pending[path]; return; }
    setValue(path, pending[path].value);
  });
  storePending();

  // Changes made before this script ran (the form works without it, and a quick user may
  // start typing while it loads): the input events are gone, so compare with the page.
  Array.prototype.forEach.call(form.elements, function (control) {
    if (control.hasAttribute("data-part-of")) {
      var changedPart = "defaultValue" in control ? control.value !== control.defaultValue
        : Array.prototype.some.call(control.options || [], function (o) { return o.selected !== o.defaultSelected; });
      if (changedPart) { var composed = composePart(control); if (composed) { schedule(composed, 0); } }
      return;
    }
    if (!control.name || control.name in pending || timers[control.name]) { return; }
    var changed;
    if (control.type === "checkbox" || control.type === "radio") {
      changed = control.checked !== control.defaultChecked;
    } else if (control.tagName === "SELECT") {
      changed = Array.prototype.some.call(control.options, function (option) {
        return option.selected !== option.defaultSelected;
      });
    } else {
      changed = "defaultValue" in control && control.value !== control.defaultValue;
    }
    if (changed) { schedule(control.name, 0); }
  });
  sendNext();
}());
