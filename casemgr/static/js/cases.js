/* The case list's filters: choosing another channel reloads the list so the stage filter
 * offers that channel's stages. Without this script the stages follow on the next search. */
(function () {
  "use strict";
  var track = document.getElementById("q-track");
  if (!track || !track.form) { return; }
  track.addEventListener("change", function () {
    var stage = document.getElementById("q-status");
    if (stage) { stage.value = ""; }
    track.form.submit();
  });
}());
