// Telefonía: the bill is sent with a progress bar. Without JavaScript the
// form is sent as any other; with it, the upload's progress is shown, then
// the reading and filing, and the answer replaces the page.
(function () {
  var form = document.querySelector("form[data-upload]");
  if (!form || !window.XMLHttpRequest || !window.FormData) { return; }
  var box = form.querySelector(".upload-progress");
  var bar = document.getElementById("progreso");
  var text = document.getElementById("progreso-texto");
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    if (form.dataset.sending) { return; }
    form.dataset.sending = "1";
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    box.hidden = false;
    bar.value = 0;
    text.textContent = "Enviando la factura… 0 %";
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.upload.addEventListener("progress", function (ev) {
      if (!ev.lengthComputable) { return; }
      var pct = Math.round(ev.loaded / ev.total * 100);
      bar.value = pct;
      text.textContent = "Enviando la factura… " + pct + " %";
    });
    xhr.upload.addEventListener("load", function () {
      bar.removeAttribute("value"); // indeterminate: the server reads, analyzes and files
      text.textContent = "Leyendo, analizando y archivando la factura…";
    });
    xhr.addEventListener("load", function () {
      var done = xhr.responseURL && xhr.responseURL.indexOf("/telefonia/facturas/") >= 0;
      if (done) {
        bar.value = 100;
        text.textContent = "Factura importada.";
        window.location.href = xhr.responseURL;
        return;
      }
      // Refused (problems by row and column) or an error page: show it.
      document.open();
      document.write(xhr.responseText);
      document.close();
    });
    xhr.addEventListener("error", function () {
      delete form.dataset.sending;
      button.disabled = false;
      bar.value = 0;
      text.textContent = "No se pudo enviar la factura: revise la conexión y vuelva a intentarlo. No se importó nada.";
    });
    xhr.send(new FormData(form));
  });
}());
