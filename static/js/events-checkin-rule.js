// The check-in decision as an OFFLINE scanner makes it: a mirror of events/checkin.py decide_checkin, used
// only while the device has no network (online, the server decides). Both are run against one table of cases
// (tests/events/checkin_cases.json): change the rule there first, then here and in Python.
// Inputs are plain objects: ticket {event_id, session_id, status, head_count} or null; window {opens_at,
// closes_at} (ISO times) or null; scanTime (ISO time or Date); prior {checked_in_at, gate, head_count} or null;
// eventCancelled whether the event itself was called off. decideOut mirrors decide_checkout (exit scans).
(function (root, factory) {
  "use strict";
  if (typeof module === "object" && module.exports) { module.exports = factory(); }
  else { root.KcCheckinRule = factory(); }
}(typeof self !== "undefined" ? self : this, function () {
  "use strict";
  var COLOUR = {checked_in: "green", already_checked_in: "amber", over_count: "amber", checked_out: "green",
                already_checked_out: "amber"};

  function time(value) { return value instanceof Date ? value.getTime() : Date.parse(value); }

  function decide(ticket, eventId, window, scanTime, prior, sessionId, arriving, confirmOver, eventCancelled) {
    if (!ticket) { return {reason: "not_found", people: 0, over_count: false}; }
    if (ticket.event_id !== eventId || (sessionId !== null && sessionId !== undefined && ticket.session_id !== sessionId)) {
      return {reason: "wrong_event", people: 0, over_count: false};
    }
    if (ticket.status === "cancelled") { return {reason: "cancelled", people: 0, over_count: false}; }
    if (ticket.status === "waitlisted") { return {reason: "waitlisted", people: 0, over_count: false}; }
    if (ticket.status !== "confirmed") { throw new Error("unknown registration status " + ticket.status); }
    var hasCount = arriving !== null && arriving !== undefined;
    var left = ticket.head_count - (prior ? prior.head_count : 0);
    if (prior && left <= 0 && !hasCount) { return {reason: "already_checked_in", people: 0, over_count: false}; }
    if (eventCancelled) { return {reason: "cancelled", people: 0, over_count: false}; }
    var t = time(scanTime);
    if (!window || t < time(window.opens_at) || t > time(window.closes_at)) {
      return {reason: "outside_window", people: 0, over_count: false};
    }
    var people = hasCount ? arriving : Math.max(left, 0);
    if (people > left) {
      if (!confirmOver) { return {reason: "over_count", people: 0, over_count: false}; }
      return {reason: "checked_in", people: people, over_count: true};
    }
    return {reason: "checked_in", people: people, over_count: false};
  }

  function decideOut(ticket, eventId, prior, checkedOutAt) {
    var refuse = function (reason) { return {reason: reason, people: 0, over_count: false}; };
    if (!ticket) { return refuse("not_found"); }
    if (ticket.event_id !== eventId) { return refuse("wrong_event"); }
    if (ticket.status === "cancelled") { return refuse("cancelled"); }
    if (ticket.status === "waitlisted") { return refuse("waitlisted"); }
    if (!prior) { return refuse("not_checked_in"); }
    if (checkedOutAt) { return refuse("already_checked_out"); }
    return refuse("checked_out");
  }

  function colour(reason) { return COLOUR[reason] || "red"; }

  return {decide: decide, decideOut: decideOut, colour: colour};
}));
