"""The dashboard: the areas' cards (collected through `core.cards`, never by importing an area)
around the customer's own facts."""

from django.shortcuts import redirect, render

from core import cards, selectors
from core.access import member_required
from core.selectors.notifications import notification_contacts_needing_attention


@member_required()
def dashboard(request):
    customer = request.customer
    context = {
        "cards": cards.dashboard.collect(request),
        "has_totp": selectors.user_has_totp(request.user),
    }
    if request.membership.is_admin:
        context["user_counts"] = selectors.user_counts_for_customer(customer)
        context["contacts_attention"] = notification_contacts_needing_attention(customer)
    return render(request, "portal/dashboard.html", context)


def home(request):
    if request.user.is_authenticated and request.user.is_staff and not request.memberships:
        return redirect("admin:index")
    return dashboard(request)
