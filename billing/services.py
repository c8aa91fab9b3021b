"""Every write of the billing area (R-TEAM-5, R-BIL-1..4). Each one records its e-mails through
the outbox inside its own transaction."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from billing import rules, selectors
from billing.models import (
    BillingAttachment,
    BillingDataChange,
    BillingMessage,
    BillingRequest,
    Credit,
    Currency,
    DisputedLine,
    Invoice,
    InvoiceLine,
    PurchaseOrderRequest,
)
from billing.money import MoneyAmount, money
from contacts.selectors import po_address
from core.errors import DomainError
from core.lib.downloads import download_name
from core.models import AuditEvent, Customer, NotificationKind, Service, User
from core.selectors.notifications import notification_recipients
from core.services import audit_record
from core.services.numbering import number_next
from core.services.outbox import Recipient, notify
from team.models import TeamRole
from team.selectors import team_contact_email
from tickets.attachments import attachment_check, attachment_fields
from tickets.models import Impact, Ticket

CREDITABLE_TICKET_STATUSES = (Ticket.Status.RESOLVED, Ticket.Status.CLOSED)


def request_path(request_obj: BillingRequest) -> str:
    return reverse("billing:request_detail", kwargs={"number": request_obj.number})


def billing_care_email(customer: Customer) -> str:
    """R-TEAM-5: the customer's Billing Customer Care person, else the billing mailbox."""
    email = team_contact_email(customer=customer, role=TeamRole.BILLING_CARE)
    if email and email != settings.TEAM_MAILBOX:
        return email
    return settings.BILLING_MAILBOX or email or settings.SUPPORT_FALLBACK_MAILBOX


def _care_recipients(customer: Customer) -> list[Recipient]:
    email = billing_care_email(customer)
    return [Recipient.for_team(email)] if email else []


def _customer_recipients(customer: Customer, user: User | None) -> list[Recipient]:
    return notification_recipients(customer, NotificationKind.BILLING, users=[user])


# --- invoices ---------------------------------------------------------------------------------


def invoice_totals_recompute(invoice: Invoice) -> Invoice:
    """The subtotal is the sum of the lines; the total adds the taxes."""
    subtotal = invoice.lines.aggregate(total=MoneyAmount(Sum("amount")))["total"] or Decimal("0")
    invoice.subtotal = subtotal
    invoice.total = subtotal + (invoice.tax or Decimal("0"))
    invoice.save(update_fields=["subtotal", "total"])
    return invoice


def invoice_status_refresh(invoice_id: int, today: date | None = None) -> None:
    """An unpaid invoice's status follows from the facts: in dispute while one of its disputes is
    open, credited once its credits cover the whole total, overdue past its due date on the
    customer's calendar, issued before. A paid invoice stays paid whatever is disputed or credited
    on it (a credit there is in the customer's favour, not a debt)."""
    invoice = Invoice.objects.select_related("customer").get(pk=invoice_id)
    if invoice.status == Invoice.Status.PAID:
        return
    today = today or rules.customer_today(invoice.customer)
    credited = invoice.credits.aggregate(total=MoneyAmount(Sum("amount")))["total"] or Decimal("0")
    if BillingRequest.objects.filter(
        invoice=invoice, kind=BillingRequest.Kind.DISPUTE, status__in=BillingRequest.OPEN_STATUSES
    ).exists():
        status = Invoice.Status.IN_DISPUTE
    elif credited >= invoice.total:
        status = Invoice.Status.CREDITED
    elif invoice.due_on < today:
        status = Invoice.Status.OVERDUE
    else:
        status = Invoice.Status.ISSUED
    if status != invoice.status:
        Invoice.objects.filter(pk=invoice.pk).exclude(status=Invoice.Status.PAID).update(
            status=status
        )


def invoices_mark_overdue(now: datetime | None = None) -> int:
    """Beat, hourly: issued invoices past their due date on the customer's own calendar."""
    # No timezone is more than a day ahead of UTC: UTC's tomorrow bounds every customer's today.
    utc_tomorrow = (now or timezone.now()).astimezone(UTC).date() + timedelta(days=1)
    candidates = Invoice.objects.filter(
        status=Invoice.Status.ISSUED, due_on__lt=utc_tomorrow
    ).select_related("customer")
    marked = 0
    for invoice in candidates:
        if invoice.due_on < rules.customer_today(invoice.customer, now):
            # Conditional: a payment or a dispute recorded meanwhile keeps its status.
            marked += Invoice.objects.filter(pk=invoice.pk, status=Invoice.Status.ISSUED).update(
                status=Invoice.Status.OVERDUE
            )
    return marked


def invoice_mark_paid(*, invoice: Invoice, paid_on: date) -> Invoice:
    invoice.status = Invoice.Status.PAID
    invoice.paid_on = paid_on
    invoice.save(update_fields=["status", "paid_on"])
    return invoice


# --- inquiries, disputes and credit requests (R-BIL-1) ------------------------------------------


def _attach(request_obj: BillingRequest, message: BillingMessage | None, files, by: User) -> None:
    for upload in files:
        BillingAttachment.objects.create(
            request=request_obj, message=message, **attachment_fields(upload, by=by)
        )


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
        chosen = _disputed_lines_check(invoice, disputed or {})
        requested_amount = sum((amount for _line, amount in chosen), Decimal("0"))
        currency = invoice.currency
    elif kind == BillingRequest.Kind.CREDIT:
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
        if (outage_end or outage_start) and (outage_end or outage_start) > timezone.now():
            raise DomainError(
                _(
                    "A credit is for an outage that has happened: the times cannot be in the future."
                ),
                field="outage_end" if outage_end else "outage_start",
            )
    else:
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
        _attach(request_obj, None, attachments, user)
        if kind == BillingRequest.Kind.DISPUTE:
            invoice_status_refresh(invoice.pk)
        context = {"request": request_obj.pk, "path": request_path(request_obj)}
        notify(
            event=f"billing:{request_obj.number}:received",
            template="billing/request_received",
            recipients=[*_care_recipients(customer), *_customer_recipients(customer, user)],
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
        recipients=_customer_recipients(request_obj.customer, request_obj.requested_by),
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
        _attach(request_obj, message, attachments, user)
        notify(
            event=f"billing:{request_obj.number}:reply:{message.pk}",
            template="billing/customer_reply",
            recipients=_care_recipients(request_obj.customer),
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
        _attach(request_obj, message, attachments, staff)
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


# --- billing-data changes (R-BIL-2, R-BIL-4) ---------------------------------------------------


def billing_data_change_create(
    *, customer: Customer, user: User, data: dict, now: datetime | None = None
) -> BillingDataChange:
    """`data` holds the changeable fields (BillingDataChange.CHANGEABLE) and a comment."""
    values = {name: (data.get(name) or "").strip() for name in BillingDataChange.CHANGEABLE}
    if not any(values.values()):
        raise DomainError(_("Say at least one thing to change."))
    if values["split"] and values["split"] not in BillingDataChange.Split.values:
        raise DomainError(_("Choose how to split the invoices."), field="split")
    by_part = (BillingDataChange.Split.BY_SITE, BillingDataChange.Split.BY_GROUP)
    if values["split"] in by_part and not values["split_detail"]:
        raise DomainError(
            _("Say which sites or service groups go on each invoice."), field="split_detail"
        )
    if values["tax_id"]:
        values["tax_id"] = rules.tax_id_clean(customer.country, values["tax_id"])
    requested_on = rules.customer_today(customer, now)
    with transaction.atomic():
        change = BillingDataChange.objects.create(
            customer=customer,
            number=number_next(prefix="BDC"),
            comment=(data.get("comment") or "").strip(),
            requested_on=requested_on,
            target_period=rules.first_invoice_period(requested_on),
            requested_by=user,
            **values,
        )
        notify(
            event=f"billing:{change.number}:received",
            template="billing/data_change_received",
            recipients=[*_care_recipients(customer), *_customer_recipients(customer, user)],
            customer=customer,
            kind=NotificationKind.BILLING,
            subject_reference=change.number,
            context={"change": change.pk, "path": reverse("billing:data_changes")},
        )
    return change


def billing_data_change_handle(
    *, change: BillingDataChange, staff: User, status: str, answer: str = ""
) -> BillingDataChange:
    """Applied: the company name and tax id become the customer's. Rejected needs a reason."""
    if status not in (BillingDataChange.Status.APPLIED, BillingDataChange.Status.REJECTED):
        raise DomainError(_("Choose applied or rejected."), field="status")
    if status == BillingDataChange.Status.REJECTED and not answer.strip():
        raise DomainError(_("Say why the change is rejected."), field="answer")
    with transaction.atomic():
        change = BillingDataChange.objects.select_for_update().get(pk=change.pk)
        if change.status != BillingDataChange.Status.RECEIVED:
            raise DomainError(_("This change was already handled."))
        change.status = status
        change.staff_answer = answer.strip()
        change.handled_at = timezone.now()
        change.save(update_fields=["status", "staff_answer", "handled_at"])
        customer = change.customer
        taken = (
            Customer.objects.filter(country=change.customer.country, tax_id=change.tax_id)
            .exclude(pk=change.customer_id)
            .exists()
        )
        if status == BillingDataChange.Status.APPLIED and change.tax_id and taken:
            raise DomainError(
                _("Another customer of the same country already has tax id %(tax_id)s.")
                % {"tax_id": change.tax_id},
                field="status",
            )
        if status == BillingDataChange.Status.APPLIED and (change.company_name or change.tax_id):
            if change.tax_id and change.tax_id != customer.tax_id:
                # R-BIL-4: invoices before the target period still carry the old id.
                change.replaced_tax_id = customer.tax_id
                change.save(update_fields=["replaced_tax_id"])
            customer.legal_name = change.company_name or customer.legal_name
            customer.tax_id = change.tax_id or customer.tax_id
            customer.save(update_fields=["legal_name", "tax_id"])
        notify(
            event=f"billing:{change.number}:{status}",
            template="billing/data_change_handled",
            recipients=_customer_recipients(customer, change.requested_by),
            customer=customer,
            kind=NotificationKind.BILLING,
            subject_reference=change.number,
            context={"change": change.pk, "path": reverse("billing:data_changes")},
        )
    return change


# --- PO / HES / MIGO numbers on invoices (R-BIL-3) ----------------------------------------------

SUPPORT_TYPES = ("application/pdf", "image/png", "image/jpeg")


def po_request_route(customer: Customer) -> str:
    """R-BIL-3: the country's address from the contact directory, else Billing Customer Care."""
    row = po_address(customer.country)
    return row.email if row is not None else billing_care_email(customer)


def po_request_create(
    *,
    customer: Customer,
    user: User,
    kind: str,
    reference: str,
    support,
    invoices: list[Invoice] = (),
    from_period: date | None = None,
    comment: str = "",
) -> PurchaseOrderRequest:
    if kind not in PurchaseOrderRequest.Kind.values:
        raise DomainError(_("Choose what to add to the invoices."), field="kind")
    if not reference.strip():
        raise DomainError(_("Enter the number to print on the invoices."), field="reference")
    if support is None:
        raise DomainError(
            _("Attach the contract support (the PO, or the contract clause that requires it)."),
            field="support",
            rule="R-BIL-3",
        )
    try:
        content_type = attachment_check(support)
    except DomainError as error:
        limit = settings.TICKET_ATTACHMENT_MAX_MB * 1024 * 1024
        if not support.size or support.size > limit:  # empty or too big: that message stands
            raise DomainError(error.message, field="support") from None
        content_type = ""  # a type tickets accept is still not a PO support
    if content_type not in SUPPORT_TYPES:
        raise DomainError(_("Attach the support as a PDF or an image."), field="support")
    if not invoices and from_period is None:
        raise DomainError(
            _("Choose the invoices, or the period from which to print it."), field="invoices"
        )
    for invoice in invoices:
        if invoice.customer_id != customer.pk:
            raise DomainError(_("Choose invoices of yours."), field="invoices")
    if from_period is not None and from_period < selectors.visible_since(customer):
        raise DomainError(
            _("Choose a month from %(month)s on: older invoices are closed.")
            % {"month": date_format(selectors.visible_since(customer), "YEAR_MONTH_FORMAT")},
            field="from_period",
        )
    repeated = (
        PurchaseOrderRequest.objects.filter(
            customer=customer, kind=kind, reference__iexact=reference.strip()
        )
        .exclude(status=PurchaseOrderRequest.Status.REJECTED)
        .first()
    )
    if repeated is not None:
        raise DomainError(
            _("You already sent this number in %(number)s.") % {"number": repeated.number},
            field="reference",
        )
    routed_to = po_request_route(customer)
    if not routed_to:
        raise DomainError(
            _("There is no address for these requests in your country yet. Call billing.")
        )
    with transaction.atomic():
        po = PurchaseOrderRequest.objects.create(
            customer=customer,
            number=number_next(prefix="POR"),
            kind=kind,
            reference=reference.strip(),
            from_period=from_period,
            comment=comment.strip(),
            support=support,
            support_name=download_name(support.name or "", content_type)[:200],
            support_type=content_type,
            routed_to=routed_to,
            requested_by=user,
        )
        po.invoices.set(invoices)
        notify(
            event=f"billing:{po.number}:routed",
            template="billing/po_request",
            recipients=[Recipient.for_team(routed_to)],
            customer=customer,
            kind=NotificationKind.BILLING,
            subject_reference=po.number,
            context={"po": po.pk},
        )
        notify(
            event=f"billing:{po.number}:confirmation",
            template="billing/po_request_copy",
            recipients=_customer_recipients(customer, user),
            customer=customer,
            kind=NotificationKind.BILLING,
            subject_reference=po.number,
            context={"po": po.pk, "path": reverse("billing:po_requests")},
        )
    return po


def po_request_handle(
    *, po: PurchaseOrderRequest, staff: User, status: str, answer: str = ""
) -> PurchaseOrderRequest:
    if status not in (PurchaseOrderRequest.Status.DONE, PurchaseOrderRequest.Status.REJECTED):
        raise DomainError(_("Choose done or rejected."), field="status")
    if status == PurchaseOrderRequest.Status.REJECTED and not answer.strip():
        raise DomainError(_("Say why the request is rejected."), field="answer")
    with transaction.atomic():
        po = PurchaseOrderRequest.objects.select_for_update().get(pk=po.pk)
        if po.status != PurchaseOrderRequest.Status.SENT:
            raise DomainError(_("This request was already handled."))
        po.status = status
        po.staff_answer = answer.strip()
        po.save(update_fields=["status", "staff_answer"])
        notify(
            event=f"billing:{po.number}:{status}",
            template="billing/po_request_handled",
            recipients=_customer_recipients(po.customer, po.requested_by),
            customer=po.customer,
            kind=NotificationKind.BILLING,
            subject_reference=po.number,
            context={"po": po.pk, "path": reverse("billing:po_requests")},
        )
    return po
