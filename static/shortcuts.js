// Keyboard shortcuts. They never fire while typing in a field or with a
// modifier held, and "?" lists them all.
(function () {
  "use strict";

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
    "e": function () { press(currentRow(), ".edit-link"); },
    "Delete": function () { press(currentRow(), ".destroy"); },
    "#": function () { press(currentRow(), ".destroy"); },
    "?": function () {
      var help = document.getElementById("shortcuts-help");
      if (help && !help.open) help.showModal();
    }
  };

  document.addEventListener("keydown", function (event) {
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

  // After a row is swapped (toggled, renamed), keep the keyboard on it.
  document.addEventListener("htmx:afterSwap", function (event) {
    var row = event.detail.target;
    if (row && row.matches && row.matches("li.task") && document.activeElement === document.body) {
      focusRow(document.getElementById(row.id));
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
