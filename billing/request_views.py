"""Billing inquiries, disputes and credit requests (R-BIL-1): the list, the one form for the
three kinds (a credit can start from a resolved ticket), the request page with its public
conversation, the customer's reply and the file downloads. Reads need the billing area; every
write needs its act level and is POST only. Internal notes never reach these pages: every read
goes through billing.selectors."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from billing import selectors, services
from billing.models import BillingRequest
from billing.request_forms import BillingRequestForm, RequestFilterForm
from portal.access import member_required
from portal.downloads import private_download
from portal.errors import DomainError
from portal.listing import list_page
from portal.models import Area, Level, TeamRole
from portal.selectors.team import team_for_customer
from tickets.forms import ReplyForm
from tickets.selectors import ticket_get
from tickets.services import ticket_clock
from tickets.views import span_text

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


def _outage_from(ticket) -> dict:
    """A resolved ticket gives the credit its service and its outage window."""
    service = ticket.services.order_by("service_id").first()
    end = ticket.restored_at or ticket.resolved_at
    return {
        "kind": BillingRequest.Kind.CREDIT,
        "ticket": ticket.number,
        "service": service,
        "outage_start": timezone.localtime(ticket.problem_started_at).replace(second=0),
        "outage_end": timezone.localtime(end).replace(second=0) if end else None,
        "subject": _("Credit for the outage of ticket %(number)s") % {"number": ticket.number},
    }


def _initial(request, invoice, ticket) -> dict:
    kind = request.GET.get("kind", "")
    initial = {"kind": kind if kind in BillingRequest.Kind.values else "question"}
    if invoice is not None:
        initial["invoice"] = invoice
        if initial["kind"] == BillingRequest.Kind.DISPUTE:
            initial["subject"] = _("Dispute of invoice %(number)s") % {"number": invoice.number}
    if ticket is not None and ticket.status in services.CREDITABLE_TICKET_STATUSES:
        initial.update(_outage_from(ticket))
    return initial


def _ticket_box(ticket) -> dict | None:
    """What the form says about the ticket a credit starts from, with its SLA verdict."""
    if ticket is None:
        return None
    clock = ticket_clock(ticket)
    return {
        "ticket": ticket,
        "creditable": ticket.status in services.CREDITABLE_TICKET_STATUSES,
        "breached": clock.breached,
        "elapsed": span_text(clock.elapsed),
        "target": span_text(clock.target),
    }


@member_required(Area.BILLING, Level.ACT, methods=("GET", "POST"))
def request_create(request):
    customer = request.customer
    source = request.POST if request.method == "POST" else request.GET
    number = source.get("ticket", "").strip()
    ticket = ticket_get(customer, number) if number else None
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
            form.domain_error(error)
        else:
            messages.success(
                request,
                _("We received %(number)s.") % {"number": request_obj.number}
                + " "
                + _who_answers(customer),
            )
            return redirect(services.request_path(request_obj))
    ticket_error = ""
    creditable = ticket is None or ticket.status in services.CREDITABLE_TICKET_STATUSES
    if not form.is_bound and not creditable:
        ticket_error = _("A credit can start from a ticket once the ticket is resolved.")
    context = {
        "form": form,
        "ticket_error": ticket_error,
        "ticket_box": _ticket_box(ticket),
        "can_view_tickets": request.membership.can(Area.TICKETS),
    }
    status = 400 if form.errors or ticket_error else 200
    return render(request, "billing/request_form.html", context, status=status)


# --- the request page -------------------------------------------------------------------------

# The path of a request, as the page draws it: the step each status belongs to.
_STEPS = (
    (Status.RECEIVED, (Status.RECEIVED,)),
    (Status.IN_ANALYSIS, (Status.IN_ANALYSIS, Status.WAITING)),
    (Status.RESOLVED, (Status.RESOLVED,)),
    (Status.CLOSED, (Status.CLOSED,)),
)


def _progress(request_obj: BillingRequest) -> list[dict]:
    """The four steps with their state (done, current, next) and when each was reached."""
    reached = {Status.RECEIVED: request_obj.created_at}
    for message in request_obj.public_messages:
        if message.status:
            step = next(s for s, members in _STEPS if message.status in members)
            reached.setdefault(step, message.created_at)
    current = next(i for i, (_s, members) in enumerate(_STEPS) if request_obj.status in members)
    steps = []
    for index, (step, _members) in enumerate(_STEPS):
        state = "done" if index < current else "current" if index == current else "next"
        if state == "done" and step == Status.RESOLVED and not request_obj.outcome:
            state = "skipped"  # closed without an answer
        label = Status(step).label
        if step == Status.IN_ANALYSIS and request_obj.status == Status.WAITING:
            label = Status.WAITING.label
        steps.append({"step": step, "label": label, "state": state, "at": reached.get(step)})
    return steps


def _waiting_message(request_obj: BillingRequest):
    if request_obj.status != Status.WAITING:
        return None
    return next(
        (m for m in reversed(request_obj.public_messages) if m.status == Status.WAITING), None
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
