"""A CSV export too large to stream in the request (issue 15): asked for by one person of one
customer, written by a worker to the default storage, downloaded by that person only, removed
after CSV_EXPORT_KEEP_HOURS. Which rows it holds is its kind (core.exports) and its filters."""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models.tenancy import Customer, User
from core.scopes import customer_scoped_manager


def _export_path(instance: "Export", filename: str) -> str:
    return f"exports/{instance.customer_id}/{instance.reference}.csv"


class Export(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a worker")
        RUNNING = "running", _("Being prepared")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    ACTIVE_STATUSES = (Status.PENDING, Status.RUNNING)

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="exports"
    )
    requested_by = models.ForeignKey(
        User, verbose_name=_("asked by"), on_delete=models.CASCADE, related_name="exports"
    )
    kind = models.CharField(_("kind"), max_length=32)
    params = models.JSONField(_("filters"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=8)
    time_zone = models.CharField(_("timezone"), max_length=64)
    filename = models.CharField(_("file name"), max_length=120)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    file = models.FileField(_("file"), upload_to=_export_path, blank=True)
    error = models.CharField(_("error"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("asked"), default=timezone.now)
    # The worker's heartbeat: moved with every progress step; a stale one is a dead worker.
    updated_at = models.DateTimeField(_("last progress"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = customer_scoped_manager()

    class Meta:
        verbose_name = _("CSV export")
        verbose_name_plural = _("CSV exports")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "requested_by", "-created_at"]),
            models.Index(fields=["status", "updated_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.reference}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)
