/* Coding page: a passage selected with the mouse (or the keyboard, with caret browsing)
   in an answer's text fills that answer's passage field and its exact offsets. Offsets
   are counted in Unicode code points, as the server (Python) and REFI-QDA count them;
   JavaScript strings count UTF-16 units, hence Array.from. Colours of codes are set here
   (no inline styles: the content security policy forbids them). Without JavaScript the
   page still works: type or paste the passage. */
(function () {
  "use strict";

  function codePoints(text) {
    return Array.from(text).length;
  }

  function offsetWithin(container, node, offset) {
    var range = document.createRange();
    range.selectNodeContents(container);
    range.setEnd(node, offset);
    return range.toString();
  }

  function capture(event) {
    var element = event.currentTarget;
    var selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) {
      return;
    }
    var range = selection.getRangeAt(0);
    if (!element.contains(range.startContainer) || !element.contains(range.endContainer)) {
      return;
    }
    var before = offsetWithin(element, range.startContainer, range.startOffset);
    var passage = range.toString();
    var id = element.getAttribute("data-answer");
    var start = codePoints(before);
    document.querySelector("[data-passage='" + id + "']").value = passage;
    document.querySelector("[data-start='" + id + "']").value = String(start);
    document.querySelector("[data-end='" + id + "']").value = String(start + codePoints(passage));
  }

  function clearOffsets(event) {
    // A passage typed by hand is found by the server; stale offsets must not be sent.
    var id = event.currentTarget.getAttribute("data-passage");
    document.querySelector("[data-start='" + id + "']").value = "";
    document.querySelector("[data-end='" + id + "']").value = "";
  }

  document.querySelectorAll(".answer-text[data-answer]").forEach(function (element) {
    element.addEventListener("mouseup", capture);
    element.addEventListener("keyup", capture);
  });
  document.querySelectorAll("[data-passage]").forEach(function (input) {
    input.addEventListener("input", clearOffsets);
  });
  document.querySelectorAll("[data-colour]").forEach(function (element) {
    var colour = element.getAttribute("data-colour");
    if (/^#[0-9a-fA-F]{6}$/.test(colour)) {
      element.style.backgroundColor = colour;
    }
  });
})();
