"""Billing inquiries, disputes and credit requests (R-BIL-1): the list, the one form for the
three kinds (a credit can start from a resolved ticket), the request page with its public
conversation, the customer's reply and the file downloads. Reads need the billing area; every
write needs its act level and is POST only. Internal notes never reach these pages: every read
goes through billing.selectors."""

from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.vary import vary_on_headers

from billing import selectors, services
from billing.forms.requests import BillingRequestForm, ReplyForm, RequestFilterForm
from billing.models import BillingRequest
from core.access import member_required
from core.errors import DomainError
from core.lib.downloads import private_download
from core.lib.durations import duration_compact
from core.lib.forms import add_domain_error
from core.lib.listing import list_page
from core.models import Area, Level
from team.models import TeamRole
from team.selectors import team_for_customer
from tickets.models import Impact
from tickets.selectors import ticket_get
from tickets.sla import ticket_clock

Status = BillingRequest.Status

# --- the list ---------------------------------------------------------------------------------


@member_required(Area.BILLING)
def request_list(request):
    form = RequestFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render(request, "billing/request_list.html", {"form": form}, status=400)
    requests = selectors.requests_for_customer(request.customer, **form.filters())
    context = {
        "form": form,
        **list_page(request, requests, per_page=settings.BILLING_PAGE_SIZE),
        "filtered": any(form.filters().values()),
        "waiting": selectors.requests_for_customer(request.customer, status=Status.WAITING).count(),
        "can_act": request.membership.can(Area.BILLING, Level.ACT),
    }
    return render(request, "billing/request_list.html", context)


# --- raising a request ------------------------------------------------------------------------


def _billing_care(customer):
    """R-TEAM-5: the customer's Billing Customer Care card (a person or the team's mailbox)."""
    return next(
        (
            card
            for card in team_for_customer(customer=customer)
            if card.role == TeamRole.BILLING_CARE
        ),
        None,
    )


def _who_answers(customer) -> str:
    card = _billing_care(customer)
    if card is not None and card.name:
        return _("%(name)s, of Billing Customer Care, will answer you here and by e-mail.") % {
            "name": card.name
        }
    return _("Billing Customer Care will answer you here and by e-mail.")


def _outage_end(ticket):
    return ticket.restored_at or ticket.resolved_at


def _outage_from(customer, ticket) -> dict:
    """A resolved ticket gives the credit its service, its outage window and the currency the
    service is billed in."""
    service = ticket.services.order_by("service_id").first()
    end = _outage_end(ticket)
    initial = {
        "kind": BillingRequest.Kind.CREDIT,
        "ticket": ticket.number,
        "service": service,
        "outage_start": timezone.localtime(ticket.problem_started_at).replace(second=0),
        "outage_end": timezone.localtime(end).replace(second=0) if end else None,
        "subject": _("Credit for the outage of ticket %(number)s") % {"number": ticket.number},
    }
    if service is not None:
        initial["currency"] = selectors.service_currency(customer, service)
    return initial


def _initial(request, invoice, ticket) -> dict:
    kind = request.GET.get("kind", "")
    initial = {"kind": kind if kind in BillingRequest.Kind.values else "question"}
    currencies = selectors.invoice_currencies(request.customer)
    if currencies:  # the latest invoice's; a ticket's service may say otherwise below
        initial["currency"] = currencies[0]
    if invoice is not None:
        initial["invoice"] = invoice
        if initial["kind"] == BillingRequest.Kind.DISPUTE:
            initial["subject"] = _("Dispute of invoice %(number)s") % {"number": invoice.number}
    if ticket is not None and _ticket_refusal(ticket) is None:
        initial.update(_outage_from(request.customer, ticket))
    return initial


def _ticket_refusal(ticket) -> str | None:
    """Why a credit cannot start from this ticket, if it cannot (R-BIL-1): it is not resolved
    yet, or it had no impact on the service (a question is not an outage)."""
    if ticket.impact == Impact.NO_IMPACT:
        return _("This ticket reported no impact on the service, so it cannot support a credit.")
    if ticket.status not in services.CREDITABLE_TICKET_STATUSES:
        return _("A credit can start from a ticket once the ticket is resolved.")
    return None


def _ticket_box(ticket, refusal: str | None) -> dict | None:
    """What the form says about the ticket a credit starts from: the outage as the customer
    lived it (problem start to restoration) and, apart, the SLA restoration time, which counts
    from the ticket's opening and leaves the pauses out."""
    if ticket is None:
        return None
    clock = ticket_clock(ticket)
    end = _outage_end(ticket)
    return {
        "ticket": ticket,
        "creditable": refusal is None,
        "no_impact": ticket.impact == Impact.NO_IMPACT,
        "outage_start": ticket.problem_started_at,
        "outage_end": end,
        "outage": duration_compact(end - ticket.problem_started_at) if end else "",
        "breached": clock.breached,
        "elapsed": duration_compact(clock.elapsed),
        "target": duration_compact(clock.target),
    }


@member_required(Area.BILLING, Level.ACT, methods=("GET", "POST"))
@vary_on_headers("HX-Request")  # the page and its dispute-lines fragment share the URL
def request_create(request):
    customer = request.customer
    source = request.POST if request.method == "POST" else request.GET
    number = source.get("ticket", "").strip()
    ticket = ticket_get(customer, number) if number else None
    refusal = _ticket_refusal(ticket) if ticket is not None else None
    # One ticket, one credit claim: the one already raised is shown (the service refuses a
    # second one, and a ticket that is not creditable).
    claim = selectors.ticket_credit_request(customer, ticket) if ticket is not None else None
    invoice = None
    if request.method == "GET" and request.GET.get("invoice"):
        invoice = get_object_or_404(
            selectors.invoices_choice_for_customer(customer), number=request.GET["invoice"]
        )
    form = BillingRequestForm(
        request.POST or None,
        request.FILES or None,
        customer=customer,
        ticket=ticket,
        initial=_initial(request, invoice, ticket),
    )
    if request.method == "POST" and form.is_valid():
        try:
            request_obj = services.billing_request_create(
                customer=customer, user=request.user, **form.service_arguments()
            )
        except DomainError as error:
            # The ticket is a hidden input: a refusal about it concerns the whole request.
            field = None if error.field == "ticket" else error.field
            add_domain_error(form, DomainError(error.message, rule=error.rule, field=field))
        else:
            messages.success(
                request,
                _("We received %(number)s.") % {"number": request_obj.number}
                + " "
                + _who_answers(customer),
            )
            return redirect(services.request_path(request_obj))
    ticket_error = refusal if not form.is_bound else ""
    context = {
        "form": form,
        "ticket_error": ticket_error,
        "ticket_box": _ticket_box(ticket, refusal),
        "claim": claim,
        "can_view_tickets": request.membership.can(Area.TICKETS),
    }
    status = 400 if form.errors or ticket_error else 200
    template = "billing/request_form.html"
    if request.htmx:  # the invoice field asks for the chosen invoice's lines only
        template += "#dispute-lines"
    return render(request, template, context, status=status)


# --- the request page -------------------------------------------------------------------------

# The path of a request, as the page draws it: the step each status belongs to.
_STEPS = (
    (Status.RECEIVED, (Status.RECEIVED,)),
    (Status.IN_ANALYSIS, (Status.IN_ANALYSIS, Status.WAITING)),
    (Status.RESOLVED, (Status.RESOLVED,)),
    (Status.CLOSED, (Status.CLOSED,)),
)


def _entered(request_obj: BillingRequest) -> dict[str, datetime]:
    """status -> when the request last entered it. A message that sets the status the request
    is already in enters nothing; after a wait for the customer, "in analysis" is entered again
    by the reply (or the staff message) that resumed it."""
    entered: dict[str, datetime] = {Status.RECEIVED: request_obj.created_at}
    status = Status.RECEIVED
    for message in request_obj.public_messages:  # type: ignore[attr-defined]  # a Prefetch to_attr
        if message.status and message.status != status:
            status = message.status
            entered[status] = message.created_at
    return entered


def _progress(request_obj: BillingRequest) -> list[dict]:
    """The four steps with their state (done, current, next) and when each was entered: the
    step's time is the last time the request entered the status the step names. While it waits
    for the customer the second step is called so and shows when the wait began; otherwise it
    is "in analysis" and shows when the analysis last (re)started. A request that went from
    waiting straight to resolved was never in analysis: that step shows no time."""
    entered = _entered(request_obj)
    current = next(i for i, (_s, members) in enumerate(_STEPS) if request_obj.status in members)
    steps = []
    for index, (step, _members) in enumerate(_STEPS):
        state = "done" if index < current else "current" if index == current else "next"
        if state == "done" and step == Status.RESOLVED and not request_obj.outcome:
            state = "skipped"  # closed without an answer
        shown = step
        if step == Status.IN_ANALYSIS and request_obj.status == Status.WAITING:
            shown = Status.WAITING
        at = entered.get(shown) if state in ("done", "current") else None
        steps.append({"step": step, "label": Status(shown).label, "state": state, "at": at})
    return steps


def _waiting_message(request_obj: BillingRequest):
    if request_obj.status != Status.WAITING:
        return None
    return next(
        (m for m in reversed(request_obj.public_messages) if m.status == Status.WAITING),  # type: ignore[attr-defined]  # a Prefetch to_attr
        None,
    )


def _render_detail(request, number: str, *, reply_form=None, status: int = 200):
    request_obj = selectors.request_get(request.customer, number)
    membership = request.membership
    disputed = list(request_obj.disputed_lines.all())
    context = {
        "billing_request": request_obj,
        "disputed": disputed,
        "disputed_total": sum(d.amount for d in disputed),
        "credit": getattr(request_obj, "credit", None),
        "progress": _progress(request_obj),
        "waiting_message": _waiting_message(request_obj),
        "reply_form": reply_form or ReplyForm(),
        "care": _billing_care(request.customer),
        "can_act": membership.can(Area.BILLING, Level.ACT),
        "can_view_tickets": membership.can(Area.TICKETS),
        "can_view_services": membership.can(Area.SERVICES),
    }
    return render(request, "billing/request_detail.html", context, status=status)


@member_required(Area.BILLING)
def request_detail(request, number):
    return _render_detail(request, number)


@member_required(Area.BILLING, Level.ACT, methods=("POST",))
def request_reply(request, number):
    """The customer's message; while Billing Customer Care waits for them it puts the request
    back in analysis (the service does it)."""
    request_obj = selectors.request_get(request.customer, number)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.billing_request_reply(
                request_obj=request_obj,
                user=request.user,
                body=form.cleaned_data["body"],
                attachments=form.cleaned_data["attachments"],
            )
        except DomainError as error:
            if error.field in form.fields:
                form.add_error(error.field, error.message)
            else:  # about the request itself (already resolved): said at the top of the page
                messages.error(request, error.message)
        else:
            messages.success(request, _("Your message was sent to Billing Customer Care."))
            return redirect(f"{services.request_path(request_obj)}#conversation")
    return _render_detail(request, number, reply_form=form, status=400)


# --- files ------------------------------------------------------------------------------------


@member_required(Area.BILLING)
def request_attachment(request, number, reference):
    """Only through here, only the customer's own files (never one of an internal note), always
    as a download that no cache keeps."""
    attachment = selectors.request_attachment_get(request.customer, number, reference)
    return private_download(
        attachment.file, filename=attachment.filename, content_type=attachment.content_type
    )
