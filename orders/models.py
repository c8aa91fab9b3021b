"""Orders and the six touchpoints the customer receives while one is delivered (R-ORD-1..3)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.lib.records import NumberedRequest, number_field
from core.lib.timeline import TimelineEntry
from core.models import Customer, ProductLine, Service
from core.scopes import customer_scoped_manager
from team.models import TeamPerson


class Step(models.IntegerChoices):
    """R-ORD-1: the touchpoints, in the order the customer receives them."""

    TECHNICAL_DETAILS = 1, _("Technical details requested")
    ORDER_CONFIRMED = 2, _("Order details confirmed")
    ESTIMATED_ACTIVATION = 3, _("Estimated activation date")
    INSTALLATION_REMINDER = 4, _("Installation reminder")
    ACTIVATION_PLANNING = 5, _("Activation planning")
    CONNECTION = 6, _("Connection notification")


class Order(NumberedRequest):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        WAITING_CUSTOMER = "waiting_customer", _("Waiting for you")
        ACTIVATED = "activated", _("Activated")
        CLOSED = "closed", _("Closed at first invoice")
        CANCELLED = "cancelled", _("Cancelled")

    OPEN_STATUSES = (Status.IN_PROGRESS, Status.WAITING_CUSTOMER)

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="orders"
    )
    number = number_field()
    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    product_line = models.CharField(_("product line"), max_length=20, choices=ProductLine.choices)
    title = models.CharField(
        _("what is being delivered"),
        max_length=200,
        help_text=_("For example: Internet 500 Mbps at the Buenos Aires head office."),
    )
    description = models.TextField(_("description"), blank=True)
    services = models.ManyToManyField(
        Service, verbose_name=_("services"), related_name="orders", blank=True
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requester"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The customer's person who placed the order; receives every touchpoint."),
    )
    care_manager = models.ForeignKey(
        TeamPerson,
        verbose_name=_("customer care manager"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        help_text=_("Owns the order until its first invoice (R-TEAM-3)."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.IN_PROGRESS
    )
    received_on = models.DateField(_("received"), default=timezone.localdate)
    estimated_activation_on = models.DateField(_("estimated activation"), null=True, blank=True)
    installation_on = models.DateField(
        _("installation date"),
        null=True,
        blank=True,
        help_text=_("TP4 goes out by itself 2 business days before, unless sent by hand."),
    )
    site_preparation = models.TextField(
        _("what the site must prepare"),
        blank=True,
        help_text=_("Carried by TP4: access, power, rack space, a local contact on the day."),
    )
    activation_start = models.DateTimeField(_("activation window start"), null=True, blank=True)
    activation_end = models.DateTimeField(_("activation window end"), null=True, blank=True)
    activated_on = models.DateField(_("activation date"), null=True, blank=True)
    first_invoice_on = models.DateField(_("first invoice"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    last_step = models.PositiveSmallIntegerField(
        _("last touchpoint"), choices=Step.choices, null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = customer_scoped_manager()

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["customer", "status"], name="order_customer_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(activation_start__isnull=True)
                | Q(activation_end__isnull=True)
                | Q(activation_end__gt=models.F("activation_start")),
                name="order_activation_window_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(first_invoice_on__isnull=False),
                name="order_closed_has_first_invoice",
            ),
        ]

    @property
    def next_step(self) -> Step | None:
        """The touchpoint that comes next, while the order is being delivered."""
        if not self.is_open:
            return None
        following = (self.last_step or 0) + 1
        return Step(following) if following <= Step.CONNECTION else None

    @property
    def is_overdue(self) -> bool:
        return (
            self.is_open
            and self.estimated_activation_on is not None
            and self.estimated_activation_on < timezone.localdate()
        )


class Touchpoint(models.Model):
    """One of the six communications (R-ORD-1), with what it carries."""

    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="touchpoints"
    )
    step = models.PositiveSmallIntegerField(_("touchpoint"), choices=Step.choices)
    message = models.TextField(
        _("message to the customer"), blank=True, help_text=_("Shown on the page and in e-mails.")
    )
    details_requested = models.JSONField(
        _("technical details requested"),
        default=list,
        blank=True,
        help_text=_("TP1: one line per detail the customer must provide."),
    )
    answers = models.JSONField(_("customer's answers"), default=list, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    estimated_activation_on = models.DateField(_("estimated activation"), null=True, blank=True)
    installation_on = models.DateField(_("installation date"), null=True, blank=True)
    site_preparation = models.TextField(_("what the site must prepare"), blank=True)
    activation_start = models.DateTimeField(_("activation window start"), null=True, blank=True)
    activation_end = models.DateTimeField(_("activation window end"), null=True, blank=True)
    activated_on = models.DateField(_("activation date"), null=True, blank=True)
    automatic = models.BooleanField(
        _("sent automatically"), default=False, help_text=_("TP4 sent by the portal itself.")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("touchpoint")
        verbose_name_plural = _("touchpoints")
        ordering = ["order", "step"]
        constraints = [
            # One of each per order: the TP4 reminder is sent exactly once, by hand or by beat.
            models.UniqueConstraint(fields=["order", "step"], name="touchpoint_once_per_order"),
            models.CheckConstraint(
                condition=Q(step__gte=1, step__lte=6), name="touchpoint_step_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order} TP{self.step}"

    @property
    def awaits_answer(self) -> bool:
        return (
            self.step == Step.TECHNICAL_DETAILS
            and bool(self.details_requested)
            and self.answered_at is None
        )

    @property
    def answer_pairs(self) -> list[tuple[str, str]]:
        return [(item.get("detail", ""), item.get("answer", "")) for item in self.answers]


class OrderEvent(TimelineEntry):
    """The order's timeline as the customer sees it; `event_key` ties it to the e-mails sent."""

    class Kind(models.TextChoices):
        RECEIVED = "received", _("Order received")
        TOUCHPOINT = "touchpoint", _("Touchpoint sent")
        ANSWERED = "answered", _("Technical details answered")
        INSTALLATION_DATE = "installation_date", _("Installation date set")
        FIRST_INVOICE = "first_invoice", _("First invoice issued")
        CANCELLED = "cancelled", _("Order cancelled")

    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("what happened"), max_length=20, choices=Kind.choices)
    step = models.PositiveSmallIntegerField(
        _("touchpoint"), choices=Step.choices, null=True, blank=True
    )
    event_key = models.CharField(_("event key"), max_length=200, blank=True)
    detail = models.TextField(_("detail"), blank=True)

    timeline_fields = ("order", "kind")

    class Meta(TimelineEntry.Meta):
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
