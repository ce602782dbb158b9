"""The judging area's words for the audit log page (core.audit.describe): rounds, rubrics, judges, assignments,
scores, runs, results, awards, 公示, objections and recommendations, with names for judge, round and entry ids."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l


def describe_audit() -> None:
    from accounts.models import User
    from competitions.models import Entry
    from core import audit
    from judging.forms import TIE_BREAK_CHOICES
    from judging.models import (
        ADVANCEMENT_LABELS,
        AWARD_LABELS,
        AWARD_MODE_LABELS,
        METHOD_LABELS,
        PERFORMANCE_RULE_LABELS,
        RECOMMENDATION_STATUS_LABELS,
        ROUND_STATUS_LABELS,
        RUN_STATUS_LABELS,
        SPECIAL_AWARD_LABELS,
        Judge,
        Round,
    )

    audit.describe(
        objects={
            "judging_rounds": _l("Judging round"),
            "judging_round_category": _l("Category in a round"),
            "judging_round_categories": _l("Category in a round"),
            "judging_criteria": _l("Criterion"),
            "judging_judges": _l("Judge"),
            "judging_assignments": _l("Judge assignment"),
            "judging_scores": _l("Score"),
            "judging_recheck_requests": _l("Recheck request"),
            "judging_run": _l("Robot run"),
            "judging_runs": _l("Robot run"),
            "judging_result": _l("Result"),
            "judging_results": _l("Result"),
            "judging_special_awards": _l("Special award"),
            "judging_notices": _l("Public notice"),
            "judging_objections": _l("Objection"),
            "judging_recommendations": _l("Recommendation"),
            "judging_rooms": _l("Presentation room"),
            "judging_slots": _l("Presentation slot"),
            "judging_panelists": _l("Panel member"),
            "judging_placements": _l("Presentation placement"),
        },
        actions={
            "auto_assign": _l("assigned judges automatically"),
            "assign": _l("assigned a judge"),
            "unassign": _l("removed a judge from an entry"),
            "apply_template": _l("applied a rubric template"),
            "save_criterion": _l("saved a criterion"),
            "performance_rule": _l("changed the run rules"),
            "compute_results": _l("computed the results"),
            "override_award": _l("changed the award by hand"),
            "release_comments": _l("released the judges' comments"),
            "withhold_comments": _l("withheld the judges' comments"),
            "record_run": _l("recorded a run"),
            "confirm_run": _l("confirmed a run"),
            "recommend": _l("recommended to the next level"),
            "accept": _l("accepted the recommendation"),
            "import_score": _l("imported a score"),
            "submit_score": _l("submitted a score"),
            "save_draft": _l("saved a draft score"),
            "request_recheck": _l("asked the judge to recheck"),
            "rejoin": _l("rejoined the judging"),
            "import_scores": _l("imported scores"),
            "start_notice": _l("published the public notice"),
            "answer": _l("answered the objection"),
            "finalise": _l("finalised the results"),
            "place": _l("placed in a presentation slot"),
        },
        fields={
            "onsite": _l("On-site judging"),
            "opens_at": _l("Opens"),
            "judges_per_entry": _l("Judges per entry"),
            "method": _l("Aggregation method"),
            "n_min": _l("Fewest scores needed to drop the highest and lowest"),
            "tie_breaks": _l("Tie-breaks, in order"),
            "advancement": _l("Advancement"),
            "advancement_value": _l("Advancement number"),
            "award_mode": _l("Awards"),
            "award_rule": _l("Award shares"),
            "weight": _l("Weight"),
            "maximum": _l("Maximum"),
            "step": _l("Step"),
            "added": _l("Assignments added"),
            "removed": _l("Assignments removed"),
            "short": _l("Entries short of judges"),
            "entry_id": _l("Entry"),
            "judge_id": _l("Judge"),
            "advisor_id": _l("Advisor"),
            "values": _l("Scores by criterion"),
            "total": _l("Total"),
            "comment": _l("Comment"),
            "submitted": _l("Submitted"),
            "version": _l("Version"),
            "message": _l("Message"),
            "score_id": _l("Score number"),
            "points": _l("Points"),
            "time_cs": _l("Time (hundredths of a second)"),
            "penalty_seconds": _l("Penalty (seconds)"),
            "confirmed_by_id": _l("Confirmed by"),
            "award": _l("Award"),
            "override_reason": _l("Reason for the change"),
            "entry": _l("Entry code"),
            "target_contest_id": _l("Recommended to"),
            "score": _l("Score"),
            "round_ids": _l("Rounds"),
            "days": _l("Days on notice"),
            "mask_names": _l("Names masked"),
            "reference": _l("Reference number"),
            "reply": _l("Reply"),
            "comments_released": _l("Comments released"),
            "entries": _l("Entries"),
            "rows": _l("Rows"),
            "expertise": _l("Expertise"),
            "conflict_school_ids": _l("Conflicts: schools"),
            "conflict_entry_ids": _l("Conflicts: entries"),
            "runs": _l("Runs"),
            "confirm_runs": _l("A second person confirms runs"),
            "max_points": _l("Maximum points"),
            "time_limit_cs": _l("Time limit (hundredths of a second)"),
            "template": _l("Rubric template"),
            "room": _l("Room"),
            "judges": _l("Panel"),
            "slot_id": _l("Presentation slot"),
        },
    )
    audit.describe(object_type="judging_rounds", fields={"closes_at": _l("Closes")})
    audit.describe(object_type="judging_special_awards", fields={"kind": _l("Special award")})
    audit.describe(object_type="judging_judges", actions={"withdraw": _l("withdrew from the judging")})
    audit.describe(object_type="judging_assignments", actions={"decline": _l("could not judge the entry")})
    audit.describe(object_type="judging_recommendations", actions={"decline": _l("declined the recommendation")})
    audit.describe(object_type="judging_objections", actions={"create": _l("raised an objection")})
    values = {}
    for labels, field in (
        (ROUND_STATUS_LABELS, "status"),
        (RECOMMENDATION_STATUS_LABELS, "status"),
        (RUN_STATUS_LABELS, "status"),
        (METHOD_LABELS, "method"),
        (AWARD_LABELS, "award"),
        (ADVANCEMENT_LABELS, "advancement"),
        (AWARD_MODE_LABELS, "award_mode"),
        (SPECIAL_AWARD_LABELS, "kind"),
        (PERFORMANCE_RULE_LABELS, "performance_rule"),
        (dict(TIE_BREAK_CHOICES), "tie_breaks"),
    ):
        values.update({(field, str(key)): label for key, label in labels.items()})
    values[("status", "open")] = _l("Open")  # an objection's; accepted/rejected are labelled above and by entries
    judge_names = audit.names_of(Judge.id, User.name, User)
    audit.describe(
        values=values,
        ids={
            "judge_id": judge_names,
            "round_ids": audit.names_of(Round.id, Round.name),
            "entry_id": audit.names_of(Entry.id, Entry.code),
            "conflict_entry_ids": audit.names_of(Entry.id, Entry.code),
        },
    )
