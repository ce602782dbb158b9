"""Certificate pages, one module per audience; importing them registers their routes on the two blueprints.

`common` (the blueprints and what the pages share), `templates` (the designer: fonts, templates, previews),
`issuing` (the organiser's overview, issuing, lists per contest/event, rendering, the school coordinator's page),
`records` (one certificate: detail, revoke, reissue, PDF; a holder's own list), `public` (verification by
token or by number and name, the holder's signed download).
"""

from certificates.views import issuing, public, records, templates  # noqa: F401  (routes)
from certificates.views.common import bp, verify_bp

__all__ = ["bp", "verify_bp"]
