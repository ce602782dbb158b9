// Live progress bar for a background job: polls /api/v1/jobs/<id> until it is done or failed.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box) { return; }
  var bar = document.getElementById("job-bar");
  var statusEl = document.getElementById("job-status");
  function show(job) {
    bar.style.width = job.percent + "%";
    bar.textContent = job.percent + "%";
    bar.parentElement.setAttribute("aria-valuenow", job.percent);
    document.getElementById("job-message").textContent = job.message || "";
    statusEl.textContent = statusEl.getAttribute("data-label-" + job.status) || job.status;
    if (job.status === "failed") {
      var err = document.getElementById("job-error");
      err.textContent = job.error || "";
      err.classList.remove("d-none");
      bar.classList.add("bg-danger");
    }
    if (job.status === "done") {
      bar.classList.remove("progress-bar-striped");
      bar.classList.add("bg-success");
      if (job.download_url) {
        var link = document.getElementById("job-download");
        link.href = job.download_url;
        link.classList.remove("d-none");
      }
    }
    return job.status === "done" || job.status === "failed";
  }
  function poll() {
    window.kcFetch(box.getAttribute("data-url")).then(function (r) { return r.json(); }).then(function (job) {
      if (!show(job)) { setTimeout(poll, 1000); }
    }).catch(function () { setTimeout(poll, 3000); });
  }
  if (box.getAttribute("data-status") !== "done" && box.getAttribute("data-status") !== "failed") { poll(); }
})();
