"""Inquiries, disputes and credit requests (R-BIL-1): opening, the conversation, staff answers,
credits and closing. Each write records its e-mails through the outbox in its transaction."""

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from billing import selectors
from billing.models import (
    BillingAttachment,
    BillingMessage,
    BillingRequest,
    Credit,
    Currency,
    DisputedLine,
    Invoice,
    InvoiceLine,
)
from billing.money import MoneyAmount, money
from billing.services.invoices import invoice_status_refresh
from billing.services.recipients import care_recipients, customer_recipients
from core.errors import DomainError
from core.lib.attachments import attachments_store
from core.models import AuditEvent, Customer, NotificationKind, Service, User
from core.services import audit_record
from core.services.numbering import number_next
from core.services.outbox import notify
from tickets.models import Impact, Ticket

CREDITABLE_TICKET_STATUSES = (Ticket.Status.RESOLVED, Ticket.Status.CLOSED)


def request_path(request_obj: BillingRequest) -> str:
    return reverse("billing:request_detail", kwargs={"number": request_obj.number})


def _open_dispute_numbers(lines: list[InvoiceLine]) -> dict[int, str]:
    rows = DisputedLine.objects.filter(
        line__in=lines, request__status__in=BillingRequest.OPEN_STATUSES
    ).values_list("line_id", "request__number")
    return dict(rows)


def _disputed_lines_check(invoice: Invoice, disputed: dict[int, Decimal]) -> list[tuple]:
    """R-BIL-1: each disputed amount is positive and never more than the line's amount."""
    if not disputed:
        raise DomainError(
            _("Choose the lines you dispute and the amount of each."), field="lines", rule="R-BIL-1"
        )
    lines = {line.pk: line for line in invoice.lines.all()}
    customer_country = invoice.customer.country
    chosen = []
    for line_id, amount in disputed.items():
        line = lines.get(line_id)
        if line is None:
            raise DomainError(_("Choose lines of this invoice."), field="lines")
        if amount is None or amount <= 0:
            raise DomainError(
                _("Line %(position)s: the disputed amount must be more than zero.")
                % {"position": line.position},
                field="lines",
            )
        if amount > line.amount:
            raise DomainError(
                _("Line %(position)s: you can dispute at most the line's amount, %(amount)s.")
                % {
                    "position": line.position,
                    "amount": money(line.amount, invoice.currency, country=customer_country),
                },
                field="lines",
                rule="R-BIL-1",
            )
        chosen.append((line, amount))
    already = _open_dispute_numbers([line for line, _amount in chosen])
    for line, _amount in chosen:
        if line.pk in already:
            raise DomainError(
                _("Line %(position)s is already disputed in %(number)s.")
                % {"position": line.position, "number": already[line.pk]},
                field="lines",
            )
    return chosen


def _ticket_check(customer: Customer, ticket: Ticket | None, service: Service | None) -> None:
    if ticket is None:
        return
    if ticket.customer_id != customer.pk:
        raise DomainError(_("Choose a ticket of yours."), field="ticket")
    if ticket.status not in CREDITABLE_TICKET_STATUSES:
        raise DomainError(
            _("A credit can start from a ticket once the ticket is resolved."), field="ticket"
        )
    if ticket.impact == Impact.NO_IMPACT:
        raise DomainError(
            _("This ticket reported no impact on the service, so it cannot support a credit."),
            field="ticket",
        )
    if service is not None and not ticket.services.filter(pk=service.pk).exists():
        raise DomainError(_("Choose one of the ticket's services."), field="service")
    claimed = selectors.ticket_credit_request(customer, ticket)
    if claimed is not None:
        raise DomainError(
            _("A credit for this ticket was already requested in %(number)s.")
            % {"number": claimed.number},
            field="ticket",
        )


def _credit_check(
    customer: Customer,
    *,
    invoice: Invoice | None,
    requested_amount: Decimal | None,
    currency: str,
    ticket: Ticket | None,
    service: Service | None,
    outage: tuple[datetime | None, datetime | None],
) -> str:
    """A credit request's facts hold; the currency is the invoice's when there is one."""
    outage_start, outage_end = outage
    if requested_amount is None or requested_amount <= 0:
        raise DomainError(_("Say how much credit you ask for."), field="requested_amount")
    if invoice is not None:
        currency = invoice.currency
        if requested_amount > invoice.total:
            raise DomainError(
                _("The credit cannot be more than the invoice's total."),
                field="requested_amount",
            )
    if currency not in Currency.values:
        raise DomainError(_("Choose the currency."), field="currency")
    _ticket_check(customer, ticket, service)
    if outage_start and outage_end and outage_end <= outage_start:
        raise DomainError(_("The outage must end after it starts."), field="outage_end")
    latest = outage_end or outage_start
    if latest and latest > timezone.now():
        raise DomainError(
            _("A credit is for an outage that has happened: the times cannot be in the future."),
            field="outage_end" if outage_end else "outage_start",
        )
    return currency


def billing_request_create(
    *,
    customer: Customer,
    user: User,
    kind: str,
    subject: str,
    description: str,
    invoice: Invoice | None = None,
    disputed: dict[int, Decimal] | None = None,
    requested_amount: Decimal | None = None,
    currency: str = "",
    ticket: Ticket | None = None,
    service: Service | None = None,
    outage_start: datetime | None = None,
    outage_end: datetime | None = None,
    attachments=(),
) -> BillingRequest:
    """Callers pass invoices, tickets and services read through the customer's selectors; the
    checks here hold again in case they did not."""
    if kind not in BillingRequest.Kind.values:
        raise DomainError(_("Choose what you need."), field="kind")
    for obj in (invoice, ticket, service):
        if obj is not None and obj.customer_id != customer.pk:
            raise DomainError(_("Choose an invoice, ticket or service of yours."))
    if kind in (BillingRequest.Kind.QUESTION, BillingRequest.Kind.DISPUTE) and invoice is None:
        raise DomainError(_("Choose the invoice."), field="invoice")
    chosen: list[tuple] = []
    if kind == BillingRequest.Kind.DISPUTE:
        assert invoice is not None  # refused above
        chosen = _disputed_lines_check(invoice, disputed or {})
        requested_amount = sum((amount for _line, amount in chosen), Decimal("0"))
        currency = invoice.currency
    elif kind == BillingRequest.Kind.CREDIT:
        currency = _credit_check(
            customer,
            invoice=invoice,
            requested_amount=requested_amount,
            currency=currency,
            ticket=ticket,
            service=service,
            outage=(outage_start, outage_end),
        )
    else:
        assert invoice is not None  # refused above
        requested_amount, currency = None, invoice.currency
    with transaction.atomic():
        request_obj = BillingRequest.objects.create(
            customer=customer,
            number=number_next(prefix="BIL"),
            kind=kind,
            invoice=invoice,
            ticket=ticket if kind == BillingRequest.Kind.CREDIT else None,
            service=service if kind == BillingRequest.Kind.CREDIT else None,
            outage_start=outage_start if kind == BillingRequest.Kind.CREDIT else None,
            outage_end=outage_end if kind == BillingRequest.Kind.CREDIT else None,
            subject=subject.strip(),
            description=description.strip(),
            currency=currency,
            requested_amount=requested_amount,
            requested_by=user,
        )
        DisputedLine.objects.bulk_create(
            DisputedLine(request=request_obj, line=line, amount=amount) for line, amount in chosen
        )
        attachments_store(
            BillingAttachment, attachments, by=user, request=request_obj, message=None
        )
        if kind == BillingRequest.Kind.DISPUTE:
            assert invoice is not None  # refused above
            invoice_status_refresh(invoice.pk)
        context = {"request": request_obj.pk, "path": request_path(request_obj)}
        notify(
            event=f"billing:{request_obj.number}:received",
            template="billing/request_received",
            recipients=[*care_recipients(customer), *customer_recipients(customer, user)],
            customer=customer,
            kind=NotificationKind.BILLING,
            subject_reference=request_obj.number,
            context=context,
        )
    return request_obj


def _locked(request_obj: BillingRequest) -> BillingRequest:
    return (
        BillingRequest.objects.select_for_update(of=("self",))
        .select_related("customer", "invoice", "requested_by")
        .get(pk=request_obj.pk)
    )


def _notify_customer(request_obj: BillingRequest, *, event: str, message_id: int | None = None):
    notify(
        event=f"billing:{request_obj.number}:{event}",
        template="billing/request_update",
        recipients=customer_recipients(request_obj.customer, request_obj.requested_by),
        customer=request_obj.customer,
        kind=NotificationKind.BILLING,
        subject_reference=request_obj.number,
        context={
            "request": request_obj.pk,
            "message": message_id,
            "path": request_path(request_obj),
        },
    )


def billing_request_reply(
    *, request_obj: BillingRequest, user: User, body: str, attachments=()
) -> BillingMessage:
    """The customer's reply; it ends a wait for the customer."""
    body = body.strip()
    if not body and not attachments:
        raise DomainError(_("Write a message or attach a file."), field="body")
    with transaction.atomic():
        request_obj = _locked(request_obj)
        if not request_obj.is_open:
            raise DomainError(
                _("This request is already resolved. Raise a new one if something is still wrong.")
            )
        status = ""
        if request_obj.status == BillingRequest.Status.WAITING:
            status = request_obj.status = BillingRequest.Status.IN_ANALYSIS
            request_obj.save(update_fields=["status", "updated_at"])
        message = BillingMessage.objects.create(
            request=request_obj, author=user, body=body, status=status
        )
        attachments_store(
            BillingAttachment, attachments, by=user, request=request_obj, message=message
        )
        notify(
            event=f"billing:{request_obj.number}:reply:{message.pk}",
            template="billing/customer_reply",
            recipients=care_recipients(request_obj.customer),
            customer=request_obj.customer,
            kind=NotificationKind.BILLING,
            subject_reference=request_obj.number,
            context={"request": request_obj.pk, "message": message.pk},
        )
    return message


def billing_request_staff_message(
    *,
    request_obj: BillingRequest,
    staff: User,
    body: str,
    status: str = "",
    internal: bool = False,
    attachments=(),
) -> BillingMessage:
    """Billing Customer Care answers, asks (waiting for the customer) or takes the request into
    analysis. Internal notes change nothing the customer sees and send nothing."""
    allowed = ("", BillingRequest.Status.IN_ANALYSIS, BillingRequest.Status.WAITING)
    if status not in allowed:
        raise DomainError(_("Resolve the request with its own action."), field="status")
    if internal and status:
        raise DomainError(_("An internal note cannot change the status."), field="status")
    body = body.strip()
    if status == BillingRequest.Status.WAITING and not body:
        raise DomainError(_("Say what you need from the customer."), field="body")
    if not body and not status and not attachments:
        raise DomainError(_("Write a message."), field="body")
    with transaction.atomic():
        request_obj = _locked(request_obj)
        if not request_obj.is_open:
            raise DomainError(_("This request is already resolved."))
        if status:
            request_obj.status = status
            request_obj.save(update_fields=["status", "updated_at"])
        message = BillingMessage.objects.create(
            request=request_obj,
            author=staff,
            from_provider=True,
            internal=internal,
            body=body,
            status=status,
        )
        attachments_store(
            BillingAttachment, attachments, by=staff, request=request_obj, message=message
        )
        if not internal:
            _notify_customer(request_obj, event=f"message:{message.pk}", message_id=message.pk)
    return message


def _resolve(request_obj: BillingRequest, *, staff: User, outcome: str, answer: str) -> None:
    request_obj.status = BillingRequest.Status.RESOLVED
    request_obj.outcome = outcome
    request_obj.outcome_reason = answer
    request_obj.resolved_at = timezone.now()
    request_obj.save(
        update_fields=["status", "outcome", "outcome_reason", "resolved_at", "updated_at"]
    )
    message = BillingMessage.objects.create(
        request=request_obj,
        author=staff,
        from_provider=True,
        body=answer,
        status=BillingRequest.Status.RESOLVED,
    )
    _notify_customer(request_obj, event="resolved", message_id=message.pk)


def _invoices_refresh(request_obj: BillingRequest, *invoices: Invoice | None) -> None:
    for invoice_id in {request_obj.invoice_id, *(i.pk for i in invoices if i is not None)}:
        if invoice_id is not None:
            invoice_status_refresh(invoice_id)


def billing_request_answer(*, request_obj: BillingRequest, staff: User, answer: str):
    """A question answered: resolved without a credit."""
    if not answer.strip():
        raise DomainError(_("Write the answer."), field="answer")
    with transaction.atomic():
        request_obj = _locked(request_obj)
        if not request_obj.is_open:
            raise DomainError(_("This request is already resolved."))
        outcome = (
            BillingRequest.Outcome.ANSWERED
            if request_obj.kind == BillingRequest.Kind.QUESTION
            else BillingRequest.Outcome.NO_CREDIT
        )
        _resolve(request_obj, staff=staff, outcome=outcome, answer=answer.strip())
        _invoices_refresh(request_obj)
    return request_obj


def credit_issue(
    *,
    request_obj: BillingRequest,
    staff: User,
    amount: Decimal,
    invoice: Invoice,
    answer: str = "",
    override: bool = False,
    override_reason: str = "",
) -> Credit:
    """R-BIL-1: a credit never exceeds what was disputed or asked for, unless staff override it
    with a reason, which is audited. It never exceeds the invoice it applies to."""
    if amount is None or amount <= 0:
        raise DomainError(_("The credit must be more than zero."), field="amount")
    if invoice is None:
        raise DomainError(_("Choose the invoice the credit applies to."), field="invoice")
    with transaction.atomic():
        request_obj = _locked(request_obj)
        # Locked too: two credits on one invoice at once cannot both pass the total's check.
        invoice = Invoice.objects.select_for_update().select_related("customer").get(pk=invoice.pk)
        if request_obj.kind == BillingRequest.Kind.QUESTION:
            raise DomainError(_("A question is answered, not credited."))
        if not request_obj.is_open:
            raise DomainError(_("This request is already resolved."))
        if invoice.customer_id != request_obj.customer_id:
            raise DomainError(
                _("Apply the credit to an invoice of this customer."), field="invoice"
            )
        if request_obj.currency and invoice.currency != request_obj.currency:
            raise DomainError(
                _("Apply the credit to an invoice in %(currency)s.")
                % {"currency": request_obj.currency},
                field="invoice",
            )
        credited = invoice.credits.aggregate(total=MoneyAmount(Sum("amount")))["total"] or Decimal(
            "0"
        )
        if amount > invoice.total - credited:
            if credited:
                message = _(
                    "The credit cannot be more than what is left of the invoice's total "
                    "(%(left)s of %(total)s; %(credited)s already credited)."
                ) % {
                    "left": money(invoice.total - credited, invoice.currency),
                    "total": money(invoice.total, invoice.currency),
                    "credited": money(credited, invoice.currency),
                }
            else:
                message = _("The credit cannot be more than the invoice's total (%(total)s).") % {
                    "total": money(invoice.total, invoice.currency)
                }
            raise DomainError(message, field="amount", rule="R-BIL-1")
        ceiling = request_obj.credit_ceiling
        above = ceiling is None or amount > ceiling
        if above and not override:
            raise DomainError(
                _(
                    "The credit is more than the customer asked for (%(ceiling)s). Tick the "
                    "override and say why to issue it anyway."
                )
                % {"ceiling": money(ceiling or Decimal("0"), invoice.currency)},
                field="amount",
                rule="R-BIL-1",
            )
        if above and not override_reason.strip():
            raise DomainError(_("Say why the credit is above what was asked."), field="override")
        credit = Credit.objects.create(
            request=request_obj,
            invoice=invoice,
            amount=amount,
            currency=invoice.currency,
            override=above,
            override_reason=override_reason.strip() if above else "",
            issued_by=staff,
        )
        if above:
            audit_record(
                action=AuditEvent.Action.CREDIT_OVERRIDE,
                customer=request_obj.customer,
                actor=staff,
                detail={
                    "request": request_obj.number,
                    "invoice": invoice.number,
                    "amount": str(amount),
                    "ceiling": str(ceiling) if ceiling is not None else None,
                    "currency": invoice.currency,
                    "reason": credit.override_reason,
                },
            )
        _resolve(
            request_obj,
            staff=staff,
            outcome=BillingRequest.Outcome.CREDIT,
            answer=answer.strip() or credit_default_answer(request_obj, credit),
        )
        _invoices_refresh(request_obj, invoice)
    return credit


def credit_default_answer(request_obj: BillingRequest, credit: Credit) -> str:
    """The conversation's entry when staff write no answer: in the customer's language, which
    the portal shows to all of the customer's people (the e-mails say it in each reader's)."""
    customer = request_obj.customer
    with translation.override(customer.language or settings.LANGUAGE_CODE):
        return _("A credit of %(amount)s was applied to invoice %(invoice)s.") % {
            "amount": money(credit.amount, credit.currency, country=customer.country),
            "invoice": credit.invoice.number,
        }


def billing_request_close(*, request_obj: BillingRequest, staff: User) -> BillingRequest:
    with transaction.atomic():
        request_obj = _locked(request_obj)
        if request_obj.status == BillingRequest.Status.CLOSED:
            return request_obj
        was_open = request_obj.is_open
        request_obj.status = BillingRequest.Status.CLOSED
        request_obj.save(update_fields=["status", "updated_at"])
        BillingMessage.objects.create(
            request=request_obj,
            author=staff,
            from_provider=True,
            status=BillingRequest.Status.CLOSED,
        )
        if was_open:
            _invoices_refresh(request_obj)
    return request_obj
