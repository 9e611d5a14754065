// Docket's small layer of behaviour on top of htmx. Everything here is an
// enhancement: with JavaScript off, every action is a plain form post.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function csrfToken() {
    var main = document.getElementById("main");
    if (main && main.dataset.csrfToken) return main.dataset.csrfToken;
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  // Every htmx request carries the CSRF token as a header.
  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRFToken"] = csrfToken();
  });

  // A failed request never fails silently.
  var MESSAGES = {
    400: "That request was refused. Reload the page and try again.",
    401: "Your session has ended. Please log in again.",
    404: "That task no longer exists. Reload the page to see the current list.",
    413: "That is too large for Docket to accept.",
    429: "Too many requests. Please wait a moment.",
    503: "Docket cannot reach its database right now. Please try again shortly."
  };
  var toastTimer = null;
  function showToast(text) {
    var toast = document.getElementById("toast");
    if (!toast) return;
    toast.textContent = text;
    toast.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { toast.hidden = true; }, 6000);
  }
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    showToast(MESSAGES[status] || "Something went wrong (" + status + "). Nothing was changed; please try again.");
  });
  document.addEventListener("htmx:sendError", function () {
    showToast("Docket could not be reached. Check your connection and try again.");
  });

  // A quiet progress bar while any request is on its way.
  var pending = 0;
  function busy(delta) {
    pending = Math.max(0, pending + delta);
    document.documentElement.classList.toggle("is-busy", pending > 0);
  }
  document.addEventListener("htmx:beforeRequest", function () { busy(1); });
  document.addEventListener("htmx:afterRequest", function () { busy(-1); });

  // Inline editing: double-click a title (or press Edit) to rename in place;
  // Enter or leaving the field saves, Escape cancels.
  function rowOf(element) { return element.closest("li.task"); }

  function startEditing(row) {
    var input = row.querySelector("input.edit");
    if (!input) return;
    row.classList.add("editing");
    input.focus();
    input.setSelectionRange(input.value.length, input.value.length);
  }

  function changed(form) {
    return Array.prototype.some.call(form.querySelectorAll("[data-original]"), function (field) {
      var value = field.classList.contains("edit") ? field.value.trim() : field.value;
      return value !== field.dataset.original;
    });
  }

  function stopEditing(row) {
    var input = row.querySelector("input.edit");
    row.querySelectorAll(".edit-form [data-original]").forEach(function (field) { field.value = field.dataset.original; });
    row.classList.remove("editing");
    var error = row.querySelector(".edit-form .field-error");
    if (error) error.remove();
    input.removeAttribute("aria-invalid");
    var title = row.querySelector(".edit-link");
    if (title) title.focus();
  }

  document.addEventListener("dblclick", function (event) {
    var trigger = event.target.closest(".title[data-edit-trigger]");
    if (trigger) startEditing(rowOf(trigger));
  });
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a.edit-link");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    event.stopPropagation();
    startEditing(rowOf(link));
  }, true);

  document.addEventListener("keydown", function (event) {
    var form = event.target.closest && event.target.closest("form.edit-form");
    if (!form) return;
    if (event.key === "Escape") {
      event.preventDefault();
      stopEditing(rowOf(form));
    } else if (event.key === "Enter" && event.target.tagName === "INPUT") {
      form.dataset.submitting = "1";
    }
  });

  // Leaving the edit form (not just moving between its fields) saves a change
  // or, when nothing changed, quietly closes it.
  document.addEventListener("focusout", function (event) {
    var form = event.target.closest && event.target.closest("form.edit-form");
    if (!form || (event.relatedTarget && form.contains(event.relatedTarget))) return;
    var row = rowOf(form);
    if (!row || !row.classList.contains("editing") || form.dataset.submitting) return;
    if (!changed(form)) {
      stopEditing(row);
    } else {
      form.dataset.submitting = "1";
      form.requestSubmit();
    }
  });

  // When the server sends the row back in edit mode (say, an emptied title),
  // put the cursor back into the field.
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.elt;
    if (target && target.matches && target.matches("li.task.editing")) {
      var input = target.querySelector("input.edit");
      if (input) input.focus();
    }
  });

  // The element that issued a request. (When the swap has removed it, htmx
  // fires afterRequest again on its nearest remaining ancestor, and only that
  // second event reaches the document.)
  function issuer(event) {
    return (event.detail.requestConfig && event.detail.requestConfig.elt) || event.detail.elt;
  }

  // An edit that failed (say the network dropped) may be tried again.
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = issuer(event);
    if (form && form.classList && form.classList.contains("edit-form")) delete form.dataset.submitting;
  });

  // Adding: the field empties as soon as a task is sent, so the next one can
  // be typed straight away; what is typed meanwhile survives the fresh form
  // the server sends back (and is sent in turn if Enter was pressed), and a
  // failed request gives the text back.
  var sentTitle = null;
  var addRequest = null;
  var submitAgain = false;
  document.addEventListener("submit", function (event) {
    if (event.target.id === "new-task" && sentTitle !== null) submitAgain = true;
  }, true);
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt;
    if (!form || form.id !== "new-task") return;
    var input = form.querySelector("#new-title");
    addRequest = event.detail.xhr;
    sentTitle = input.value;
    input.value = "";
  });
  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    if (event.detail.target.id !== "new-task") return;
    var typed = event.detail.target.querySelector("#new-title");
    var fresh = event.detail.fragment.querySelector && event.detail.fragment.querySelector("#new-title");
    if (typed && fresh && typed.value && !fresh.value) fresh.value = typed.value;
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (!addRequest || event.detail.xhr !== addRequest) return;
    var input = document.getElementById("new-title");
    var failed = !event.detail.successful;
    if (failed && input && !input.value) input.value = sentTitle;
    sentTitle = addRequest = null;
    if (failed) submitAgain = false;
  });
  document.addEventListener("htmx:load", function (event) {
    // The fresh form is ready (htmx has processed it): send what was queued.
    var form = event.detail.elt;
    if (!submitAgain || !form || form.id !== "new-task") return;
    submitAgain = false;
    if (form.querySelector("#new-title").value.trim()) form.requestSubmit();
  });

  // Keyboard focus survives the swaps: after toggling, deleting, marking all
  // or clearing, focus returns to the same control (or, when its row has
  // gone, the neighbouring row, else the new-task field) instead of falling
  // back to the top of the page. htmx itself restores elements with an id.
  var CONTROLS = ["toggle", "destroy", "edit-link", "toggle-all-button", "clear-completed"];
  var focusMemo = null;

  function visible(element) {
    return element && !element.closest("[hidden]") && element.getClientRects().length > 0;
  }

  function rememberFocus() {
    var active = document.activeElement;
    if (!active || active === document.body || active.id) return null;
    var control = CONTROLS.filter(function (name) { return active.classList.contains(name); })[0];
    if (!control) return null;
    var row = active.closest("li.task");
    var rows = Array.prototype.slice.call(document.querySelectorAll("#task-list > li.task"));
    var index = rows.indexOf(row);
    var neighbours = index < 0 ? [] : rows.slice(index + 1).concat(rows.slice(0, index).reverse());
    return { control: control, rowId: row && row.id, neighbours: neighbours.map(function (r) { return r.id; }) };
  }

  function restoreFocus(memo) {
    if (!memo || (document.activeElement && document.activeElement !== document.body)) return;
    var target = null;
    if (memo.rowId) {
      var row = document.getElementById(memo.rowId);
      if (row) target = row.querySelector("." + memo.control);
      for (var i = 0; !visible(target) && i < memo.neighbours.length; i++) {
        var other = document.getElementById(memo.neighbours[i]);
        target = other && other.querySelector(".toggle");
      }
    } else {
      target = document.querySelector("." + memo.control);
    }
    if (!visible(target)) target = document.getElementById("new-title");
    if (target) target.focus();
  }

  document.addEventListener("htmx:beforeSwap", function () { focusMemo = rememberFocus(); });
  document.addEventListener("htmx:afterRequest", function () {
    var memo = focusMemo;
    focusMemo = null;
    restoreFocus(memo);
  });

  // Suggest the browser's time zone on sign-up.
  function fillTimezone(root) {
    root.querySelectorAll('input[data-fill="timezone"]').forEach(function (input) {
      if (!input.value && window.Intl) {
        input.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () { fillTimezone(document); });
  document.addEventListener("htmx:load", function (event) { fillTimezone(event.detail.elt); });
})();
