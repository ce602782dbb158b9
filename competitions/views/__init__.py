"""Competitions pages, one module per audience; importing them registers their routes on the one blueprint.
There is no public page: every competitions page is for a signed-in organiser or school coordinator."""

from competitions.views import management, school  # noqa: F401  (routes)
from competitions.views.common import bp

__all__ = ["bp"]
