// Check-in scanner page: phone camera (self-hosted qr-scanner), USB/Bluetooth scanners that type the code
// and Enter, manual search and walk-ins. Every scan is POSTed to /api/v1/checkins with a fresh nonce; a
// network failure is retried once with the SAME nonce, so the server never admits twice.
(function () {
  "use strict";
  var root = document.getElementById("scanner");
  if (!root) { return; }
  var eventId = parseInt(root.getAttribute("data-event-id"), 10);
  var urls = {
    checkin: root.getAttribute("data-checkin-url"),
    counters: root.getAttribute("data-counters-url"),
    search: root.getAttribute("data-search-url"),
    walkin: root.getAttribute("data-walkin-url")
  };
  var msg = function (key) { return root.getAttribute("data-msg-" + key) || ""; };
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
  var result = document.getElementById("result");
  var resultTitle = document.getElementById("result-title");
  var resultMessage = document.getElementById("result-message");
  var resultAttendee = document.getElementById("result-attendee");
  var busy = false;
  var lastCode = "";
  var lastAt = 0;

  function nonce() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
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

  function show(body, status, elapsed) {
    var colour = body.colour || (status === 201 ? "green" : status === 200 ? "amber" : "red");
    result.className = "events-result events-result-" + colour;
    result.setAttribute("data-status", body.status || "error");
    result.setAttribute("data-http-status", String(status));
    result.setAttribute("data-roundtrip-ms", String(Math.round(elapsed)));
    resultTitle.textContent = body.status === "checked_in" ? "✓ " + (body.message || "") : (body.message || body.status || "");
    resultMessage.textContent = "";
    resultAttendee.textContent = "";
    if (body.attendee) {
      var a = body.attendee;
      var parts = [a.name];
      if (a.school) { parts.push(a.school + (a.grade ? " " + a.grade : "")); }
      if (a.kind === "group") {
        parts.push((body.head_count !== undefined ? body.head_count : a.head_count) + " " + msg("people"));
      }
      if (a.phone) { parts.push(a.phone); }
      if (a.session) { parts.push(a.session); }
      resultAttendee.textContent = parts.join(" · ");
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

  function refreshCounters() {
    call(urls.counters).then(function (r) { return r.ok ? r.json() : null; }).then(function (c) {
      if (!c) { return; }
      document.getElementById("count-checked").textContent = c.checked_in;
      document.getElementById("count-registered").textContent = c.registered;
      document.getElementById("count-capacity").textContent = c.capacity;
    }, function () { /* counters catch up on the next poll */ });
  }

  // Scans are sent one after the other: a code typed or seen while the previous one is on its way waits in
  // this queue instead of being lost.
  var queue = [];
  function submit(code) {
    code = (code || "").trim();
    if (!code) { return; }
    var now = Date.now();
    if (code === lastCode && now - lastAt < 2500) { return; }  // the camera sees the same QR many times a second
    lastCode = code; lastAt = now;
    queue.push({code: code, scannedAt: new Date().toISOString(), headCount: headInput.value});
    headInput.value = "";
    pump();
  }

  function pump() {
    if (busy || !queue.length) { return; }
    busy = true;
    var item = queue.shift();
    var started = performance.now();
    var payload = {code: item.code, event_id: eventId, gate: gateInput.value || "", nonce: nonce(),
                   scanned_at: item.scannedAt, device: (navigator.userAgent || "").slice(0, 200)};
    if (item.headCount !== "") { payload.head_count = parseInt(item.headCount, 10); }
    post(urls.checkin, payload, 0).then(function (r) {
      show(r.body, r.status, performance.now() - started);
      refreshCounters();
    }, function () { showError(msg("network")); }).then(function () {
      busy = false;
      if (!isTypingElsewhere()) { codeInput.focus(); }
      pump();
    });
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
      lastCode = "";
      submit(typed);
    }
  });
  document.addEventListener("click", function () {
    window.setTimeout(function () { if (!isTypingElsewhere()) { codeInput.focus(); } }, 0);
  });
  window.setInterval(function () { if (!isTypingElsewhere() && document.activeElement !== codeInput) { codeInput.focus(); } }, 1500);
  codeInput.focus();

  // Camera scanning with the self-hosted qr-scanner (static/vendor/qr-scanner/).
  var toggle = document.getElementById("camera-toggle");
  var video = document.getElementById("camera");
  var cameraState = document.getElementById("camera-state");
  var qrScanner = null;
  function startCamera() {
    if (!window.QrScanner) { cameraState.textContent = msg("camera"); return; }
    video.classList.remove("d-none");
    qrScanner = new window.QrScanner(video, function (res) { submit(res && res.data !== undefined ? res.data : res); },
      {returnDetailedScanResult: true, highlightScanRegion: false, maxScansPerSecond: 10});
    qrScanner.start().then(function () {
      root.setAttribute("data-camera", "on");
      cameraState.textContent = "";
    }, function () {
      cameraState.textContent = msg("camera");
      video.classList.add("d-none");
      qrScanner = null;
    });
  }
  toggle.addEventListener("click", function () {
    if (qrScanner) { qrScanner.stop(); qrScanner.destroy(); qrScanner = null; video.classList.add("d-none"); root.removeAttribute("data-camera"); }
    else { startCamera(); }
  });
  if (/[?&]camera=1\b/.test(window.location.search)) { startCamera(); }

  // Manual search by name or phone ending.
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
          button.addEventListener("click", function () { lastCode = ""; submit(row.code); });
          li.appendChild(label); li.appendChild(button);
          searchResults.appendChild(li);
        });
      });
    }, 250);
  });

  // Walk-ins: register at the door and check in at once.
  var walkForm = document.getElementById("walk-in-form");
  walkForm.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var data = new FormData(walkForm);
    var payload = {session_id: parseInt(data.get("session_id"), 10), kind: data.get("kind"), name: data.get("name") || "",
                   phone: data.get("phone") || "", school_name: data.get("school_name") || "",
                   head_count: parseInt(data.get("head_count") || "1", 10) || 1, gate: gateInput.value || "", nonce: nonce()};
    var started = performance.now();
    post(urls.walkin, payload, 0).then(function (r) {
      if (r.body && r.body.error) { showError(r.body.error.message); return; }
      show(r.body, r.status, performance.now() - started);
      walkForm.reset();
      refreshCounters();
    }, function () { showError(msg("network")); });
  });

  window.setInterval(refreshCounters, 10000);
})();
