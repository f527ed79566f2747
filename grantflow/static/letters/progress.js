// Follows a letter batch: polls its small JSON status and updates the progress bar (no library).
(function () {
  "use strict";
  var box = document.getElementById("batch-progress");
  if (!box) { return; }
  var url = box.getAttribute("data-status-url");
  var bar = document.getElementById("batch-bar");
  var text = document.getElementById("batch-text");
  var error = document.getElementById("batch-error");
  var zip = document.getElementById("batch-zip");
  function show(s) {
    bar.max = s.total || 1;
    bar.value = s.total ? s.done : 1;
    bar.textContent = s.percent + "%";
    text.textContent = s.text;  // in the page's language, from the server
    if (s.error) { error.textContent = s.error; error.hidden = false; }
    if (s.finished) { zip.hidden = false; }
  }
  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (s) { show(s); if (!s.finished) { setTimeout(poll, 1000); } })
      .catch(function () { setTimeout(poll, 5000); });
  }
  poll();
})();
