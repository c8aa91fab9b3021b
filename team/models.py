"""The account team the provider assigns to each customer (R-TEAM-1..8)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models.tenancy import Customer
from core.scopes import customer_scoped_manager


class TeamRole(models.TextChoices):
    ACCOUNT_MANAGER = "account_manager", _("Account manager")
    SALES_ENGINEER_DATA = "se_data", _("Sales engineer, Data")
    SALES_ENGINEER_DATA_CENTER = "se_data_center", _("Sales engineer, Data Center")
    SALES_ENGINEER_VOICE = "se_voice", _("Sales engineer, Voice")
    CUSTOMER_CARE_MANAGER = "customer_care_manager", _("Customer care manager")
    CLIENT_EXPERIENCE_LEAD = "client_experience_lead", _("Client experience lead")
    SERVICE_MANAGER = "service_manager", _("Service manager")
    CUSTOMER_SERVICE_MANAGER = "customer_service_manager", _("Customer service manager")
    BILLING_CARE = "billing_care", _("Billing Customer Care")


class TeamPerson(models.Model):
    """One of the provider's people who can be named in customers' account teams."""

    full_name = models.CharField(_("full name"), max_length=150)
    email = models.EmailField(_("e-mail address"), unique=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True, help_text=_("E.164"))
    languages = models.JSONField(
        _("languages spoken"),
        default=list,
        blank=True,
        help_text=_("Language codes: es, pt-br, en."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        # The table keeps the name it had when the model lived in `portal` (issue 14 moved it).
        db_table = "portal_teamperson"
        verbose_name = _("team person")
        verbose_name_plural = _("team people")
        ordering = ["full_name"]

    def __str__(self) -> str:
        return self.full_name


class TeamAssignment(models.Model):
    """A role in a customer's account team, held by a person or vacant (no person)."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="team"
    )
    role = models.CharField(_("role"), max_length=32, choices=TeamRole.choices)
    person = models.ForeignKey(
        TeamPerson,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
        help_text=_("Leave empty while the role is vacant: customers see the team mailbox."),
    )

    objects = customer_scoped_manager()

    class Meta:
        # The table keeps the name it had when the model lived in `portal` (issue 14 moved it).
        db_table = "portal_teamassignment"
        verbose_name = _("account team role")
        verbose_name_plural = _("account team")
        ordering = ["customer", "role"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "role"], name="team_unique_customer_role")
        ]

    def __str__(self) -> str:
        return f"{self.customer}: {self.get_role_display()}"


class TeamMailbox(models.Model):
    """The shared mailbox of a role's team: what customers write to while the role is vacant."""

    role = models.CharField(_("role"), max_length=32, choices=TeamRole.choices, unique=True)
    email = models.EmailField(_("e-mail address"))
    phone = models.CharField(_("phone"), max_length=32, blank=True, help_text=_("E.164"))

    class Meta:
        # The table keeps the name it had when the model lived in `portal` (issue 14 moved it).
        db_table = "portal_teammailbox"
        verbose_name = _("team mailbox")
        verbose_name_plural = _("team mailboxes")
        ordering = ["role"]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.email}"
