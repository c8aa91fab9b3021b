"""What the customer's numbered records share (a trouble ticket, an order, a change request, a
billing request, a billing-data change, a PO request, an expansion request): the number people
quote, the portal user who asked, and whether the record is still open.

The fields come from functions rather than from the abstract models below, so that every model
keeps its columns in the order it declares them: Django puts an abstract parent's fields first,
which would reorder the model's forms and admin pages."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def number_field() -> models.CharField:
    """The number people quote (core.services.numbering gives it when the record is made)."""
    return models.CharField(_("number"), max_length=20, unique=True, editable=False)


def requested_by_field() -> models.ForeignKey:
    """The customer's portal user who sent the request; never deleted while it exists."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )


class NumberedRecord(models.Model):
    """A record known by its number: that is how it reads everywhere (admin, logs, e-mails).
    Abstract and without fields: the model declares `number = number_field()` where it wants it."""

    number: str

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.number


class NumberedRequest(NumberedRecord):
    """A numbered request that is open while its `status` is one of its OPEN_STATUSES."""

    OPEN_STATUSES: tuple[str, ...]
    status: str

    class Meta:
        abstract = True

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES
