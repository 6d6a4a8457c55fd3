/* The visit form's repeatable demand rows (strict CSP: no inline script).

   Without JavaScript the page offers one demand row. With it, "add another demand" copies
   the <template id="demand-template"> row, numbering its fields demand-<n>-title / -kind /
   -description from #demand-rows' data-next-index, and each row gets a "remove" button
   (hidden while only one row is left). The server reads whichever numbers arrive. */
(function () {
  "use strict";
  var rows = document.getElementById("demand-rows");
  var template = document.getElementById("demand-template");
  var add = document.getElementById("demand-add");
  if (!rows || !template || !add) { return; }
  var next = parseInt(rows.getAttribute("data-next-index"), 10) || rows.children.length;

  function refresh() {
    var all = rows.querySelectorAll("[data-demand-row]");
    all.forEach(function (row) {
      var button = row.querySelector("[data-demand-remove]");
      if (button) { button.classList.toggle("d-none", all.length < 2); }
    });
  }

  function wire(row) {
    var button = row.querySelector("[data-demand-remove]");
    if (!button) { return; }
    button.addEventListener("click", function () {
      row.remove();
      refresh();
    });
  }

  add.addEventListener("click", function () {
    var html = template.innerHTML.split("__N__").join(String(next));
    next += 1;
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    var row = holder.firstElementChild;
    if (!row) { return; }
    rows.appendChild(row);
    wire(row);
    refresh();
    var title = row.querySelector("input[type=text]");
    if (title) { title.focus(); }
  });

  rows.querySelectorAll("[data-demand-row]").forEach(wire);
  add.classList.remove("d-none");
  refresh();
})();
