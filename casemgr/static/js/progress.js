/* Follow a queued long operation (后台任务): poll its status about once a second, move the
   progress bar, and show the outcome (result, download link or error) without a reload.
   The page works without this script: it then refreshes itself while the task runs. */
(function () {
  "use strict";

  var box = document.querySelector("[data-task-status-url]");
  if (!box || box.getAttribute("data-finished") === "true") {
    return;
  }
  var url = box.getAttribute("data-task-status-url");
  var bar = document.getElementById("task-progress");
  var percent = document.getElementById("task-percent");
  var badge = document.getElementById("task-status");
  var step = document.getElementById("task-step");
  var outcome = document.getElementById("task-outcome");
  var started = document.getElementById("task-started");
  var finished = document.getElementById("task-finished");
  var attempts = document.getElementById("task-attempts");
  var INTERVAL = 1000;
  var failures = 0;

  function setText(el, text) {
    if (el && el.textContent !== text) {
      el.textContent = text;
    }
  }

  function apply(s) {
    if (bar) {
      bar.value = s.progress;
      bar.textContent = s.percent + "%";
    }
    setText(percent, s.percent + "%");
    if (badge) {
      setText(badge, s.status_label);
      badge.className = "badge" + (s.badge ? " " + s.badge : "");
      badge.setAttribute("data-status", s.status);
    }
    setText(step, s.step || "");
    if (started && s.started_at) {
      setText(started, s.started_at);
    }
    setText(attempts, String(s.attempts));
    if (!s.cancellable) {
      document.querySelectorAll("[data-cancel]").forEach(function (el) {
        el.hidden = true;
      });
    }
    if (s.finished) {
      if (finished && s.finished_at) {
        setText(finished, s.finished_at);
      }
      document.querySelectorAll("[data-while-running]").forEach(function (el) {
        el.hidden = true;
      });
      if (outcome && typeof s.html === "string") {
        outcome.innerHTML = s.html;  // rendered and escaped by the server's template
      }
      box.setAttribute("data-finished", "true");
      document.dispatchEvent(new CustomEvent("task:finished", { detail: s }));
    }
  }

  function schedule(delay) {
    window.setTimeout(poll, delay);
  }

  function poll() {
    window.casemgrFetchJSON(url)
      .then(function (s) {
        failures = 0;
        apply(s);
        if (!s.finished) {
          schedule(INTERVAL);
        }
      })
      .catch(function () {
        failures += 1;
        if (failures < 8) {
          schedule(Math.min(30000, INTERVAL * Math.pow(2, failures)));
        } else {
          box.setAttribute("data-poll", "stopped");
        }
      });
  }

  schedule(INTERVAL);
})();
