// Category form: "Add a material" / "Add a quota" copy the last row with empty values and the next index
// (materials-3-kind …), so the organiser is never limited to the blank rows the page came with.
// Team sizes show only for a team category.
(function () {
  "use strict";
  var form = document.getElementById("category-form");
  if (!form) { return; }
  form.querySelectorAll(".kc-add-row").forEach(function (button) {
    button.addEventListener("click", function () {
      var box = document.getElementById(button.getAttribute("data-rows")).querySelector(".kc-rows");
      var rows = box.querySelectorAll(".kc-row");
      var last = rows[rows.length - 1];
      var prefix = last.getAttribute("data-prefix");
      var pattern = new RegExp("^" + prefix + "-\\d+-");
      var next = prefix + "-" + rows.length + "-";
      var copy = last.cloneNode(true);
      copy.querySelectorAll("input, select, label").forEach(function (el) {
        ["name", "id", "for"].forEach(function (attr) {
          var value = el.getAttribute(attr);
          if (value) { el.setAttribute(attr, value.replace(pattern, next)); }
        });
        el.classList.remove("is-invalid");
        if (el.tagName === "SELECT") { el.selectedIndex = 0; }
        else if (el.type === "checkbox") { el.checked = el.defaultChecked; }
        else if (el.tagName === "INPUT") { el.value = el.defaultValue; }
      });
      copy.querySelectorAll(".invalid-feedback").forEach(function (el) { el.remove(); });
      box.appendChild(copy);
      var first = copy.querySelector("select, input");
      if (first) { first.focus(); }
    });
  });
  var type = form.querySelector("[name=entry_type]");
  function teamOnly() {
    form.querySelectorAll(".kc-team-only").forEach(function (el) { el.classList.toggle("d-none", type.value !== "team"); });
  }
  if (type) { type.addEventListener("change", teamOnly); teamOnly(); }
})();
