"""The services inventory, "Mis Servicios" (R-POR-2), and the customers' expansion requests."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models.core import Country, Customer


class ProductLine(models.TextChoices):
    """The provider's portfolio as the handbook presents it."""

    INTERNET = "internet", _("Internet")
    IP_VPN = "ip_vpn", _("IP VPN / Ethernet")
    SD_WAN = "sd_wan", _("SD-WAN")
    CLOUD_CONNECT = "cloud_connect", _("Cloud Connect")
    VOICE = "voice", _("SIP / voice")
    CDN = "cdn", _("CDN")
    UCC = "ucc", _("Unified communications and collaboration")
    CONTACT_CENTRE = "contact_centre", _("Contact centre")
    COLOCATION = "colocation", _("Data centre colocation")
    MANAGED = "managed", _("Managed services")
    VYVX = "vyvx", _("Vyvx broadcast video")


class Service(models.Model):
    """One service the customer has: a circuit, a trunk, a rack. Customers quote its service id."""

    class Status(models.TextChoices):
        PROVISIONING = "provisioning", _("In provisioning")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        DISCONNECTED = "disconnected", _("Disconnected")

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="services"
    )
    service_id = models.CharField(
        _("service id"),
        max_length=40,
        unique=True,
        help_text=_("The circuit or service id customers quote to the TSC."),
    )
    product_line = models.CharField(_("product line"), max_length=20, choices=ProductLine.choices)
    satellite = models.BooleanField(_("satellite"), default=False)
    managed = models.BooleanField(_("managed by the provider"), default=False)
    site_name = models.CharField(_("site"), max_length=120)
    site_address = models.CharField(_("site address"), max_length=250)
    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    capacity = models.CharField(
        _("bandwidth or capacity"),
        max_length=60,
        help_text=_("For example 100 Mbps, 30 SIP channels or 2 racks, 4 kW."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PROVISIONING
    )
    activated_on = models.DateField(_("activation date"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["service_id"]
        indexes = [models.Index(fields=["customer", "status"], name="service_customer_status")]
        constraints = [
            # A service in use has been activated on some day; one in provisioning has not.
            models.CheckConstraint(
                condition=Q(status="provisioning", activated_on__isnull=True)
                | Q(status="disconnected")
                | Q(status__in=["active", "suspended"], activated_on__isnull=False),
                name="service_activation_matches_status",
            ),
        ]

    def __str__(self) -> str:
        return self.service_id


class NumberSequence(models.Model):
    """The last public number handed out per prefix and year (EXP-2026-00042, ORD-..., TT-...)."""

    prefix = models.CharField(max_length=8)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="number_sequence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"


class ExpansionRequest(models.Model):
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
    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
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
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    notified_to = models.EmailField(_("account manager notified"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("expansion request")
        verbose_name_plural = _("expansion requests")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


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
        verbose_name = _("expansion request step")
        verbose_name_plural = _("expansion request steps")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.request} {self.status}"
