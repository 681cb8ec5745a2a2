/* The JSON reads of the page scripts (task progress, the task list, the enterprise picker):
   same origin, never from a cache. The promise is rejected when the answer is not JSON with a
   2xx status: logged out (the login page comes back), the record gone, or the server down. */
window.casemgrFetchJSON = function (url) {
  "use strict";
  return fetch(url, {
    headers: { Accept: "application/json" },
    credentials: "same-origin",
    cache: "no-store"
  }).then(function (response) {
    var type = response.headers.get("Content-Type") || "";
    if (!response.ok || type.indexOf("application/json") === -1) {
      throw new Error("status " + response.status);
    }
    return response.json();
  });
};
