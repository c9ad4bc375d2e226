// Imports (the carrier's bill, a registry's rows) are sent with a progress
// bar. Without JavaScript the form is sent as any other; with it, the
// upload's progress is shown, then the server's work (data-working), and
// the answer replaces the page: the page the server sends on success (its
// address holds the form's data-done-at), or the form again with its
// problems by row and column. The words come from the form's data-sending,
// data-working, data-done and data-failed.
(function () {
  var form = document.querySelector("form[data-upload]");
  if (!form || !window.XMLHttpRequest || !window.FormData) { return; }
  var box = form.querySelector(".upload-progress");
  var bar = box.querySelector("progress");
  var text = box.querySelector(".upload-text");
  var say = function (name) { return form.getAttribute("data-" + name) || ""; };
  var sending = false; // one upload at a time: a second click waits for it
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    if (sending) { return; }
    sending = true;
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    box.hidden = false;
    bar.value = 0;
    text.textContent = say("sending") + " 0 %";
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.upload.addEventListener("progress", function (ev) {
      if (!ev.lengthComputable) { return; }
      var pct = Math.round(ev.loaded / ev.total * 100);
      bar.value = pct;
      text.textContent = say("sending") + " " + pct + " %";
    });
    xhr.upload.addEventListener("load", function () {
      bar.removeAttribute("value"); // indeterminate: the server reads, checks and files
      text.textContent = say("working");
    });
    xhr.addEventListener("load", function () {
      var done = xhr.responseURL && xhr.responseURL.indexOf(say("done-at")) >= 0;
      if (done) {
        bar.value = 100;
        text.textContent = say("done");
        window.location.href = xhr.responseURL;
        return;
      }
      // Refused (problems by row and column) or an error page: show it.
      document.open();
      document.write(xhr.responseText);
      document.close();
    });
    xhr.addEventListener("error", function () {
      sending = false;
      button.disabled = false;
      bar.value = 0;
      text.textContent = say("failed");
    });
    xhr.send(new FormData(form));
  });
}());
