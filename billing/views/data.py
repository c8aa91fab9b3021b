"""Billing-data changes, the portal's "Consulta" option (R-BIL-2), with the first invoice they
reach shown before sending (R-BIL-4); and PO / HES / MIGO requests with their contract support,
sent to the country's address (R-BIL-3). Reads need the billing area; writes its act level."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from billing import rules, selectors, services
from billing.forms.data import DataChangeForm, PoRequestForm
from billing.models import BillingDataChange
from core.access import member_required
from core.errors import DomainError
from core.lib.downloads import private_download
from core.lib.forms import add_domain_error
from core.lib.listing import list_page
from core.models import Area, Customer, Level


def _month(period) -> str:
    return date_format(period, "YEAR_MONTH_FORMAT")


def first_invoice_preview(customer: Customer) -> dict:
    """R-BIL-4, counted on the customer's calendar: the first invoice a change asked for today
    reaches and, on the 13th to the 15th, the one it would reach from the 16th on."""
    today = rules.customer_today(customer)
    return {
        "today": today,
        "period": rules.first_invoice_period(today),
        "later": rules.first_invoice_if_later(today),
        "zone": rules.customer_zone(customer),
        "last_day": rules.LAST_DAY_OF_FIRST_RANGE,
        "later_from": rules.LAST_DAY_OF_FIRST_RANGE + 1,
    }


# --- billing-data changes (R-BIL-2, R-BIL-4) --------------------------------------------------


@member_required(Area.BILLING)
def data_change_list(request):
    changes = selectors.data_changes_for_customer(request.customer)
    context = {
        **list_page(request, changes, per_page=settings.BILLING_PAGE_SIZE),
        "first_invoice": first_invoice_preview(request.customer),
        "can_act": request.membership.can(Area.BILLING, Level.ACT),
    }
    return render(request, "billing/data_list.html", context)


def _data_change_done(request, change, shown_period: str) -> None:
    messages.success(
        request,
        _("Change %(number)s is registered. It applies from the invoice for %(period)s.")
        % {"number": change.number, "period": _month(change.target_period)},
    )
    if shown_period and shown_period != f"{change.target_period:%Y-%m}":
        messages.warning(
            request,
            _(
                "The date changed while you filled in the form: the change reaches the invoice "
                "for %(period)s, not the one the form showed."
            )
            % {"period": _month(change.target_period)},
        )


@member_required(Area.BILLING, Level.ACT, methods=("GET", "POST"))
def data_change_create(request):
    customer = request.customer
    preview = first_invoice_preview(customer)
    posted = request.POST if request.method == "POST" else None
    form = DataChangeForm(posted, customer=customer, shown_period=preview["period"])
    if posted is not None and form.is_valid():
        try:
            change = services.billing_data_change_create(
                customer=customer, user=request.user, data=form.service_data()
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            _data_change_done(request, change, form.cleaned_data["shown_period"])
            return redirect("billing:data_changes")
    context = {
        "form": form,
        "first_invoice": preview,
        "customer": customer,
        # Still waiting to be handled: the form names them so a second change is no surprise.
        "pending": selectors.data_changes_for_customer(customer).filter(
            status=BillingDataChange.Status.RECEIVED
        ),
    }
    return render(request, "billing/data_form.html", context, status=400 if form.errors else 200)


# --- PO / HES / MIGO requests (R-BIL-3) -------------------------------------------------------


@member_required(Area.BILLING)
def po_request_list(request):
    requests = selectors.po_requests_for_customer(request.customer)
    page = list_page(request, requests, per_page=settings.BILLING_PAGE_SIZE)
    for po in page["page"]:
        # The address breaks before its "@", never inside a name ("Pre-" / "Requisitos…").
        po.routed_local, _at, po.routed_domain = po.routed_to.rpartition("@")
    context = {**page, "can_act": request.membership.can(Area.BILLING, Level.ACT)}
    return render(request, "billing/po_list.html", context)


@member_required(Area.BILLING, Level.ACT, methods=("GET", "POST"))
def po_request_create(request):
    customer = request.customer
    invoices = selectors.invoices_choice_for_customer(customer)
    since = selectors.visible_since(customer)
    if request.method == "POST":
        form = PoRequestForm(request.POST, request.FILES, invoices=invoices, since=since)
    else:
        form = PoRequestForm(
            invoices=invoices, since=since, initial={"invoices": request.GET.getlist("invoice")}
        )
    if request.method == "POST" and form.is_valid():
        try:
            po = services.po_request_create(
                customer=customer, user=request.user, **form.service_kwargs()
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                _(
                    "Request %(number)s was sent to %(address)s with your contract support. "
                    "They will answer you by e-mail."
                )
                % {"number": po.number, "address": po.routed_to},
            )
            return redirect("billing:po_requests")
    context = {"form": form, "routed_to": services.po_request_route(customer)}
    return render(request, "billing/po_form.html", context, status=400 if form.errors else 200)


@member_required(Area.BILLING)
def po_request_support(request, number):
    """The customer's own contract support only, always as a download, never cached."""
    po = selectors.po_request_get(request.customer, number)
    return private_download(po.support, filename=po.support_name, content_type=po.support_type)
