"""The "timeline step" every customer-facing history shares (a change request's steps, a
maintenance's, an order's events): who did it, when, in the order it happened."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TimelineEntry(models.Model):
    """A concrete step adds the foreign key to what it belongs to and what happened, and names
    both in `timeline_fields` (owner, what) for its __str__: "ORD-2026-0001 touchpoint"."""

    timeline_fields: tuple[str, str]

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        owner, what = self.timeline_fields
        return f"{getattr(self, owner)} {getattr(self, what)}"
