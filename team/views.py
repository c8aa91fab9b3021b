"""The customer's account team page (R-TEAM-1..8)."""

from django.shortcuts import render

from contacts.selectors import tsc_card_for_country
from core.access import member_required
from team.selectors import team_for_customer


@member_required()
def team(request):
    """Every member may see who works for their customer, whatever their permissions; the page
    ends with the TSC number of the customer's country (R-TEAM-8)."""
    context = {
        "cards": team_for_customer(customer=request.customer),
        "tsc_card": tsc_card_for_country(request.customer.country),
    }
    return render(request, "portal/team.html", context)
