"""The audit log: one helper, record(), that services call for every state change worth tracing."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import has_request_context, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from core.extensions import db
from core.models import AuditLog


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_plain(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _plain(dataclasses.asdict(value))
    return value


def snapshot(obj: Any, fields: list[str]) -> dict[str, Any]:
    """The named attributes of obj as JSON-safe values, for before/after."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def record(
    action: str,
    obj: Any = None,
    *,
    object_type: str | None = None,
    object_id: Any = None,
    before: dict | None = None,
    after: dict | None = None,
    organisation_id: int | None = None,
    actor: Any = None,
) -> AuditLog:
    """Append one audit row. The actor is the logged-in user unless given (CLI passes it, or None for system)."""
    if actor is None and has_request_context() and current_user and current_user.is_authenticated:
        actor = current_user._get_current_object()
    if obj is not None:
        object_type = object_type or getattr(obj, "__audit_type__", None) or obj.__class__.__tablename__
        object_id = object_id if object_id is not None else getattr(obj, "id", None)
        if organisation_id is None:
            organisation_id = getattr(obj, "audit_organisation_id", None)
    entry = AuditLog(
        actor_id=getattr(actor, "id", None),
        actor_label=str(getattr(actor, "display_name", "") or "system"),
        organisation_id=organisation_id,
        object_type=object_type or "unknown",
        object_id=str(object_id),
        action=action,
        before=_plain(before) if before is not None else None,
        after=_plain(after) if after is not None else None,
        ip=request.remote_addr if has_request_context() else None,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


# ---------------------------------------------------------------------------- reading the log
# The one registry of the audit log's words. Each area describes its own objects, actions, fields, coded values
# and ids in its <area>/audit_words.py (called from its init_app), so the audit log page says
# 学生 · 修改 · 年级：五年级 → 六年级 · 学校：实验小学 instead of table names, action codes, ids and raw JSON.
# tests/core/test_audit_words.py reads every audit.record() call and fails on a code without words.

OBJECT_LABELS: dict[str, Any] = {}
ACTION_LABELS: dict[tuple[str | None, str], Any] = {}  # (object type or None for any, action) -> label
FIELD_LABELS: dict[tuple[str | None, str], Any] = {}  # (object type or None for any, field) -> label
VALUE_LABELS: dict[tuple[str, str], Any] = {}  # (field, coded value) -> label
ID_NAMES: dict[str, Callable[[set[int]], dict[int, str]]] = {}  # field holding an id -> names for a set of ids


def describe(
    *,
    objects: dict | None = None,
    actions: dict | None = None,
    fields: dict | None = None,
    values: dict | None = None,
    ids: dict | None = None,
    object_type: str | None = None,
) -> None:
    """Register words for the audit log page. ``actions`` and ``fields`` apply to ``object_type`` (None: to every
    type); ``values`` map (field, coded value) to a label, e.g. ("status", "approved") -> 已通过; ``ids`` map a
    field that holds ids to a function giving the names of a set of ids in one query (see names_of)."""
    OBJECT_LABELS.update(objects or {})
    ACTION_LABELS.update({(object_type, name): label for name, label in (actions or {}).items()})
    FIELD_LABELS.update({(object_type, name): label for name, label in (fields or {}).items()})
    VALUE_LABELS.update(values or {})
    ID_NAMES.update(ids or {})


def names_of(id_column: Any, name_column: Any, *joins: Any) -> Callable[[set[int]], dict[int, str]]:
    """An ``ids`` resolver: one SELECT id, name ... WHERE id IN (...) for the ids shown on a page."""

    def resolve(ids: set[int]) -> dict[int, str]:
        query = sa.select(id_column, name_column)
        for target in joins:
            query = query.join(target)
        return {row[0]: str(row[1]) for row in db.session.execute(query.where(id_column.in_(ids))) if row[1]}

    return resolve


describe(actions={"create": _l("created"), "update": _l("changed"), "delete": _l("deleted")})


def object_label(object_type: str) -> str:
    label = OBJECT_LABELS.get(object_type)
    return str(label) if label is not None else object_type


def action_label(action: str, object_type: str | None = None) -> str:
    label = ACTION_LABELS.get((object_type, action), ACTION_LABELS.get((None, action)))
    return str(label) if label is not None else action


def field_label(object_type: str, name: str) -> str:
    label = FIELD_LABELS.get((object_type, name), FIELD_LABELS.get((None, name)))
    return str(label) if label is not None else name


def id_names(rows: list[AuditLog]) -> dict[tuple[str, str], str]:
    """Names for the ids that a page of rows logs, one query per kind of id: {(field, id as text): name}."""
    wanted: dict[str, set[int]] = {}

    def walk(value: Any, name: str | None) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(inner, key)
        elif isinstance(value, list):
            for inner in value:
                walk(inner, name)
        elif (
            name in ID_NAMES
            and (isinstance(value, int) or (isinstance(value, str) and value.isdigit()))
            and not isinstance(value, bool)
        ):
            wanted.setdefault(name, set()).add(int(value))

    for row in rows:
        walk(row.before, None)
        walk(row.after, None)
    found = {}
    for name, ids in wanted.items():
        found.update({(name, str(key)): text for key, text in ID_NAMES[name](ids).items()})
    return found


@dataclasses.dataclass(frozen=True)
class Change:
    field: str
    before: str | None  # None: the field was not there before (a creation)
    after: str | None  # None: it is gone (a deletion)


def value_text(object_type: str, name: str, value: Any, names: dict[tuple[str, str], str] | None = None) -> str:
    """A logged value for people: 是/否, coded values in words, names for ids (from id_names), dates without
    seconds, lists with 、."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return str(_l("yes") if value else _l("no"))
    if isinstance(value, list):
        parts = [value_text(object_type, name, v, names) for v in value]
        return ("；" if any(isinstance(v, dict) for v in value) else "、").join(parts)
    if isinstance(value, dict):
        return "，".join(
            f"{field_label(object_type, k)}：{value_text(object_type, k, v, names)}" for k, v in value.items()
        )
    if isinstance(value, (str, int)):
        label = VALUE_LABELS.get((name, str(value)))
        if label is not None:
            return str(label)
        if names and (name, str(value)) in names:
            return names[(name, str(value))]
        moment = _moment(value) if isinstance(value, str) else None
        if moment is not None:
            return moment
    return str(value)


def _moment(text: str) -> str | None:
    """An ISO datetime as the reader's local time (yyyy-MM-dd HH:mm); None for anything else."""
    if len(text) < 16 or text[4:5] != "-" or text[10:11] != "T":
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    from flask_babel import format_datetime

    return format_datetime(moment, "yyyy-MM-dd HH:mm")


def changes(row: AuditLog, names: dict[tuple[str, str], str] | None = None) -> list[Change]:
    """What one audit row changed, field by field: for an update only the fields that differ. ``names`` are the
    page's id_names(rows)."""
    before, after = row.before or {}, row.after or {}
    if not isinstance(before, dict) or not isinstance(after, dict):
        return [
            Change(
                "",
                value_text(row.object_type, "", row.before, names) if row.before is not None else None,
                value_text(row.object_type, "", row.after, names) if row.after is not None else None,
            )
        ]
    out = []
    for name in list(before) + [k for k in after if k not in before]:
        old, new = before.get(name), after.get(name)
        if name in before and name in after and old == new:
            continue
        out.append(
            Change(
                field_label(row.object_type, name),
                value_text(row.object_type, name, old, names) if name in before else None,
                value_text(row.object_type, name, new, names) if name in after else None,
            )
        )
    return out
