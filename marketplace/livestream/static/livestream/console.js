/* Host console: refreshes the live figures every 2 s from figures.json, adds the comments
   posted since (each with its hide button), and reloads the page when the session's status
   or pinned item changed elsewhere (another device, an admin), so the buttons shown always
   match the session. Asks before ending or cancelling. */
(function () {
  "use strict";
  var box = document.getElementById("live-figures");

  Array.prototype.forEach.call(document.querySelectorAll("form[data-confirm]"), function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
    });
  });

  if (!box) { return; }
  var INTERVAL = 2000;

  function show(name, value) {
    var nodes = box.querySelectorAll('[data-figure="' + name + '"]');
    Array.prototype.forEach.call(nodes, function (node) {
      node.textContent = (value === null || value === undefined) ? "–" : String(value);
    });
  }

  function apply(data) {
    var pinned = data.pinned_item_id === null ? "" : String(data.pinned_item_id);
    if (data.status !== box.dataset.status || pinned !== box.dataset.pinned) {
      window.location.reload();
      return false;
    }
    ["viewers_now", "viewers_total", "basket_adds", "orders", "units", "gmv", "buyers",
     "conversion_percent"].forEach(function (name) { show(name, data[name]); });
    (data.items || []).forEach(function (item) {
      var row = document.getElementById("item-" + item.id);
      var left = row && row.querySelector("[data-units-left]");
      if (left) { left.textContent = String(item.units_left); }
    });
    addComments(data.comments);
    return true;
  }

  var comments = document.getElementById("live-comments");
  var commentTemplate = document.getElementById("console-comment-template");

  function addComments(list) {
    if (!comments || !commentTemplate || !list || !list.length) { return; }
    var empty = document.getElementById("no-comments");
    if (empty) { empty.remove(); }
    // Newest first, as the server renders them: insert the oldest new one first.
    for (var i = list.length - 1; i >= 0; i--) {
      var c = list[i];
      if (document.getElementById("comment-" + c.id)) { continue; }
      var row = commentTemplate.content.firstElementChild.cloneNode(true);
      row.id = "comment-" + c.id;
      row.querySelector("[data-at]").textContent = c.at;
      row.querySelector("[data-author]").textContent = c.author;
      row.querySelector("[data-text]").textContent = c.text;
      row.querySelector("form").setAttribute("action", c.hide_url);
      comments.insertBefore(row, comments.firstChild);
    }
    comments.dataset.newest = String(list[0].id);
    var shown = parseInt(comments.dataset.shown, 10) || 50;
    while (comments.children.length > shown) { comments.removeChild(comments.lastChild); }
  }

  function figuresUrl() {
    return box.dataset.url + (comments ? "?after=" + encodeURIComponent(comments.dataset.newest || "0") : "");
  }

  function poll() {
    if (document.hidden) { window.setTimeout(poll, INTERVAL); return; }
    fetch(figuresUrl(), { credentials: "same-origin", cache: "no-store",
                             headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (data && apply(data) === false) { return; }
        window.setTimeout(poll, INTERVAL);
      })
      .catch(function () { window.setTimeout(poll, INTERVAL * 2); });
  }
  window.setTimeout(poll, INTERVAL);
})();
