// The "being prepared" page: polls the file's status, shows progress, opens the file once ready.
// Without this script the page still works: its "Check again" link reloads it.
(function () {
  "use strict";
  var box = document.querySelector(".prepared[data-status-url]");
  if (!box || !window.fetch) {
    return;
  }
  var bar = document.getElementById("prepared-progress");
  var status = document.getElementById("prepared-status");
  var link = document.getElementById("prepared-link");
  var delay = 1000;

  function show(state) {
    bar.value = state.progress;
    bar.textContent = state.progress + " %";
    var text = box.getAttribute("data-text-" + state.status);
    if (text && status.textContent !== text) {
      status.textContent = text;
    }
  }

  function poll() {
    fetch(box.getAttribute("data-status-url"), { headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (state) {
        if (state === null) {
          return;
        }
        if (state.status === "failed") {
          window.location.reload();  // the server's page says what failed
          return;
        }
        show(state);
        if (state.status === "ready") {
          link.textContent = box.getAttribute("data-text-download");
          window.location.assign(box.getAttribute("data-file-url"));
          return;
        }
        delay = Math.min(delay * 1.5, 5000);
        window.setTimeout(poll, delay);
      })
      .catch(function () {
        window.setTimeout(poll, 5000);
      });
  }
  window.setTimeout(poll, delay);
})();
