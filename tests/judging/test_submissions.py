"""Submissions: judging reads a contest entry through the registered "entry" kind — its code, title, anonymised
materials (no student, school or file name), conflict keys — and 回避 compares keys, not entry fields."""

import pytest

from competitions.models import Material
from competitions.submissions import EntrySubmission, load_entries
from core import conflicts
from core.extensions import db
from judging import submissions
from judging.services import assignment as assignment_service
from judging.services import judges as judges_service
from tests.judging import factories as jf


def test_the_entry_kind_is_registered_at_start_up_and_loads_entries_in_one_query(count_queries):
    w = jf.world(n_entries=4)
    assert submissions.submission_kind("entry").load is load_entries
    ids = [e.id for e in w["entries"]]
    db.session.expire_all()
    with count_queries() as queries:
        found = submissions.load_submissions("entry", [*ids, 999_999])
    assert len(queries) == 1
    assert sorted(found) == sorted(ids)  # the unknown id is left out
    sub = found[ids[0]]
    assert isinstance(sub, submissions.Submission)
    assert (sub.kind, sub.code, sub.group) == ("entry", w["entries"][0].code, w["category"].id)
    assert sub.conflict_keys == {conflicts.organisation_key(w["entries"][0].school_id)}


def test_an_entry_shows_judges_no_student_school_or_file_name():
    w = jf.world(n_entries=1)
    entry = w["entries"][0]
    entry.abstract = "研究青溪河的水质变化。"
    db.session.add(
        Material(
            entry_id=entry.id,
            kind="report",
            original_name="张三明-青溪实验小学-研究报告.pdf",
            stored_name="r1.pdf",
            file_type="pdf",
            size=2_200_000,
            sha256="0" * 64,
        )
    )
    db.session.flush()
    db.session.refresh(entry)
    shown = " ".join(f"{label} {text}" for label, text in EntrySubmission(entry).materials)
    assert "研究青溪河的水质变化" in shown and "PDF, 2.1 MB" in shown
    for secret in ("张三明", entry.school.name, "青溪实验小学"):
        assert secret not in shown


def test_a_kind_key_belongs_to_one_area():
    kind = submissions.submission_kind("entry")
    submissions.register_kind(kind)  # a second app start-up registers the same loader again: fine
    with pytest.raises(ValueError):
        submissions.register_kind(submissions.SubmissionKind("entry", "x", lambda ids: []))
    with pytest.raises(LookupError):
        submissions.load_submissions("no-such-kind", [1])
    assert submissions.load_submissions("no-such-kind", []) == {}


def test_auto_assignment_stands_judges_aside_by_the_entry_conflict_keys():
    w = jf.world(n_schools=3, n_entries=9, n_judges=5, k=3)
    school = w["schools"][0]
    # a judge declared a conflict with the first school; another works there (affiliation)
    judges_service.update_judge_profile(w["judges"][0], conflict_school_ids=[school.id])
    judges_service.update_judge_profile(w["judges"][1], affiliation_id=school.id)
    assignment_service.auto_assign(w["round"])
    aside = {w["judges"][0].id, w["judges"][1].id}
    for a in assignment_service.active_assignments(w["round"]):
        if a.entry.school_id == school.id:
            assert a.judge_id not in aside
