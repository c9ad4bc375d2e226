// Legajo: a little progressive JavaScript. Every page works without it.
"use strict";
document.addEventListener("click", function (e) {
  var add = e.target.closest("[data-add-row]");
  if (add) {
    e.preventDefault();
    var row = addRow(document.getElementById(add.getAttribute("data-add-row")));
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
    // Rows are numbered in order, so an added row never takes the number
    // of one still there.
    Array.prototype.forEach.call(tbody.rows, function (row, n) {
      row.querySelectorAll("input, select, textarea").forEach(function (el) {
        el.name = el.name.replace(/\.\d+\./, "." + n + ".");
      });
    });
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

// Drafts. The form of a new document is a draft this tab keeps in
// sessionStorage, under the form's path, with the idempotency key the
// server gave it when it was first opened. Back, a reload or a second click
// send the same key with the same rows, and the server issues one folio;
// once issued, the draft remembers its folio and a new submit shows that
// document. Passwords are never kept.
var draftPrefix = "legajo:borrador:";

function draftRead(id) {
  try { return JSON.parse(sessionStorage.getItem(draftPrefix + id) || "null"); } catch (e) { return null; }
}

function draftWrite(id, d) {
  try { sessionStorage.setItem(draftPrefix + id, JSON.stringify(d)); } catch (e) { /* storage full or off */ }
}

function draftCapture(form, folio) {
  var d = { key: form.elements.clave.value, folio: folio || "", values: [], rows: {} };
  form.querySelectorAll("table.rows").forEach(function (t) { d.rows[t.id] = t.tBodies[0].rows.length; });
  Array.prototype.forEach.call(form.elements, function (el) {
    if (!el.name || el.type === "password" || el.type === "hidden" || el.type === "file" ||
        el.type === "submit" || el.type === "button") { return; }
    d.values.push([el.name, el.value]);
  });
  return d;
}

function addRow(table) {
  var body = table.tBodies[0];
  var row = body.rows[body.rows.length - 1].cloneNode(true);
  var n = body.rows.length;
  row.querySelectorAll("input, select, textarea").forEach(function (el) {
    el.name = el.name.replace(/\.\d+\./, "." + n + ".");
    if (el.id) { el.id = el.id.replace(/\.\d+\./, "." + n + "."); }
    if (el.tagName === "SELECT") { el.selectedIndex = 0; } else { el.value = ""; }
    el.classList.remove("over");
  });
  body.appendChild(row);
  return row;
}

function draftRestore(form, d) {
  form.elements.clave.value = d.key;
  Object.keys(d.rows || {}).forEach(function (id) {
    var t = document.getElementById(id);
    if (!t) { return; }
    while (t.tBodies[0].rows.length < d.rows[id]) { addRow(t); }
  });
  (d.values || []).forEach(function (kv) {
    var el = form.elements.namedItem(kv[0]);
    if (el && el.type !== "password" && el.type !== "hidden") { el.value = kv[1]; }
  });
}

function draftShow(form, d) {
  var box = document.getElementById("borrador-emitido");
  form.elements.folio_emitido.value = d && d.folio ? d.folio : "";
  if (!box) { return; }
  box.hidden = !(d && d.folio);
  if (d && d.folio) {
    var a = box.querySelector("[data-folio-link]");
    a.textContent = d.folio;
    a.href = "/documentos/" + d.folio.replace(/\//g, "-");
  }
}

(function () {
  var form = document.querySelector("form[data-draft]");
  if (!form) { return; }
  var id = form.getAttribute("data-draft");
  var stored = draftRead(id);
  var d;
  if (form.hasAttribute("data-posted")) {
    // The server sent the submitted form back (with errors): it is the draft.
    d = draftCapture(form, stored && stored.key === form.elements.clave.value ? stored.folio : "");
    // Back or a reload then asks for the form again instead of resending it.
    history.replaceState(null, "", location.pathname);
  } else if (new URLSearchParams(location.search).has("nuevo")) {
    d = draftCapture(form, "");
    history.replaceState(null, "", location.pathname);
  } else if (stored) {
    // Back, a reload, or coming back to a draft: what was typed, with its
    // key. A new document starts from the menu («?nuevo»).
    draftRestore(form, stored);
    d = stored;
    document.getElementById("borrador-recuperado").hidden = !!stored.folio;
  } else {
    d = draftCapture(form, "");
  }
  draftWrite(id, d);
  draftShow(form, d);
  form.querySelectorAll("[data-limit]").forEach(count);

  var save = function () { draftWrite(id, draftCapture(form, (draftRead(id) || {}).folio)); };
  form.addEventListener("input", save);
  form.addEventListener("change", save);
  form.addEventListener("click", function (e) {
    if (e.target.closest("[data-add-row], [data-remove-row]")) { setTimeout(save, 0); }
  });
  document.querySelectorAll("[data-new-draft]").forEach(function (a) {
    a.addEventListener("click", function () { sessionStorage.removeItem(draftPrefix + id); });
  });
  // Back may show this page from the browser's memory, as it was left.
  window.addEventListener("pageshow", function (e) {
    if (!e.persisted) { return; }
    delete form.dataset.sending;
    form.classList.remove("busy");
    draftShow(form, draftRead(id));
  });
  // A double click sends the form once.
  form.addEventListener("submit", function (e) {
    if (e.submitter && e.submitter.value === "vista-previa") { return; }
    if (form.dataset.sending) { e.preventDefault(); return; }
    form.dataset.sending = "1";
    form.classList.add("busy");
  });
  // «Vista previa» opens the PDF in a new tab; a form with mistakes shows
  // them here, beside each field, instead.
  var preview = form.querySelector("[data-preview]");
  if (preview && window.fetch) {
    preview.addEventListener("click", function (e) {
      if (form.dataset.inPlace) { return; }
      e.preventDefault();
      var win = window.open("", "_blank");
      var body = new URLSearchParams();
      Array.prototype.forEach.call(form.elements, function (el) {
        if (el.name && el.type !== "submit" && el.type !== "button" && el.type !== "file") { body.append(el.name, el.value); }
      });
      body.set("accion", "vista-previa");
      fetch(form.action, { method: "POST", body: body, credentials: "same-origin" }).then(function (r) {
        if (r.ok && (r.headers.get("Content-Type") || "").indexOf("application/pdf") === 0) {
          return r.blob().then(function (b) {
            var url = URL.createObjectURL(b);
            if (win) { win.location.href = url; } else { window.location.href = url; }
          });
        }
        throw new Error("errores");
      }).catch(function () {
        if (win) { win.close(); }
        form.dataset.inPlace = "1";
        preview.click();
      });
    });
  }
}());

// The document page just issued tells the draft its folio.
(function () {
  var box = document.querySelector("[data-issued-folio]");
  var key = new URLSearchParams(location.search).get("borrador");
  if (!box || !key) { return; }
  for (var i = 0; i < sessionStorage.length; i++) {
    var k = sessionStorage.key(i);
    if (k.indexOf(draftPrefix) !== 0) { continue; }
    var d = draftRead(k.slice(draftPrefix.length));
    if (d && d.key === key) {
      d.folio = box.getAttribute("data-issued-folio");
      draftWrite(k.slice(draftPrefix.length), d);
    }
  }
}());

// Character counters: the limit is visible while typing; what is typed is
// never cut, the server refuses text over the limit and names the field.
function count(el) {
  var max = +el.getAttribute("data-limit");
  var n = Array.from(el.value).length;
  var over = n > max;
  el.classList.toggle("over", over);
  el.setAttribute("aria-invalid", over ? "true" : "false");
  var out = el.getAttribute("aria-describedby") && document.getElementById(el.getAttribute("aria-describedby"));
  var extra = n - max;
  var msg = over ? (extra === 1 ? "Sobra 1 carácter" : "Sobran " + extra + " caracteres") + ": el máximo es " + max + "." :
    n + " de " + max + (n === 1 && max === 1 ? " carácter." : " caracteres.");
  if (out) {
    out.textContent = n || over ? msg : "Hasta " + max + " caracteres.";
    out.classList.toggle("over", over);
  } else {
    el.title = over ? msg : "";
  }
}
document.addEventListener("input", function (e) {
  if (e.target.hasAttribute && e.target.hasAttribute("data-limit")) { count(e.target); }
});

// A page shown after a refused POST names the page it belongs to, so a
// reload or Back asks for that page instead of sending the form again.
(function () {
  var el = document.querySelector("[data-url]");
  if (el) { history.replaceState(null, "", el.getAttribute("data-url")); }
}());

// Drafts belong to whoever is logged in: leaving, or arriving at the login
// page, forgets every draft this tab kept.
function forgetDrafts() {
  try {
    for (var i = sessionStorage.length - 1; i >= 0; i--) {
      var k = sessionStorage.key(i);
      if (k && k.indexOf(draftPrefix) === 0) { sessionStorage.removeItem(k); }
    }
  } catch (e) { /* storage off */ }
}
document.addEventListener("submit", function (e) {
  if (e.target.getAttribute("action") === "/salir") { forgetDrafts(); }
});
if (document.querySelector('form[action="/entrar"]')) { forgetDrafts(); }
