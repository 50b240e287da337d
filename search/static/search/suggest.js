/* Search box suggestions: as the buyer types (汉字, pinyin or initials), ask /search/suggest/
   after a short pause and list matching products under the box; a suggestion is a link to
   the product. Without this script the box is a plain search form. */
(function () {
  "use strict";
  var DELAY_MS = 150;

  function setup(input) {
    var list = document.getElementById(input.getAttribute("aria-controls"));
    if (!list || input.getAttribute("data-suggest-ready")) return;
    input.setAttribute("data-suggest-ready", "1");
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    var url = input.getAttribute("data-suggest-url");
    var timer = null, pending = null, active = -1, answers = {};

    function options() { return list.querySelectorAll("[role=option]"); }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function show(items) {
      list.textContent = "";
      active = -1;
      items.forEach(function (item, i) {
        var li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        var a = document.createElement("a");
        a.href = item.url;
        a.textContent = item.text;
        a.tabIndex = -1;
        li.appendChild(a);
        list.appendChild(li);
      });
      if (!items.length) { close(); return; }
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function highlight(index) {
      var opts = options();
      if (!opts.length) return;
      active = (index + opts.length) % opts.length;
      opts.forEach(function (li, i) { li.setAttribute("aria-selected", String(i === active)); });
      input.setAttribute("aria-activedescendant", opts[active].id);
      opts[active].scrollIntoView({block: "nearest"});
    }

    function ask(q) {
      if (answers[q]) { show(answers[q]); return; }
      if (pending) pending.abort();
      pending = window.AbortController ? new AbortController() : null;
      fetch(url + "?q=" + encodeURIComponent(q), {
        headers: {Accept: "application/json"}, signal: pending && pending.signal
      }).then(function (r) { return r.ok ? r.json() : {suggestions: []}; })
        .then(function (data) {
          answers[q] = data.suggestions || [];
          // Only the answer for what the box says now (older answers may arrive late).
          if (input.value.trim() === q && document.activeElement === input) show(answers[q]);
        })
        .catch(function () { /* aborted or offline: the form still submits */ });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (!q) { close(); return; }
      timer = setTimeout(function () { ask(q); }, DELAY_MS);
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        if (list.hidden) return;
        e.preventDefault();
        highlight(active + (e.key === "ArrowDown" ? 1 : -1));
      } else if (e.key === "Enter" && active >= 0 && !list.hidden) {
        e.preventDefault();
        window.location.href = options()[active].querySelector("a").href;
      } else if (e.key === "Escape" && !list.hidden) {
        e.preventDefault();
        close();
      }
    });
    // Pressing a suggestion (mouse or finger) must not blur the box first, or the list would
    // close before the tap reaches the link.
    list.addEventListener("mousedown", function (e) { e.preventDefault(); });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
    input.addEventListener("focus", function () {
      var q = input.value.trim();
      if (q && answers[q] && answers[q].length) show(answers[q]);
    });
  }

  document.querySelectorAll("input[data-suggest-url]").forEach(setup);
})();
