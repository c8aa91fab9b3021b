"""What the billing e-mails need at delivery time, loaded from the ids the outbox row keeps,
always within the row's customer. Internal notes never reach an e-mail: only the message the
row names is loaded, and only when it is public."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext

from billing.models import (
    BillingDataChange,
    BillingMessage,
    BillingRequest,
    Credit,
    PurchaseOrderRequest,
)
from billing.money import money
from billing.services import credit_default_answer
from core.lib.downloads import download_name
from core.models import Notification
from core.notifications import context_row, notification_context


def _row(model, notification, key: str, *related):
    return context_row(
        model.objects.select_related("customer", "requested_by", *related),
        notification,
        key,
        gone=f"the {model._meta.model_name} is gone",
        customer_id=notification.customer_id,
    )


def _for_staff(notification, obj, admin_name: str) -> dict:
    """The provider's people open the row in admin and answer the requester directly."""
    if notification.reason != Notification.Reason.TEAM:
        return {"button": gettext("See it in the portal")}
    return {
        "for_staff": True,
        "url": settings.PORTAL_BASE_URL
        + reverse(f"admin:billing_{admin_name}_change", args=[obj.pk]),
        "button": gettext("Open in the staff administration"),
        "reply_to": [obj.requested_by.email],
    }


def _request_facts(request_obj: BillingRequest) -> dict:
    country = request_obj.customer.country
    lines = [
        {
            "position": disputed.line.position,
            "description": disputed.line.description,
            "amount": money(disputed.amount, request_obj.currency, country=country),
            "line_amount": money(disputed.line.amount, request_obj.currency, country=country),
        }
        for disputed in request_obj.disputed_lines.select_related("line")
    ]
    return {
        "request": request_obj,
        "kind_name": request_obj.get_kind_display(),
        "invoice_number": request_obj.invoice.number if request_obj.invoice else "",
        "disputed": lines,
        "requested": (
            money(request_obj.requested_amount, request_obj.currency, country=country)
            if request_obj.requested_amount
            else ""
        ),
    }


@notification_context("billing/request_received")
def _request_received(notification) -> dict:
    """R-BIL-1: Billing Customer Care and the customer's billing contacts hear of a new
    inquiry, dispute or credit request."""
    request_obj = _row(BillingRequest, notification, "request", "invoice")
    return {
        **_request_facts(request_obj),
        **_for_staff(notification, request_obj, "billingrequest"),
    }


def _public_message(notification, request_obj: BillingRequest) -> BillingMessage:
    """The message the row names, of that request and public: never an internal note."""
    return context_row(
        BillingMessage.objects,
        notification,
        "message",
        gone="the message is gone",
        request=request_obj,
        internal=False,
    )


@notification_context("billing/customer_reply")
def _customer_reply(notification) -> dict:
    request_obj = _row(BillingRequest, notification, "request", "invoice")
    message = _public_message(notification, request_obj)
    return {
        **_request_facts(request_obj),
        "message": message,
        **_for_staff(notification, request_obj, "billingrequest"),
    }


@notification_context("billing/request_update")
def _request_update(notification) -> dict:
    """A public answer, a question back (waiting for the customer), or the resolution with
    the credit and the invoice it applies to."""
    request_obj = _row(BillingRequest, notification, "request", "invoice")
    message = None
    if notification.context.get("message"):
        message = _public_message(notification, request_obj)
    step = message.status if message and message.status else ""
    # Only the resolution's e-mail announces the credit (an earlier one sent late does not).
    credit = None
    if step == BillingRequest.Status.RESOLVED and request_obj.outcome == "credit":
        credit = Credit.objects.select_related("invoice").filter(request=request_obj).first()
    if (
        credit is not None
        and message is not None
        and message.body == credit_default_answer(request_obj, credit)
    ):
        message = None  # the e-mail's first sentence says it, in the reader's language
    return {
        **_request_facts(request_obj),
        "message": message,
        "step": step,
        "credit": credit,
        "credit_amount": (
            money(credit.amount, credit.currency, country=request_obj.customer.country)
            if credit
            else ""
        ),
        "button": gettext("See the request"),
    }


@notification_context("billing/data_change_received")
def _data_change_received(notification) -> dict:
    change = _row(BillingDataChange, notification, "change")
    return {"change": change, **_for_staff(notification, change, "billingdatachange")}


@notification_context("billing/data_change_handled")
def _data_change_handled(notification) -> dict:
    change = _row(BillingDataChange, notification, "change")
    return {"change": change, "button": gettext("See your billing-data changes")}


def _po(notification) -> PurchaseOrderRequest:
    return _row(PurchaseOrderRequest, notification, "po")


@notification_context("billing/po_request")
def _po_request(notification) -> dict:
    """R-BIL-3: the country's PO/HES/MIGO address receives the request with its contract
    support attached; replies go to the requester."""
    po = _po(notification)
    with po.support.open("rb") as support:
        content = support.read()
    return {
        "po": po,
        "invoices": [invoice.number for invoice in po.invoices.order_by("-period")],
        "attachments": [
            (download_name(po.support_name, po.support_type), content, po.support_type)
        ],
        "reply_to": [po.requested_by.email],
        "url": settings.PORTAL_BASE_URL
        + reverse("admin:billing_purchaseorderrequest_change", args=[po.pk]),
        "button": gettext("Open in the staff administration"),
    }


@notification_context("billing/po_request_copy")
def _po_request_copy(notification) -> dict:
    po = _po(notification)
    return {
        "po": po,
        "invoices": [invoice.number for invoice in po.invoices.order_by("-period")],
        "button": gettext("See your requests"),
    }


@notification_context("billing/po_request_handled")
def _po_request_handled(notification) -> dict:
    return {"po": _po(notification), "button": gettext("See your requests")}
