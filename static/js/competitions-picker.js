// Student picker of the entry form: each student place is a search box (name, pinyin initials such as "zsy",
// or class such as "3班") over the school's roster, answered by /contests/school/<id>/students/search, instead
// of a dropdown of every student. The hidden <select> keeps carrying the chosen id, so the server sees the
// same form; the team-leader list offers the chosen students.
(function () {
  "use strict";
  var form = document.getElementById("entry-form");
  if (!form || !form.getAttribute("data-search-url")) { return; }
  var url = form.getAttribute("data-search-url");
  var leader = form.querySelector("select[name=leader_id]");
  var memberSelects = Array.prototype.slice.call(form.querySelectorAll(".kc-member-place select"));

  function choose(select, id, label) {
    var keep = select.querySelector("option[value='0']");
    select.innerHTML = "";
    if (keep) { select.appendChild(keep); }
    if (id) {
      var option = document.createElement("option");
      option.value = String(id);
      option.textContent = label;
      select.appendChild(option);
    }
    select.value = id ? String(id) : "0";
    select.dispatchEvent(new Event("change", {bubbles: true}));
  }

  function syncLeader() {
    if (!leader) { return; }
    var current = leader.value;
    var keep = leader.querySelector("option[value='0']");
    leader.innerHTML = "";
    if (keep) { leader.appendChild(keep); }
    memberSelects.forEach(function (select) {
      var option = select.options[select.selectedIndex];
      if (option && option.value !== "0") {
        var copy = document.createElement("option");
        copy.value = option.value;
        copy.textContent = option.textContent;
        leader.appendChild(copy);
      }
    });
    leader.value = leader.querySelector("option[value='" + current + "']") ? current : "0";
  }

  function picker(select) {
    var box = document.createElement("div");
    box.className = "kc-picker position-relative";
    var input = document.createElement("input");
    input.type = "search";
    input.className = "form-control kc-picker-input";
    input.autocomplete = "off";
    input.placeholder = form.getAttribute("data-search-placeholder");
    input.setAttribute("aria-label", (select.labels && select.labels[0] ? select.labels[0].textContent + ": " : "") + input.placeholder);
    input.setAttribute("data-for", select.name);
    var results = document.createElement("div");
    results.className = "list-group kc-picker-results";
    results.setAttribute("role", "listbox");
    box.appendChild(input);
    box.appendChild(results);
    select.classList.add("d-none");
    select.setAttribute("aria-hidden", "true");
    select.parentNode.insertBefore(box, select.nextSibling);

    function shown() {
      var option = select.options[select.selectedIndex];
      return option && option.value !== "0" ? option.textContent : "";
    }
    input.value = shown();
    var timer = null;
    var asked = 0;

    function render(data) {
      results.innerHTML = "";
      if (!data.students.length) {
        var none = document.createElement("div");
        none.className = "list-group-item text-muted small";
        none.textContent = form.getAttribute("data-none-label");
        results.appendChild(none);
      }
      data.students.forEach(function (student) {
        var item = document.createElement("button");
        item.type = "button";
        item.className = "list-group-item list-group-item-action kc-picker-option";
        item.setAttribute("role", "option");
        item.setAttribute("data-id", student.id);
        item.textContent = student.label;
        item.addEventListener("click", function () {
          choose(select, student.id, student.label);
          input.value = student.label;
          results.innerHTML = "";
        });
        results.appendChild(item);
      });
      if (data.more) {
        var more = document.createElement("div");
        more.className = "list-group-item text-muted small";
        more.textContent = form.getAttribute("data-more-label").replace("{n}", data.more);
        results.appendChild(more);
      }
      // on a phone the list may open below the fold: bring its first rows into view
      if (results.firstChild && results.scrollIntoView) { results.scrollIntoView({block: "nearest"}); }
    }

    function search() {
      var mine = ++asked;
      var q = input.value.trim();
      window.kcFetch(url + "?q=" + encodeURIComponent(q)).then(function (response) {
        return response.ok ? response.json() : {students: [], more: 0};
      }).then(function (data) {
        if (mine === asked && document.activeElement === input) { render(data); }
      });
    }

    input.addEventListener("input", function () {
      if (!input.value.trim() && select.value !== "0") { choose(select, 0, ""); }
      clearTimeout(timer);
      timer = setTimeout(search, 150);
    });
    input.addEventListener("focus", function () { if (input.value === shown()) { input.select(); } search(); });
    input.addEventListener("blur", function () {
      setTimeout(function () {  // let a click on a result land first
        if (document.activeElement && box.contains(document.activeElement)) { return; }  // back in the box
        results.innerHTML = "";
        input.value = shown();
      }, 200);
    });
    input.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter") {  // Enter picks the first match instead of submitting the form
        ev.preventDefault();
        var first = results.querySelector(".kc-picker-option");
        if (first) { first.click(); }
      } else if (ev.key === "Escape") {
        results.innerHTML = "";
      }
    });
    select.addEventListener("change", function () {
      if (document.activeElement !== input) { input.value = shown(); }
      syncLeader();
    });
  }

  memberSelects.forEach(picker);
  syncLeader();
})();
