"""Permission rules of the reports area: figures, annual reports, school reports.

Imported by the area's init_app, which registers every @policy below (core.permissions holds the mechanism)."""

from __future__ import annotations

from core.permissions import coordinates, is_organiser, organises, policy


@policy("report.view")
def _view_reports(user, org) -> bool:
    """Figures and annual reports: organisers, for their units and everything below (None: any of them)."""
    return is_organiser(user) if org is None else organises(user, org.id)


@policy("report.school")
def _view_school_report(user, school) -> bool:
    """A school's participation and awards over the years: its coordinators and the organisers above it."""
    return school is not None and (coordinates(user, school.id) or organises(user, school.id))
