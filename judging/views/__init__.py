"""Judging pages, one module per audience; importing them registers their routes on the one blueprint."""

from judging.views import (  # noqa: F401  (routes)
    assignments,
    judge,
    judges,
    notice,
    outcomes,
    presentations,
    public,
    recommendations,
    referee,
    results,
    rounds,
)
from judging.views.common import bp

__all__ = ["bp"]
