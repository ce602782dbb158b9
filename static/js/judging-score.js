// Scoring page: live checks against maximum and step, running total, and draft autosave (last write wins).
(function () {
  "use strict";
  var form = document.getElementById("score-form");
  if (!form) { return; }
  var inputs = Array.prototype.slice.call(form.querySelectorAll(".criterion-input"));
  var comment = document.getElementById("comment");
  var status = document.getElementById("autosave-status");
  var totalEl = document.getElementById("score-total");
  var timer = null;
  var inFlight = false;
  var pending = false;

  // Decimal-safe "is a multiple of step": compare in hundredths.
  function toHundredths(v) { return Math.round(parseFloat(v) * 100); }

  function check(input) {
    var raw = input.value.trim();
    var feedback = input.parentNode.querySelector(".invalid-feedback");
    var message = "";
    if (raw !== "") {
      var value = Number(raw);
      if (!isFinite(value)) { message = form.dataset.msgNan; }
      else if (value > parseFloat(input.max) || value < 0) { message = form.dataset.msgMax; }
      else if (toHundredths(raw) % toHundredths(input.step) !== 0) { message = form.dataset.msgStep; }
    }
    input.classList.toggle("is-invalid", message !== "");
    if (feedback && message) { feedback.textContent = message; }
    return message === "";
  }

  function updateTotal() {
    var total = 0;
    var complete = true;
    inputs.forEach(function (input) {
      if (input.value.trim() === "" || !check(input)) { complete = false; return; }
      total += Number(input.value) * parseFloat(input.dataset.weight || "1");
    });
    if (totalEl) { totalEl.textContent = complete ? total.toFixed(2) : "—"; }
  }

  function payload() {
    var values = {};
    inputs.forEach(function (input) { values[input.dataset.key] = input.value.trim(); });
    return {values: values, comment: comment ? comment.value : ""};
  }

  function save() {
    if (inFlight) { pending = true; return; }
    if (!inputs.map(check).every(Boolean)) {  // check every input (mark each), and say that nothing was saved
      status.textContent = form.dataset.msgError;
      return;
    }
    inFlight = true;
    status.textContent = form.dataset.msgSaving;
    window.kcFetch(form.dataset.autosave, {method: "POST", json: payload()})
      .then(function (response) {
        return response.json().then(function (body) { return {ok: response.ok, body: body}; });
      })
      .then(function (result) {
        if (result.ok) {
          // a revision of a submitted score stays submitted: it is not a draft
          status.textContent = result.body.submitted ? form.dataset.msgRevised : form.dataset.msgSaved;
        } else {
          status.textContent = form.dataset.msgError + ": " + ((result.body.error || {}).message || "");
          var fields = (result.body.error || {}).fields || {};
          Object.keys(fields).forEach(function (key) {
            var input = form.querySelector('[data-key="' + key + '"]');
            if (input) {
              input.classList.add("is-invalid");
              input.parentNode.querySelector(".invalid-feedback").textContent = fields[key];
            }
          });
        }
      })
      .catch(function () { status.textContent = form.dataset.msgError; })
      .then(function () {
        inFlight = false;
        if (pending) { pending = false; save(); }
      });
  }

  function schedule() {
    updateTotal();
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(save, 1200);
  }

  inputs.forEach(function (input) { input.addEventListener("input", schedule); });
  if (comment) { comment.addEventListener("input", schedule); }
  form.addEventListener("submit", function () { if (timer) { clearTimeout(timer); } });
  updateTotal();
})();
