// Legajo: a little progressive JavaScript. Every page works without it.
"use strict";
document.addEventListener("click", function (e) {
  var add = e.target.closest("[data-add-row]");
  if (add) {
    e.preventDefault();
    var table = document.getElementById(add.getAttribute("data-add-row"));
    var body = table.tBodies[0];
    var last = body.rows[body.rows.length - 1];
    var row = last.cloneNode(true);
    var n = body.rows.length;
    row.querySelectorAll("input, select, textarea").forEach(function (el) {
      el.name = el.name.replace(/\.\d+\./, "." + n + ".");
      if (el.id) { el.id = el.id.replace(/\.\d+\./, "." + n + "."); }
      if (el.tagName === "SELECT") { el.selectedIndex = 0; } else { el.value = ""; }
    });
    body.appendChild(row);
    var first = row.querySelector("input, select, textarea");
    if (first) { first.focus(); }
    return;
  }
  var del = e.target.closest("[data-remove-row]");
  if (del) {
    e.preventDefault();
    var tr = del.closest("tr");
    var tbody = tr.parentNode;
    if (tbody.rows.length > 1) { tbody.removeChild(tr); } else {
      tr.querySelectorAll("input, textarea").forEach(function (el) { el.value = ""; });
    }
  }
});
// Long exports show that they are working.
// Downloads do not leave the page, so the indicator goes when it regains
// focus or after a while.
document.addEventListener("submit", function (e) {
  var form = e.target;
  if (!form.hasAttribute("data-busy")) { return; }
  form.classList.add("busy");
  var done = function () { form.classList.remove("busy"); };
  window.addEventListener("focus", done, { once: true });
  setTimeout(done, 60000);
});
