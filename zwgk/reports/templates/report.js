// zwgk report: sortable tables and filters. No network, no libraries; everything works without
// it too (tables simply stay in their printed order and every row stays visible).
(function () {
  "use strict";
  function cellValue(row, index, numeric) {
    var cell = row.children[index];
    if (!cell) { return numeric ? -Infinity : ""; }
    var v = cell.getAttribute("data-v");
    if (v === null) { v = cell.textContent.trim(); }
    if (numeric) { var n = parseFloat(v); return isNaN(n) ? -Infinity : n; }
    return v;
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var heads = table.querySelectorAll("thead th[data-sort]");
    heads.forEach(function (th) {
      th.tabIndex = 0;
      function sort() {
        var index = Array.prototype.indexOf.call(th.parentNode.children, th);
        var numeric = th.getAttribute("data-sort") === "num";
        var asc = th.getAttribute("aria-sort") !== "ascending";
        heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = cellValue(a, index, numeric), y = cellValue(b, index, numeric);
          var r = numeric ? x - y : String(x).localeCompare(String(y), "zh-CN");
          return asc ? r : -r;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sort(); } });
    });
  });
  function applyFilters(scope) {
    var root = document.getElementById(scope);
    if (!root) { return; }
    var selects = document.querySelectorAll("select.filter[data-for='" + scope + "']");
    var items = root.querySelectorAll("[data-item]");
    var shown = 0;
    items.forEach(function (el) {
      var ok = true;
      selects.forEach(function (s) {
        var want = s.value;
        if (!want) { return; }
        var have = (el.getAttribute("data-" + s.getAttribute("data-attr")) || "").split(" ");
        if (have.indexOf(want) < 0) { ok = false; }
      });
      el.hidden = !ok;
      if (ok) { shown += 1; }
    });
    var filtering = Array.prototype.some.call(selects, function (s) { return s.value; });
    root.querySelectorAll("[data-group]").forEach(function (g) {
      g.hidden = g.querySelectorAll("[data-item]:not([hidden])").length === 0;
      if (filtering && !g.hidden && g.tagName === "DETAILS") { g.open = true; }
    });
    var counter = document.querySelector("[data-count-for='" + scope + "']");
    if (counter) { counter.textContent = "显示 " + shown + " / " + items.length; }
  }
  document.querySelectorAll("select.filter").forEach(function (s) {
    s.addEventListener("change", function () { applyFilters(s.getAttribute("data-for")); });
    applyFilters(s.getAttribute("data-for"));
  });
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details").forEach(function (d) { d.open = true; });
  });
}());
