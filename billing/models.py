"""Invoices from the provider's billing system, and what customers ask of Billing Customer Care
(R-TEAM-5, R-BIL-1..4): inquiries, disputes and credit requests with their conversation and
credits, billing-data changes with the day-15 rule, and PO / HES / MIGO requests."""

import uuid
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, TypedDict

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.lib.attachments import StoredAttachment
from core.lib.records import NumberedRecord, NumberedRequest, number_field, requested_by_field
from core.models import Customer, Service
from core.scopes import customer_scoped_manager

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise


class _Money(TypedDict):
    max_digits: int
    decimal_places: int


MONEY: _Money = {"max_digits": 14, "decimal_places": 2}


class Currency(models.TextChoices):
    ARS = "ARS", _("Argentine peso (ARS)")
    BRL = "BRL", _("Brazilian real (BRL)")
    CLP = "CLP", _("Chilean peso (CLP)")
    COP = "COP", _("Colombian peso (COP)")
    MXN = "MXN", _("Mexican peso (MXN)")
    PEN = "PEN", _("Peruvian sol (PEN)")
    USD = "USD", _("US dollar (USD)")
    VES = "VES", _("Venezuelan bolívar (VES)")


def _private_path(folder: str, customer_id: int) -> str:
    # A generated name, never the uploaded one: no path tricks, no guessing.
    return f"billing/{folder}/{customer_id}/{uuid.uuid4().hex}"


def _invoice_pdf_path(instance, filename: str) -> str:
    return _private_path("invoices", instance.customer_id)


class Invoice(NumberedRecord):
    class Status(models.TextChoices):
        ISSUED = "issued", pgettext_lazy("invoice status", "Issued")
        PAID = "paid", pgettext_lazy("invoice status", "Paid")
        OVERDUE = "overdue", pgettext_lazy("invoice status", "Overdue")
        IN_DISPUTE = "in_dispute", pgettext_lazy("invoice status", "In dispute")
        CREDITED = "credited", pgettext_lazy("invoice status", "Credited")

    # What the customer still owes on: everything not paid and not fully credited.
    UNPAID_STATUSES = (Status.ISSUED, Status.OVERDUE, Status.IN_DISPUTE)

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="invoices"
    )
    number = models.CharField(
        _("number"),
        max_length=40,
        help_text=_("As the billing system prints it: letters, digits, '-', '_' and '.'."),
    )
    period = models.DateField(_("period"), help_text=_("The first day of the billed month."))
    issued_on = models.DateField(_("issued"))
    due_on = models.DateField(_("due"))
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    subtotal = models.DecimalField(_("subtotal"), **MONEY, default=Decimal("0"))
    tax = models.DecimalField(
        _("taxes"), **MONEY, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    total = models.DecimalField(_("total"), **MONEY, default=Decimal("0"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.ISSUED
    )
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    pdf = models.FileField(_("PDF"), upload_to=_invoice_pdf_path, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True, editable=False)
    created_at = models.DateTimeField(_("loaded"), default=timezone.now)

    objects = customer_scoped_manager()

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-period", "-issued_on", "-id"]
        indexes = [models.Index(fields=["customer", "-period"], name="invoice_customer_period")]
        constraints = [
            models.UniqueConstraint(fields=["customer", "number"], name="invoice_number_unique"),
            models.CheckConstraint(
                condition=Q(due_on__gte=F("issued_on")), name="invoice_due_after"
            ),
            models.CheckConstraint(condition=Q(period__day=1), name="invoice_period_first_day"),
        ]

    def left_to_pay(self, credited: Decimal) -> Decimal:
        """What the customer still owes: nothing once paid, else the total less its credits
        (`credited`, summed by the caller's query), never below zero."""
        if self.status == self.Status.PAID:
            return Decimal("0")
        return max(self.total - (credited or Decimal("0")), Decimal("0"))

    def is_late(self, credited: Decimal, today: date) -> bool:
        """Past its due date with something still owed, in dispute or not; the hourly overdue
        run may not have marked it yet."""
        return self.due_on < today and self.left_to_pay(credited) > 0


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), on_delete=models.CASCADE, related_name="lines"
    )
    position = models.PositiveSmallIntegerField(_("line"), default=1)
    service = models.ForeignKey(
        Service,
        verbose_name=_("service"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invoice_lines",
        help_text=_("Empty for charges that belong to no service (e.g. an installation fee)."),
    )
    description = models.CharField(_("description"), max_length=300)
    quantity = models.DecimalField(
        _("quantity"), max_digits=12, decimal_places=3, default=Decimal("1")
    )
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.invoice} #{self.position}"


class BillingRequest(NumberedRequest):
    """An inquiry, a dispute of invoice lines or a credit request (R-BIL-1), answered by Billing
    Customer Care (R-TEAM-5)."""

    class Kind(models.TextChoices):
        QUESTION = "question", _("Question about an invoice")
        DISPUTE = "dispute", _("Dispute of invoice lines")
        CREDIT = "credit", _("Credit request")

    class Status(models.TextChoices):
        RECEIVED = "received", pgettext_lazy("billing request status", "Received")
        IN_ANALYSIS = "in_analysis", pgettext_lazy("billing request status", "In analysis")
        WAITING = "waiting", pgettext_lazy("billing request status", "Waiting for you")
        RESOLVED = "resolved", pgettext_lazy("billing request status", "Resolved")
        CLOSED = "closed", pgettext_lazy("billing request status", "Closed")

    class Outcome(models.TextChoices):
        ANSWERED = "answered", _("Answered")
        CREDIT = "credit", _("Credit issued")
        NO_CREDIT = "no_credit", _("No credit")

    OPEN_STATUSES = (Status.RECEIVED, Status.IN_ANALYSIS, Status.WAITING)

    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="billing_requests",
    )
    number = number_field()
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    invoice = models.ForeignKey(
        Invoice,
        verbose_name=_("invoice"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requests",
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("trouble ticket"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="billing_requests",
    )
    service = models.ForeignKey(
        Service,
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="billing_requests",
    )
    outage_start = models.DateTimeField(_("outage from"), null=True, blank=True)
    outage_end = models.DateTimeField(_("outage until"), null=True, blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"))
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, blank=True)
    requested_amount = models.DecimalField(
        _("amount asked for"),
        **MONEY,
        null=True,
        blank=True,
        help_text=_("For a dispute, the sum of the disputed lines."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.RECEIVED
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    outcome_reason = models.TextField(_("answer to the customer"), blank=True)
    requested_by = requested_by_field()
    created_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = customer_scoped_manager()

    class Meta:
        verbose_name = _("billing request")
        verbose_name_plural = _("billing requests")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["customer", "status"], name="billing_request_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(outage_start__isnull=True)
                | Q(outage_end__isnull=True)
                | Q(outage_end__gt=F("outage_start")),
                name="billing_outage_ordered",
            ),
            models.CheckConstraint(
                condition=Q(requested_amount__isnull=True) | Q(requested_amount__gt=0),
                name="billing_requested_positive",
            ),
        ]

    @property
    def credit_ceiling(self) -> Decimal | None:
        """What a credit may reach without a staff override: the disputed or asked amount."""
        return self.requested_amount


class DisputedLine(models.Model):
    request = models.ForeignKey(
        BillingRequest,
        verbose_name=_("billing request"),
        on_delete=models.CASCADE,
        related_name="disputed_lines",
    )
    line = models.ForeignKey(
        InvoiceLine, verbose_name=_("invoice line"), on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(_("disputed amount"), **MONEY)

    class Meta:
        verbose_name = _("disputed line")
        verbose_name_plural = _("disputed lines")
        ordering = ["line__position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "line"], name="disputed_line_once"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="disputed_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.request} {self.line}"


class BillingMessage(models.Model):
    """One entry of a request's conversation; `internal` notes are for staff only."""

    request = models.ForeignKey(
        BillingRequest,
        verbose_name=_("billing request"),
        on_delete=models.CASCADE,
        related_name="messages",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    from_provider = models.BooleanField(_("from Billing Customer Care"), default=False)
    internal = models.BooleanField(
        _("internal note"), default=False, help_text=_("Staff only; never shown to the customer.")
    )
    status = models.CharField(
        _("status set"), max_length=12, choices=BillingRequest.Status.choices, blank=True
    )
    body = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("billing message")
        verbose_name_plural = _("billing messages")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.request} {self.created_at:%Y-%m-%d %H:%M}"


def _request_attachment_path(instance, filename: str) -> str:
    return _private_path("requests", instance.request.customer_id)


class BillingAttachment(StoredAttachment):
    request = models.ForeignKey(
        BillingRequest,
        verbose_name=_("billing request"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    message = models.ForeignKey(
        BillingMessage,
        verbose_name=_("message"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to=_request_attachment_path)


class Credit(models.Model):
    """A credit issued by Billing Customer Care on an invoice (R-BIL-1)."""

    request = models.OneToOneField(
        BillingRequest,
        verbose_name=_("billing request"),
        on_delete=models.PROTECT,
        related_name="credit",
    )
    invoice = models.ForeignKey(
        Invoice,
        verbose_name=_("applied to invoice"),
        on_delete=models.PROTECT,
        related_name="credits",
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    override = models.BooleanField(
        _("above the amount asked for"),
        default=False,
        help_text=_("Set when staff credit more than was disputed or asked for; audited."),
    )
    override_reason = models.TextField(_("why more than asked"), blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)

    class Meta:
        verbose_name = _("credit")
        verbose_name_plural = _("credits")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="credit_amount_positive"),
            models.CheckConstraint(
                condition=Q(override=False) | ~Q(override_reason=""),
                name="credit_override_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request} {self.amount} {self.currency}"


class BillingDataChange(NumberedRecord):
    """A change of billing data asked for in the portal's "Consulta" option (R-BIL-2); it
    applies from `target_period`'s invoice (R-BIL-4)."""

    class Split(models.TextChoices):
        KEEP = "", _("Keep as it is")
        SINGLE = "single", _("One invoice for everything")
        BY_SITE = "by_site", _("One invoice per site")
        BY_GROUP = "by_group", _("One invoice per service group")

    class Status(models.TextChoices):
        RECEIVED = "received", pgettext_lazy("billing data change status", "Received")
        APPLIED = "applied", pgettext_lazy("billing data change status", "Applied")
        REJECTED = "rejected", pgettext_lazy("billing data change status", "Rejected")

    CHANGEABLE = (
        "company_name",
        "tax_id",
        "split",
        "split_detail",
        "billing_contacts",
        "billing_address",
        "postal_address",
    )

    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="billing_data_changes",
    )
    number = number_field()
    company_name = models.CharField(_("new company name"), max_length=200, blank=True)
    tax_id = models.CharField(_("new tax id"), max_length=40, blank=True)
    split = models.CharField(
        _("invoices"), max_length=10, choices=Split.choices, blank=True, default=Split.KEEP
    )
    split_detail = models.TextField(_("how to split"), blank=True)
    billing_contacts = models.TextField(_("billing contacts"), blank=True)
    billing_address = models.TextField(_("billing address"), blank=True)
    postal_address = models.TextField(_("postal address"), blank=True)
    comment = models.TextField(_("comment"), blank=True)
    requested_on = models.DateField(
        _("requested on (customer's date)"),
        help_text=_("The date in the customer's timezone that decides the first invoice."),
    )
    target_period = models.DateField(
        _("first invoice"), help_text=_("The period of the first invoice the change applies to.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RECEIVED
    )
    staff_answer = models.TextField(_("answer to the customer"), blank=True)
    replaced_tax_id = models.CharField(
        _("tax id it replaced"),
        max_length=40,
        blank=True,
        editable=False,
        help_text=_("Invoices issued before the change still carry it; the import accepts it."),
    )
    requested_by = requested_by_field()
    created_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)

    objects = customer_scoped_manager()

    class Meta:
        verbose_name = _("billing data change")
        verbose_name_plural = _("billing data changes")
        ordering = ["-created_at", "-id"]

    def changed_fields(self) -> list[tuple["_StrOrPromise", str]]:
        """(label, new value) of every field the customer asked to change."""
        rows: list[tuple[_StrOrPromise, str]] = []
        for name in self.CHANGEABLE:
            if getattr(self, name):
                value = self.get_split_display() if name == "split" else getattr(self, name)
                field = self._meta.get_field(name)
                assert isinstance(field, models.Field)  # CHANGEABLE names plain columns
                rows.append((field.verbose_name, value))
        return rows


def _po_support_path(instance, filename: str) -> str:
    return _private_path("po", instance.customer_id)


class PurchaseOrderRequest(NumberedRecord):
    """A request to print the customer's PO / HES / MIGO numbers on invoices (R-BIL-3): it
    needs the contract support and goes to the country's address from the directory."""

    class Kind(models.TextChoices):
        PO = "po", _("Purchase order (PO)")
        HES = "hes", _("Service entry sheet (HES)")
        MIGO = "migo", _("Goods receipt (MIGO)")
        OTHER = "other", _("Other internal requirement")

    class Status(models.TextChoices):
        SENT = "sent", pgettext_lazy("PO request status", "Sent")
        DONE = "done", pgettext_lazy("PO request status", "Done")
        REJECTED = "rejected", pgettext_lazy("PO request status", "Rejected")

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="po_requests"
    )
    number = number_field()
    kind = models.CharField(_("kind"), max_length=6, choices=Kind.choices)
    reference = models.CharField(_("number to print"), max_length=80)
    invoices = models.ManyToManyField(
        Invoice, verbose_name=_("invoices"), related_name="po_requests", blank=True
    )
    from_period = models.DateField(_("from the invoice of"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    support = models.FileField(_("contract support"), upload_to=_po_support_path)
    support_name = models.CharField(_("file name"), max_length=200)
    support_type = models.CharField(_("type"), max_length=100)
    routed_to = models.EmailField(_("sent to"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SENT
    )
    staff_answer = models.TextField(_("answer to the customer"), blank=True)
    requested_by = requested_by_field()
    created_at = models.DateTimeField(_("sent"), default=timezone.now, db_index=True)

    objects = customer_scoped_manager()

    class Meta:
        verbose_name = _("PO / HES / MIGO request")
        verbose_name_plural = _("PO / HES / MIGO requests")
        ordering = ["-created_at", "-id"]
