/* Waits for the webhook: polls the order's status every 2 s (for up to 2 minutes), then
   reloads so the page shows the result. */
(function () {
  "use strict";
  var box = document.getElementById("pay-result");
  if (!box) { return; }
  var tries = 0;
  function poll() {
    tries += 1;
    fetch(box.dataset.statusUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (data && data.status !== "pending_payment") { window.location.reload(); return; }
        if (tries < 60) { window.setTimeout(poll, 2000); }
      })
      .catch(function () { if (tries < 60) { window.setTimeout(poll, 4000); } });
  }
  window.setTimeout(poll, 1500);
})();
