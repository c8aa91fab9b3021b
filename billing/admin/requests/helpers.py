"""What the billing-request admin shows: staff labels, amounts, times on both clocks, links."""

from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from billing import rules
from billing.models import (
    BillingRequest,
)
from billing.money import money

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise

Status = BillingRequest.Status
# Staff read the customer's "Waiting for you" as what it is for them.
STAFF_STATUS_LABELS: dict[str, "_StrOrPromise"] = {Status.WAITING: _("Waiting for the customer")}


def status_label(status: str) -> str:
    return str(STAFF_STATUS_LABELS.get(status, Status(status).label)) if status else ""


def amount_text(value, currency: str, customer) -> str:
    return money(value, currency, country=customer.country) if value is not None else "—"


def staff_time(value, customer) -> str:
    """A moment as staff read it, in their own timezone and named, then on the customer's wall
    clock: "2026-11-28 17:43 UTC · 14:43 America/Argentina/Buenos_Aires" (the date repeated
    only when it differs; one time when both zones are the same)."""
    if value is None:
        return "—"
    here_name = timezone.get_current_timezone_name()
    here = timezone.localtime(value)
    text = f"{here:%Y-%m-%d %H:%M} {here_name}"
    there_name = rules.customer_zone(customer)
    if there_name == here_name:
        return text
    there = timezone.localtime(value, ZoneInfo(there_name))
    there_text = f"{there:%H:%M}" if there.date() == here.date() else f"{there:%Y-%m-%d %H:%M}"
    return f"{text} · {there_text} {there_name}"


def admin_link(name: str, obj, text) -> str:
    if obj is None:
        return "—"
    return format_html('<a href="{}">{}</a>', reverse(f"admin:{name}_change", args=[obj.pk]), text)


def attachment_links(attachments) -> str:
    return format_html_join(
        ", ",
        '<a href="{}">{}</a>',
        (
            (reverse("admin:billing_billingrequest_attachment", args=[a.reference]), a.filename)
            for a in attachments
        ),
    )
