"""PO / HES / MIGO numbers on invoices (R-BIL-3): routed by the country's address, handled by
staff."""

from collections.abc import Sequence
from datetime import date

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from billing import selectors
from billing.models import Invoice, PurchaseOrderRequest
from billing.services.handling import Refusals, staff_request_handle
from billing.services.recipients import billing_care_email, customer_recipients
from contacts.selectors import po_address
from core.errors import DomainError
from core.lib.attachments import attachment_check
from core.lib.downloads import download_name
from core.models import Customer, NotificationKind, User
from core.services.numbering import number_next
from core.services.outbox import Recipient, notify

SUPPORT_TYPES = ("application/pdf", "image/png", "image/jpeg")


def po_request_route(customer: Customer) -> str:
    """R-BIL-3: the country's address from the contact directory, else Billing Customer Care."""
    row = po_address(customer.country)
    return row.email if row is not None else billing_care_email(customer)


def _support_type(support) -> str:
    """The support's content type: a PDF or an image."""
    try:
        content_type = attachment_check(support)
    except DomainError as error:
        limit = settings.TICKET_ATTACHMENT_MAX_MB * 1024 * 1024
        if not support.size or support.size > limit:  # empty or too big: that message stands
            raise DomainError(error.message, field="support") from None
        content_type = ""  # a type tickets accept is still not a PO support
    if content_type not in SUPPORT_TYPES:
        raise DomainError(_("Attach the support as a PDF or an image."), field="support")
    return content_type


def po_request_create(
    *,
    customer: Customer,
    user: User,
    kind: str,
    reference: str,
    support,
    invoices: Sequence[Invoice] = (),
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
    content_type = _support_type(support)
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
            recipients=customer_recipients(customer, user),
            customer=customer,
            kind=NotificationKind.BILLING,
            subject_reference=po.number,
            context={"po": po.pk, "path": reverse("billing:po_requests")},
        )
    return po


def po_request_handle(
    *, po: PurchaseOrderRequest, staff: User, status: str, answer: str = ""
) -> PurchaseOrderRequest:
    return staff_request_handle(
        po,
        status=status,
        answer=answer,
        done=PurchaseOrderRequest.Status.DONE,
        pending=PurchaseOrderRequest.Status.SENT,
        refusals=Refusals(
            choose=_("Choose done or rejected."),
            why=_("Say why the request is rejected."),
            again=_("This request was already handled."),
        ),
        template="billing/po_request_handled",
        context_key="po",
        list_url="billing:po_requests",
    )
