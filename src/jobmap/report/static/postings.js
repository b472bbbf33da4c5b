// The report's table of found postings: sort by a click on a column's header (again: the other
// way), filter by typing (every word must appear in the row). No network, no library; the page
// works without it (the table is plain HTML, sorted by score).
(function () {
  "use strict";
  var table = document.getElementById("postings");
  if (!table) return;
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var input = document.getElementById("postings-filter");
  var count = document.getElementById("postings-count");
  var total = rows.length;
  var texts = rows.map(function (r) { return r.textContent.toLowerCase(); });

  function value(row, index, numeric) {
    var cell = row.cells[index];
    var raw = cell.getAttribute("data-value");
    if (raw === null) raw = cell.textContent;
    if (numeric) {
      var n = parseFloat(raw);
      return isNaN(n) ? null : n;
    }
    return raw.trim() ? raw.toLowerCase() : null;
  }

  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
    th.tabIndex = 0;
    function sort() {
      var numeric = th.getAttribute("data-type") === "number";
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (other) {
        other.removeAttribute("aria-sort");
      });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var order = rows.map(function (r, i) { return i; });
      order.sort(function (a, b) {
        var x = value(rows[a], index, numeric), y = value(rows[b], index, numeric);
        // an empty cell (no salary) goes last whichever way the column is sorted
        if (x === null || y === null) return x === y ? a - b : x === null ? 1 : -1;
        if (x === y) return a - b;
        var c = x < y ? -1 : 1;
        return ascending ? c : -c;
      });
      var reordered = order.map(function (i) { return rows[i]; });
      var reorderedTexts = order.map(function (i) { return texts[i]; });
      rows = reordered;
      texts = reorderedTexts;
      rows.forEach(function (r) { body.appendChild(r); });
    }
    th.addEventListener("click", sort);
    th.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sort(); }
    });
  });

  function filter() {
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    rows.forEach(function (r, i) {
      var keep = words.every(function (w) { return texts[i].indexOf(w) >= 0; });
      r.hidden = !keep;
      if (keep) shown += 1;
    });
    count.textContent = words.length
      ? shown.toLocaleString("en-US") + " of " + total.toLocaleString("en-US") + " postings"
      : total.toLocaleString("en-US") + " postings";
  }
  if (input) input.addEventListener("input", filter);
})();
