/* The print button of a printable document (no inline handler: the CSP admits no inline script). */
(function () {
  "use strict";
  var button = document.getElementById("print-button");
  if (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  }
}());
