"""The customer's standard change requests (R-CHG-1..6): the list, the catalog and the request
form with its check step, "my need is not on the list" (R-CHG-6), and the request page with the
analysis deadline counted in business hours (R-CHG-4). Reads need the changes area; every
write needs its act level. The maintenance pages live in changes.views.maintenance."""

from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from changes import selectors, services
from changes.forms import ChangeFilterForm, ChangeOtherForm, ChangeRequestForm, customer_timezone
from changes.models import ChangeRequest, StandardChange
from core.access import member_required
from core.errors import DomainError
from core.lib.business_time import business_hours_between
from core.lib.forms import add_domain_error
from core.lib.listing import list_page
from core.models import Area, Customer, Level
from team.models import TeamRole
from team.selectors import team_contact_email

ANALYSIS_STATUSES = (ChangeRequest.Status.SUBMITTED, ChangeRequest.Status.IN_ANALYSIS)


# --- the countdown (R-CHG-4) -----------------------------------------------------------------


def countdown(change: ChangeRequest, customer: Customer, now) -> dict | None:
    """What is left of the analysis, in business hours; None once the analysis is over."""
    if change.status not in ANALYSIS_STATUSES or change.analysis_deadline is None:
        return None
    if now >= change.analysis_deadline:
        return {"overdue": True, "soon": False, "text": _("Overdue")}
    left = business_hours_between(
        now, change.analysis_deadline, customer.country, customer_timezone(customer)
    )
    minutes = int(left.total_seconds()) // 60
    if minutes >= 60:
        hours = minutes // 60
        text = ngettext("%(count)d business hour left", "%(count)d business hours left", hours) % {
            "count": hours
        }
    else:
        text = ngettext(
            "%(count)d business minute left", "%(count)d business minutes left", minutes
        ) % {"count": minutes}
    return {"overdue": False, "soon": left < timedelta(hours=9), "text": text}


# --- the list --------------------------------------------------------------------------------


@member_required(Area.CHANGES)
def change_list(request):
    form = ChangeFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        context = {"form": form, "max_sites": services.MAX_SITES}
        context["analysis_hours"] = settings.CHANGE_ANALYSIS_BUSINESS_HOURS
        return render(request, "changes/list.html", context, status=400)
    status = form.cleaned_data.get("status", "") if form.is_bound else ""
    changes = selectors.changes_for_customer(request.customer, status=status)
    listing = list_page(request, changes, per_page=settings.CHANGES_PAGE_SIZE)
    now = timezone.now()
    rows = [
        {"change": change, "countdown": countdown(change, request.customer, now)}
        for change in listing["page"]
    ]
    context = {
        "form": form,
        **listing,
        "rows": rows,
        "filtered": bool(status),
        "max_sites": services.MAX_SITES,
        "analysis_hours": settings.CHANGE_ANALYSIS_BUSINESS_HOURS,
        "can_act": request.membership.can(Area.CHANGES, Level.ACT),
    }
    return render(request, "changes/list.html", context)


# --- requesting a standard change (R-CHG-1..5) ---------------------------------------------


def _form_error(form, error: DomainError) -> None:
    add_domain_error(form, error)
    # The form template says more about some rules (the "too many open changes" cap).
    form.broken_rules = {*getattr(form, "broken_rules", ()), error.rule}


def _change_type(request, code: str) -> StandardChange | None:
    catalog = selectors.catalog_for_customer(request.customer)
    return next((change for change in catalog if change.code == code), None)


def _catalog(request, *, status: int = 200, error: str = ""):
    context = {"catalog": selectors.catalog_for_customer(request.customer), "error": error}
    return render(request, "changes/catalog.html", context, status=status)


def _request_form(request, change_type: StandardChange) -> ChangeRequestForm:
    return ChangeRequestForm(
        request.POST if request.method == "POST" else None,
        customer=request.customer,
        change_type=change_type,
        services=selectors.services_for_change(request.customer, change_type),
    )


def _sites_refusal(request, form: ChangeRequestForm) -> None:
    """R-CHG-2: when other fields are wrong too, the service still says at once that more
    than 10 sites is not a standard change (its message offers the other route)."""
    chosen = list(form.cleaned_data.get("services") or [])
    if form.is_valid() or len(chosen) <= services.MAX_SITES:
        return
    if "R-CHG-2" in getattr(form, "broken_rules", ()):
        return
    try:
        services.change_request_check(
            membership=request.membership,
            change_type=form.change_type,
            services=chosen,
            execution=ChangeRequest.Execution.ANY_SLOT,
            window_start=None,
            window_end=None,
        )
    except DomainError as error:
        _form_error(form, error)


def _other_route(form: ChangeRequestForm) -> str:
    """The way to the non-standard route (R-CHG-6), carrying the chosen services."""
    assert isinstance(form.data, QueryDict)  # bound to request.POST
    chosen = form.data.getlist("services")  # the service refused them: no longer cleaned
    query = urlencode({"reason": "sites", "type": form.change_type.code, "services": chosen}, True)
    return f"{reverse('changes:other')}?{query}"


def _render_form(request, form: ChangeRequestForm, *, preview=None):
    too_many = "R-CHG-2" in getattr(form, "broken_rules", ())
    context = {
        "form": form,
        "change_type": form.change_type,
        "preview": preview,
        "max_sites": services.MAX_SITES,
        "zone": form.zone,
        "too_many": too_many,
        "other_url": _other_route(form) if too_many else reverse("changes:other"),
        "analysis_hours": settings.CHANGE_ANALYSIS_BUSINESS_HOURS,
    }
    return render(request, "changes/form.html", context, status=400 if form.errors else 200)


@member_required(Area.CHANGES, Level.ACT, methods=("GET", "POST"))
def change_create(request):
    code = (request.POST if request.method == "POST" else request.GET).get("type", "")
    if request.method == "GET" and not code:
        return _catalog(request)
    change_type = _change_type(request, code)
    if change_type is None:
        return _catalog(request, status=400, error=_("Choose a change from the list."))
    form = _request_form(request, change_type)
    if request.method == "POST" and form.is_valid():
        try:
            change = services.change_request_submit(
                membership=request.membership,
                parameters=form.parameters(),
                description=form.cleaned_data["description"],
                **form.service_kwargs(),
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(
                request,
                _(
                    "Request %(number)s is registered: the analysis ends by %(deadline)s at the "
                    "latest."
                )
                % {
                    "number": change.number,
                    "deadline": date_format(
                        timezone.localtime(change.analysis_deadline), "DATETIME_FORMAT"
                    ),
                },
            )
            return redirect("changes:detail", number=change.number)
    if request.method == "POST":
        _sites_refusal(request, form)
    return _render_form(request, form)


@member_required(Area.CHANGES, Level.ACT, methods=("POST",))
def change_check(request):
    """The check step: the analysis deadline if sent now, and the provider's maintenance that
    clashes with the preset window (shown, not blocking)."""
    change_type = _change_type(request, request.POST.get("type", ""))
    if change_type is None:
        return _catalog(request, status=400, error=_("Choose a change from the list."))
    form = _request_form(request, change_type)
    preview = None
    if form.is_valid():
        now = timezone.now()
        try:
            clashes = services.change_request_check(
                membership=request.membership, now=now, **form.service_kwargs()
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            deadline = services.analysis_deadline(submitted_at=now, customer=request.customer)
            preview = {"deadline": deadline, "clashes": clashes}
    else:
        _sites_refusal(request, form)
    return _render_form(request, form, preview=preview)


# --- a need that is not on the list (R-CHG-6) ----------------------------------------------


def _other_initial(request) -> dict:
    initial = {"services": request.GET.getlist("services")}
    if request.GET.get("reason") == "sites":
        initial["reason"] = "sites"
    change_type = _change_type(request, request.GET.get("type", ""))
    if change_type is not None:
        initial["description"] = f"{change_type.name}: "
    return initial


def routed_to_label(change: ChangeRequest) -> str:
    """Whom the request went to, as the customer knows them (R-CHG-6). Without an address it is
    still with the provider's Service Management, who see it in the staff administration."""
    if not change.routed_to:
        return _("Service Management")
    for role, label in (
        (TeamRole.SERVICE_MANAGER, _("your service manager")),
        (TeamRole.ACCOUNT_MANAGER, _("your account manager")),
    ):
        email = team_contact_email(customer=change.customer, role=role)
        if email == change.routed_to and email != settings.TEAM_MAILBOX:
            return label
    return _("Service Management")


@member_required(Area.CHANGES, Level.ACT, methods=("GET", "POST"))
def change_other(request):
    initial = _other_initial(request) if request.method == "GET" else {}
    form = ChangeOtherForm(request.POST or None, customer=request.customer, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            change = services.change_request_route(
                membership=request.membership,
                description=form.cleaned_data["description"],
                services=list(form.cleaned_data["services"]),
                reason=form.route_reason(),
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(
                request,
                _("Request %(number)s went to %(whom)s, who will contact you to plan it.")
                % {"number": change.number, "whom": routed_to_label(change)},
            )
            return redirect("changes:detail", number=change.number)
    context = {"form": form, "max_sites": services.MAX_SITES}
    return render(request, "changes/other.html", context, status=400 if form.errors else 200)


# --- the request page ------------------------------------------------------------------------


def _parameters(change: ChangeRequest) -> list[tuple[str, str]]:
    labels = dict(change.change_type.parameter_labels()) if change.change_type else {}
    return [(labels.get(key, key), value) for key, value in change.parameters.items()]


@member_required(Area.CHANGES)
def change_detail(request, number):
    change = selectors.change_get(request.customer, number)
    context = {
        "change": change,
        "services": list(change.services.order_by("service_id")),
        "parameters": _parameters(change),
        "events": list(change.events.all()),
        "countdown": countdown(change, request.customer, timezone.now()),
        "routed_to": routed_to_label(change),
        "customer_zone": customer_timezone(request.customer),
        "can_act": request.membership.can(Area.CHANGES, Level.ACT),
        "can_view_services": request.membership.can(Area.SERVICES),
    }
    return render(request, "changes/detail.html", context)
