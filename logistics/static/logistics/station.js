/* Station console: camera QR reading (jsQR, vendored), sending scans through the batch API,
 * and an offline queue in IndexedDB that is sent as one batch when the network comes back.
 * Without JavaScript the form posts to the page itself; nothing here is required. */
(function () {
  "use strict";
  var form = document.getElementById("scan-form");
  if (!form) return;
  var batchUrl = form.dataset.batchUrl;
  var codeInput = document.getElementById("scan-code");
  var eventSelect = document.getElementById("scan-event");
  var resultBox = document.getElementById("scan-result");
  var queueBox = document.getElementById("queue");
  var queueCount = document.getElementById("queue-count");
  var BATCH_MAX = 500;
  var PHOTOS_MAX = 50; // Django accepts at most 100 files per request
  var T = JSON.parse((document.getElementById("station-text") || {}).textContent || "{}");
  var TEXT = ["recipient_name", "signature", "reason", "note", "temperature",
              "carrier_name", "tracking_number"];

  function uuid4() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function csrf() {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function show(outcome, text) {
    resultBox.className = "result " + (outcome || "");
    resultBox.dataset.outcome = outcome || "";
    resultBox.textContent = text;
  }

  // --- extra fields follow the chosen event ---------------------------------------------
  function extras() {
    var chosen = eventSelect.value;
    form.querySelectorAll(".extra").forEach(function (box) {
      box.hidden = box.dataset.for.split(" ").indexOf(chosen) < 0;
    });
  }
  eventSelect.addEventListener("change", extras);
  extras();

  // --- camera → canvas → jsQR -----------------------------------------------------------
  var startButton = document.getElementById("camera-start");
  var video = document.getElementById("camera");
  var stream = null;

  function codeFrom(text) {
    // Labels encode https://<host>/track/<CODE>/ or the bare code; the server accepts both.
    var parts = text.trim().replace(/\/+$/, "").split("/");
    return parts[parts.length - 1];
  }

  function loadJsQR() {
    return new Promise(function (resolve, reject) {
      if (window.jsQR) return resolve(window.jsQR);
      var s = document.createElement("script");
      s.src = form.dataset.vendor;
      s.onload = function () { resolve(window.jsQR); };
      s.onerror = reject;
      document.head.appendChild(s);
    });
  }

  function stopCamera() {
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
    stream = null;
    video.hidden = true;
  }

  function startCamera() {
    if (stream) return stopCamera();
    Promise.all([loadJsQR(), navigator.mediaDevices.getUserMedia(
      {video: {facingMode: "environment"}, audio: false})]).then(function (got) {
      var jsQR = got[0];
      stream = got[1];
      video.srcObject = stream;
      video.hidden = false;
      video.play();
      var canvas = document.createElement("canvas");
      var ctx = canvas.getContext("2d", {willReadFrequently: true});
      (function tick() {
        if (!stream) return;
        if (video.readyState === video.HAVE_ENOUGH_DATA) {
          canvas.width = video.videoWidth; canvas.height = video.videoHeight;
          ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
          var image = ctx.getImageData(0, 0, canvas.width, canvas.height);
          var found = jsQR(image.data, image.width, image.height, {inversionAttempts: "dontInvert"});
          if (found && found.data) {
            codeInput.value = codeFrom(found.data);
            stopCamera();
            if (navigator.vibrate) navigator.vibrate(80);
            return;
          }
        }
        requestAnimationFrame(tick);
      })();
    }).catch(function () {
      stopCamera();
      show("rejected", T.no_camera);
    });
  }

  if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia && startButton) {
    startButton.hidden = false;
    startButton.addEventListener("click", startCamera);
  }

  // --- the offline queue (IndexedDB) ----------------------------------------------------
  var dbPromise = null;
  function db() {
    if (!window.indexedDB) return Promise.reject(new Error("no IndexedDB"));
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var open = indexedDB.open("logistics-station", 1);
        open.onupgradeneeded = function () {
          open.result.createObjectStore("scans", {keyPath: "client_uuid"});
        };
        open.onsuccess = function () { resolve(open.result); };
        open.onerror = function () { reject(open.error); };
      });
    }
    return dbPromise;
  }

  function store(mode, work) {
    return db().then(function (d) {
      return new Promise(function (resolve, reject) {
        var tx = d.transaction("scans", mode);
        var out = work(tx.objectStore("scans"));
        tx.oncomplete = function () { resolve(out && out.result !== undefined ? out.result : out); };
        tx.onerror = function () { reject(tx.error); };
      });
    });
  }

  function queued() {
    return store("readonly", function (s) { return s.getAll(); }).then(function (all) {
      return (all || []).filter(function (r) { return r.url === batchUrl; })
        .sort(function (a, b) { return a.queued_at - b.queued_at; });
    });
  }

  function refreshCount() {
    return queued().then(function (rows) {
      queueCount.textContent = rows.length;
      queueBox.hidden = rows.length === 0;
      return rows.length;
    }, function () { return 0; });
  }

  function enqueue(item, photo) {
    return store("readwrite", function (s) {
      s.put({client_uuid: item.client_uuid, url: batchUrl, item: item, photo: photo || null,
             code: item.parcel_code, queued_at: Date.now()});
    }).then(refreshCount);
  }

  function forget(uuids) {
    return store("readwrite", function (s) {
      uuids.forEach(function (u) { s.delete(u); });
    });
  }

  // --- sending ---------------------------------------------------------------------------
  function post(rows) {
    var body = new FormData();
    body.append("scans", JSON.stringify(rows.map(function (r) { return r.item; })));
    rows.forEach(function (r) {
      if (r.photo) body.append("photo_" + r.client_uuid, r.photo, "photo.jpg");
    });
    return fetch(batchUrl, {method: "POST", body: body, credentials: "same-origin",
                            headers: {"X-CSRFToken": csrf(), "Accept": "application/json"}})
      .then(function (response) {
        if (response.status >= 500) throw new Error("server " + response.status);
        return response.json().then(function (data) { return {status: response.status, data: data}; });
      });
  }

  var flushing = false;
  function flush() {
    if (flushing || !navigator.onLine) return Promise.resolve();
    flushing = true;
    return queued().then(function (rows) {
      var batch = [], photos = 0;
      for (var i = 0; i < rows.length && batch.length < BATCH_MAX; i++) {
        if (rows[i].photo) { if (photos >= PHOTOS_MAX) break; photos++; }
        batch.push(rows[i]);
      }
      if (!batch.length) return null;
      return post(batch).then(function (answer) {
        if (answer.status !== 200) {
          show("rejected", T.batch_refused + (answer.data.detail || answer.status));
          return null;
        }
        var rejected = answer.data.results.filter(function (r) { return r.outcome === "rejected"; });
        var byUuid = {};
        batch.forEach(function (r) { byUuid[r.client_uuid] = r.code; });
        // Every answered item leaves the queue: accepted and duplicates are stored, and a
        // rejected one would be rejected again; its reason is shown instead.
        return forget(batch.map(function (r) { return r.client_uuid; })).then(function () {
          var sent = answer.data.accepted + answer.data.duplicate;
          var text = T.sent + sent;
          if (rejected.length) {
            text += "；" + rejected.length + " " + T.not_sent + rejected.map(function (r) {
              return (byUuid[r.client_uuid] || "") + " " + r.reason;
            }).join("；");
          }
          show(rejected.length ? "rejected" : "accepted", text);
          refreshLists();
          if (rows.length > batch.length) return "more";
          return null;
        });
      });
    }).catch(function () { return null; }).then(function (more) {
      flushing = false;
      return refreshCount().then(function () { if (more === "more") return flush(); });
    });
  }

  function refreshLists() {
    fetch(window.location.pathname, {credentials: "same-origin"}).then(function (r) {
      return r.ok ? r.text() : null;
    }).then(function (html) {
      if (!html) return;
      var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("lists");
      var lists = document.getElementById("lists");
      if (fresh && lists) lists.innerHTML = fresh.innerHTML;
    }).catch(function () {});
  }

  function scanned() {
    var item = {
      client_uuid: form.elements.client_uuid.value || uuid4(),
      parcel_code: codeFromInput(),
      event: eventSelect.value,
      device_time: new Date().toISOString()
    };
    TEXT.forEach(function (name) {
      var field = form.elements[name];
      if (field && field.value !== "" && !field.closest(".extra[hidden]")) item[name] = field.value;
    });
    var photoInput = document.getElementById("photo");
    var photo = photoInput && photoInput.files && photoInput.files[0] &&
      !photoInput.closest(".extra[hidden]") ? photoInput.files[0] : null;
    return {item: item, photo: photo};
  }

  function codeFromInput() { return codeFrom(codeInput.value); }

  function nextScan() {
    var keep = eventSelect.value;
    form.reset();
    eventSelect.value = keep;
    form.elements.client_uuid.value = uuid4();
    extras();
    codeInput.focus();
  }

  form.addEventListener("submit", function (e) {
    if (!codeInput.value.trim()) return; // let the page say what is missing
    e.preventDefault();
    var scan = scanned();
    var queueIt = function () {
      return enqueue(scan.item, scan.photo).then(function () {
        show("queued", T.queued + scan.item.parcel_code);
        nextScan();
      }, function () { form.submit(); });
    };
    if (!navigator.onLine) { queueIt(); return; }
    var button = document.getElementById("scan-submit");
    button.disabled = true;
    post([{client_uuid: scan.item.client_uuid, item: scan.item, photo: scan.photo}])
      .then(function (answer) {
        if (answer.status !== 200) {
          show("rejected", T.rejected + (answer.data.detail || answer.status));
          return;
        }
        var r = answer.data.results[0];
        if (r.outcome === "rejected") {
          show("rejected", T.rejected + r.reason);
          return;
        }
        show(r.outcome, T[r.outcome] + scan.item.parcel_code);
        nextScan();
        refreshLists();
      }, queueIt)
      .then(function () { button.disabled = false; });
  });

  window.addEventListener("online", flush);
  var sendNow = document.getElementById("queue-send");
  if (sendNow) sendNow.addEventListener("click", flush);
  refreshCount().then(function (n) { if (n) flush(); });
  setInterval(function () { flush(); }, 30000);
  codeInput.focus();
})();
