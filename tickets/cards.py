"""Trouble tickets on the dashboard and on a service's page (R-TT; chronic services, issue 5)."""

from core import cards
from core.models import Area, Level
from core.models.inventory import CHRONIC_DAYS, CHRONIC_TICKETS
from tickets.selectors import service_ticket_counts, tickets_dashboard, tickets_for_customer


def _dashboard(request):
    if not request.membership.can(Area.TICKETS):
        return None
    return {
        "tickets": tickets_dashboard(request.customer),
        "can_open_ticket": request.membership.can(Area.TICKETS, Level.ACT),
    }


def _service_page(request, *, service):
    if not request.membership.can(Area.TICKETS):
        return None
    recent = service_ticket_counts(request.customer, days=CHRONIC_DAYS).get(service.pk, 0)
    return {
        "tickets": tickets_for_customer(request.customer, service=service.service_id)[:10],
        "chronic": recent >= CHRONIC_TICKETS,
        "chronic_days": CHRONIC_DAYS,
        "recent_tickets": recent,
        "can_open_ticket": request.membership.can(Area.TICKETS, Level.ACT)
        and service.status != service.Status.DISCONNECTED,
    }


cards.dashboard.register(cards.Card("tickets", 30, _dashboard, {"main": "tickets/_dashboard.html"}))
cards.service_page.register(
    cards.Card(
        "tickets",
        10,
        _service_page,
        {
            "badges": "tickets/_service_badges.html",
            "notes": "tickets/_service_notes.html",
            "actions": "tickets/_service_actions.html",
            "main": "tickets/_service_section.html",
        },
    )
)
