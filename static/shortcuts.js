// Keyboard shortcuts. They never fire while typing in a field or with a
// modifier held; Escape leaves a field, and "?" lists them all.
(function () {
  "use strict";

  var KEYS = [
    ["n", "New task"],
    ["/", "Search"],
    ["j / k or ↓ / ↑", "Next / previous task"],
    ["x", "Complete or reopen the task"],
    ["e", "Rename the task"],
    ["Delete or #", "Delete the task"],
    ["Enter / Esc", "Save / cancel a rename"],
    ["Esc", "Leave a text field"],
    ["?", "This list"]
  ];

  // The help is for keyboard users with JavaScript, so it is built here
  // when first asked for, not sent with every page.
  function helpDialog() {
    var dialog = document.getElementById("shortcuts-help");
    if (dialog) return dialog;
    dialog = document.createElement("dialog");
    dialog.id = "shortcuts-help";
    dialog.className = "shortcuts-help";
    dialog.setAttribute("aria-labelledby", "shortcuts-heading");
    var heading = document.createElement("h2");
    heading.id = "shortcuts-heading";
    heading.textContent = "Keyboard shortcuts";
    var list = document.createElement("dl");
    KEYS.forEach(function (entry) {
      var term = document.createElement("dt");
      entry[0].split(" ").forEach(function (word, index) {
        if (index) term.appendChild(document.createTextNode(" "));
        if (word === "/" && entry[0] !== "/" || word === "or") {
          term.appendChild(document.createTextNode(word));
        } else {
          var key = document.createElement("kbd");
          key.textContent = word;
          term.appendChild(key);
        }
      });
      var description = document.createElement("dd");
      description.textContent = entry[1];
      list.append(term, description);
    });
    var form = document.createElement("form");
    form.method = "dialog";
    var close = document.createElement("button");
    close.className = "button";
    close.type = "submit";
    close.textContent = "Close";
    form.appendChild(close);
    dialog.append(heading, list, form);
    document.body.appendChild(dialog);
    return dialog;
  }

  function typing(target) {
    return target.closest && target.closest("input, textarea, select, [contenteditable=''], [contenteditable='true']");
  }

  function rows() { return Array.prototype.slice.call(document.querySelectorAll("#task-list > li.task")); }
  function currentRow() { return document.activeElement && document.activeElement.closest && document.activeElement.closest("li.task"); }

  function focusRow(row) {
    if (!row) return;
    var target = row.querySelector(".toggle");
    if (target) { target.focus(); row.scrollIntoView({ block: "nearest" }); }
  }

  function move(step) {
    var list = rows();
    if (!list.length) return;
    var index = list.indexOf(currentRow());
    var next = index === -1 ? (step > 0 ? 0 : list.length - 1) : Math.min(list.length - 1, Math.max(0, index + step));
    focusRow(list[next]);
  }

  function press(row, selector) {
    var control = row && row.querySelector(selector);
    if (control) control.click();
  }

  function field(name) {
    var input = document.querySelector('[data-shortcut-target="' + name + '"]');
    if (input) { input.focus(); if (input.select) input.select(); }
  }

  var ACTIONS = {
    "n": function () { field("new"); },
    "/": function () { field("search"); },
    "j": function () { move(1); },
    "ArrowDown": function () { move(1); },
    "k": function () { move(-1); },
    "ArrowUp": function () { move(-1); },
    "x": function () { press(currentRow(), ".toggle"); },
    "e": function () { press(currentRow(), "a.title"); },
    "Delete": function () { press(currentRow(), ".destroy"); },
    "#": function () { press(currentRow(), ".destroy"); },
    "?": function () {
      var help = helpDialog();
      if (!help.open) help.showModal();
    }
  };

  document.addEventListener("keydown", function (event) {
    // Escape in the rename editor belongs to app.js, which cancels the edit.
    // Blurring the field here too would be a "leave the editor", which saves
    // a change: one key press must never both cancel and save. (Until now
    // only the order of the two scripts' listeners kept this from happening.)
    if (event.key === "Escape" && event.target.closest && event.target.closest("form.edit-form")) return;
    if (event.key === "Escape" && !event.defaultPrevented && typing(event.target) && !event.target.closest("dialog")) {
      // Out of the field, onto the page: the next key is a shortcut again.
      event.target.blur();
      return;
    }
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (document.querySelector("dialog[open]") && event.key !== "?") return;
    var action = ACTIONS[event.key];
    if (!action) return;
    // Arrow keys only move between tasks when a task (or nothing) has focus.
    if ((event.key === "ArrowDown" || event.key === "ArrowUp") && document.activeElement !== document.body && !currentRow()) return;
    event.preventDefault();
    action();
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-close-dialog]")) {
      var dialog = event.target.closest("dialog");
      if (dialog) dialog.close();
    }
  });

})();

// Bulk selection: shift-click selects the range since the last checkbox clicked.
// The Undo offer leaves the screen after its few seconds.
(function () {
  "use strict";
  var last = null;
  document.addEventListener("click", function (event) {
    var box = event.target.closest && event.target.closest("input.select[type=checkbox]");
    if (!box) return;
    var boxes = Array.prototype.slice.call(document.querySelectorAll("#task-list input.select[type=checkbox]"));
    if (event.shiftKey && last && boxes.indexOf(last) !== -1) {
      var from = boxes.indexOf(last), to = boxes.indexOf(box);
      boxes.slice(Math.min(from, to), Math.max(from, to) + 1).forEach(function (other) { other.checked = box.checked; });
    }
    last = box;
  });

  var timer = null;
  function expireUndo(root) {
    var offer = (root.querySelector ? root : document).querySelector("#undo form[data-expires-after]");
    if (!offer) return;
    clearTimeout(timer);
    timer = setTimeout(function () {
      var bar = document.getElementById("undo");
      if (bar && bar.contains(offer)) bar.replaceChildren();
    }, 1000 * Number(offer.dataset.expiresAfter || 10));
  }
  document.addEventListener("DOMContentLoaded", function () { expireUndo(document); });
  document.addEventListener("htmx:oobAfterSwap", function () { expireUndo(document); });
  document.addEventListener("htmx:afterSettle", function () { expireUndo(document); });
})();
