// Lists, with JavaScript: the sidebar as a drawer on a phone, dragging a task
// onto a list, and dragging the lists into another order. Without
// JavaScript the drawer's button is a link to /lists, a task moves from its
// page or the bulk bar, and a list moves from its settings page.
(function () {
  "use strict";
  var PHONE = window.matchMedia("(max-width: 47.99rem)");
  var opener = null;

  function csrfToken() {
    var main = document.getElementById("main");
    return main ? main.dataset.csrfToken : "";
  }

  // -- the drawer -------------------------------------------------------------

  function isOpen() { return document.documentElement.classList.contains("drawer-open"); }

  // Everything but the drawer is out of reach while it is open.
  function setInert(on) {
    document.querySelectorAll(".site-header, main > :not(.tasks-layout), .tasks-layout > :not(#sidebar)")
      .forEach(function (element) { element.inert = on; });
  }

  function backdrop() {
    var element = document.querySelector(".drawer-backdrop");
    if (!element) {
      element = document.createElement("div");
      element.className = "drawer-backdrop";
      element.hidden = true;
      element.addEventListener("click", function () { close(true); });
      document.body.appendChild(element);
    }
    return element;
  }

  function closeButton(sidebar) {
    var button = sidebar.querySelector(".drawer-close");
    if (!button) {
      button = document.createElement("button");
      button.type = "button";
      button.className = "drawer-close button secondary small";
      button.textContent = "Close";
      button.addEventListener("click", function () { close(true); });
      sidebar.insertBefore(button, sidebar.firstChild);
    }
    button.hidden = false;
    return button;
  }

  function open(button) {
    var sidebar = document.getElementById("sidebar");
    if (!sidebar) return;
    opener = button;
    document.documentElement.classList.add("drawer-open");
    button.setAttribute("aria-expanded", "true");
    backdrop().hidden = false;
    closeButton(sidebar);
    setInert(true);
    var here = sidebar.querySelector("a[aria-current]") || sidebar.querySelector("a");
    if (here) here.focus();
  }

  function close(giveFocusBack) {
    if (!isOpen()) return;
    document.documentElement.classList.remove("drawer-open");
    backdrop().hidden = true;
    var button = document.querySelector(".drawer-close");
    if (button) button.hidden = true;
    setInert(false);
    var toggle = document.querySelector(".drawer-button");
    if (toggle) toggle.setAttribute("aria-expanded", "false");
    if (giveFocusBack && opener && document.body.contains(opener)) opener.focus();
    opener = null;
  }

  function prepare(root) {
    var button = root.querySelector && root.querySelector(".drawer-button");
    if (button) {
      button.setAttribute("aria-controls", "sidebar");
      button.setAttribute("aria-expanded", "false");
    }
    enableDragging(root);
  }
  document.addEventListener("DOMContentLoaded", function () { prepare(document); });
  document.addEventListener("htmx:load", function (event) { prepare(event.detail.elt.parentNode || event.detail.elt); });

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".drawer-button");
    if (button && PHONE.matches && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
      event.preventDefault();
      event.stopPropagation();  // not a boosted navigation to /lists
      if (isOpen()) close(true); else open(button);
      return;
    }
    // A link in the drawer leads away: the drawer closes behind it.
    if (isOpen() && event.target.closest && event.target.closest("#sidebar a")) close(false);
  }, true);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && isOpen()) {
      event.preventDefault();
      close(true);
    }
  });
  PHONE.addEventListener("change", function () { if (!PHONE.matches) close(false); });
  // A boosted navigation swaps the body; <html> keeps its class, so drop it.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.target === document.body) close(false);
  });

  // -- dragging a task onto a list, and a list into another place -----------------

  var draggedTask = null;
  var draggedList = null;
  var listStart = null;

  function enableDragging(root) {
    if (!root.querySelectorAll || !document.getElementById("sidebar")) return;
    root.querySelectorAll("#task-list > li.task:not(.editing)").forEach(function (row) { row.draggable = true; });
    root.querySelectorAll("#sidebar ul[aria-labelledby] > li").forEach(function (item) { item.draggable = true; });
  }

  function taskUrl(row) {
    var link = row.querySelector("a.title");
    return link ? link.getAttribute("href").split("?")[0] : null;
  }

  document.addEventListener("dragstart", function (event) {
    var target = event.target.closest ? event.target : event.target.parentElement;
    var row = target && target.closest("#task-list > li.task");
    if (row && !PHONE.matches) {
      draggedTask = row;
      document.documentElement.classList.add("dragging-task");
      event.dataTransfer.effectAllowed = "move";
      return;
    }
    var item = target && target.closest("#sidebar ul[aria-labelledby] > li");
    if (item) {
      draggedList = item;
      listStart = item.previousElementSibling;
      item.classList.add("dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", item.querySelector("a").textContent);
    }
  });

  // A list's link in the sidebar, and the list's id (from its URL, /tasks?list=<id>).
  function listId(link) {
    var match = /[?&]list=(\d+)/.exec(link.getAttribute("href") || "");
    return match ? match[1] : null;
  }

  function dropTarget(event) {
    var link = event.target.closest && event.target.closest("#sidebar li > a:first-child");
    return link && listId(link) ? link : null;
  }

  document.addEventListener("dragover", function (event) {
    if (draggedTask) {
      var link = dropTarget(event);
      document.querySelectorAll("#sidebar a.drop-target").forEach(function (other) {
        if (other !== link) other.classList.remove("drop-target");
      });
      if (link) {
        event.preventDefault();
        event.dataTransfer.dropEffect = "move";
        link.classList.add("drop-target");
      }
    } else if (draggedList) {
      var over = event.target.closest && event.target.closest("#sidebar ul[aria-labelledby] > li");
      if (!over || over.parentNode !== draggedList.parentNode) return;
      event.preventDefault();
      if (over === draggedList) return;
      var box = over.getBoundingClientRect();
      over.parentNode.insertBefore(draggedList, event.clientY - box.top > box.height / 2 ? over.nextSibling : over);
    }
  });

  document.addEventListener("drop", function (event) {
    if (draggedList) event.preventDefault();
    if (!draggedTask) return;
    var link = dropTarget(event);
    if (!link) return;
    event.preventDefault();
    var row = draggedTask;
    var url = taskUrl(row);
    if (url && window.htmx) {
      // Answered like an edit: the row stays (another list shown) or goes
      // (this list shown), and the sidebar's counts follow.
      htmx.ajax("POST", url, { source: row, values: { list_id: listId(link) } });
    }
  });

  document.addEventListener("dragend", function () {
    document.documentElement.classList.remove("dragging-task");
    document.querySelectorAll("#sidebar a.drop-target").forEach(function (link) { link.classList.remove("drop-target"); });
    draggedTask = null;
    if (!draggedList) return;
    var item = draggedList;
    draggedList = null;
    item.classList.remove("dragging");
    if (item.previousElementSibling === listStart) return;  // back where it was
    var previous = item.previousElementSibling;
    var body = new FormData();
    body.append("after", previous ? listId(previous.querySelector("a")) : "");
    body.append("csrf_token", csrfToken());
    var settings = item.querySelector(".nav-edit");  // /lists/<id>, the list's settings
    if (!settings) return;
    fetch(settings.getAttribute("href") + "/move", {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "HX-Request": "true", "X-CSRFToken": csrfToken() }
    }).then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
    }).catch(function () {
      window.alert("The new order of your lists could not be saved. The page will reload to show the saved order.");
      window.location.reload();
    });
  });
})();
