"""The notification outbox and the people each customer wants notified (R-GCR-4).

A `Notification` row is one e-mail to one recipient. Services write rows inside their own
transaction (`portal.services.outbox.notify`); a Celery task delivers them after commit, and a
periodic sweep picks up whatever the broker lost. See ARCHITECTURE.md, "How an event becomes an
e-mail".
"""

import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models.tenancy import LANGUAGE_CHOICES, Customer
from core.scopes import customer_scoped_manager

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise


class NotificationKind(models.TextChoices):
    """What a notification contact subscribes to (R-GCR-4)."""

    ORDERS = "orders", _("Orders")
    TICKETS = "tickets", _("Trouble tickets")
    MAINTENANCE = "maintenance", _("Maintenance and changes")
    BILLING = "billing", _("Billing")


class NotificationContact(models.Model):
    """Someone the customer wants told about one or more kinds of event. Need not be a portal
    user; receives nothing but the confirmation until the address is confirmed."""

    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="notification_contacts",
    )
    reference = models.UUIDField(
        _("public reference"), default=uuid.uuid4, unique=True, editable=False
    )
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("e-mail address"))
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES)
    orders = models.BooleanField(NotificationKind.ORDERS.label, default=False)
    tickets = models.BooleanField(NotificationKind.TICKETS.label, default=False)
    maintenance = models.BooleanField(NotificationKind.MAINTENANCE.label, default=False)
    billing = models.BooleanField(NotificationKind.BILLING.label, default=False)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(_("confirmation sent"), null=True, blank=True)
    bounced_at = models.DateTimeField(_("bounced"), null=True, blank=True)
    bounce_reason = models.CharField(_("bounce reason"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = customer_scoped_manager()

    class Meta:
        verbose_name = _("notification contact")
        verbose_name_plural = _("notification contacts")
        ordering = ["customer", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "email"], name="notification_contact_unique_email"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    @property
    def kinds(self) -> list[str]:
        return [kind.value for kind in NotificationKind if getattr(self, kind.value)]

    @property
    def kind_labels(self) -> list["_StrOrPromise"]:
        return [kind.label for kind in NotificationKind if getattr(self, kind.value)]

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def is_bounced(self) -> bool:
        return self.bounced_at is not None

    @property
    def can_receive(self) -> bool:
        return self.is_confirmed and not self.is_bounced

    @property
    def needs_attention(self) -> bool:
        return not self.can_receive


class Notification(models.Model):
    """One e-mail to one recipient: pending -> sending -> sent, or failed after the last try."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("e-mail status", "Pending")
        SENDING = "sending", pgettext_lazy("e-mail status", "Sending")
        SENT = "sent", pgettext_lazy("e-mail status", "Sent")
        FAILED = "failed", pgettext_lazy("e-mail status", "Failed")
        CANCELLED = "cancelled", pgettext_lazy("e-mail status", "Cancelled")

    class Reason(models.TextChoices):
        """Why this person gets it; the e-mail's footer says so."""

        CONTACT = "contact", _("Notification contact")
        REQUESTER = "requester", _("Requester")
        COPIED = "copied", _("Copied on the ticket")
        USER = "user", _("Portal user")
        TEAM = "team", _("Account team")
        STAFF = "staff", _("Provider staff")
        CONFIRMATION = "confirmation", _("Address confirmation")
        ACCOUNT = "account", _("Your account")

    reference = models.UUIDField(_("message id"), default=uuid.uuid4, unique=True, editable=False)
    key = models.CharField(
        _("idempotency key"),
        max_length=255,
        unique=True,
        help_text=_("The event and the recipient: one event, one e-mail per recipient."),
    )
    event = models.CharField(_("event"), max_length=200, db_index=True)
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    template = models.CharField(_("template"), max_length=100)
    kind = models.CharField(
        _("kind"), max_length=16, choices=NotificationKind.choices, blank=True, db_index=True
    )
    subject_reference = models.CharField(
        _("reference"),
        max_length=40,
        blank=True,
        db_index=True,
        help_text=_("The order, ticket or request the e-mail is about."),
    )
    context = models.JSONField(_("context"), default=dict, blank=True)
    to_email = models.EmailField(_("to"))
    to_name = models.CharField(_("recipient name"), max_length=150, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES)
    reason = models.CharField(_("why they receive it"), max_length=16, choices=Reason.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    queued_at = models.DateTimeField(_("queued"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    # Each claim gets a new token and every later write of the delivery names it, so a worker
    # that outlived its claim cannot overwrite the row another worker has claimed since.
    claim_token = models.UUIDField(_("claim token"), null=True, blank=True, editable=False)
    worker_losses = models.PositiveSmallIntegerField(
        _("worker losses"),
        default=0,
        help_text=_("How often the worker sending it stopped before it could record the outcome."),
    )
    first_failed_at = models.DateTimeField(
        _("failing since"),
        null=True,
        blank=True,
        help_text=_("The first temporary failure: the retry schedule counts from here."),
    )
    relay_fault = models.BooleanField(
        _("waiting for the mail relay"),
        default=False,
        help_text=_("The last try could not get through to the mail relay (connection or login)."),
    )
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="notification_due",
                condition=Q(status="pending"),
            ),
            models.Index(fields=["customer", "subject_reference"], name="notification_subject"),
            # /healthz counts failed rows on every call: a small partial index, never a scan.
            models.Index(fields=["id"], name="notification_failed", condition=Q(status="failed")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="notification_sent_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template} → {self.to_email}"

    @property
    def message_id(self) -> str:
        """A stable Message-ID, so a mail client can drop the copy of a repeated send."""
        return f"<{self.reference}@{settings.NOTIFICATION_MESSAGE_ID_DOMAIN}>"


class Heartbeat(models.Model):
    """When a periodic job last ran (`beat`: the outbox sweep), for /healthz. `created_at` is when
    the portal first looked for it: a fresh deployment has a few minutes before beat is late."""

    name = models.CharField(_("name"), max_length=40, primary_key=True)
    beat_at = models.DateTimeField(_("last run"), null=True, blank=True)
    created_at = models.DateTimeField(_("first expected"), default=timezone.now)

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self) -> str:
        return self.name
