// Certificate template designer: a live preview image of the unsaved form (rasterised on the server), and
// over it one box per item that the organiser drags (pointer) or nudges (arrow keys, 0.5 mm) into place.
// Boxes, page size and warnings (overlapping texts, items off the page) come from the server's one rule
// (certificates.layout.layout_warnings via /certificates/templates/live-check); this file only draws them.
(function () {
  "use strict";
  var form = document.getElementById("template-form");
  var img = document.getElementById("live-preview");
  var errorBox = document.getElementById("live-preview-error");
  var overlay = document.getElementById("designer-overlay");
  var warningList = document.getElementById("designer-warnings");
  if (!form || !img) { return; }
  var url = form.getAttribute("data-preview-url");
  var checkUrl = form.getAttribute("data-check-url");
  var timer = null;
  var lastObjectUrl = null;
  var inFlight = 0;
  var checks = 0;
  var page = null;
  var dragging = null;
  var selected = null;
  var STEP = 0.5;  // mm: what one arrow key press and the drag grid move

  function formData() {
    var data = new FormData(form);
    // Files are stored only on save; the preview uses the saved background.
    data.delete("background");
    data.delete("new_image");
    return data;
  }

  function refresh() {
    var mine = ++inFlight;
    window.kcFetch(url, {method: "POST", body: formData(), headers: {"Accept": "image/png"}})
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

  function field(index, name) {
    return form.querySelector('[name="items-' + index + "-" + name + '"]');
  }

  function place(box, mm) {
    box.style.left = (mm[0] / page[0] * 100) + "%";
    box.style.top = (mm[1] / page[1] * 100) + "%";
    box.style.width = (mm[2] / page[0] * 100) + "%";
    box.style.height = (Math.max(mm[3], 1) / page[1] * 100) + "%";
  }

  function draw(result) {
    if (!overlay) { return; }
    page = result.page;
    overlay.textContent = "";
    warningList.textContent = "";
    (result.warnings || []).forEach(function (text) {
      var li = document.createElement("li");
      li.textContent = text;
      warningList.appendChild(li);
    });
    if (!page) { return; }
    result.items.forEach(function (item) {
      var box = document.createElement("div");
      box.className = "kc-box" + (item.warn ? " kc-warn" : "") + (selected === item.index ? " kc-active" : "");
      box.tabIndex = 0;
      box.dataset.index = item.index;
      box.dataset.mm = JSON.stringify(item.box);
      box.title = (item.index + 1) + ". " + item.label;
      box.textContent = String(item.index + 1);
      place(box, item.box);
      overlay.appendChild(box);
    });
  }

  function check() {
    if (!checkUrl) { return; }
    var mine = ++checks;
    window.kcFetch(checkUrl, {method: "POST", body: formData(), headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (result) {
        if (result && mine === checks && !dragging) { draw(result); }
      })
      .catch(function () { /* the preview's error box already explains */ });
  }

  function round(mm) { return Math.round(mm / STEP) * STEP; }

  function move(box, x, y) {
    var index = box.dataset.index;
    var mm = JSON.parse(box.dataset.mm);
    mm[0] = round(x);
    mm[1] = round(y);
    box.dataset.mm = JSON.stringify(mm);
    place(box, mm);
    field(index, "x_mm").value = mm[0];
    field(index, "y_mm").value = mm[1];
  }

  if (overlay) {
    overlay.addEventListener("pointerdown", function (ev) {
      var box = ev.target.closest(".kc-box");
      if (!box || !page) { return; }
      ev.preventDefault();
      box.setPointerCapture(ev.pointerId);
      box.focus();
      selected = Number(box.dataset.index);
      var mm = JSON.parse(box.dataset.mm);
      var scale = page[0] / overlay.getBoundingClientRect().width;  // mm per CSS pixel
      dragging = {box: box, startX: ev.clientX, startY: ev.clientY, x: mm[0], y: mm[1], scale: scale};
      box.classList.add("kc-active");
    });
    overlay.addEventListener("pointermove", function (ev) {
      if (!dragging) { return; }
      move(dragging.box, dragging.x + (ev.clientX - dragging.startX) * dragging.scale,
           dragging.y + (ev.clientY - dragging.startY) * dragging.scale);
    });
    var drop = function () {
      if (!dragging) { return; }
      dragging = null;
      schedule();
    };
    overlay.addEventListener("pointerup", drop);
    overlay.addEventListener("pointercancel", drop);
    overlay.addEventListener("keydown", function (ev) {
      var box = ev.target.closest(".kc-box");
      var delta = {ArrowLeft: [-STEP, 0], ArrowRight: [STEP, 0], ArrowUp: [0, -STEP], ArrowDown: [0, STEP]}[ev.key];
      if (!box || !delta) { return; }
      ev.preventDefault();
      selected = Number(box.dataset.index);
      var mm = JSON.parse(box.dataset.mm);
      move(box, mm[0] + delta[0], mm[1] + delta[1]);
      schedule();
    });
  }

  function schedule() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(function () { refresh(); check(); }, 500);
  }

  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  refresh();
  check();
})();
