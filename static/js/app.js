// Shared behaviour for every page (no inline scripts: the Content-Security-Policy allows only 'self').
(function () {
  "use strict";
  // Forms with data-confirm ask before submitting.
  document.addEventListener("submit", function (ev) {
    var msg = ev.target.getAttribute && ev.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) { ev.preventDefault(); }
  }, true);
  // Widths from data-percent (style attributes are not allowed by the CSP, CSSOM is).
  document.querySelectorAll("[data-percent]").forEach(function (el) {
    el.style.width = Math.max(0, Math.min(100, parseFloat(el.getAttribute("data-percent")) || 0)) + "%";
  });
  // fetch() helper for JSON calls from pages: sends the CSRF token as a header.
  var meta = document.querySelector('meta[name="csrf-token"]');
  window.kcFetch = function (url, options) {
    options = options || {};
    options.headers = Object.assign({"X-CSRFToken": meta ? meta.content : "", "Accept": "application/json"}, options.headers || {});
    if (options.json !== undefined) {
      options.body = JSON.stringify(options.json);
      options.headers["Content-Type"] = "application/json";
      delete options.json;
    }
    options.credentials = "same-origin";
    return fetch(url, options);
  };
})();
