"""Sections other areas add to the customer's ticket page. Billing builds on tickets, never the
reverse: instead of the ticket page importing billing, billing registers its card (the credit for
an outage, R-BIL-1) into `ticket_page` from its `cards.py`, and the page renders whatever is
registered, in the side column after the people copied (core/cards.py explains cards)."""

from core.cards import Slot

ticket_page = Slot("ticket page", places=("side",))
