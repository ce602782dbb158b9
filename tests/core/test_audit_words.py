"""The audit log in words: every action code any area writes, every audited object and every logged field has
words in zh_CN and en (found by reading the source, so a new audit.record() call without words fails here), and
the page shows names for ids and labels for coded values."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import sqlalchemy as sa
from flask_babel import force_locale

from core import AREAS, audit
from core.extensions import db

ROOT = Path(__file__).resolve().parents[2]
CJK = re.compile(r"[\u3400-\u9fff]")

# Action codes computed at run time, by the source text of the expression that computes them.
DYNAMIC_ACTIONS = {
    'status.value if status != EntryStatus.APPROVED else "approve"': {"returned", "rejected", "approve"},
}
# Tables that are written without audit.record(): their own logs, locks, caches and link rows.
NEVER_AUDITED = {
    "audit_log",
    "jobs",
    "named_locks",
    "login_failures",
    "event_checkins",
    "event_scan_log",
    "entry_members",
    "entry_advisors",
    "notification_preferences",
    "notification_codes",
    "certificate_series",
    "event_caravan_bookings",
    "material_requirements",
    "category_quotas",
    "judging_round_categories",
}


def _source_files():
    for area in ("core", *AREAS):
        yield from sorted((ROOT / area).rglob("*.py"))


def _is_record(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "record"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "audit"
    )


def _strings(node: ast.AST, source: str, where: str) -> set[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if (
        isinstance(node, ast.IfExp)
        and isinstance(node.body, ast.Constant)
        and not isinstance(node.orelse, ast.Attribute)
    ):
        return _strings(node.body, source, where) | _strings(node.orelse, source, where)
    text = ast.get_source_segment(source, node)
    assert text in DYNAMIC_ACTIONS, f"{where}: action code computed by {text!r}: list its values in DYNAMIC_ACTIONS"
    return DYNAMIC_ACTIONS[text]


def _module_lists(tree: ast.Module) -> dict[str, list[str]]:
    out = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, (ast.List, ast.Tuple)):
            values = [e.value for e in node.value.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
            for target in node.targets:
                if isinstance(target, ast.Name):
                    out[target.id] = values
    return out


def _fields(node: ast.AST | None, lists: dict[str, list[str]]) -> set[str]:
    """Keys a before/after argument logs: dict literals' keys, audit.snapshot(obj, FIELDS)'s field names."""
    if node is None:
        return set()
    found = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Dict):
            found |= {k.value for k in sub.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}
        elif (
            isinstance(sub, ast.Call)
            and isinstance(sub.func, ast.Attribute)
            and sub.func.attr == "snapshot"
            and len(sub.args) == 2
        ):
            names = sub.args[1]
            if isinstance(names, ast.Name):
                found |= set(lists.get(names.id, []))
            elif isinstance(names, (ast.List, ast.Tuple)):
                found |= {e.value for e in names.elts if isinstance(e, ast.Constant)}
    return found


def written_audit_codes():
    """(action codes, object types named in the call, field names) that the code base's audit.record() calls write."""
    actions, types, fields = {}, set(), {}
    for path in _source_files():
        source = path.read_text(encoding="utf-8")
        if "audit.record(" not in source:
            continue
        tree = ast.parse(source)
        lists = _module_lists(tree)
        for node in ast.walk(tree):
            if not _is_record(node):
                continue
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            for code in _strings(node.args[0], source, where):
                actions.setdefault(code, where)
            keywords = {k.arg: k.value for k in node.keywords}
            if isinstance(keywords.get("object_type"), ast.Constant):
                types.add(keywords["object_type"].value)
            for name in _fields(keywords.get("before"), lists) | _fields(keywords.get("after"), lists):
                fields.setdefault(name, where)
    return actions, types, fields


def _in_both_languages(label) -> tuple[str, str]:
    with force_locale("zh_CN"):
        zh = str(label)
    with force_locale("en"):
        en = str(label)
    return zh, en


def _all_action_labels(code: str) -> list:
    return [label for (_, action), label in audit.ACTION_LABELS.items() if action == code]


def _all_field_labels(name: str) -> list:
    return [label for (_, field), label in audit.FIELD_LABELS.items() if field == name]


def test_the_walker_finds_the_audit_calls_of_every_writing_area():
    actions, _, fields = written_audit_codes()
    assert len(actions) > 60
    for code in (
        "approve",
        "returned",
        "rejected",
        "record_run",
        "confirm_run",
        "reissue",
        "grant_role",
        "promote",
        "start_notice",
        "resend",
    ):
        assert code in actions, code
    assert {"judge_id", "entry_id", "school_id", "points"} <= set(fields)


def test_every_action_code_written_anywhere_has_words_in_chinese_and_english(app):
    actions, _, _ = written_audit_codes()
    missing, untranslated = [], []
    for code, where in sorted(actions.items()):
        labels = _all_action_labels(code)
        if not labels:
            missing.append(f"{code} ({where})")
        for label in labels:
            zh, en = _in_both_languages(label)
            if not CJK.search(zh) or CJK.search(en):
                untranslated.append(f"{code}: {zh} / {en}")
    assert not missing, "action codes without words: " + ", ".join(missing)
    assert not untranslated, "action words not in both languages: " + ", ".join(untranslated)


def test_every_audited_object_type_has_a_name_in_chinese_and_english(app):
    _, named, _ = written_audit_codes()
    tables = {m.class_.__dict__.get("__audit_type__") or m.local_table.name for m in db.Model.registry.mappers}
    wanted = (tables - NEVER_AUDITED) | named
    missing = sorted(t for t in wanted if t not in audit.OBJECT_LABELS)
    assert not missing, f"object types without a name: {missing}"
    for code in wanted:
        zh, en = _in_both_languages(audit.OBJECT_LABELS[code])
        assert CJK.search(zh) and not CJK.search(en), (code, zh, en)


def test_every_logged_field_has_a_label_in_chinese_and_english(app):
    _, _, fields = written_audit_codes()
    missing = sorted(f"{name} ({where})" for name, where in fields.items() if not _all_field_labels(name))
    assert not missing, "logged fields without a label: " + ", ".join(missing)
    for name in fields:
        for label in _all_field_labels(name):
            zh, en = _in_both_languages(label)
            assert CJK.search(zh) and not CJK.search(en), (name, zh, en)


def test_the_same_code_reads_for_its_object(app):
    """'withdraw' is 撤回为草稿 for an entry but 退出评审 for a judge; 'decline' differs for visits and judges."""
    with force_locale("zh_CN"):
        assert audit.action_label("withdraw", "entries") != audit.action_label("withdraw", "judging_judges")
        assert audit.action_label("decline", "judging_assignments") != audit.action_label(
            "decline", "event_caravan_visits"
        )


def test_the_page_names_ids_and_labels_codes_in_one_query_per_kind(client, login, count_queries):
    from judging.services import assignment
    from tests.judging import factories as jf

    w = jf.world()
    assignment.auto_assign(w["round"])
    from judging.models import JudgeAssignment

    taken = set(db.session.execute(sa.select(JudgeAssignment.entry_id, JudgeAssignment.judge_id)).all())
    for entry in w["entries"]:  # each entry has one judge of four left over: assign them by hand
        judge = next(j for j in w["judges"] if (entry.id, j.id) not in taken)
        assignment.add_assignment(w["round"], entry, judge)
    db.session.commit()
    login(w["organiser"])
    page = client.get("/audit").get_data(as_text=True)
    body = re.sub(r'href="[^"]*"', "", page.split("<tbody>")[1])
    assert "judging_assignments" not in body and "auto_assign" not in body and ">assign<" not in body
    assert "评委分配 #" in body and "分配评委" in body
    entry = w["entries"][0]
    judge = next(j for j in w["judges"] if (entry.id, j.id) not in taken)
    assert f"参赛作品：</span>{entry.code}" in body
    assert f"评委：</span>{judge.user.name}" in body
    assert '{"' not in body
    # one query per kind of id, not one per row
    with count_queries() as counted:
        client.get("/audit")
    rows = db.session.scalar(sa.select(sa.func.count()).select_from(audit.AuditLog))
    assert rows > 10 and len(counted) < 15, len(counted)
