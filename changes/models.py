"""Standard change requests (R-CHG-1..6) and the provider's scheduled maintenance (R-GCR-1..5)."""

import hashlib
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from core.lib.records import NumberedRequest, number_field, requested_by_field
from core.lib.timeline import TimelineEntry
from core.models import COUNTRY_DEFAULTS, Area, Customer, Membership, Service
from core.scopes import customer_scoped_manager


def _localized(row, prefix: str) -> str:
    """The field `<prefix>_<language>` for the active language, Spanish when it is empty."""
    language = (translation.get_language() or "es").split("-")[0]
    return getattr(row, f"{prefix}_{language}", "") or getattr(row, f"{prefix}_es")


class StandardChange(models.Model):
    """One entry of the published catalog (R-CHG-1), staff-managed."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_es = models.CharField(_("name (Spanish)"), max_length=120)
    name_pt = models.CharField(_("name (Portuguese)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    description_es = models.TextField(_("description (Spanish)"), blank=True)
    description_pt = models.TextField(_("description (Portuguese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    product_lines = models.JSONField(
        _("product lines"),
        default=list,
        help_text=_("Product line codes it applies to; satellite services accept every change."),
    )
    parameters = models.JSONField(
        _("parameters"),
        default=list,
        blank=True,
        help_text=_(
            'What the customer must say, e.g. [{"key": "bandwidth", "label_es": "Nuevo ancho de '
            'banda", "label_pt": "...", "label_en": "New bandwidth"}].'
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("order in the list"), default=0)

    class Meta:
        verbose_name = _("standard change")
        verbose_name_plural = _("standard changes")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return _localized(self, "name")

    @property
    def description(self) -> str:
        return _localized(self, "description")

    def parameter_labels(self) -> list[tuple[str, str]]:
        language = (translation.get_language() or "es").split("-")[0]
        return [
            (p["key"], p.get(f"label_{language}") or p.get("label_es") or p["key"])
            for p in self.parameters
        ]

    def applies_to(self, service: Service) -> bool:
        """R-CHG-3: satellite services accept every standard change."""
        return service.satellite or service.product_line in self.product_lines


class ChangeRequest(NumberedRequest):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        IN_ANALYSIS = "in_analysis", _("In analysis")
        APPROVED = "approved", _("Approved")
        EXECUTED = "executed", _("Executed")
        REJECTED = "rejected", _("Rejected")
        ROUTED = "routed", _("Routed to Service Management")

    class Execution(models.TextChoices):
        ANY_SLOT = "any_slot", _("Any business-hours slot")
        PRESET = "preset", _("A preset window")

    OPEN_STATUSES = (Status.SUBMITTED, Status.IN_ANALYSIS, Status.APPROVED)

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="changes"
    )
    number = number_field()
    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    change_type = models.ForeignKey(
        StandardChange,
        verbose_name=_("standard change"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requests",
        help_text=_("Empty for a need that is not in the catalog (R-CHG-6)."),
    )
    services = models.ManyToManyField(
        Service, verbose_name=_("services"), related_name="change_requests", blank=True
    )
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    description = models.TextField(_("description"), blank=True)
    execution = models.CharField(
        _("execution"), max_length=10, choices=Execution.choices, default=Execution.ANY_SLOT
    )
    window_start = models.DateTimeField(_("preset window start"), null=True, blank=True)
    window_end = models.DateTimeField(_("preset window end"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED
    )
    analysis_deadline = models.DateTimeField(_("analysis deadline"), null=True, blank=True)
    scheduled_start = models.DateTimeField(_("scheduled start"), null=True, blank=True)
    scheduled_end = models.DateTimeField(_("scheduled end"), null=True, blank=True)
    rejection_reason = models.TextField(_("reason for rejecting"), blank=True)
    routed_reason = models.TextField(_("why it was routed"), blank=True)
    routed_to = models.EmailField(_("routed to"), blank=True)
    requested_by = requested_by_field()
    created_at = models.DateTimeField(_("submitted"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = customer_scoped_manager()

    class Meta:
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["customer", "status"], name="change_customer_status")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(execution="preset")
                | Q(window_start__isnull=False, window_end__isnull=False),
                name="change_preset_has_window",
            ),
            models.CheckConstraint(
                condition=Q(window_start__isnull=True)
                | Q(window_end__isnull=True)
                | Q(window_end__gt=models.F("window_start")),
                name="change_window_ordered",
            ),
        ]

    @property
    def is_standard(self) -> bool:
        return self.change_type_id is not None


class ChangeEvent(TimelineEntry):
    """A step of a change request as the customer sees it."""

    request = models.ForeignKey(
        ChangeRequest,
        verbose_name=_("change request"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    status = models.CharField(_("status"), max_length=12, choices=ChangeRequest.Status.choices)
    message = models.TextField(_("message to the customer"), blank=True)

    timeline_fields = ("request", "status")

    class Meta(TimelineEntry.Meta):
        verbose_name = _("change request step")
        verbose_name_plural = _("change request steps")


# --- Scheduled maintenance (GCR) -----------------------------------------------------------------


class Impact(models.TextChoices):
    """Ordered from mild to severe: the worst one is the account's impact."""

    NO_IMPACT = "no_impact", _("No impact")
    REDUCED_REDUNDANCY = "reduced_redundancy", _("Reduced redundancy")
    DEGRADED = "degraded", _("Degraded")
    OUTAGE = "outage", _("Outage")


IMPACT_ORDER: list[str] = [
    Impact.NO_IMPACT,
    Impact.REDUCED_REDUNDANCY,
    Impact.DEGRADED,
    Impact.OUTAGE,
]


class Maintenance(models.Model):
    class Kind(models.TextChoices):
        PLANNED = "planned", _("Planned")
        EMERGENCY = "emergency", _("Emergency")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft (not announced)")
        SCHEDULED = "scheduled", _("Scheduled")
        RESCHEDULED = "rescheduled", _("Rescheduled")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    ANNOUNCED_STATUSES = (
        Status.SCHEDULED,
        Status.RESCHEDULED,
        Status.IN_PROGRESS,
        Status.COMPLETED,
        Status.CANCELLED,
    )

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reason = models.TextField(_("reason"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PLANNED)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    entered_timezone = models.CharField(
        _("timezone the window was entered in"), max_length=64, default="UTC"
    )
    sequence = models.PositiveIntegerField(
        _("revision"), default=0, help_text=_("Grows with every announced change (iCalendar).")
    )
    announced_at = models.DateTimeField(_("announced"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("maintenance")
        verbose_name_plural = _("maintenances")
        ordering = ["-start", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="maintenance_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_emergency(self) -> bool:
        return self.kind == self.Kind.EMERGENCY

    @property
    def is_announced(self) -> bool:
        return self.status in self.ANNOUNCED_STATUSES


class MaintenanceImpact(models.Model):
    """One affected service and what the work does to it."""

    maintenance = models.ForeignKey(
        Maintenance, verbose_name=_("maintenance"), on_delete=models.CASCADE, related_name="impacts"
    )
    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.PROTECT, related_name="maintenances"
    )
    impact = models.CharField(_("impact"), max_length=20, choices=Impact.choices)
    expected_outage_minutes = models.PositiveIntegerField(_("expected outage (minutes)"), default=0)

    class Meta:
        verbose_name = _("affected service")
        verbose_name_plural = _("affected services")
        ordering = ["maintenance", "service__service_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["maintenance", "service"], name="maintenance_service_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.maintenance} {self.service}"

    @property
    def site_timezone(self) -> str:
        return COUNTRY_DEFAULTS.get(self.service.country, ("UTC", "es"))[0]


class MaintenanceEvent(TimelineEntry):
    """The status history the customer sees."""

    maintenance = models.ForeignKey(
        Maintenance, verbose_name=_("maintenance"), on_delete=models.CASCADE, related_name="events"
    )
    status = models.CharField(_("status"), max_length=12, choices=Maintenance.Status.choices)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    note = models.TextField(_("note"), blank=True)

    timeline_fields = ("maintenance", "status")

    class Meta(TimelineEntry.Meta):
        verbose_name = _("maintenance step")
        verbose_name_plural = _("maintenance steps")


class MaintenanceObjection(models.Model):
    """R-GCR-2: a customer asks to reschedule; Change Management sees it in admin."""

    maintenance = models.ForeignKey(
        Maintenance,
        verbose_name=_("maintenance"),
        on_delete=models.CASCADE,
        related_name="objections",
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    message = models.TextField(_("why and which window would suit"))
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)

    objects = customer_scoped_manager()

    class Meta:
        verbose_name = _("request to reschedule")
        verbose_name_plural = _("requests to reschedule")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.maintenance} {self.customer}"


def _feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A private maintenance calendar address: the token in its URL is the credential.

    Only the token's SHA-256 is kept, so a copy of the database (a backup, a staff read) opens
    no calendar; the address is therefore shown once, when it is made (review A3).
    A personal feed belongs to one membership and works while that person may see changes and
    maintenance of the customer. A shared feed (no membership) is an address from before
    personal ones, kept so that calendars subscribed to it go on working; it stops when its
    customer's administrator stops it or when any member leaves, since every member saw it.
    """

    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="calendar_feeds",
    )
    membership = models.OneToOneField(
        Membership,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="calendar_feed",
    )
    token_hash = models.CharField(_("token (SHA-256)"), max_length=64, unique=True)
    rotated_at = models.DateTimeField(_("created or rotated"), default=timezone.now)

    objects = customer_scoped_manager()

    class Meta:
        verbose_name = _("maintenance calendar feed")
        verbose_name_plural = _("maintenance calendar feeds")
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(membership__isnull=True),
                name="calendar_feed_one_shared_per_customer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer} · {self.membership.user if self.membership else '—'}"

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @staticmethod
    def new_token() -> str:
        return _feed_token()

    @property
    def is_usable(self) -> bool:
        """A personal address stops with its owner's access to changes and maintenance."""
        owner = self.membership
        return owner is None or (
            owner.customer_id == self.customer_id  # a membership staff moved elsewhere
            and owner.is_active
            and owner.user.is_active
            and owner.can(Area.CHANGES)
        )
