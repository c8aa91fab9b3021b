"""Questions and suggestions about the portal itself (R-POR-6)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models.tenancy import LANGUAGE_CHOICES, Customer
from core.scopes import customer_scoped_manager


class Feedback(models.Model):
    class Kind(models.TextChoices):
        QUESTION = "question", _("A question")
        SUGGESTION = "suggestion", _("A suggestion")
        PROBLEM = "problem", _("Something does not work")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        ANSWERED = "answered", _("Answered")

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="feedback"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("from"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    subject = models.CharField(_("subject"), max_length=150)
    message = models.TextField(_("message"))
    page = models.CharField(_("page it is about"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES)
    sent_to = models.EmailField(_("sent to"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.NEW
    )
    staff_note = models.TextField(_("staff note"), blank=True)
    created_at = models.DateTimeField(_("received"), default=timezone.now)

    objects = customer_scoped_manager()

    class Meta:
        verbose_name = _("portal feedback")
        verbose_name_plural = _("portal feedback")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.subject
