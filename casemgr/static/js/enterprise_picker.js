/* Search-as-you-type for a form field that takes enterprises by USCC (the violation form):
   type part of a name or code, pick an enterprise from the matches, and its USCC is added to
   the field. The field itself stays a plain text input: without this script (or with the
   search unavailable) the officer types the codes as before. */
(function () {
  "use strict";

  var box = document.getElementById("enterprise-picker");
  if (!box) {
    return;
  }
  var field = document.getElementById(box.getAttribute("data-target"));
  var find = document.getElementById("enterprise-find");
  var list = document.getElementById("enterprise-matches");
  var status = document.getElementById("enterprise-find-status");
  if (!field || !find || !list || !status) {
    return;
  }
  box.hidden = false;
  var url = box.getAttribute("data-suggest-url");
  var DELAY = 250;
  var timer = null;
  var asked = 0;

  function codes() {
    return field.value.split(/[\s,，、;；]+/).filter(function (c) { return c; });
  }

  function add(uscc) {
    var current = codes();
    if (current.indexOf(uscc) === -1) {
      current.push(uscc);
    }
    field.value = current.join(", ");
    field.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function show(items, more) {
    list.textContent = "";
    items.forEach(function (e) {
      var item = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "secondary";
      button.setAttribute("data-uscc", e.uscc);
      var name = document.createElement("b");
      name.textContent = e.name;
      var detail = document.createElement("span");
      detail.className = "muted mono";
      detail.textContent = " " + e.uscc + " · " + e.county + " · " + e.status;
      button.appendChild(name);
      button.appendChild(detail);
      button.addEventListener("click", function () {
        add(e.uscc);
        status.textContent = box.getAttribute("data-added") + ": " + e.name;
        button.disabled = true;
      });
      item.appendChild(button);
      list.appendChild(item);
    });
    if (!items.length) {
      status.textContent = box.getAttribute("data-none");
    } else {
      status.textContent = more ? box.getAttribute("data-more") : "";
    }
  }

  function search() {
    var q = find.value.trim();
    if (q.length < 2) {
      list.textContent = "";
      status.textContent = "";
      return;
    }
    var ticket = ++asked;
    window.casemgrFetchJSON(url + "?q=" + encodeURIComponent(q))
      .then(function (body) {
        if (ticket === asked) {  // an older answer arriving late is dropped
          show(body.items, body.more);
        }
      })
      .catch(function () {
        if (ticket === asked) {
          list.textContent = "";
          status.textContent = box.getAttribute("data-failed");
        }
      });
  }

  find.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(search, DELAY);
  });
  find.addEventListener("keydown", function (event) {
    if (event.key === "Enter") {  // Enter searches at once; it never submits the form
      event.preventDefault();
      window.clearTimeout(timer);
      search();
    }
  });
})();
