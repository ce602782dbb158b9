// Certificate template designer: a live preview image of the unsaved form (rasterised on the server).
(function () {
  "use strict";
  var form = document.getElementById("template-form");
  var img = document.getElementById("live-preview");
  var errorBox = document.getElementById("live-preview-error");
  if (!form || !img) { return; }
  var url = form.getAttribute("data-preview-url");
  var timer = null;
  var lastObjectUrl = null;
  var inFlight = 0;

  function refresh() {
    var data = new FormData(form);
    // Files are stored only on save; the preview uses the saved background.
    data.delete("background");
    data.delete("new_image");
    var mine = ++inFlight;
    window.kcFetch(url, {method: "POST", body: data, headers: {"Accept": "image/png"}})
      .then(function (response) {
        if (mine !== inFlight) { return null; }
        if (!response.ok) {
          return response.text().then(function (text) {
            errorBox.textContent = text;
            errorBox.classList.remove("d-none");
          });
        }
        return response.blob().then(function (blob) {
          if (lastObjectUrl) { URL.revokeObjectURL(lastObjectUrl); }
          lastObjectUrl = URL.createObjectURL(blob);
          img.src = lastObjectUrl;
          errorBox.classList.add("d-none");
        });
      })
      .catch(function (err) {
        errorBox.textContent = String(err);
        errorBox.classList.remove("d-none");
      });
  }

  function schedule() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(refresh, 500);
  }

  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  refresh();
})();
