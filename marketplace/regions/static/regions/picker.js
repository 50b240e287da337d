// Cascading region picker: changing a select loads the next level's options from
// /regions/children/ and clears the levels below. Without JavaScript the form's
// "更新地区选项" button does the same through a server round trip.
(function () {
  "use strict";
  if (window.regionPickerLoaded) { return; }
  window.regionPickerLoaded = true;

  function clear(select) {
    while (select.options.length > 1) { select.remove(1); }
    select.value = "";
  }

  function fill(select, children) {
    children.forEach(function (child) {
      var option = document.createElement("option");
      option.value = child.code;
      option.textContent = child.name;
      select.appendChild(option);
    });
  }

  function init(picker) {
    var selects = Array.prototype.slice.call(picker.querySelectorAll("select"));
    var url = picker.getAttribute("data-children-url");
    var refresh = picker.querySelector(".region-picker__refresh");
    var hint = picker.querySelector(".region-picker__hint");
    if (refresh) { refresh.hidden = true; }
    if (hint) { hint.hidden = true; }
    selects.forEach(function (select, index) {
      select.addEventListener("change", function () {
        var lower = selects.slice(index + 1);
        lower.forEach(function (s) { s.regionToken = (s.regionToken || 0) + 1; clear(s); });
        var next = lower[0];
        if (!next || !select.value) { return; }
        var token = (next.regionToken || 0) + 1;
        next.regionToken = token;
        next.disabled = true;
        fetch(url + "?parent=" + encodeURIComponent(select.value), {
          headers: { "Accept": "application/json" }
        })
          .then(function (response) {
            if (!response.ok) { throw new Error("HTTP " + response.status); }
            return response.json();
          })
          .then(function (data) {
            // A later change wins over an answer that arrives late.
            if (next.regionToken === token) { fill(next, data.children || []); }
          })
          .catch(function () {
            // Fall back to the server round trip.
            if (refresh) { refresh.hidden = false; }
          })
          .then(function () { next.disabled = false; });
      });
    });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-region-picker]"), init);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
