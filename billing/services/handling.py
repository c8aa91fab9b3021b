"""The one way Billing Customer Care closes a request a customer sent for them to act on:
billing-data changes and PO / HES / MIGO requests go through the same steps."""

from collections.abc import Callable
from typing import NamedTuple

from django.db import transaction
from django.urls import reverse

from billing.models import BillingDataChange, PurchaseOrderRequest
from billing.services.recipients import customer_recipients
from core.errors import DomainError
from core.models import NotificationKind
from core.services.outbox import notify


class Refusals(NamedTuple):
    """What staff are told, in the words of the request's kind."""

    choose: str  # the status is neither the done one nor rejected
    why: str  # rejected without a reason for the customer
    again: str  # someone handled it first


def staff_request_handle[R: (BillingDataChange, PurchaseOrderRequest)](
    row: R,
    *,
    status: str,
    answer: str,
    done: str,
    pending: str,
    refusals: Refusals,
    template: str,
    context_key: str,
    list_url: str,
    stamp: dict | None = None,
    apply: Callable[[R], None] | None = None,
) -> R:
    """Check the choice, lock the row and refuse a second handling, record the status and the
    answer (plus `stamp`), run `apply` when done (inside the transaction: its refusal undoes the
    status), then tell the customer."""
    rejected = type(row).Status.REJECTED
    if status not in (done, rejected):
        raise DomainError(refusals.choose, field="status")
    if status == rejected and not answer.strip():
        raise DomainError(refusals.why, field="answer")
    with transaction.atomic():
        row = type(row).objects.select_for_update().get(pk=row.pk)
        if row.status != pending:
            raise DomainError(refusals.again)
        fields = {"status": status, "staff_answer": answer.strip(), **(stamp or {})}
        for name, value in fields.items():
            setattr(row, name, value)
        row.save(update_fields=list(fields))
        if apply is not None and status == done:
            apply(row)
        notify(
            event=f"billing:{row.number}:{status}",
            template=template,
            recipients=customer_recipients(row.customer, row.requested_by),
            customer=row.customer,
            kind=NotificationKind.BILLING,
            subject_reference=row.number,
            context={context_key: row.pk, "path": reverse(list_url)},
        )
    return row
