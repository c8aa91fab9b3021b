import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.lib.records import NumberedRequest, number_field, requested_by_field
from core.models import ProductLine, Service
from core.models.tenancy import Country, Customer
from core.scopes import customer_scoped_manager


class ExpansionRequest(NumberedRequest):
    """A customer asks for more: bandwidth, a new site, another product (R-POR-2)."""

    class Kind(models.TextChoices):
        CAPACITY = "capacity", _("More bandwidth or capacity")
        NEW_SITE = "new_site", _("A new site")
        NEW_PRODUCT = "new_product", _("Another product")
        OTHER = "other", _("Something else")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        QUOTED = "quoted", _("Quoted")
        ORDERED = "ordered", _("Ordered")
        DECLINED = "declined", _("Declined")

    OPEN_STATUSES = (Status.RECEIVED, Status.QUOTED)

    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="expansion_requests",
    )
    number = number_field()
    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    service = models.ForeignKey(
        Service,
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="expansion_requests",
    )
    kind = models.CharField(_("what you need"), max_length=16, choices=Kind.choices)
    product_line = models.CharField(
        _("product line"), max_length=20, choices=ProductLine.choices, blank=True
    )
    site_name = models.CharField(_("site"), max_length=120, blank=True)
    site_address = models.CharField(_("site address"), max_length=250, blank=True)
    country = models.CharField(_("country"), max_length=2, choices=Country.choices, blank=True)
    capacity = models.CharField(_("bandwidth or capacity wanted"), max_length=60, blank=True)
    wanted_by = models.DateField(_("wanted by"), null=True, blank=True)
    description = models.TextField(_("description"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.RECEIVED
    )
    requested_by = requested_by_field()
    notified_to = models.EmailField(_("account manager notified"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = customer_scoped_manager()

    class Meta:
        # The table keeps the name it had when the model lived in `portal` (issue 14 moved it).
        db_table = "portal_expansionrequest"
        verbose_name = _("expansion request")
        verbose_name_plural = _("expansion requests")
        ordering = ["-created_at", "-id"]


class ExpansionRequestEvent(models.Model):
    """One step of an expansion request as the customer sees it: the status and the message."""

    request = models.ForeignKey(
        ExpansionRequest,
        verbose_name=_("expansion request"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    status = models.CharField(_("status"), max_length=16, choices=ExpansionRequest.Status.choices)
    message = models.TextField(_("message to the customer"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        # The table keeps the name it had when the model lived in `portal` (issue 14 moved it).
        db_table = "portal_expansionrequestevent"
        verbose_name = _("expansion request step")
        verbose_name_plural = _("expansion request steps")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.request} {self.status}"
