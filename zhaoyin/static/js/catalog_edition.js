/* The catalog edition's item picker (strict CSP: no inline script).

   The form posts the ticked items' checkboxes (name="items") in the order of the rows, which
   is the brochure's order. Without JavaScript the rows keep the server's order (the chosen
   items first). With it, a row moves by dragging (HTML5 drag and drop) or with its up and
   down buttons (the keyboard's way); moving a row ticks nothing and unticks nothing, and the
   focus stays on the button pressed. */
(function () {
  "use strict";
  var body = document.getElementById("edition-candidates");
  if (!body) { return; }
  var dragged = null;

  body.querySelectorAll("[data-move], .zy-drag-handle").forEach(function (el) {
    el.classList.remove("d-none");
  });

  body.addEventListener("click", function (event) {
    var button = event.target.closest("[data-move]");
    if (!button) { return; }
    var row = button.closest("tr");
    if (button.getAttribute("data-move") === "up" && row.previousElementSibling) {
      body.insertBefore(row, row.previousElementSibling);
    } else if (button.getAttribute("data-move") === "down" && row.nextElementSibling) {
      body.insertBefore(row.nextElementSibling, row);
    }
    button.focus();
  });

  body.addEventListener("dragstart", function (event) {
    dragged = event.target.closest("tr");
    if (!dragged) { return; }
    dragged.classList.add("zy-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged.getAttribute("data-item") || "");
  });

  body.addEventListener("dragover", function (event) {
    if (!dragged) { return; }
    event.preventDefault();
    var over = event.target.closest("tr");
    if (!over || over === dragged) { return; }
    var box = over.getBoundingClientRect();
    var after = event.clientY > box.top + box.height / 2;
    body.insertBefore(dragged, after ? over.nextElementSibling : over);
  });

  body.addEventListener("drop", function (event) { event.preventDefault(); });

  body.addEventListener("dragend", function () {
    if (dragged) { dragged.classList.remove("zy-dragging"); }
    dragged = null;
  });
})();
