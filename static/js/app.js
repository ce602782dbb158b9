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
// Design system: the association's colour (data-brand-colour; the CSP forbids style attributes, CSSOM is
// allowed) and toasts that leave by themselves after a success.
(function () {
  "use strict";
  var colour = document.body.getAttribute("data-brand-colour");
  if (colour && /^#[0-9a-fA-F]{6}$/.test(colour)) { document.body.style.setProperty("--kc-brand", colour); }
  document.querySelectorAll(".kc-toast[data-autohide]").forEach(function (el) {
    window.setTimeout(function () {
      if (window.bootstrap && window.bootstrap.Alert) { window.bootstrap.Alert.getOrCreateInstance(el).close(); }
      else { el.remove(); }
    }, parseInt(el.getAttribute("data-autohide"), 10) || 6000);
  });
})();
// Buttons with data-print print the page (posters).
document.addEventListener("click", function (ev) {
  var el = ev.target.closest && ev.target.closest("[data-print]");
  if (el) { ev.preventDefault(); window.print(); }
});
// A colour picker mirrors into the text field named by data-mirror (and back), so both stay usable.
document.querySelectorAll("input[type=color][data-mirror]").forEach(function (picker) {
  var field = document.getElementsByName(picker.getAttribute("data-mirror"))[0];
  if (!field) { return; }
  picker.addEventListener("input", function () { field.value = picker.value; });
  field.addEventListener("input", function () { if (/^#[0-9a-fA-F]{6}$/.test(field.value)) { picker.value = field.value; } });
});
