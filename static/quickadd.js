// Quick add's chips: while a person types in the add box, the server reads
// the title ("Pay rent tomorrow !high #home") and its chips show under it
// (GET /tasks/quick-preview, through htmx). A chip's × keeps its words as
// text by putting a backslash before them. Without JavaScript there are no
// chips: the title is read when the task is added, and the page says what
// was understood.
(function () {
  "use strict";
  // A token as the server's parser sees one: *"a quoted list" or a word.
  var TOKEN = /\\?\*(?:"[^"]*"|“[^”]*”)(?=\s|$)|\S+/g;

  function titleField() { return document.getElementById("new-title"); }

  // The htmx wiring lives here rather than in the page, which every list
  // view sends (and which is kept under 40 KB): a GET per pause in typing;
  // while one is on its way, only the newest text waits its turn (nothing
  // aborted), and an answer for older text is not shown (below). A GET of
  // its own: never queued with the adds (app.js).
  function wire(root) {
    var input = root && root.querySelector ? root.querySelector("#new-title[data-preview]") : null;
    if (!input && root && root.id === "new-title") input = root;
    if (!input || !window.htmx || input.hasAttribute("hx-get")) return;
    input.setAttribute("hx-get", input.dataset.preview);
    input.setAttribute("hx-trigger", "input changed delay:150ms, quick-preview");
    input.setAttribute("hx-target", "#quick-chips");
    input.setAttribute("hx-swap", "innerHTML");
    input.setAttribute("hx-sync", "this:queue last");
    input.setAttribute("hx-include", "#new-quick, #new-due, #new-priority");
    htmx.process(input);
    if (input.value.trim()) htmx.trigger(input, "quick-preview");  // a refused add comes back typed
  }
  document.addEventListener("htmx:load", function (event) { wire(event.detail.elt); });

  // Only chips for what the field holds now: an answer for text since sent
  // (or cleared by Enter) is dropped, and one that changes nothing is not
  // swapped, so nothing flickers or is read out twice.
  // These are seen first (capture) and go no further: the chips are not
  // a change to the list, so app.js's focus keeping has nothing to do here.
  var shown = "";  // the answer the chips show now
  document.addEventListener("htmx:beforeSwap", function (event) {
    var chips = event.detail.target;
    if (!chips || chips.id !== "quick-chips") return;
    event.stopPropagation();
    var input = titleField();
    var asked = null;
    try { asked = new URL(event.detail.xhr.responseURL).searchParams.get("title"); } catch (error) { asked = null; }
    if (!input || asked !== input.value || event.detail.serverResponse === shown) {
      event.detail.shouldSwap = false;
    } else {
      shown = event.detail.serverResponse;
    }
  }, true);
  ["htmx:afterSwap", "htmx:afterSettle"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      if (event.target.id === "quick-chips") event.stopPropagation();
    }, true);
  });
  // Nothing to ask about an empty box (say, just emptied by Enter).
  document.addEventListener("htmx:confirm", function (event) {
    if (event.target.id !== "new-title" || event.target.value.trim()) return;
    event.preventDefault();
    clear("quick-chips");
  });

  function clear(id) {
    var element = document.getElementById(id);
    if (element) element.textContent = "";
    if (id === "quick-chips") shown = "";
  }

  // Enter: the field empties (app.js), and so do its chips.
  document.addEventListener("submit", function (event) {
    if (event.target.id === "new-task") clear("quick-chips");
  }, true);

  // "Added … : due tomorrow, #home" belongs to the task just added: typing
  // the next one clears it, and it does not come back over new typing.
  document.addEventListener("input", function (event) {
    if (event.target.id === "new-title") clear("quick-said");
  });
  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    var input = titleField();
    if (event.detail.target.id === "quick-said" && input && input.value.trim()) event.detail.shouldSwap = false;
  });

  // "Keep title as typed" turns the chips off (and on again); a date picked
  // or a priority chosen wins over the title's, whose words then stay text.
  var ALSO_ASKED = ["new-quick", "new-due", "new-priority"];
  document.addEventListener("change", function (event) {
    var input = titleField();
    if (ALSO_ASKED.indexOf(event.target.id) >= 0 && input && input.value.trim() && window.htmx) {
      htmx.trigger(input, "quick-preview");
    }
  });

  // A chip's ×: a backslash before each of its words, wherever they stand
  // in the field (a label in any case), so they stay in the title as text.
  function keepAsText(input, source, anyCase) {
    var text = input.value, tokens = [], match;
    TOKEN.lastIndex = 0;
    while ((match = TOKEN.exec(text))) tokens.push({ text: match[0], at: match.index });
    var wanted = anyCase ? source.toLowerCase() : source;
    var marks = [];
    for (var start = 0; start < tokens.length; start++) {
      var joined = "";
      for (var end = start; end < tokens.length && joined.length < wanted.length; end++) {
        joined += (end > start ? " " : "") + tokens[end].text;
      }
      if ((anyCase ? joined.toLowerCase() : joined) !== wanted) continue;
      for (var index = start; index < end; index++) {
        if (tokens[index].text.charAt(0) !== "\\") marks.push(tokens[index].at);
      }
      start = end - 1;
    }
    for (var i = marks.length - 1; i >= 0; i--) text = text.slice(0, marks[i]) + "\\" + text.slice(marks[i]);
    return text;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("#quick-chips .quick-x");
    var input = titleField();
    if (!button || !input) return;
    event.preventDefault();
    var chip = button.closest("li");
    input.value = keepAsText(input, button.dataset.source || "", chip.classList.contains("quick-label"));
    chip.remove();  // at once; the next answer shows the rest
    shown = "";
    input.focus();
    input.setSelectionRange(input.value.length, input.value.length);
    input.dispatchEvent(new Event("input", { bubbles: true }));
  });
})();
