"""What every area's views do with a service call: show its DomainError on the form, or commit once.

    done = commit_or_show(lambda: services.save_organisation(org, **values), form, _("Saved."))
    if done:
        return redirect(url_for("accounts.organisations"))

The rule of the house (DESIGN.md): services only flush; the view commits once when the service succeeded
and rolls back when it refused, so nothing half-written stays in the session.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from flask import flash

from core.errors import DomainError
from core.extensions import db


def form_error(form, exc: DomainError) -> None:
    """Show a service's DomainError next to the field it names, or as a flash message."""
    field = getattr(form, exc.field, None) if (exc.field and form is not None) else None
    if field is not None and hasattr(field, "errors"):
        field.errors = list(field.errors) + [str(exc)]
    else:
        flash(str(exc), "danger")


class Done(NamedTuple):
    """A service call that succeeded and was committed; `value` is what the service returned (always truthy)."""

    value: Any


def commit_or_show(call: Callable[[], Any], form=None, success: Any = None, category: str = "success") -> Done | None:
    """Call the service. On a DomainError roll back, show it on `form` (or flash it) and return None; else
    commit once, flash `success` (if given) and return Done(result)."""
    try:
        result = call()
    except DomainError as exc:
        db.session.rollback()
        form_error(form, exc)
        return None
    db.session.commit()
    if success is not None:
        flash(success, category)
    return Done(result)
