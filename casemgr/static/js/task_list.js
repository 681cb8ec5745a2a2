/* Keep the task list current (后台任务列表): each row of a task still queued or running asks
   for its status every two seconds and moves its badge and progress bar; a row stops asking
   once its task has finished. Without this script the list's Refresh link does the same. */
(function () {
  "use strict";

  var INTERVAL = 2000;
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-task-status-url]"));

  function setText(el, text) {
    if (el && el.textContent !== text) {
      el.textContent = text;
    }
  }

  function apply(row, s) {
    var badge = row.querySelector(".task-status-cell .badge");
    if (badge) {
      setText(badge, s.status_label);
      badge.className = "badge" + (s.badge ? " " + s.badge : "");
      badge.setAttribute("data-status", s.status);
    }
    var bar = row.querySelector("progress");
    if (bar) {
      bar.value = s.progress;
      bar.textContent = s.percent + "%";
    }
    setText(row.querySelector(".task-pct"), s.percent + "%");
    if (s.finished) {
      setText(row.querySelector(".task-finished-cell"), s.finished_at || "");
      row.removeAttribute("data-task-status-url");
      row.setAttribute("data-finished", "true");
    }
  }

  function follow(row) {
    var url = row.getAttribute("data-task-status-url");
    var failures = 0;

    function poll() {
      window.casemgrFetchJSON(url)
        .then(function (s) {
          failures = 0;
          apply(row, s);
          if (!s.finished) {
            window.setTimeout(poll, INTERVAL);
          }
        })
        .catch(function () {
          // Logged out, the task gone or the server down: ask less and less often, then stop.
          failures += 1;
          if (failures < 6) {
            window.setTimeout(poll, Math.min(30000, INTERVAL * Math.pow(2, failures)));
          } else {
            row.setAttribute("data-poll", "stopped");
          }
        });
    }

    window.setTimeout(poll, INTERVAL);
  }

  rows.forEach(follow);
})();
