"""The customer's trouble tickets (R-TT-1..4): the list and its CSV, opening a ticket, the ticket
page with its live SLA clock (R-TT-3), what the customer does on it, and attachment downloads.
Reads need the tickets area; every write needs its act level and is POST only. Internal notes
never reach these pages: every read goes through tickets.selectors."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from core.access import member_required
from core.errors import DomainError
from core.lib.csv_export import csv_response
from core.lib.downloads import private_download
from core.lib.durations import duration_compact
from core.lib.forms import add_domain_error
from core.lib.listing import KeysFirst, list_page
from core.lib.urls import row_url
from core.models import Area, Level
from core.views.exports import export_offer
from tickets import selectors, services
from tickets.exports import CSV_COLUMNS, TICKETS_EXPORT, ticket_csv_count, ticket_csv_rows
from tickets.forms import (
    CancelForm,
    ReasonForm,
    ReplyForm,
    TicketFilterForm,
    TicketForm,
    WatcherForm,
    WatcherRemoveForm,
)
from tickets.models import Impact, Ticket
from tickets.sections import ticket_page
from tickets.services import watchers
from tickets.sla import sla_state, sla_targets, ticket_clock

# billing.request_views imports span_text (through tickets.views) until it switches to
# core.lib.durations.
span_text = duration_compact

_FILTERS = ("q", "status", "impact", "service", "opened_by", "opened_from", "opened_to")


def _targets() -> dict[str, tuple[str, ...]]:
    return {
        impact: tuple(duration_compact(target) for target in sla_targets(impact))
        for impact in Impact.values
    }


# --- the list and its CSV ------------------------------------------------------------------


def _filtered_tickets(request):
    form = TicketFilterForm(request.GET or None, customer=request.customer)
    if form.is_bound and not form.is_valid():
        return form, None
    return form, selectors.tickets_for_customer(request.customer, **form.filters())


class _Badges:
    """A badge depends on one value (an impact, a status): rendered once per value and page,
    not once per row."""

    def __init__(self) -> None:
        self._rendered: dict[tuple[str, str], str] = {}

    def render(self, template: str, ticket: Ticket, value: str) -> str:
        key = (template, value)
        if key not in self._rendered:
            self._rendered[key] = render_to_string(template, {"ticket": ticket})
        return self._rendered[key]


@member_required(Area.TICKETS)
def ticket_list(request):
    form, tickets = _filtered_tickets(request)
    if tickets is None:
        return render(request, "tickets/list.html", {"form": form}, status=400)
    listing = list_page(
        request,
        KeysFirst(selectors.ticket_list_rows(tickets)),
        per_page=settings.TICKETS_PAGE_SIZE,
    )
    now = timezone.now()
    badges = _Badges()
    detail_url = row_url("tickets:detail")
    tickets_shown = list(listing["page"])
    services, pauses = selectors.ticket_list_extras(tickets_shown)
    rows = []
    for ticket in tickets_shown:
        clock = ticket_clock(ticket, now=now, pauses=pauses[ticket.pk])
        rows.append(
            {
                "ticket": ticket,
                "url": detail_url(ticket.number),
                "services": services[ticket.pk],
                "clock": clock,
                "state": sla_state(ticket, clock),
                "soon": timedelta(0) <= clock.remaining < timedelta(hours=1),
                "left": duration_compact(clock.remaining),
                "impact_badge": badges.render("tickets/_impact.html", ticket, ticket.impact),
                "status_badge": badges.render("tickets/_status.html", ticket, ticket.status),
            }
        )
    context = {
        "form": form,
        **listing,
        "rows": rows,
        "filtered": any(request.GET.get(name) for name in _FILTERS),
        "can_act": request.membership.can(Area.TICKETS, Level.ACT),
    }
    return render(request, "tickets/list.html", context)


@member_required(Area.TICKETS)
def ticket_export(request):
    """The filtered list as CSV (no pagination); no message of the conversation is in it, so no
    internal note can be; cells a spreadsheet would run as formulas are defused."""
    form, tickets = _filtered_tickets(request)
    if tickets is None:
        return render(request, "tickets/list.html", {"form": form}, status=400)
    rows_total = ticket_csv_count(tickets)
    if rows_total > settings.CSV_EXPORT_INLINE_MAX_ROWS:  # prepared by a worker instead
        return export_offer(request, kind_key=TICKETS_EXPORT.key, rows_total=rows_total)
    now = timezone.now()
    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M")
    return csv_response(f"tickets-{stamp}.csv", CSV_COLUMNS, ticket_csv_rows(tickets, now=now))


# --- opening a ticket (R-TT-2) -------------------------------------------------------------


@member_required(Area.TICKETS, Level.ACT, methods=("GET", "POST"))
def ticket_create(request):
    initial = {}
    if request.method == "GET" and request.GET.get("service"):
        initial["services"] = [request.GET["service"]]
    form = TicketForm(
        request.POST or None,
        request.FILES or None,
        customer=request.customer,
        user=request.user,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            ticket = services.ticket_open(
                customer=request.customer, opened_by=request.user, **form.cleaned_data
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                _(
                    "Ticket %(number)s is open. The TSC answers within %(response)s and aims to "
                    "restore the service within %(restoration)s."
                )
                % {
                    "number": ticket.number,
                    "response": duration_compact(ticket.response_target),
                    "restoration": duration_compact(ticket.restoration_target),
                },
            )
            return redirect("tickets:detail", number=ticket.number)
    targets = _targets()
    impacts = [(choice, *targets[choice.data["value"]]) for choice in form["impact"]]
    context = {"form": form, "impacts": impacts}
    return render(request, "tickets/form.html", context, status=400 if form.errors else 200)


# --- the ticket page -----------------------------------------------------------------------


def _render_detail(request, number: str, *, forms: dict | None = None, status: int = 200):
    page = selectors.ticket_page(request.customer, number)
    context = {
        **page,
        "reply_form": ReplyForm(),
        "escalate_form": ReasonForm(prefix="escalate"),
        "reopen_form": ReasonForm(prefix="reopen"),
        "cancel_form": CancelForm(prefix="cancel"),
        "watcher_form": WatcherForm(),
        **(forms or {}),
        "can_act": request.membership.can(Area.TICKETS, Level.ACT),
        "can_view_services": request.membership.can(Area.SERVICES),
        "sections": ticket_page.collect(request, ticket=page["ticket"]),
    }
    return render(request, "tickets/detail.html", context, status=status)


@member_required(Area.TICKETS)
def ticket_detail(request, number):
    return _render_detail(request, number)


def _act(request, number, *, form, name: str, action, done: str, anchor: str = ""):
    """The shape of every write on the ticket page: bind, call one service, redirect (PRG) or
    show the page again with the form's errors (400)."""
    ticket = selectors.ticket_get(request.customer, number)
    status = 400
    if form.is_valid():
        try:
            action(ticket, form.cleaned_data)
        except DomainError as error:
            status = getattr(error, "status", 400)  # 429 over a cap (portal.errors.RateLimited)
            if error.field in form.fields:
                form.add_error(error.field, error.message)
            else:  # a rule about the ticket itself: said at the top of the page
                messages.error(request, error.message)
        else:
            messages.success(request, done)
            return redirect(f"{services.ticket_path(ticket)}{anchor}")
    return _render_detail(request, number, forms={name: form}, status=status)


@member_required(Area.TICKETS, Level.ACT, methods=("POST",))
def ticket_reply(request, number):
    """A public reply; while the TSC waits for the customer it ends the pause (R-TT-3)."""
    return _act(
        request,
        number,
        form=ReplyForm(request.POST, request.FILES),
        name="reply_form",
        action=lambda ticket, data: services.ticket_reply(
            ticket=ticket, author=request.user, body=data["body"], attachments=data["attachments"]
        ),
        done=_("Your message was sent to the Technical Service Center."),
        anchor="#conversation",
    )


@member_required(Area.TICKETS, Level.ACT, methods=("POST",))
def ticket_escalate(request, number):
    return _act(
        request,
        number,
        form=ReasonForm(request.POST, prefix="escalate"),
        name="escalate_form",
        action=lambda ticket, data: services.ticket_escalate(
            ticket=ticket, actor=request.user, reason=data["reason"]
        ),
        done=_("The ticket was escalated: the TSC supervisor and your account team are told."),
    )


@member_required(Area.TICKETS, Level.ACT, methods=("POST",))
def ticket_reopen(request, number):
    return _act(
        request,
        number,
        form=ReasonForm(request.POST, prefix="reopen"),
        name="reopen_form",
        action=lambda ticket, data: services.ticket_reopen(
            ticket=ticket, actor=request.user, reason=data["reason"]
        ),
        done=_("The ticket is open again: the TSC is back on it."),
    )


@member_required(Area.TICKETS, Level.ACT, methods=("POST",))
def ticket_cancel(request, number):
    return _act(
        request,
        number,
        form=CancelForm(request.POST, prefix="cancel"),
        name="cancel_form",
        action=lambda ticket, data: services.ticket_cancel(
            ticket=ticket, actor=request.user, reason=data["reason"]
        ),
        done=_("The ticket was cancelled."),
    )


@member_required(Area.TICKETS, Level.ACT, methods=("POST",))
def watcher_add(request, number):
    return _act(
        request,
        number,
        form=WatcherForm(request.POST),
        name="watcher_form",
        action=lambda ticket, data: services.ticket_watcher_add(
            ticket=ticket,
            actor=request.user,
            email=data["email"],
            name=data["name"],
            request=request,
        ),
        done=_(
            "We sent the person a link to confirm. Once they confirm, they receive every update "
            "of this ticket; until then, nothing."
        ),
        anchor="#people",
    )


@member_required(Area.TICKETS, Level.ACT, methods=("POST",))
def watcher_remove(request, number):
    return _act(
        request,
        number,
        form=WatcherRemoveForm(request.POST),
        name="watcher_remove_form",
        action=lambda ticket, data: services.ticket_watcher_remove(
            ticket=ticket, actor=request.user, email=data["email"], request=request
        ),
        done=_("The person is no longer copied."),
        anchor="#people",
    )


@never_cache
@require_http_methods(["GET", "POST"])
def watcher_confirm(request, token):
    """Public: the signed link is the credential. GET only asks (mail scanners open links);
    POST confirms, once. The page names the customer and the ticket's number, nothing else."""
    try:
        watcher = watchers.watcher_by_token(token)
        if request.method == "POST":
            watcher = watchers.ticket_watcher_confirm(token=token)
    except DomainError as error:
        context = {"message": error.message}
        return render(request, "tickets/watcher_confirm_invalid.html", context, status=400)
    customer = watcher.ticket.customer
    if not request.user.is_authenticated and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
        translation.activate(customer.language)  # the language the e-mail was written in
        request.LANGUAGE_CODE = customer.language
    context = {
        "customer_name": customer.display_name,
        "number": watcher.ticket.number,
        "confirmed": request.method == "POST",
    }
    return render(request, "tickets/watcher_confirm.html", context)


# --- attachments ---------------------------------------------------------------------------


@member_required(Area.TICKETS)
def attachment_download(request, number, reference):
    """Only through here, only the customer's own non-internal files, always as a download."""
    attachment = selectors.attachment_get(request.customer, number, reference)
    return private_download(
        attachment.file, filename=attachment.filename, content_type=attachment.content_type
    )
