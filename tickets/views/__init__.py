"""The customer's ticket pages: tickets (list, CSV, opening, the ticket page and what is done on
it) and availability (the monthly availability report)."""

# billing.request_views imports span_text from here until it switches to core.lib.durations.
from tickets.views.tickets import span_text

__all__ = ["span_text"]
