import hashlib
import uuid
import zoneinfo
from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone as django_timezone
from django.utils.translation import gettext_lazy as _

from core.scopes import customer_scoped_manager

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise

LANGUAGE_CHOICES = [("es", _("Spanish")), ("pt-br", _("Portuguese (Brazil)")), ("en", _("English"))]
TIMEZONE_CHOICES = [(name, name) for name in sorted(zoneinfo.available_timezones()) if "/" in name]

# A country's default timezone and language when a customer does not say otherwise.
COUNTRY_DEFAULTS = {
    "AR": ("America/Argentina/Buenos_Aires", "es"),
    "BR": ("America/Sao_Paulo", "pt-br"),
    "CL": ("America/Santiago", "es"),
    "CO": ("America/Bogota", "es"),
    "EC": ("America/Guayaquil", "es"),
    "MX": ("America/Mexico_City", "es"),
    "PA": ("America/Panama", "es"),
    "PE": ("America/Lima", "es"),
    "US": ("America/New_York", "en"),
    "VE": ("America/Caracas", "es"),
}


class Country(models.TextChoices):
    AR = "AR", _("Argentina")
    BR = "BR", _("Brazil")
    CL = "CL", _("Chile")
    CO = "CO", _("Colombia")
    EC = "EC", _("Ecuador")
    MX = "MX", _("Mexico")
    PA = "PA", _("Panama")
    PE = "PE", _("Peru")
    US = "US", _("United States")
    VE = "VE", _("Venezuela")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra):
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person: a customer's portal user or one of the provider's staff (is_staff)."""

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES, blank=True)
    timezone = models.CharField(_("timezone"), max_length=64, choices=TIMEZONE_CHOICES, blank=True)
    is_staff = models.BooleanField(
        _("provider staff"), default=False, help_text=_("Can sign in to the staff administration.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=django_timezone.now)
    last_customer = models.ForeignKey(
        "portal.Customer",
        verbose_name=_("last active customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return (self.full_name.split() or [self.email])[0]


class Customer(models.Model):
    """The tenant: one company that buys services from the provider."""

    class Segment(models.TextChoices):
        ENTERPRISE = "enterprise", _("Enterprise")
        WHOLESALE = "wholesale", _("Wholesale carrier")

    reference = models.UUIDField(
        _("public reference"), default=uuid.uuid4, unique=True, editable=False
    )
    legal_name = models.CharField(_("legal name"), max_length=200)
    display_name = models.CharField(_("display name"), max_length=100)
    tax_id = models.CharField(_("tax id"), max_length=40)
    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    segment = models.CharField(_("segment"), max_length=16, choices=Segment.choices)
    language = models.CharField(
        _("preferred language"), max_length=8, choices=LANGUAGE_CHOICES, default="es"
    )
    timezone = models.CharField(_("timezone"), max_length=64, choices=TIMEZONE_CHOICES)
    require_mfa = models.BooleanField(
        _("require MFA for every user"),
        default=False,
        help_text=_(
            "Members without two-factor authentication must set it up before anything else."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["display_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "tax_id"], name="customer_unique_tax_id_per_country"
            )
        ]

    def __str__(self) -> str:
        return self.display_name


class Level(models.TextChoices):
    NONE = "none", _("No access")
    VIEW = "view", _("View")
    ACT = "act", _("View and act")


class Area(models.TextChoices):
    """Permission areas of a membership; the label of each level per area is in
    AREA_LEVEL_LABELS."""

    SERVICES = "services", _("Services")
    ORDERS = "orders", _("Orders")
    TICKETS = "tickets", _("Trouble tickets")
    CHANGES = "changes", _("Changes and maintenance")
    BILLING = "billing", _("Billing")


AREA_ACT_LABELS = {
    Area.SERVICES: _("View and request expansions"),
    Area.ORDERS: _("View and act on orders"),
    Area.TICKETS: _("View, open and reply to tickets"),
    Area.CHANGES: _("View and request changes"),
    Area.BILLING: _("View and raise inquiries"),
}
_LEVEL_RANK = {Level.NONE: 0, Level.VIEW: 1, Level.ACT: 2}


def access_rows(levels: dict[str, str]) -> list[dict]:
    """Each area with its level, labelled for people."""
    rows = []
    for area in Area:
        level = levels.get(area.value, Level.NONE)
        label = AREA_ACT_LABELS[area] if level == Level.ACT else Level(level).label
        rows.append({"area": area.value, "label": area.label, "level": level, "level_label": label})
    return rows


def _level_field(area: Area) -> models.CharField:
    return models.CharField(area.label, max_length=8, choices=Level.choices, default=Level.NONE)


class Membership(models.Model):
    """A person's place in a customer: role and per-area permissions (R-POR-5)."""

    AREA_FIELDS = [area.value for area in Area]

    class Role(models.TextChoices):
        ADMIN = "admin", _("Portal administrator")
        USER = "user", _("User")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="memberships"
    )
    reference = models.UUIDField(
        _("public reference"), default=uuid.uuid4, unique=True, editable=False
    )
    role = models.CharField(_("role"), max_length=8, choices=Role.choices, default=Role.USER)
    services = _level_field(Area.SERVICES)
    orders = _level_field(Area.ORDERS)
    tickets = _level_field(Area.TICKETS)
    changes = _level_field(Area.CHANGES)
    billing = _level_field(Area.BILLING)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["customer", "user__email"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "customer"], name="membership_unique_user_customer"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.customer}"

    @property
    def is_admin(self) -> bool:
        return self.role == self.Role.ADMIN

    def level(self, area: str) -> str:
        if self.is_admin:
            return Level.ACT
        return getattr(self, area)

    def can(self, area: str, level: str = Level.VIEW) -> bool:
        return _LEVEL_RANK[Level(self.level(area))] >= _LEVEL_RANK[Level(level)]

    def levels(self) -> dict[str, str]:
        return {area.value: self.level(area) for area in Area}

    def access_rows(self) -> list[dict]:
        """Each area with this member's level, labelled for people."""
        rows = []
        for area in Area:
            level = self.level(area)
            label = AREA_ACT_LABELS[area] if level == Level.ACT else Level(level).label
            rows.append(
                {"area": area.value, "label": area.label, "level": level, "level_label": label}
            )
        return rows


class Invitation(models.Model):
    """An e-mailed invitation to join a customer; the token is stored only as a hash."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="invitations"
    )
    reference = models.UUIDField(
        _("public reference"), default=uuid.uuid4, unique=True, editable=False
    )
    email = models.EmailField(_("e-mail address"))
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES, default="es")
    role = models.CharField(_("role"), max_length=8, choices=Membership.Role.choices)
    permissions = models.JSONField(_("permissions"), default=dict)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    sent_at = models.DateTimeField(_("e-mail sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.customer}"

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def access_rows(self) -> list[dict]:
        return access_rows(self.permissions)

    @property
    def is_pending(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > django_timezone.now()
        )


class AuditEvent(models.Model):
    """Who did what to whom, when and from where. Written by services, never edited."""

    class Action(models.TextChoices):
        SIGN_IN = "sign_in", _("Signed in")
        SIGN_IN_FAILED = "sign_in_failed", _("Failed sign-in")
        SIGN_OUT = "sign_out", _("Signed out")
        SESSION_END = "session_end", _("Ended a session")
        INVITE = "invite", _("Invited a user")
        INVITE_RESEND = "invite_resend", _("Re-sent an invitation")
        INVITE_REVOKE = "invite_revoke", _("Revoked an invitation")
        INVITE_ACCEPT = "invite_accept", _("Accepted an invitation")
        PERMISSIONS_CHANGE = "permissions_change", _("Changed permissions")
        DEACTIVATE = "deactivate", _("Deactivated a user")
        REACTIVATE = "reactivate", _("Reactivated a user")
        SWITCH_CUSTOMER = "switch_customer", _("Switched customer")
        PROFILE_CHANGE = "profile_change", _("Changed profile")
        PASSWORD_CHANGE = "password_change", _("Changed password")
        PASSWORD_RESET = "password_reset", _("Reset password")
        MFA_CHANGE = "mfa_change", _("Changed two-factor authentication")
        CONTACT_ADD = "contact_add", _("Added a notification contact")
        CONTACT_CHANGE = "contact_change", _("Changed a notification contact")
        CONTACT_REMOVE = "contact_remove", _("Removed a notification contact")
        CONTACT_CONFIRM = "contact_confirm", _("Confirmed a notification address")
        FEED_ROTATE = "feed_rotate", _("Created a new maintenance calendar address")
        FEED_STOP = "feed_stop", _("Stopped the shared maintenance calendar address")
        CREDIT_OVERRIDE = "credit_override", _("Issued a credit above the amount asked for")
        WATCHER_ADD = "watcher_add", _("Copied a person on a ticket")
        WATCHER_REMOVE = "watcher_remove", _("Removed a person copied on a ticket")
        WATCHER_CONFIRM = "watcher_confirm", _("Confirmed being copied on a ticket")
        # What the provider's staff do to a customer's people in the admin (S2).
        MEMBER_ADD = "member_add", _("Added a user")
        MEMBER_REMOVE = "member_remove", _("Removed a user")
        EMAIL_CHANGE = "email_change", _("Changed an e-mail address")
        ACCOUNT_DISABLE = "account_disable", _("Blocked a person's sign-in")
        ACCOUNT_ENABLE = "account_enable", _("Allowed a person's sign-in again")
        PASSWORD_RESET_SEND = "password_reset_send", _("Sent a password reset link")
        MFA_REQUIREMENT_CHANGE = "mfa_requirement", _("Changed the two-factor requirement")

    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_email = models.EmailField(_("who (e-mail)"), blank=True)
    action = models.CharField(_("what"), max_length=32, choices=Action.choices)
    target_email = models.EmailField(_("whom"), blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("from (IP)"), null=True, blank=True)
    user_agent = models.CharField(_("from (browser)"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("when"), default=django_timezone.now, db_index=True)

    objects = customer_scoped_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["customer", "-created_at"], name="audit_customer_time")]

    def __str__(self) -> str:
        return (
            f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_email} {self.action} {self.target_email}"
        )

    def changes(self) -> list[dict]:
        """The detail as readable rows (field, before, after): a permission change, an
        invitation's or a staff-added membership's grant, an e-mail address or the customer's
        two-factor requirement changed by staff, or the ticket a person was copied on."""
        if "ticket" in self.detail:  # a person copied on a ticket: which ticket
            return [{"field": _("Ticket"), "before": "", "after": self.detail["ticket"]}]
        if self.detail.get("reason") in _SIGN_IN_REFUSALS:  # why a sign-in was refused
            why = _SIGN_IN_REFUSALS[self.detail["reason"]]
            return [{"field": _("Why"), "before": "", "after": why}]
        before, after = self.detail.get("before", {}), self.detail.get("after", {})
        if not after and "role" in self.detail:
            after = {"role": self.detail["role"], **self.detail.get("permissions", {})}
        rows = []
        for key, value in after.items():
            if before.get(key) == value or (not before and value == Level.NONE):
                continue
            shown = _shown_value(key)
            if shown is None:
                continue
            label, display = shown
            rows.append(
                {
                    "field": label,
                    "before": display(before[key]) if key in before else "",
                    "after": display(value),
                }
            )
        return rows


# The reasons portal.adapters records for a refused sign-in with the right password.
_SIGN_IN_REFUSALS = {
    "account_inactive": _("sign-in blocked by the provider"),
    "no_active_membership": _("no active membership"),
}


def _yes_no(value: bool) -> "_StrOrPromise":
    return _("Yes") if value else _("No")


def _shown_value(key: str):
    """(label, how to show a value) of a detail field the audit page explains, else None."""
    if key == "role":
        return _("Role"), lambda value: Membership.Role(value).label
    if key in Area.values:
        return Area(key).label, lambda value: Level(value).label
    if key == "email":
        return _("E-mail address"), str
    if key == "require_mfa":
        return _("Two-factor authentication required"), _yes_no
    return None
