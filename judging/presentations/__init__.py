"""On-site presentation rounds (答辩/路演): rooms, time slots with a panel, and the submissions placed in them.

A round becomes a presentation round when its organiser gives it rooms. Each slot has a room, a start and an
end and a panel (some of the owner's judges); each submission of the round is placed in at most one slot, and
the slot's panel is its assignment, so scores, aggregation and results are judging's as in any round.

- ``models``: the tables (``judging_rooms, judging_slots, judging_panelists, judging_placements``).
- ``services``: rooms, slots (refused when a room or a panel member is booked twice at once: the overlap rule is
  core.intervals'), placement (refused for a submission placed twice or a panel member who must stand aside,
  judging.assignment.has_conflict), the schedule per room, a panel member's slots and a submission's slot.

Judging does not learn subject types here either: submissions are ids of the round owner's kind
(judging.submissions).
"""
