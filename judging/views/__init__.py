"""Judging pages, one module per audience; importing them registers their routes on the one blueprint."""

from judging.views import judge, management, outcomes, public, recommendations, referee  # noqa: F401  (routes)
from judging.views.common import bp

__all__ = ["bp"]
