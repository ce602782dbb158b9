// Runs the shared check-in cases against the offline scanner's rule (static/js/events-checkin-rule.js);
// prints one JSON line per case with what the rule decided (tests/events/test_events_checkin_decision.py reads it).
"use strict";
var path = require("path");
var rule = require(path.join(__dirname, "..", "..", "static", "js", "events-checkin-rule.js"));
var table = require(path.join(__dirname, "checkin_cases.json"));
table.cases.forEach(function (c) {
  var d = c.direction === "out"
    ? rule.decideOut(c.ticket, c.event_id, c.prior, c.checked_out_at || null)
    : rule.decide(c.ticket, c.event_id, c.window, c.scan_time, c.prior, c.session_id, c.arriving, c.confirm_over,
                  !!c.event_cancelled);
  process.stdout.write(JSON.stringify({name: c.name, reason: d.reason, people: d.people, over_count: d.over_count}) + "\n");
});
