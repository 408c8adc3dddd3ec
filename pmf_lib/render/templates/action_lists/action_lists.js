/* pmf action lists: sortable, filterable tables, offline (no network, no libraries).
   Allowed by its SHA-256 hash in the page's Content-Security-Policy. */
(function () {
  "use strict";
  function cellKey(cell) {
    var v = cell.getAttribute("data-sort");
    return v === null ? cell.textContent.trim() : v;
  }
  function compare(a, b, numeric) {
    if (a === b) { return 0; }
    if (a === "") { return 1; }
    if (b === "") { return -1; }
    if (numeric) { return parseFloat(a) - parseFloat(b); }
    return a.localeCompare(b, "en-GB");
  }
  function sortBy(table, col, button) {
    var tbody = table.tBodies[0];
    var th = button.parentNode;
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    var numeric = th.getAttribute("data-type") === "number";
    var rows = Array.prototype.slice.call(tbody.rows);
    rows.sort(function (r1, r2) {
      var c = compare(cellKey(r1.cells[col]), cellKey(r2.cells[col]), numeric);
      return ascending ? c : -c;
    });
    rows.forEach(function (r) { tbody.appendChild(r); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) {
      h.removeAttribute("aria-sort");
    });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }
  function filter(table, input, counter) {
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    Array.prototype.forEach.call(table.tBodies[0].rows, function (r) {
      var text = r.textContent.toLowerCase();
      var keep = words.every(function (w) { return text.indexOf(w) !== -1; });
      r.hidden = !keep;
      if (keep) { shown += 1; }
    });
    if (counter) { counter.textContent = shown + " of " + table.tBodies[0].rows.length + " rows shown"; }
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.pmf-action-list"), function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
      var label = th.textContent.trim();
      var button = document.createElement("button");
      button.type = "button";
      button.className = "pmf-sort";
      button.textContent = label;
      button.setAttribute("aria-label", "Sort by " + label);
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () { sortBy(table, col, button); });
    });
    var box = document.getElementById(table.id + "-filter");
    var counter = document.getElementById(table.id + "-shown");
    if (box) {
      box.hidden = false;
      var input = box.querySelector("input");
      input.addEventListener("input", function () { filter(table, input, counter); });
    }
  });
})();
