// Drag and drop in "My order". Without JavaScript the ↑/↓ buttons do the same.
(function () {
  "use strict";
  var dragged = null;
  var start = null;  // the row above the dragged one when the drag began

  function csrfToken() {
    var main = document.getElementById("main");
    return main ? main.dataset.csrfToken : "";
  }

  function enable(root) {
    root.querySelectorAll("li.task[data-move-url]").forEach(function (row) { row.draggable = true; });
  }
  document.addEventListener("DOMContentLoaded", function () { enable(document); });
  document.addEventListener("htmx:load", function (event) { enable(event.detail.elt.parentNode || event.detail.elt); });

  document.addEventListener("dragstart", function (event) {
    var row = event.target.closest && event.target.closest("li.task[data-move-url]");
    if (!row) return;
    dragged = row;
    start = row.previousElementSibling;
    row.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", row.id);
  });

  document.addEventListener("dragover", function (event) {
    if (!dragged) return;
    var over = event.target.closest && event.target.closest("li.task[data-move-url]");
    if (!over) return;
    event.preventDefault();
    if (over === dragged) return;
    var box = over.getBoundingClientRect();
    var below = event.clientY - box.top > box.height / 2;
    over.parentNode.insertBefore(dragged, below ? over.nextSibling : over);
  });

  document.addEventListener("drop", function (event) {
    if (dragged) event.preventDefault();
  });

  document.addEventListener("dragend", function () {
    if (!dragged) return;
    var row = dragged;
    dragged = null;
    row.classList.remove("dragging");
    var previous = row.previousElementSibling;
    if (previous === start) return;  // dropped where it was (or onto a list in the sidebar)
    var body = new FormData();
    body.append("after", previous && previous.id.indexOf("task-") === 0 ? previous.id.slice(5) : "");
    body.append("csrf_token", csrfToken());
    fetch(row.dataset.moveUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "HX-Request": "true", "X-CSRFToken": csrfToken() }
    }).then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
    }).catch(function () {
      window.alert("The new order could not be saved. The page will reload to show the saved order.");
      window.location.reload();
    });
  });
})();
