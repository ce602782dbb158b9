"""Background jobs of the certificates area."""

from __future__ import annotations

from certificates import services
from core.jobs import job_handler


@job_handler("certificates.render", idempotent=True)
def render_job(progress, **params) -> dict:
    """Render a merged PDF or a ZIP of PDFs for a contest/event (optionally one school or category)."""
    return services.run_render(progress, **params)
