"""Sections other areas add to the customer's ticket page. Billing builds on tickets, never the
reverse: instead of the ticket page importing billing, billing registers its section (the credit
for an outage, R-BIL-1) from its AppConfig.ready(), and tickets renders whatever is registered.

A section is a template and a function of (request, ticket) that returns the template's context,
or None when the section is not shown to this person for this ticket. The template gets that
context as `section`, beside the page's own context (`ticket`, `can_act`, ...)."""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest

from tickets.models import Ticket

SectionContext = Callable[[HttpRequest, Ticket], dict | None]


@dataclass(frozen=True)
class TicketSection:
    template: str
    context: dict


_registered: dict[str, SectionContext] = {}


def ticket_section_register(*, template: str, context: SectionContext) -> None:
    """Adds a section to the ticket page's side column, after the people copied, in the order of
    registration; registering the same template again replaces its function."""
    _registered[template] = context


def ticket_sections(request: HttpRequest, ticket: Ticket) -> list[TicketSection]:
    """The sections shown to this person on this ticket's page."""
    sections = []
    for template, context in _registered.items():
        values = context(request, ticket)
        if values is not None:
            sections.append(TicketSection(template=template, context=values))
    return sections
