"""TSC trouble tickets (R-TT-1..4) and the SLA clock that stops while the TSC waits for the
customer (R-TT-3). The clock's arithmetic lives in tickets/sla.py."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.lib.attachments import StoredAttachment
from core.lib.records import NumberedRecord, number_field
from core.models import Customer, Service
from core.scopes import customer_scoped_manager

# A customer may escalate a ticket once in this while (tickets.services.ticket_escalate).
ESCALATION_INTERVAL = timedelta(hours=1)


class Impact(models.TextChoices):
    DOWN = "down", _("Service down")
    DEGRADED = "degraded", _("Service degraded")
    NO_IMPACT = "no_impact", _("No impact or a question")


class SlaTarget(models.Model):
    """Response and restoration targets per impact; staff edit them, tickets copy them."""

    impact = models.CharField(_("impact"), max_length=16, choices=Impact.choices, unique=True)
    response = models.DurationField(_("response target"))
    restoration = models.DurationField(_("restoration target"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        ordering = ["response"]
        constraints = [
            models.CheckConstraint(
                condition=Q(response__gt=timedelta(0)) & Q(restoration__gt=timedelta(0)),
                name="sla_target_positive",
            )
        ]

    def __str__(self) -> str:
        return self.get_impact_display()


class Ticket(NumberedRecord):
    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("ticket status", "Open")
        IN_PROGRESS = "in_progress", pgettext_lazy("ticket status", "In progress")
        WAITING_CUSTOMER = "waiting_customer", pgettext_lazy("ticket status", "Waiting for you")
        RESOLVED = "resolved", pgettext_lazy("ticket status", "Resolved")
        CLOSED = "closed", pgettext_lazy("ticket status", "Closed")
        CANCELLED = "cancelled", pgettext_lazy("ticket status", "Cancelled")

    class Channel(models.TextChoices):
        PORTAL = "portal", _("Portal")
        PHONE = "phone", _("Phone")

    ACTIVE_STATUSES = (Status.OPEN, Status.IN_PROGRESS, Status.WAITING_CUSTOMER)

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="tickets"
    )
    number = number_field()
    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    services = models.ManyToManyField(Service, verbose_name=_("services"), related_name="tickets")
    impact = models.CharField(_("impact"), max_length=16, choices=Impact.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    channel = models.CharField(
        _("channel"), max_length=8, choices=Channel.choices, default=Channel.PORTAL
    )
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"))
    problem_started_at = models.DateTimeField(_("problem started"))
    site_contact_name = models.CharField(_("on-site contact"), max_length=150)
    site_contact_phone = models.CharField(_("on-site contact phone"), max_length=40)
    site_contact_email = models.EmailField(_("on-site contact e-mail"), blank=True)
    access_hours = models.CharField(_("site access hours"), max_length=200)
    checks_done = models.TextField(_("what was already checked"), blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requester"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The customer's person the TSC talks to; receives every update."),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"is_staff": True},
    )
    # R-TT-3: the targets as they were when the ticket opened; later edits do not rewrite it.
    response_target = models.DurationField(_("response target"))
    restoration_target = models.DurationField(_("restoration target"))
    opened_at = models.DateTimeField(_("opened"), default=timezone.now, db_index=True)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    restored_at = models.DateTimeField(_("service restored"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Denormalised from the pause intervals by the services, so lists sort and filter by it.
    restoration_deadline = models.DateTimeField(_("restoration deadline"), db_index=True)
    last_escalated_at = models.DateTimeField(_("last escalated"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = customer_scoped_manager()

    class Meta:
        verbose_name = _("trouble ticket")
        verbose_name_plural = _("trouble tickets")
        ordering = ["-opened_at", "-id"]
        indexes = [
            # The list's order, id included: a later page walks the index instead of sorting
            # every ticket of the customer (issue 15).
            models.Index(fields=["customer", "-opened_at", "-id"], name="ticket_customer_order"),
            models.Index(fields=["customer", "status"], name="ticket_customer_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="resolved") | Q(resolved_at__isnull=False),
                name="ticket_resolved_has_time",
            ),
            models.CheckConstraint(
                condition=Q(restored_at__isnull=True) | Q(restored_at__gte=models.F("opened_at")),
                name="ticket_restored_after_opening",
            ),
        ]

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES


class PauseInterval(models.Model):
    """R-TT-3: a stretch of "Espera por el Cliente" that does not count against the SLA."""

    class Reason(models.TextChoices):
        SITE_ACCESS = "site_access", _("Waiting for access to the site")
        CONTACT_UNREACHABLE = "contact_unreachable", _("Local contact unreachable")
        INFORMATION = "information", _("Information requested from you")

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="pauses"
    )
    reason = models.CharField(_("reason"), max_length=24, choices=Reason.choices)
    started_at = models.DateTimeField(_("from"))
    ended_at = models.DateTimeField(_("until"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ended by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("pause")
        verbose_name_plural = _("pauses")
        ordering = ["started_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="pause_ends_after_it_starts",
            ),
            # At most one open pause per ticket.
            models.UniqueConstraint(
                fields=["ticket"], condition=Q(ended_at__isnull=True), name="pause_one_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket} {self.reason}"


class Message(models.Model):
    """The conversation: public replies from both sides and internal staff notes.

    An internal note is never shown to the customer: every customer read goes through
    tickets.selectors, which filters them out."""

    class Kind(models.TextChoices):
        PUBLIC = "public", _("Reply")
        INTERNAL = "internal", _("Internal note")
        STATUS = "status", _("Status change")
        ESCALATION = "escalation", _("Escalation")

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="messages"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    from_staff = models.BooleanField(_("from the provider"), default=False)
    body = models.TextField(_("message"), blank=True)
    status = models.CharField(
        _("new status"), max_length=20, choices=Ticket.Status.choices, blank=True
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("ticket message")
        verbose_name_plural = _("ticket messages")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "kind"], name="message_ticket_kind")]

    def __str__(self) -> str:
        return f"{self.ticket} {self.kind}"


def _attachment_path(instance, filename: str) -> str:
    # A generated name, never the uploaded one: no path tricks, no guessing.
    return f"tickets/{instance.ticket.customer_id}/{uuid.uuid4().hex}"


class Attachment(StoredAttachment):
    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="attachments"
    )
    message = models.ForeignKey(
        Message,
        verbose_name=_("message"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to=_attachment_path)
    internal = models.BooleanField(
        _("internal"), default=False, help_text=_("Attached to an internal note: staff only.")
    )


class Watcher(models.Model):
    """Someone the customer wants copied on a ticket (need not be a portal user). Receives
    nothing but the confirmation link (the ticket's number and a link, never the customer's
    words) until they confirm (tickets.services.watchers)."""

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="watchers"
    )
    email = models.EmailField(_("e-mail address"))
    name = models.CharField(_("name"), max_length=150, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("added"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)

    class Meta:
        verbose_name = _("person copied")
        verbose_name_plural = _("people copied")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "email"], name="watcher_unique_email")
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None
