"""Public numbers (portal/services/numbering.py): the year is the customer's local year."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.factories import ticket_open_for

pytestmark = pytest.mark.django_db


def test_a_ticket_opened_on_new_years_eve_in_buenos_aires_is_numbered_in_that_year(
    customer, limited_user
):
    """21:30 on 31 December in Buenos Aires is already 1 January in UTC (review §5, N1)."""
    evening = datetime.datetime(2026, 12, 31, 21, 30, tzinfo=ZoneInfo(customer.timezone))
    with time_machine.travel(evening, tick=False):
        ticket = ticket_open_for(customer, limited_user)
    assert ticket.number == "TT-2026-000001"

    with time_machine.travel(evening + datetime.timedelta(hours=3), tick=False):
        assert ticket_open_for(customer, limited_user).number == "TT-2027-000001"
