"""The services inventory, "Mis Servicios" (R-POR-2), and the customers' expansion requests."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models.tenancy import Country, Customer
from core.scopes import customer_scoped_manager

# A service with CHRONIC_TICKETS or more tickets in CHRONIC_DAYS days is flagged as chronic
# (issue 5): its page, the tickets area and the staff's services list all use these two numbers.
CHRONIC_TICKETS = 3
CHRONIC_DAYS = 45


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

    objects = customer_scoped_manager()

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
