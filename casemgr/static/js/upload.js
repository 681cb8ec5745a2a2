/* Evidence upload with a progress bar (XMLHttpRequest upload progress events).
 *
 * Progressive enhancement: without this script the form posts as a plain multipart form. With
 * it, the file is sent by XMLHttpRequest so a <progress> element can show how much has gone;
 * the server answers as it does for the plain form (a redirect to the case page on success,
 * the case page with the form's errors otherwise), and the script follows that answer.
 */
(function () {
  "use strict";

  function bind(form) {
    if (form.dataset.bound) { return; }
    form.dataset.bound = "1";
    var bar = form.querySelector("progress.upload-progress");
    var status = form.querySelector(".upload-status");
    var input = form.querySelector("input[type=file]");
    var button = form.querySelector("button[type=submit]");
    var maxBytes = parseInt(form.dataset.maxBytes || "0", 10);

    form.addEventListener("submit", function (event) {
      if (!window.FormData || !window.XMLHttpRequest) { return; } // plain post
      var file = input && input.files && input.files[0];
      if (file && maxBytes && file.size > maxBytes) {
        event.preventDefault();
        status.textContent = status.dataset.tooLarge;
        input.setAttribute("aria-invalid", "true");
        return;
      }
      event.preventDefault();
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          bar.value = Math.round((e.loaded / e.total) * 100);
          bar.setAttribute("aria-valuetext", bar.value + "%");
        }
      });
      xhr.addEventListener("load", function () {
        if (xhr.status >= 200 && xhr.status < 300 && xhr.responseURL) {
          bar.value = 100;
          window.location.assign(xhr.responseURL);
          return;
        }
        replaceForm(xhr.responseText);
      });
      xhr.addEventListener("error", function () {
        status.textContent = status.dataset.failed;
        finish();
      });
      bar.hidden = false;
      bar.value = 0;
      status.textContent = status.dataset.sending;
      button.disabled = true;
      xhr.send(new FormData(form));
    });

    function finish() {
      button.disabled = false;
    }

    // A refused upload: show the server's form (with the errors beside the fields).
    function replaceForm(html) {
      var doc = new DOMParser().parseFromString(html || "", "text/html");
      var fresh = doc.getElementById("evidence-upload");
      var here = document.getElementById("evidence-upload");
      if (fresh && here) {
        here.replaceWith(document.importNode(fresh, true));
        init();
        return;
      }
      var message = doc.querySelector("main .card p");
      status.textContent = message ? message.textContent : status.dataset.failed;
      bar.hidden = true;
      finish();
    }
  }

  function init() {
    var forms = document.querySelectorAll("form.upload");
    for (var i = 0; i < forms.length; i += 1) { bind(forms[i]); }
  }

  init();
}());
