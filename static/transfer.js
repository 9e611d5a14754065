// The import form on /account. While a file is on its way the button is
// disabled (a double-click must not import twice) and a bar shows the upload.
// Works whether htmx sends the form (boosted) or the browser does; without
// JavaScript it is a plain multipart POST and the server refuses a repeat.
(function () {
  "use strict";
  // Loaded twice (a page's own tag and a global one), the second copy would
  // see the first one's "busy" mark and refuse the very submit it started.
  if (window.docketTransfer) return;
  window.docketTransfer = true;
  var FORM = "form[data-import-form]";

  function isImportForm(element) {
    return !!(element && element.matches && element.matches(FORM));
  }

  function parts(form) {
    return {
      button: form.querySelector("button[type=submit]"),
      bar: form.querySelector("progress"),
      status: form.querySelector("[data-import-status]")
    };
  }

  function say(form, text) {
    var status = parts(form).status;
    if (status) status.textContent = text;
  }

  function setBusy(form, busy) {
    var p = parts(form);
    if (busy) form.setAttribute("data-busy", "");
    else form.removeAttribute("data-busy");
    form.removeAttribute("data-uploaded");
    form.setAttribute("aria-busy", busy ? "true" : "false");
    if (p.button) {
      if (!p.button.dataset.label) p.button.dataset.label = p.button.textContent;
      p.button.disabled = busy;
      p.button.textContent = busy ? "Importing…" : p.button.dataset.label;
    }
    if (p.bar) {
      p.bar.hidden = !busy;
      p.bar.removeAttribute("value"); // indeterminate until the first progress report
    }
    say(form, busy ? "Uploading…" : "");
  }

  function megabytes(bytes) {
    return (bytes / 1048576).toFixed(1).replace(/\.0$/, "") + " MB";
  }

  // Capture phase: this runs before htmx's own submit handler on the form,
  // so a refused submit never reaches htmx at all.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!isImportForm(form)) return;
    var refuse = function (text) {
      event.preventDefault();
      event.stopImmediatePropagation();
      if (text) say(form, text);
    };
    if (form.hasAttribute("data-busy")) return refuse(null); // the second click of a double-click
    var input = form.querySelector("input[type=file]");
    var file = input && input.files && input.files[0];
    var max = Number(form.dataset.maxBytes || 0);
    if (file && max && file.size > max) {
      return refuse("That file is " + megabytes(file.size) + "; Docket accepts files up to " + megabytes(max) + ".");
    }
    setBusy(form, true);
  }, true);

  // htmx reports the upload (and then the download of the answer) as it goes.
  document.addEventListener("htmx:xhr:progress", function (event) {
    var form = event.target;
    if (!isImportForm(form) || form.hasAttribute("data-uploaded")) return;
    var bar = parts(form).bar;
    var detail = event.detail;
    if (!bar || !detail.lengthComputable || !detail.total) return;
    if (detail.loaded >= detail.total) {
      // Sent: what is left is the server's work, which has no measure.
      form.setAttribute("data-uploaded", "");
      bar.removeAttribute("value");
      say(form, "Adding your tasks…");
    } else {
      bar.max = detail.total;
      bar.value = detail.loaded;
    }
  });

  // "Imported moments ago" (409) is a page with the message next to the
  // file field, like a 422: show it rather than treating it as a failure.
  // htmx:beforeSwap fires on the target (the body), so the import's request
  // is recognised by its XMLHttpRequest, noted when it started.
  var importRequests = new WeakSet();
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (isImportForm(event.detail.elt)) importRequests.add(event.detail.xhr);
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (importRequests.has(event.detail.xhr) && event.detail.xhr.status === 409) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // An answer that was not swapped in (413, 429, 5xx, no connection) leaves
  // the form on the page: make it usable again. app.js says what went wrong.
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (isImportForm(form)) setBusy(form, false);
  });

  // Back to a page kept in the browser's cache after a plain submit.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll(FORM).forEach(function (form) { setBusy(form, false); });
  });
}());
