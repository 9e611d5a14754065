// Docket's small layer of behaviour on top of htmx. Everything here is an
// enhancement: with JavaScript off, every action is a plain form post.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // htmx wires up swapped-in content (hx-post, hx-get, boosting) only when
  // it settles, by default 20 ms after the swap. Until then a new control
  // is dead: the Undo that just appeared was a plain form post (a whole
  // new page, focus in the new-task field), the Cancel of an editor just
  // put back with an error did nothing (Escape was lost and the editor
  // stuck). A key press is often handled before that timer, above all on
  // a busy machine. Docket has no settle transitions, so it settles at once:
  // new content works the moment it is on the screen.
  if (window.htmx) htmx.config.defaultSettleDelay = 0;

  function csrfToken() {
    // The token lives in <main> too, because boosted navigation swaps the
    // body but keeps the <head> of the first page.
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
    409: "Docket is busy with that already. Please wait a moment.",
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

  // Changes to the list go to the server one at a time, in the order the
  // person made them, each with the values it had when it was made. So fast
  // typing, rapid toggles and double clicks land exactly as meant, whatever
  // the network's delay.
  var queue = Promise.resolve();
  function enqueue(send) {
    queue = queue.then(send).catch(function () {});
  }

  function rowOf(element) { return element.closest && element.closest("li.task"); }

  // The element to send from when its turn comes: the same control, found
  // again by its row (an earlier answer may have swapped the row).
  function finder(control) {
    var row = rowOf(control);
    if (!row) return function () { return document.body.contains(control) ? control : document.getElementById(control.id); };
    var rowId = row.id, kind = control.classList[0];
    return function () {
      var current = document.getElementById(rowId);
      return current && current.querySelector("." + kind);
    };
  }

  // Buttons of the list form post their formaction through htmx, aimed by
  // the hx-target around them (a row, or the list section).
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[formaction]");
    if (!button || !button.form || button.form.id !== "list" || !window.htmx || event.defaultPrevented) return;
    event.preventDefault();
    var url = button.getAttribute("formaction");
    var values = {};
    if (button.name) values[button.name] = button.value;
    if (button.classList.contains("toggle")) showToggled(button);
    var find = finder(button);
    enqueue(function () {
      var source = find();
      if (!source) return null;  // its row has gone meanwhile
      return htmx.ajax("POST", url, { source: source, values: values });
    });
  });

  // A toggle shows its new state at once; the button's next press asks for
  // the opposite (its URL ends in /complete or /reopen), and the server's
  // answer settles it.
  function showToggled(button) {
    var done = button.getAttribute("aria-pressed") !== "true";
    button.setAttribute("aria-pressed", done ? "true" : "false");
    button.setAttribute("formaction", button.getAttribute("formaction").replace(/\/(complete|reopen)$/, done ? "/reopen" : "/complete"));
    var row = rowOf(button);
    if (row) row.classList.toggle("completed", done);
  }

  // Adding: the field empties the moment a task is sent, so the next one can
  // be typed straight away; each add carries exactly what was typed for it.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.id !== "new-task" || !window.htmx) return;
    event.preventDefault();
    event.stopPropagation();  // htmx's own handler would read the field later
    var input = form.querySelector("#new-title");
    var values = {};
    new FormData(form).forEach(function (value, name) { values[name] = value; });
    // The title, due date and priority start afresh for the next task (not
    // form.reset(): after a refusal the defaults are the refused values).
    input.value = "";
    form.querySelectorAll("input[type=date]").forEach(function (field) { field.value = ""; });
    form.querySelectorAll("select").forEach(function (field) { field.selectedIndex = 0; });
    form.querySelectorAll(".field-error").forEach(function (error) { error.remove(); });
    form.querySelectorAll("[aria-invalid]").forEach(function (field) {
      field.removeAttribute("aria-invalid");
      field.removeAttribute("aria-describedby");
    });
    enqueue(function () {
      var current = document.getElementById("new-task");
      return current && htmx.ajax("POST", current.getAttribute("action"), { source: current, values: values })
        .then(function () { return null; }, function () { giveBack(values.title); });
    });
  }, true);

  function giveBack(title) {
    var input = document.getElementById("new-title");
    if (input && !input.value) input.value = title;
    else showToast("“" + title + "” was not saved. Please add it again.");
  }
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (form && form.id === "new-task" && !event.detail.successful && status !== 422 && status !== 0) {
      var sent = event.detail.requestConfig && event.detail.requestConfig.parameters;
      if (sent && sent.title) giveBack(sent.title);
    }
  });
  // A refused add comes back with its error; keep anything typed since.
  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    if (event.detail.target.id !== "new-task") return;
    var typed = document.getElementById("new-title");
    var fresh = event.detail.fragment.querySelector && event.detail.fragment.querySelector("#new-title");
    if (typed && fresh && typed.value) fresh.value = typed.value;
  });

  // Inline editing: a click on a title opens the row's editor, fetched when
  // asked for (without JavaScript the title links to the task's page).
  // Enter saves, Escape cancels, and leaving a changed editor saves it.
  function openEditor(row) {
    var link = row && row.querySelector("a.title");
    if (!link || !window.htmx) return;
    // Sent from the row, not the (boosted) link: this asks for a fragment.
    htmx.ajax("GET", link.getAttribute("href"), { source: row, target: row, swap: "outerHTML", values: { edit: "1" } });
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("#task-list a.title");
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    event.stopPropagation();  // not a boosted navigation
    openEditor(rowOf(link));
  }, true);

  function changed(form) {
    return Array.prototype.some.call(form.querySelectorAll("[data-original]"), function (field) {
      var value = field.classList.contains("edit") ? field.value.trim() : field.value;
      return value !== field.dataset.original;
    });
  }
  function cancelEditing(form) {
    var cancel = form.querySelector(".cancel-edit");
    if (cancel && !form.dataset.closing) {
      form.dataset.closing = "1";
      cancel.click();
    }
  }

  document.addEventListener("keydown", function (event) {
    var form = event.target.closest && event.target.closest("form.edit-form");
    if (!form || event.key !== "Escape") return;
    event.preventDefault();
    cancelEditing(form);
  });
  document.addEventListener("submit", function (event) {
    if (event.target.classList && event.target.classList.contains("edit-form")) event.target.dataset.closing = "1";
  }, true);

  // Leaving the editor (not just moving between its fields) saves a change
  // or, when nothing changed, quietly closes it.
  document.addEventListener("focusout", function (event) {
    var form = event.target.closest && event.target.closest("form.edit-form");
    if (!form || form.dataset.closing || (event.relatedTarget && form.contains(event.relatedTarget))) return;
    if (!document.hasFocus()) return;  // the window lost focus, not the editor
    if (changed(form)) {
      form.dataset.closing = "1";
      form.requestSubmit();
    } else {
      cancelEditing(form);
    }
  });
  // An editor that failed to save (say the network dropped) may be tried again.
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt && event.detail.elt.closest && event.detail.elt.closest("form.edit-form");
    if (form && !event.detail.successful) delete form.dataset.closing;
  });

  // Keyboard focus survives the swaps: it returns to the same control in the
  // same row (or its title), else to a neighbouring row, else to the
  // new-task field; never to the top of the page.
  var focusMemo = null;

  function visible(element) {
    return element && !element.closest("[hidden]") && element.getClientRects().length > 0;
  }

  function rememberFocus() {
    var active = document.activeElement;
    if (!active || active === document.body) return null;
    var undo = active.closest("#undo form");
    if (undo) return { rowId: undo.dataset.focusRow || null, kind: "title", neighbours: [] };
    if (active.id && !active.closest("li.task")) return null;  // htmx keeps elements with an id
    var row = active.closest("li.task");
    var kind = active.classList[0];
    if (!row) return kind ? { rowId: null, kind: kind, neighbours: [] } : null;
    var rows = Array.prototype.slice.call(document.querySelectorAll("#task-list > li.task"));
    var index = rows.indexOf(row);
    var neighbours = rows.slice(index + 1).concat(rows.slice(0, index).reverse());
    return { rowId: row.id, kind: kind, neighbours: neighbours.map(function (r) { return r.id; }) };
  }

  function restoreFocus(memo) {
    if (!memo) return;
    var active = document.activeElement;
    // Only focus that is really gone is moved. (Undo's own answer empties
    // #undo, so the button is gone when that answer settles; while any other
    // answer settles, focus on Undo is left where the person put it.)
    if (active && active !== document.body && active.isConnected) return;
    var target = null;
    if (memo.rowId) {
      var row = document.getElementById(memo.rowId);
      if (row) target = row.querySelector("input.edit") || row.querySelector("." + memo.kind) || row.querySelector("a.title");
      for (var i = 0; !visible(target) && i < memo.neighbours.length; i++) {
        var other = document.getElementById(memo.neighbours[i]);
        target = other && other.querySelector(".toggle");
      }
    }
    if (!visible(target) && memo.kind) target = document.querySelector("#task-section ." + memo.kind);
    if (!visible(target)) target = document.querySelector("#task-list .toggle");
    if (!visible(target)) target = document.getElementById("new-title");
    if (target) target.focus();
  }

  // The memo is of where focus was just before the latest swap. An older
  // one that was never used (an error answer is not swapped, so it never
  // settles; a swap may be given its own settle delay) must not outlive it:
  // focus has moved since (say onto Undo), and the old memo would send it
  // back. Only when focus is already lost to an earlier swap, still to
  // settle, does that swap's memo stand.
  document.addEventListener("htmx:beforeSwap", function () {
    var active = document.activeElement;
    if (focusMemo && (!active || active === document.body)) return;
    focusMemo = rememberFocus();
  });
  document.addEventListener("htmx:afterSettle", function () {
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

// Labels are typed comma-separated ("home, errands"), but a <datalist>
// suggests whole values: so, as a person types after a comma, the field's
// suggestions become what is typed so far plus each label not yet in it.
// Without JavaScript the suggestions still help with the first label.
(function () {
  "use strict";

  function known(list) {
    if (!list.dataset.names) {
      var names = Array.prototype.map.call(list.options, function (option) { return option.value; });
      list.dataset.names = JSON.stringify(names);
    }
    return JSON.parse(list.dataset.names);
  }

  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.classList || !input.classList.contains("labels-input") || !input.list) return;
    var list = input.list;
    var names = known(list);
    var value = input.value;
    var cut = value.lastIndexOf(",");
    var before = cut < 0 ? "" : value.slice(0, cut + 1) + " ";
    var typed = (cut < 0 ? value : value.slice(cut + 1)).trim().toLowerCase();
    var taken = value.slice(0, cut + 1).split(",").map(function (name) { return name.trim().toLowerCase(); });
    var options = document.createDocumentFragment();
    names.forEach(function (name) {
      var lower = name.toLowerCase();
      if (taken.indexOf(lower) >= 0 || (typed && lower.indexOf(typed) < 0)) return;
      var option = document.createElement("option");
      option.value = before + name;
      options.appendChild(option);
    });
    list.replaceChildren(options);
  });
})();
