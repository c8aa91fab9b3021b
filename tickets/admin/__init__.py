"""Staff triage of trouble tickets (R-TT-1..4): the queue with the live SLA clock (R-TT-3),
actions and per-ticket buttons that call tickets.services, the timeline with internal notes, the
reply form, tickets opened on a customer's behalf (R-TT-4), the SLA targets and staff downloads."""

from tickets.admin import sla_targets, tickets  # noqa: F401 - each registers its admin classes
