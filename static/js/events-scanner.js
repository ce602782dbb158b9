// Check-in scanner page: phone camera (self-hosted qr-scanner), USB/Bluetooth scanners that type the code
// and Enter, manual search and walk-ins. Online, every scan is POSTed to /api/v1/checkins with a fresh nonce
// (a failed request is retried once with the SAME nonce, so the server never admits twice). Offline (or when
// the server cannot be reached) the page decides on the device from the event's ticket list kept in IndexedDB
// (events-checkin-rule.js, the offline mirror of the server's rule), shows the answer in the same colours and
// queues the scan with its nonce and the device's time; back online the queue is uploaded and the server
// decides each scan again. Answers that differ are listed for the staff. A service worker (events-scanner-sw.js)
// keeps the page itself available without network.
(function () {
  "use strict";
  var root = document.getElementById("scanner");
  if (!root) { return; }
  var eventId = parseInt(root.getAttribute("data-event-id"), 10);
  var attr = function (name) { return root.getAttribute("data-" + name) || ""; };
  var urls = {checkin: attr("checkin-url"), counters: attr("counters-url"), search: attr("search-url"),
              walkin: attr("walkin-url"), batch: attr("batch-url"), offline: attr("offline-url"),
              conflicts: attr("conflicts-url"), sw: attr("sw-url")};
  var msg = function (key) { return attr("msg-" + key); };
  var validUntil = Date.parse(attr("valid-until"));
  var RULE = window.KcCheckinRule;
  var SYNC_EVERY = 60000;
  var SEEN_FOR = 3000;  // a code held in the camera's view is not sent again until it has been gone this long
  // Answers (reason messages) in the language of this page, whatever the browser's own language is.
  var language = {"Accept-Language": document.documentElement.lang || "zh-CN"};
  function call(url, options) {
    options = options || {};
    options.headers = Object.assign({}, language, options.headers || {});
    return window.kcFetch(url, options);
  }
  var codeInput = document.getElementById("code-input");
  var gateInput = document.getElementById("gate-input");
  var headInput = document.getElementById("headcount-input");
  var directionInput = document.getElementById("direction-input");
  var result = document.getElementById("result");
  var resultTitle = document.getElementById("result-title");
  var resultMessage = document.getElementById("result-message");
  var resultAttendee = document.getElementById("result-attendee");
  var confirmOver = document.getElementById("confirm-over");
  var absentSeats = document.getElementById("absent-seats");
  var netState = document.getElementById("net-state");
  var online = navigator.onLine !== false;

  function nonce() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // --- the gate: a staff link names it; an account's device is asked once and remembers it -------------------
  var GATE_KEY = "kc-scanner-gate";
  var gateAsk = document.getElementById("gate-ask");
  if (!attr("gate-fixed")) {
    if (!gateInput.value) { gateInput.value = window.localStorage.getItem(GATE_KEY) || ""; }
    if (!gateInput.value) { gateAsk.classList.remove("d-none"); }
    document.getElementById("gate-ask-save").addEventListener("click", function () {
      var name = document.getElementById("gate-ask-input").value.trim();
      if (!name) { return; }
      gateInput.value = name;
      window.localStorage.setItem(GATE_KEY, name);
      gateAsk.classList.add("d-none");
    });
    gateInput.addEventListener("change", function () { window.localStorage.setItem(GATE_KEY, gateInput.value.trim()); });
  }

  // A short tone per outcome (no audio files): high for admitted, double for "already in", low for refused.
  var audio = null;
  function beep(colour) {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      var tones = colour === "green" ? [[880, 0, 0.15]] : colour === "amber" ? [[660, 0, 0.12], [660, 0.18, 0.12]] : [[220, 0, 0.45]];
      tones.forEach(function (t) {
        var osc = audio.createOscillator();
        var gain = audio.createGain();
        osc.frequency.value = t[0];
        osc.type = colour === "red" ? "square" : "sine";
        gain.gain.value = 0.2;
        osc.connect(gain); gain.connect(audio.destination);
        osc.start(audio.currentTime + t[1]);
        osc.stop(audio.currentTime + t[1] + t[2]);
      });
    } catch (e) { /* no sound available: the colour still tells */ }
  }

  function show(body, status, item, offline) {
    var colour = body.colour || (status === 201 ? "green" : status === 200 ? "amber" : "red");
    result.className = "events-result events-result-" + colour;
    result.setAttribute("data-status", body.status || "error");
    result.setAttribute("data-http-status", String(status));
    result.setAttribute("data-offline", offline ? "1" : "");
    resultTitle.textContent = body.status === "checked_in" ? "✓ " + (body.message || "") : (body.message || body.status || "");
    resultMessage.textContent = offline ? msg("decided-offline") : "";
    resultAttendee.textContent = "";
    confirmOver.classList.add("d-none");
    absentSeats.classList.add("d-none");
    if (body.attendee) {
      var a = body.attendee;
      var parts = [a.name];
      if (a.school) { parts.push(a.school + (a.grade ? " " + a.grade : "")); }
      if (a.kind === "group" || a.head_count > 1) {
        parts.push((body.people !== undefined ? body.people + "/" : "") + a.head_count + " " + msg("people"));
      }
      if (a.phone) { parts.push(a.phone); }
      if (a.session) { parts.push(a.session); }
      resultAttendee.textContent = parts.join(" · ");
    }
    if (body.status === "over_count" && item) {
      confirmOver.textContent = msg("confirm-over").replace("{n}", item.headCount);
      confirmOver.onclick = function () {
        confirmOver.classList.add("d-none");
        enqueue({code: item.code, headCount: item.headCount, confirmOver: true});
      };
      confirmOver.classList.remove("d-none");
    }
    beep(colour);
  }

  function showError(text) {
    result.className = "events-result events-result-red";
    result.setAttribute("data-status", "network_error");
    resultTitle.textContent = text;
    resultMessage.textContent = "";
    resultAttendee.textContent = "";
    beep("red");
  }

  function post(url, payload, attempt) {
    return call(url, {method: "POST", json: payload}).then(function (response) {
      return response.json().then(function (body) { return {status: response.status, body: body}; });
    }, function (error) {
      if (attempt < 1) { return post(url, payload, attempt + 1); }  // same nonce: harmless if it got through
      throw error;
    });
  }

  // --- the device's store: the ticket list, the queue of scans decided offline, what this device admitted ----
  var dbPromise = window.idb ? window.idb.openDB("kc-scanner-" + eventId, 1, {
    upgrade: function (db) {
      db.createObjectStore("tickets");  // key: hash of the code
      db.createObjectStore("meta");  // "list": sessions, separators, synced_at
      db.createObjectStore("queue", {keyPath: "nonce"});
      db.createObjectStore("local");  // key: hash; people admitted offline on this device
      db.createObjectStore("conflicts", {keyPath: "nonce"});
    }
  }) : Promise.reject(new Error("IndexedDB wrapper missing"));

  function setOnline(value) {
    online = value;
    netState.textContent = value ? msg("online") : msg("offline");
    netState.className = "badge " + (value ? "text-bg-success" : "text-bg-danger");
    netState.setAttribute("data-state", value ? "online" : "offline");
  }

  function refreshStatus() {
    return dbPromise.then(function (db) {
      return Promise.all([db.count("queue"), db.get("meta", "list"), db.count("tickets"), db.getAll("conflicts")]);
    }).then(function (r) {
      document.getElementById("queue-count").textContent = r[0];
      root.setAttribute("data-queued", String(r[0]));
      var synced = r[1] && r[1].synced_at;
      document.getElementById("last-sync").textContent = synced ? new Date(synced).toLocaleString(document.documentElement.lang || "zh-CN") : msg("never-synced");
      root.setAttribute("data-synced-at", synced || "");
      document.getElementById("ticket-count").textContent = r[2];
      showConflicts(r[3]);
    }, function () { /* no IndexedDB: online scanning still works */ });
  }

  function showConflicts(rows) {
    var box = document.getElementById("conflicts");
    var list = document.getElementById("conflict-list");
    list.textContent = "";
    rows.forEach(function (row) {
      var li = document.createElement("li");
      li.className = "conflict";
      li.setAttribute("data-result", row.result);
      li.textContent = [row.name, row.gate, row.scanned_at ? new Date(row.scanned_at).toLocaleString(document.documentElement.lang || "zh-CN") : "",
                        msg("r-" + row.offline_result) + " → " + (row.message || row.result)].filter(Boolean).join(" · ");
      list.appendChild(li);
    });
    box.classList.toggle("d-none", rows.length === 0);
    root.setAttribute("data-conflicts", String(rows.length));
  }

  function syncList() {
    return call(urls.offline).then(function (response) {
      if (!response.ok) { throw new Error("offline list " + response.status); }
      return response.json();
    }).then(function (list) {
      return dbPromise.then(function (db) {
        var tx = db.transaction(["tickets", "meta", "local"], "readwrite");
        var store = tx.objectStore("tickets");
        store.clear();
        list.tickets.forEach(function (row) {
          var ticket = {};
          list.fields.forEach(function (field, i) { ticket[field] = row[i]; });
          store.put(ticket, ticket.hash);
        });
        // what this device admitted is in the server's list now (its queue is uploaded before a sync)
        tx.objectStore("local").clear();
        tx.objectStore("meta").put({sessions: list.sessions, separators: list.separators, synced_at: list.synced_at,
                                    cancelled: list.cancelled}, "list");
        return tx.done;
      });
    }).then(refreshStatus);
  }

  function fetchConflicts() {
    return call(urls.conflicts).then(function (r) { return r.ok ? r.json() : {conflicts: []}; }).then(function (data) {
      return dbPromise.then(function (db) {
        var tx = db.transaction("conflicts", "readwrite");
        tx.store.clear();
        data.conflicts.forEach(function (row) { row.nonce = "server-" + row.id; tx.store.put(row); });
        return tx.done;
      });
    }).then(refreshStatus);
  }

  var uploading = null;
  function uploadQueue() {
    if (uploading) { return uploading; }
    uploading = dbPromise.then(function (db) { return db.getAll("queue"); }).then(function (queued) {
      if (!queued.length) { return null; }
      var scans = queued.slice(0, 2000).map(function (q) {
        var scan = {code: q.code, nonce: q.nonce, scanned_at: q.scanned_at, gate: q.gate, device: q.device,
                    confirm_over: !!q.confirm_over, direction: q.direction || "in"};
        if (q.head_count) { scan.head_count = q.head_count; }
        if (q.offline_result) { scan.offline_result = q.offline_result; }
        return scan;
      });
      return call(urls.batch, {method: "POST", json: {scans: scans}}).then(function (response) {
        if (!response.ok) { throw new Error("upload " + response.status); }
        return response.json();
      }).then(function (data) {
        return dbPromise.then(function (db) {
          var tx = db.transaction("queue", "readwrite");
          data.results.forEach(function (r) { tx.store.delete(r.nonce); });
          return tx.done;
        });
      });
    }).then(function (uploaded) {
      setOnline(true);
      return uploaded ? fetchConflicts() : null;
    }).finally(function () { uploading = null; refreshStatus(); });
    return uploading;
  }

  function goOnline() {
    return uploadQueue().then(syncList).then(fetchConflicts).then(function () { setOnline(true); }, function () {
      setOnline(false);
    });
  }

  // --- deciding on the device (offline) ----------------------------------------------------------------------
  function hashCode(raw, separators) {
    var code = (raw || "").normalize("NFKC").replace(new RegExp(separators || "[\\s-]+", "g"), "").toUpperCase();
    return window.crypto.subtle.digest("SHA-256", new TextEncoder().encode(code)).then(function (digest) {
      return Array.prototype.map.call(new Uint8Array(digest), function (b) { return ("0" + b.toString(16)).slice(-2); })
        .join("").slice(0, 32);
    });
  }

  function decideOffline(item) {
    var scannedAt = item.scannedAt;
    return dbPromise.then(function (db) {
      return db.get("meta", "list").then(function (meta) {
        meta = meta || {sessions: [], separators: null};
        return hashCode(item.code, meta.separators).then(function (hash) {
          return Promise.all([db.get("tickets", hash), db.get("local", hash)]).then(function (found) {
            var t = found[0], local = found[1] || {people: 0};
            var body;
            var queued = {nonce: item.nonce, code: item.code, scanned_at: scannedAt, gate: gateInput.value || "",
                          device: (navigator.userAgent || "").slice(0, 200), head_count: item.headCount ? parseInt(item.headCount, 10) : null,
                          confirm_over: !!item.confirmOver, direction: item.direction};
            var ticket = t ? {event_id: eventId, session_id: t.session_id, status: t.status, head_count: t.head_count} : null;
            var inside = t ? t["in"] + local.people : 0;
            var prior = inside > 0 ? {checked_in_at: local.first || t.checked_in_at, gate: t.gate || local.gate || "", head_count: inside} : null;
            var d;
            if (item.direction === "out") {  // an exit: the same rule as the server's decide_checkout
              d = RULE.decideOut(ticket, eventId, prior, local.out || (t && t.checked_out_at) || null);
            } else {
              var session = t ? meta.sessions.filter(function (s) { return s.id === t.session_id; })[0] : null;
              var window_ = session ? {opens_at: session.opens_at, closes_at: session.closes_at} : null;
              var arriving = item.headCount ? parseInt(item.headCount, 10) : null;
              d = RULE.decide(ticket, eventId, window_, scannedAt, prior, null, arriving, !!item.confirmOver, !!meta.cancelled);
            }
            body = {status: d.reason, colour: RULE.colour(d.reason), message: msg("r-" + d.reason),
                    attendee: t ? {name: t.name, head_count: t.head_count, kind: t.head_count > 1 ? "group" : "individual"} : null};
            if (d.reason === "checked_in") { body.people = d.people; }
            queued.offline_result = d.reason;
            var tx = db.transaction(["queue", "local"], "readwrite");
            tx.objectStore("queue").put(queued);
            if (d.reason === "checked_in") {
              tx.objectStore("local").put({people: local.people + d.people, first: local.first || scannedAt,
                                           gate: local.gate || queued.gate, out: local.out || null}, hash);
            } else if (d.reason === "checked_out") {
              tx.objectStore("local").put({people: local.people, first: local.first || null, gate: local.gate || "",
                                           out: scannedAt}, hash);
            }
            return tx.done.then(function () { return body; });
          });
        });
      });
    });
  }

  // An online check-in or exit is remembered on the device too (as an offline one is in decideOffline), so a
  // rescan decided offline before the next sync still knows the visitor is in ("already checked in on this
  // device") or already went out ("already checked out"), as the server will.
  function rememberOnline(item, body) {
    if (body.status !== "checked_in" && body.status !== "checked_out") { return Promise.resolve(); }
    return dbPromise.then(function (db) {
      return db.get("meta", "list").then(function (meta) {
        return hashCode(item.code, meta && meta.separators);
      }).then(function (hash) {
        return db.get("local", hash).then(function (local) {
          local = local || {people: 0};
          var row = {people: local.people, first: local.first || null, gate: local.gate || "", out: local.out || null};
          if (body.status === "checked_in") {
            row.people += body.people || 1;
            row.first = local.first || body.checked_in_at;
            row.gate = local.gate || body.gate || "";
          } else {
            row.out = local.out || body.checked_out_at || item.scannedAt;
          }
          return db.put("local", row, hash);
        });
      });
    }).catch(function () { /* no IndexedDB: nothing to remember */ });
  }

  // --- scanning ----------------------------------------------------------------------------------------------
  // Scans are handled one after the other: a code typed or seen while the previous one is on its way waits in
  // this queue instead of being lost.
  var pending = [];
  var busy = false;
  function enqueue(item) {
    item.code = (item.code || "").trim();
    if (!item.code) { return; }
    item.nonce = nonce();
    item.scannedAt = new Date().toISOString();
    item.direction = directionInput ? directionInput.value : "in";
    pending.push(item);
    pump();
  }

  function submit(code) {
    enqueue({code: code, headCount: headInput.value});
    headInput.value = "";
  }

  function pump() {
    if (busy || !pending.length) { return; }
    busy = true;
    var item = pending.shift();
    var done = function () {
      busy = false;
      refreshStatus();
      if (!isTypingElsewhere()) { codeInput.focus(); }
      pump();
    };
    if (Date.now() > validUntil) { showError(msg("expired")); done(); return; }
    var offline = function () {
      setOnline(false);
      return decideOffline(item).then(function (body) { show(body, 0, item, true); },
                                      function () { showError(msg("network")); });
    };
    if (!online || navigator.onLine === false) { offline().then(done); return; }
    var payload = {code: item.code, event_id: eventId, gate: gateInput.value || "", nonce: item.nonce,
                   scanned_at: item.scannedAt, device: (navigator.userAgent || "").slice(0, 200),
                   confirm_over: !!item.confirmOver, direction: item.direction};
    if (item.headCount) { payload.head_count = parseInt(item.headCount, 10); }
    post(urls.checkin, payload, 0).then(function (r) {
      show(r.body, r.status, item, false);
      refreshCounters();
      return rememberOnline(item, r.body);
    }, offline).then(done);
  }

  function refreshCounters() {
    call(urls.counters).then(function (r) { return r.ok ? r.json() : null; }).then(function (c) {
      if (!c) { return; }
      document.getElementById("count-checked").textContent = c.checked_in;
      document.getElementById("count-registered").textContent = c.registered;
      document.getElementById("count-capacity").textContent = c.capacity;
    }, function () { /* counters catch up on the next poll */ });
  }

  // USB/Bluetooth scanners type the code and Enter into whatever has focus: keep the code input focused
  // unless staff are typing into another field.
  function isTypingElsewhere() {
    var el = document.activeElement;
    return el && el !== codeInput && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT");
  }
  codeInput.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") {
      ev.preventDefault();
      var typed = codeInput.value;
      codeInput.value = "";  // at once: a handheld scanner may already be typing the next code
      submit(typed);
    }
  });
  document.addEventListener("click", function () {
    window.setTimeout(function () { if (!isTypingElsewhere()) { codeInput.focus(); } }, 0);
  });
  window.setInterval(function () { if (!isTypingElsewhere() && document.activeElement !== codeInput) { codeInput.focus(); } }, 1500);
  codeInput.focus();

  // Camera scanning with the self-hosted qr-scanner (static/vendor/qr-scanner/). The camera sees a QR code
  // many times a second: a code is sent once, and again only after a different code was seen or it has been
  // out of view for SEEN_FOR.
  var inView = {code: "", at: 0};
  function seen(code) {
    code = (code || "").trim();
    var now = Date.now();
    var same = code === inView.code && now - inView.at < SEEN_FOR;
    inView = {code: code, at: now};
    if (!same) { submit(code); }
  }
  var toggle = document.getElementById("camera-toggle");
  var video = document.getElementById("camera");
  var cameraState = document.getElementById("camera-state");
  var qrScanner = null;
  function startCamera() {
    if (!window.QrScanner) { cameraState.textContent = msg("camera"); return; }
    video.classList.remove("d-none");
    qrScanner = new window.QrScanner(video, function (res) { seen(res && res.data !== undefined ? res.data : res); },
      {returnDetailedScanResult: true, highlightScanRegion: false, maxScansPerSecond: 10});
    qrScanner.start().then(function () {
      root.setAttribute("data-camera", "on");
      cameraState.textContent = "";
      toggle.textContent = msg("camera-stop");
      toggle.setAttribute("aria-pressed", "true");
    }, function () {
      cameraState.textContent = msg("camera");
      video.classList.add("d-none");
      qrScanner = null;
    });
  }
  toggle.addEventListener("click", function () {
    if (qrScanner) {
      qrScanner.stop(); qrScanner.destroy(); qrScanner = null; video.classList.add("d-none"); root.removeAttribute("data-camera");
      toggle.textContent = msg("camera-start");
      toggle.setAttribute("aria-pressed", "false");
    }
    else { startCamera(); }
  });
  if (/[?&]camera=1\b/.test(window.location.search)) { startCamera(); }

  // Manual search by name or phone ending (online only: the offline list holds no phones or full names).
  var searchInput = document.getElementById("search-input");
  var searchResults = document.getElementById("search-results");
  var searchTimer = null;
  searchInput.addEventListener("input", function () {
    window.clearTimeout(searchTimer);
    searchTimer = window.setTimeout(function () {
      var q = searchInput.value.trim();
      searchResults.textContent = "";
      if (q.length < 1) { return; }
      call(urls.search + "?q=" + encodeURIComponent(q)).then(function (r) { return r.json(); }).then(function (data) {
        searchResults.textContent = "";
        (data.results || []).forEach(function (row) {
          var li = document.createElement("li");
          li.className = "list-group-item d-flex justify-content-between align-items-center";
          var label = document.createElement("span");
          label.textContent = row.name + (row.school ? " · " + row.school : "") + (row.phone ? " · " + row.phone : "") +
            (row.kind === "group" ? " · " + row.head_count + " " + msg("people") : "") + (row.checked_in ? " · " + msg("checked") : "");
          var button = document.createElement("button");
          button.type = "button";
          button.className = "btn btn-sm btn-primary search-checkin";
          button.textContent = msg("checkin");
          button.addEventListener("click", function () { submit(row.code); });
          li.appendChild(label); li.appendChild(button);
          searchResults.appendChild(li);
        });
      }, function () { /* offline: no search */ });
    }, 250);
  });

  // Walk-ins: register at the door and check in at once (online only). A full session that has started may
  // offer the seats of registrants who have not come.
  var walkForm = document.getElementById("walk-in-form");
  function sendWalkIn(useAbsentSeats) {
    var data = new FormData(walkForm);
    var payload = {session_id: parseInt(data.get("session_id"), 10), kind: data.get("kind"), name: data.get("name") || "",
                   phone: data.get("phone") || "", school_name: data.get("school_name") || "",
                   head_count: parseInt(data.get("head_count") || "1", 10) || 1, gate: gateInput.value || "", nonce: nonce(),
                   use_absent_seats: useAbsentSeats};
    post(urls.walkin, payload, 0).then(function (r) {
      if (r.body && r.body.error) {
        showError(r.body.error.message);
        var free = r.body.error.details && r.body.error.details.absent_seats;
        if (r.body.error.code === "full" && free >= payload.head_count) {
          absentSeats.textContent = msg("absent-seats").replace("{n}", free);
          absentSeats.onclick = function () { absentSeats.classList.add("d-none"); sendWalkIn(true); };
          absentSeats.classList.remove("d-none");
        }
        return;
      }
      show(r.body, r.status, null, false);
      walkForm.reset();
      refreshCounters();
    }, function () { showError(msg("network")); });
  }
  walkForm.addEventListener("submit", function (ev) { ev.preventDefault(); sendWalkIn(false); });

  // --- online / offline --------------------------------------------------------------------------------------
  window.addEventListener("online", function () { goOnline(); });
  window.addEventListener("offline", function () { setOnline(false); });
  setOnline(online);
  refreshStatus();
  if (online) { goOnline(); }
  window.setInterval(function () { if (navigator.onLine !== false) { goOnline(); } }, SYNC_EVERY);
  window.setInterval(function () { if (online) { refreshCounters(); } }, 10000);
  if ("serviceWorker" in navigator && urls.sw) {
    navigator.serviceWorker.register(urls.sw, {scope: "/events/"}).then(function () {
      root.setAttribute("data-sw", "registered");
      return navigator.serviceWorker.ready;
    }).then(function () {
      // cache this page and its scripts now, so the next visit opens without network
      var assets = [window.location.pathname + window.location.search];
      document.querySelectorAll("script[src], link[rel=stylesheet]").forEach(function (el) {
        assets.push(el.getAttribute("src") || el.getAttribute("href"));
      });
      return caches.open("kc-scanner-v1").then(function (cache) { return cache.addAll(assets); });
    }).then(function () { root.setAttribute("data-sw", "ready"); }, function () { /* no worker: online only */ });
  }
  window.kcScanner = {sync: goOnline, upload: uploadQueue};  // for staff tools and tests
})();
