"""Billing-data changes (R-BIL-2, R-BIL-4): the customer asks, Billing Customer Care applies or
rejects."""

from datetime import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from billing import rules
from billing.models import BillingDataChange
from billing.services.handling import Refusals, staff_request_handle
from billing.services.recipients import care_recipients, customer_recipients
from core.errors import DomainError
from core.models import Customer, NotificationKind, User
from core.services.numbering import number_next
from core.services.outbox import notify


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
            recipients=[*care_recipients(customer), *customer_recipients(customer, user)],
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
    return staff_request_handle(
        change,
        status=status,
        answer=answer,
        done=BillingDataChange.Status.APPLIED,
        pending=BillingDataChange.Status.RECEIVED,
        refusals=Refusals(
            choose=_("Choose applied or rejected."),
            why=_("Say why the change is rejected."),
            again=_("This change was already handled."),
        ),
        template="billing/data_change_handled",
        context_key="change",
        list_url="billing:data_changes",
        stamp={"handled_at": timezone.now()},
        apply=_customer_data_apply,
    )


def _customer_data_apply(change: BillingDataChange) -> None:
    customer = change.customer
    taken = (
        Customer.objects.filter(country=customer.country, tax_id=change.tax_id)
        .exclude(pk=change.customer_id)
        .exists()
    )
    if change.tax_id and taken:
        raise DomainError(
            _("Another customer of the same country already has tax id %(tax_id)s.")
            % {"tax_id": change.tax_id},
            field="status",
        )
    if change.company_name or change.tax_id:
        if change.tax_id and change.tax_id != customer.tax_id:
            # R-BIL-4: invoices before the target period still carry the old id.
            change.replaced_tax_id = customer.tax_id
            change.save(update_fields=["replaced_tax_id"])
        customer.legal_name = change.company_name or customer.legal_name
        customer.tax_id = change.tax_id or customer.tax_id
        customer.save(update_fields=["legal_name", "tax_id"])
