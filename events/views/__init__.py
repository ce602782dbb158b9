"""Events pages, one module per audience; importing them registers their routes on the one blueprint
(endpoint names stay `events.<function>`): public, my_registrations, scanner, management, attendance, and the
caravan's in events.caravan.views."""

from events.caravan import views as caravan_views  # noqa: F401  (routes)
from events.views import attendance, management, my_registrations, public, scanner  # noqa: F401  (routes)
from events.views.common import bp

__all__ = ["bp"]
