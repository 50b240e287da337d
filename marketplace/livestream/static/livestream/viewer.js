/* Live viewer page: player (hls.js only where the browser lacks HLS), countdowns, replay
 * chapters, and the live parts kept fresh by polling state.json every 2 s (with its ETag)
 * and a heartbeat every 10 s. The page works without this file: the server renders
 * everything and the forms post normally. Text from the server is only ever set with
 * textContent, never as HTML. */
(function () {
  "use strict";
  var root = document.getElementById("live-root");
  if (!root) { return; }
  var status = root.dataset.status;
  var labels = {};
  try { labels = JSON.parse(document.getElementById("live-labels").textContent) || {}; } catch (e) { /* defaults below */ }
  var POLL_MS = 2000, HEARTBEAT_MS = 10000;

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function duration(seconds) {
    var d = Math.floor(seconds / 86400), h = Math.floor(seconds % 86400 / 3600);
    var m = Math.floor(seconds % 3600 / 60), s = seconds % 60;
    return (d ? d + (labels.days || "d") + " " : "") + pad(h) + ":" + pad(m) + ":" + pad(s);
  }

  // --- player --------------------------------------------------------------------------
  var video = document.getElementById("live-video");
  function setUpPlayer() {
    if (!video) { return; }
    var src = video.dataset.src || "";
    if (!/\.m3u8(\?|$)/i.test(src) || video.canPlayType("application/vnd.apple.mpegurl")) {
      return;  // native playback (or not HLS at all): the src attribute does it
    }
    var script = document.createElement("script");
    script.src = root.dataset.hlsSrc;
    script.onload = function () {
      if (!window.Hls || !window.Hls.isSupported()) { return; }
      video.removeAttribute("src");
      var hls = new window.Hls();
      hls.loadSource(src);
      hls.attachMedia(video);
    };
    document.head.appendChild(script);
  }

  // Replay chapters: seek the video instead of following the media-fragment link.
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("[data-seek]") : null;
    if (!link || !video) { return; }
    event.preventDefault();
    video.currentTime = parseInt(link.dataset.seek, 10) || 0;
    var playing = video.play();
    if (playing && playing.catch) { playing.catch(function () {}); }
    video.scrollIntoView({ behavior: "smooth", block: "start" });
  });

  // --- countdowns ----------------------------------------------------------------------
  var startCountdown = document.getElementById("live-countdown");
  var flashCountdown = document.querySelector("#live-pinned .pinned-countdown");

  function secondsUntil(iso) {
    var t = Date.parse(iso);
    return isNaN(t) ? null : Math.max(0, Math.round((t - Date.now()) / 1000));
  }

  function tick() {
    if (startCountdown && startCountdown.dataset.until) {
      var left = secondsUntil(startCountdown.dataset.until);
      if (left !== null) {
        startCountdown.textContent = left > 0 ? (labels.starts_in || "") + " " + duration(left)
          : (labels.starting || "");
      }
    }
    if (flashCountdown && flashCountdown.dataset.until) {
      var flashLeft = secondsUntil(flashCountdown.dataset.until);
      if (flashLeft !== null) {
        flashCountdown.textContent = flashLeft > 0
          ? (labels.flash_left || "") + " " + duration(flashLeft) : (labels.flash_over || "");
        if (flashLeft === 0) { setBuyButton(false, labels.flash_over); }
      }
    }
  }

  // --- applying the polled state --------------------------------------------------------
  var pinnedBox = document.getElementById("live-pinned");

  function setBuyButton(enabled, text) {
    if (!pinnedBox) { return; }
    var button = pinnedBox.querySelector(".pinned-buy button");
    if (!button) { return; }
    button.disabled = !enabled;
    if (text) { button.textContent = text; }
  }

  function money(value) { return value === null || value === undefined ? "" : "¥" + value; }

  function applyPinned(pinned) {
    if (!pinnedBox) { return; }
    var rows = document.querySelectorAll(".live-items [data-item-id]");
    Array.prototype.forEach.call(rows, function (row) {
      row.hidden = pinned !== null && String(pinned.id) === row.dataset.itemId;
    });
    if (pinned === null) { pinnedBox.hidden = true; return; }
    var changed = pinnedBox.dataset.itemId !== String(pinned.id);
    pinnedBox.dataset.itemId = String(pinned.id);
    pinnedBox.hidden = false;
    var title = pinnedBox.querySelector(".pinned-title");
    title.textContent = pinned.title;
    title.setAttribute("href", pinned.url);
    pinnedBox.querySelector(".pinned-live-price").textContent = money(pinned.live_price);
    var normal = pinnedBox.querySelector(".pinned-normal-price");
    if (normal) { normal.textContent = money(pinned.normal_price); }
    pinnedBox.querySelector(".pinned-units").textContent = String(pinned.units_left);
    pinnedBox.querySelector(".pinned-buy").setAttribute("action", pinned.buy_url);
    if (flashCountdown) {
      flashCountdown.dataset.until = pinned.flash_ends_at || "";
      if (!pinned.flash_ends_at) { flashCountdown.textContent = ""; }
    }
    if (changed) {
      var image = document.querySelector('.live-items [data-item-id="' + pinned.id + '"] img');
      var holder = pinnedBox.querySelector(".pinned-image");
      while (holder.firstChild) { holder.removeChild(holder.firstChild); }
      if (image) { holder.appendChild(image.cloneNode(true)); }
    }
    if (pinned.units_left <= 0) { setBuyButton(false, labels.sold_out); }
    else if (!pinned.active) { setBuyButton(false, labels.flash_over); }
    else { setBuyButton(true, labels.buy); }
  }

  function applyUnits(items) {
    items.forEach(function (item) {
      var row = document.querySelector('.live-items [data-item-id="' + item.id + '"]');
      if (!row) { return; }
      var units = row.querySelector(".item-units");
      if (units) { units.textContent = String(item.units_left); }
      var button = row.querySelector(".item-buy");
      if (button && item.units_left <= 0) { button.disabled = true; button.textContent = labels.sold_out || ""; }
    });
  }

  var commentList = document.getElementById("live-comments");
  function commentItem(comment) {
    var li = document.createElement("li");
    li.dataset.commentId = String(comment.id);
    var who = document.createElement("span");
    who.className = "who";
    who.textContent = comment.user;
    var text = document.createElement("span");
    text.className = "text";
    text.textContent = comment.text;
    li.appendChild(who);
    li.appendChild(text);
    return li;
  }

  function applyComments(comments) {
    if (!commentList) { return; }
    if (!comments.length) {
      // None left (the host hid the last ones): back to the "no comments yet" line.
      if (commentList.querySelector("[data-comment-id]")) {
        while (commentList.firstChild) { commentList.removeChild(commentList.firstChild); }
        var empty = document.createElement("li");
        empty.className = "text-muted empty";
        empty.textContent = commentList.dataset.empty || "";
        commentList.appendChild(empty);
      }
      return;
    }
    var atBottom = commentList.scrollHeight - commentList.scrollTop - commentList.clientHeight < 24;
    while (commentList.firstChild) { commentList.removeChild(commentList.firstChild); }
    comments.forEach(function (c) { commentList.appendChild(commentItem(c)); });
    if (atBottom) { commentList.scrollTop = commentList.scrollHeight; }
  }

  function showViewers(n) {
    var el = document.getElementById("live-viewers");
    if (el && typeof n === "number") { el.textContent = String(n); }
  }

  function applyState(state) {
    if (state.status !== status) { window.location.reload(); return; }
    showViewers(state.viewers);
    if (status === "live") {
      applyPinned(state.pinned);
      applyUnits(state.items || []);
    }
    applyComments(state.comments || []);
  }

  // --- polling and heartbeats -----------------------------------------------------------
  var etag = null, polling = false;
  function poll() {
    if (polling || document.hidden) { return; }
    polling = true;
    var headers = { "Accept": "application/json" };
    if (etag) { headers["If-None-Match"] = etag; }
    fetch(root.dataset.stateUrl, { headers: headers, cache: "no-cache", credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 304 || !response.ok) { return null; }
        etag = response.headers.get("ETag");
        return response.json();
      })
      .then(function (state) { if (state) { applyState(state); } })
      .catch(function () { /* network hiccup: the next poll tries again */ })
      .then(function () { polling = false; });
  }

  function viewerKey() {
    // Kept for browsers that drop the cookie; the server prefers its own cookie.
    try {
      var key = window.localStorage.getItem("live_viewer");
      if (!key) {
        var bytes = new Uint8Array(18);
        window.crypto.getRandomValues(bytes);
        key = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
        window.localStorage.setItem("live_viewer", key);
      }
      return key;
    } catch (e) { return ""; }
  }

  function heartbeat() {
    if (document.hidden) { return; }
    var body = new URLSearchParams();
    body.set("viewer", viewerKey());
    fetch(root.dataset.heartbeatUrl, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" }
    }).then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) { showViewers(data.viewers); } })
      .catch(function () {});
  }

  // --- comments ------------------------------------------------------------------------
  var form = document.getElementById("live-comment-form");
  if (form && window.fetch) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var input = form.querySelector("[name=text]");
      var error = document.getElementById("live-comment-error");
      fetch(form.action, {
        method: "POST", body: new FormData(form), credentials: "same-origin",
        headers: { "Accept": "application/json", "X-CSRFToken": csrfToken() }
      }).then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      }).then(function (result) {
        if (result.ok) {
          error.textContent = "";
          input.value = "";
          var empty = commentList.querySelector(".empty");
          if (empty) { commentList.removeChild(empty); }
          commentList.appendChild(commentItem(result.data.comment));
          commentList.scrollTop = commentList.scrollHeight;
        } else {
          error.textContent = result.data.error || labels.send_failed || "";
        }
      }).catch(function () { error.textContent = labels.send_failed || ""; });
    });
  }

  setUpPlayer();
  if (startCountdown || flashCountdown) { tick(); window.setInterval(tick, 1000); }
  if (commentList) { commentList.scrollTop = commentList.scrollHeight; }
  if ((status === "live" || status === "scheduled") && window.fetch) {
    window.setInterval(poll, POLL_MS);
    if (status === "live") {
      poll();
      heartbeat();
      window.setInterval(heartbeat, HEARTBEAT_MS);
    }
  }
})();
