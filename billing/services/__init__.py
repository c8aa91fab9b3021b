"""Every write of the billing area (R-TEAM-5, R-BIL-1..4). Each one records its e-mails through
the outbox inside its own transaction. The modules: invoices, requests (inquiries, disputes,
credits), data_changes, po, and recipients (who hears about it)."""

from billing.services.data_changes import billing_data_change_create, billing_data_change_handle
from billing.services.invoices import (
    invoice_mark_paid,
    invoice_status_refresh,
    invoice_totals_recompute,
    invoices_mark_overdue,
)
from billing.services.po import (
    SUPPORT_TYPES,
    po_request_create,
    po_request_handle,
    po_request_route,
)
from billing.services.recipients import billing_care_email
from billing.services.requests import (
    CREDITABLE_TICKET_STATUSES,
    billing_request_answer,
    billing_request_close,
    billing_request_create,
    billing_request_reply,
    billing_request_staff_message,
    credit_default_answer,
    credit_issue,
    request_path,
)

__all__ = [
    "CREDITABLE_TICKET_STATUSES",
    "SUPPORT_TYPES",
    "billing_care_email",
    "billing_data_change_create",
    "billing_data_change_handle",
    "billing_request_answer",
    "billing_request_close",
    "billing_request_create",
    "billing_request_reply",
    "billing_request_staff_message",
    "credit_default_answer",
    "credit_issue",
    "invoice_mark_paid",
    "invoice_status_refresh",
    "invoice_totals_recompute",
    "invoices_mark_overdue",
    "po_request_create",
    "po_request_handle",
    "po_request_route",
    "request_path",
]
