// Entry form: show as many student and advisor places as the chosen category allows, and the team
// leader only for team categories. Hidden places are cleared so they submit nothing; the server checks again.
(function () {
  "use strict";
  var form = document.getElementById("entry-form");
  if (!form) { return; }
  var limits = JSON.parse(form.getAttribute("data-limits") || "{}");
  var category = form.querySelector("[name=category_id]");
  function apply() {
    var limit = limits[category.value];
    if (!limit) { return; }
    function toggle(selector, max) {
      form.querySelectorAll(selector).forEach(function (place) {
        var visible = parseInt(place.getAttribute("data-place"), 10) < max;
        place.classList.toggle("d-none", !visible);
        var select = place.querySelector("select");
        if (!visible && select.value !== "0") {
          select.value = "0";
          select.dispatchEvent(new Event("change", {bubbles: true}));
        }
      });
    }
    toggle(".kc-member-place", limit.members);
    toggle(".kc-advisor-place", limit.advisors);
    document.getElementById("member-places").classList.toggle("d-none", limit.members === 0);
    document.getElementById("leader-place").classList.toggle("d-none", !limit.team);
  }
  category.addEventListener("change", apply);
  apply();
})();
