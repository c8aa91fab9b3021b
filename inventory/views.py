"""Mis Servicios: the services inventory and expansion requests (R-POR-2)."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core import cards
from core.access import member_required
from core.errors import DomainError
from core.lib.csv_export import csv_response
from core.lib.listing import list_page
from core.models import Area, Level
from core.selectors.services import service_get, services_for_customer
from inventory import selectors
from inventory.forms import ExpansionRequestForm, ServiceFilterForm
from inventory.importing import COLUMNS, service_cells
from inventory.models import ExpansionRequest
from inventory.services import expansion_request_submit


def _filtered_services(request):
    form = ServiceFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return form, None
    filters = form.filters() if form.is_bound else {"sort": "service_id"}
    return form, services_for_customer(request.customer, **filters)


@member_required(Area.SERVICES)
def service_list(request):
    form, services = _filtered_services(request)
    if services is None:
        return render(request, "portal/services/list.html", {"form": form}, status=400)
    context = {
        "form": form,
        **list_page(request, services, per_page=settings.SERVICES_PAGE_SIZE),
        "sort": request.GET.get("sort") or "service_id",
        "filtered": any(
            request.GET.get(name) for name in ("q", "product_line", "country", "status")
        ),
        "can_request": request.membership.can(Area.SERVICES, Level.ACT),
    }
    return render(request, "portal/services/list.html", context)


@member_required(Area.SERVICES)
def service_export(request):
    """The list as CSV, with the filters and order it shows (no pagination)."""
    form, services = _filtered_services(request)
    if services is None:
        return render(request, "portal/services/list.html", {"form": form}, status=400)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    rows = (service_cells(service) for service in services)
    return csv_response(f"services-{stamp}.csv", COLUMNS, rows)


@member_required(Area.SERVICES)
def service_detail(request, service_id):
    service = service_get(request.customer, service_id)
    context = {
        "service": service,
        "sections": cards.service_page.collect(request, service=service),
        "requests": selectors.expansion_requests_for_customer(request.customer, service=service),
        "can_request": request.membership.can(Area.SERVICES, Level.ACT)
        and service.status != service.Status.DISCONNECTED,
    }
    return render(request, "portal/services/detail.html", context)


@member_required(Area.SERVICES)
def request_list(request):
    status = request.GET.get("status", "")
    if status not in {"", "open", *ExpansionRequest.Status.values}:
        status = ""
    requests = selectors.expansion_requests_for_customer(request.customer, status=status)
    page = Paginator(requests, settings.SERVICES_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "status": status,
        "status_query": f"status={status}" if status else "",
        "statuses": ExpansionRequest.Status.choices,
        "can_request": request.membership.can(Area.SERVICES, Level.ACT),
    }
    return render(request, "portal/services/requests.html", context)


@member_required(Area.SERVICES, Level.ACT, methods=("GET", "POST"))
def request_create(request):
    initial = {}
    if request.method == "GET" and request.GET.get("service"):
        service = service_get(request.customer, request.GET["service"])
        initial = {"service": service, "kind": ExpansionRequest.Kind.CAPACITY}
    form = ExpansionRequestForm(request.POST or None, customer=request.customer, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            expansion = expansion_request_submit(membership=request.membership, **form.cleaned_data)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(
                request,
                _("Request %(number)s sent. Your account manager will contact you.")
                % {"number": expansion.number},
            )
            return redirect("services:request_detail", number=expansion.number)
    status = 400 if form.errors else 200
    return render(request, "portal/services/request_form.html", {"form": form}, status=status)


@member_required(Area.SERVICES)
def request_detail(request, number):
    expansion = selectors.expansion_request_get(request.customer, number)
    return render(request, "portal/services/request_detail.html", {"expansion": expansion})
