"""The audit log: one helper, record(), that services call for every state change worth tracing."""
from __future__ import annotations

import dataclasses
import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import has_request_context, request
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
