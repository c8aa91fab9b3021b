"""The country contact directory (R-CON-1..3, R-BIL-3, R-BIL-5, R-TEAM-8, R-TT-4).

One handbook table row is one database row, so staff can check the directory against the
handbook line by line. A row may serve several countries (the handbook groups Costa Rica, the
United States and Panama in one row): `countries` holds their codes. The directory is a few
dozen rows, so country filtering happens in Python (selectors.py) and works on SQLite and
PostgreSQL alike.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.lib import phones


class CountryCode(models.TextChoices):
    """portal.models.Country plus Costa Rica, which the handbook lists and the portal does not
    (yet) serve. Order: as the handbook lists them."""

    AR = "AR", _("Argentina")
    BR = "BR", _("Brazil")
    CL = "CL", _("Chile")
    CO = "CO", _("Colombia")
    CR = "CR", _("Costa Rica")
    EC = "EC", _("Ecuador")
    MX = "MX", _("Mexico")
    PA = "PA", _("Panama")
    PE = "PE", _("Peru")
    US = "US", _("United States")
    VE = "VE", _("Venezuela")


class ServiceLine(models.TextChoices):
    """The service lines of the handbook's TSC tables (R-CON-1)."""

    DATA = "data", _("Data")
    VOICE = "voice", _("Voice")
    CDN = "cdn", _("CDN")
    NETWORK_MANAGEMENT = "network_management", _("Network Management")
    MANAGED_VOICE = "managed_voice", _("Managed Voice")
    MANAGED_VIDEO = "managed_video", _("Managed Video")
    VIDEO_COLLABORATION = "video_collaboration", _("Enhanced Video Collaboration")
    VYVX = "vyvx", _("Vyvx")


MANAGED_LINES = (
    ServiceLine.NETWORK_MANAGEMENT,
    ServiceLine.MANAGED_VOICE,
    ServiceLine.MANAGED_VIDEO,
    ServiceLine.VIDEO_COLLABORATION,
)


def _codes_check(values, choices, field: str, *, required: bool = True) -> None:
    if not isinstance(values, list) or (required and not values):
        raise ValidationError({field: _("Choose at least one.")})
    unknown = [v for v in values if v not in choices.values]
    if unknown:
        raise ValidationError(
            {field: _("Unknown value: %(values)s.") % {"values": ", ".join(map(str, unknown))}}
        )


def _country_labels(codes) -> str:
    labels = dict(CountryCode.choices)
    return ", ".join(str(labels.get(code, code)) for code in codes)


class CountriesMixin(models.Model):
    countries = models.JSONField(
        _("countries"), default=list, help_text=_("The countries this handbook row serves.")
    )
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Order on the directory page.")
    )

    class Meta:
        abstract = True

    @property
    def country_labels(self) -> str:
        return _country_labels(self.countries)

    def clean(self):
        _codes_check(self.countries, CountryCode, "countries")
        self.countries = sorted(set(self.countries), key=CountryCode.values.index)

    def _one_row_per_country(self) -> None:
        """Billing numbers, portal and PO/HES/MIGO address: one answer per country."""
        taken = {
            code: row
            for row in type(self)._default_manager.exclude(pk=self.pk)
            for code in row.countries
        }
        clash = [code for code in self.countries if code in taken]
        if clash:
            raise ValidationError(
                {
                    "countries": _("%(countries)s already has a row of this kind: edit that one.")
                    % {"countries": _country_labels(clash)}
                }
            )


class SupportLine(CountriesMixin):
    """One row of the handbook's TSC "Contactos Principales" tables (R-CON-1, R-TEAM-8)."""

    region_printed = models.CharField(
        _("country cell as printed"),
        max_length=120,
        blank=True,
        help_text=_("The handbook's country cell, e.g. “Costa Rica Estados Unidos Panama”."),
    )
    description_printed = models.CharField(
        _("description as printed"),
        max_length=200,
        blank=True,
        help_text=_("The handbook's description cell (empty in the first table)."),
    )
    serves_all_lines = models.BooleanField(
        _("serves every service line"),
        default=False,
        help_text=_("The country's TSC for every service line (the handbook's empty description)."),
    )
    service_lines = models.JSONField(_("service lines"), default=list, blank=True)
    is_regional = models.BooleanField(
        _("regional centre"),
        default=False,
        help_text=_("The +1 regional centre that answers when a country has no line of its own."),
    )
    interpretation = models.TextField(
        _("interpretation"),
        blank=True,
        help_text=_("How this row was read from the handbook, for the next person who checks it."),
    )

    class Meta:
        verbose_name = _("TSC line")
        verbose_name_plural = _("TSC lines")
        ordering = ["position", "pk"]

    def __str__(self):
        return f"{self.region_printed or self.country_labels} — {self.lines_label}"

    @property
    def lines(self) -> list[str]:
        return list(ServiceLine.values) if self.serves_all_lines else list(self.service_lines)

    @property
    def lines_label(self) -> str:
        if self.serves_all_lines:
            return str(_("All services"))
        labels = dict(ServiceLine.choices)
        return ", ".join(str(labels.get(code, code)) for code in self.service_lines)

    @property
    def has_toll_free(self) -> bool:
        return any(number.kind == SupportNumber.Kind.TOLL_FREE for number in self.numbers.all())

    def serves(self, line: str) -> bool:
        return self.serves_all_lines or line in self.service_lines

    def clean(self):
        super().clean()
        _codes_check(self.service_lines, ServiceLine, "service_lines", required=False)
        if not self.serves_all_lines and not self.service_lines:
            raise ValidationError(
                {"service_lines": _("Choose the service lines, or mark it as serving every one.")}
            )
        self.service_lines = [v for v in ServiceLine.values if v in self.service_lines]


class SupportNumber(models.Model):
    """One number of a TSC line: Venezuela's data line has one toll-free and four local ones."""

    class Kind(models.TextChoices):
        TOLL_FREE = "toll_free", _("Toll-free")
        LOCAL = "local", _("Local")

    line = models.ForeignKey(
        SupportLine, verbose_name=_("TSC line"), on_delete=models.CASCADE, related_name="numbers"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    printed = models.CharField(
        _("as printed"),
        max_length=60,
        help_text=_("Exactly as the handbook prints it, so a person can compare."),
    )
    e164 = models.CharField(
        _("E.164 number"),
        max_length=20,
        blank=True,
        help_text=_(
            "International form, e.g. +541151705383. Left empty, it is read from the printed "
            "number."
        ),
    )
    menu_option = models.PositiveSmallIntegerField(
        _("menu option"),
        null=True,
        blank=True,
        help_text=_("The option to choose in the phone menu (“opción 4”)."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("TSC number")
        verbose_name_plural = _("TSC numbers")
        ordering = ["line", "position", "pk"]

    def __str__(self):
        return self.printed

    @property
    def phone(self) -> phones.Phone:
        return phones.phone(
            self.e164, printed=self.printed, toll_free=self.kind == self.Kind.TOLL_FREE
        )

    def clean(self):
        try:  # a new line in the admin is not saved yet: its numbers are then read as printed
            region = self.line.countries[0]
        except (SupportLine.DoesNotExist, IndexError):
            region = None
        _e164_clean(self, "e164", "printed", region)


def _e164_clean(obj, e164_field: str, printed_field: str, region: str | None) -> None:
    """Validate (or derive from the printed form) the E.164 number; errors name the field."""
    given = getattr(obj, e164_field)
    try:
        if given:
            value = phones.e164_normalise(given)
        else:
            value = phones.e164_normalise(getattr(obj, printed_field), region=region)
    except ValidationError as error:
        raise ValidationError({e164_field if given else printed_field: error.messages}) from None
    setattr(obj, e164_field, value)


class BillingLine(CountriesMixin):
    """One row of the handbook's billing phone table (R-BIL-5, R-CON-2)."""

    region_printed = models.CharField(_("country cell as printed"), max_length=120, blank=True)
    toll_free_printed = models.CharField(_("toll-free as printed"), max_length=60, blank=True)
    toll_free_e164 = models.CharField(_("toll-free E.164"), max_length=20, blank=True)
    local_printed = models.CharField(_("local as printed"), max_length=60, blank=True)
    local_e164 = models.CharField(_("local E.164"), max_length=20, blank=True)
    interpretation = models.TextField(_("interpretation"), blank=True)

    class Meta:
        verbose_name = _("billing phone line")
        verbose_name_plural = _("billing phone lines")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.region_printed or self.country_labels

    @property
    def toll_free(self) -> phones.Phone | None:
        if not self.toll_free_e164:
            return None
        return phones.phone(self.toll_free_e164, printed=self.toll_free_printed, toll_free=True)

    @property
    def local(self) -> phones.Phone | None:
        if not self.local_e164:
            return None
        return phones.phone(self.local_e164, printed=self.local_printed)

    def clean(self):
        super().clean()
        self._one_row_per_country()
        region = self.countries[0] if self.countries else None
        if not (
            self.toll_free_printed or self.toll_free_e164 or self.local_printed or self.local_e164
        ):
            raise ValidationError(_("Enter at least one number."))
        if self.toll_free_printed or self.toll_free_e164:
            _e164_clean(self, "toll_free_e164", "toll_free_printed", region)
        if self.local_printed or self.local_e164:
            _e164_clean(self, "local_e164", "local_printed", region)


class PortalAssignment(CountriesMixin):
    """Which portal a country's customers use: Portal de Clientes or Control Center (R-BIL-5)."""

    class Portal(models.TextChoices):
        CUSTOMER_PORTAL = "customer_portal", _("Customer Portal (Portal de Clientes)")
        CONTROL_CENTER = "control_center", _("Control Center")

    portal = models.CharField(_("portal"), max_length=20, choices=Portal.choices)
    url = models.URLField(_("address"), blank=True)

    class Meta:
        verbose_name = _("portal per country")
        verbose_name_plural = _("portals per country")
        ordering = ["position", "pk"]

    def __str__(self):
        return f"{self.get_portal_display()}: {self.country_labels}"

    def clean(self):
        super().clean()
        self._one_row_per_country()


class PoAddress(CountriesMixin):
    """Where PO / HES / MIGO numbers on invoices are asked for, by country (R-BIL-3)."""

    email = models.EmailField(_("e-mail address"))

    class Meta:
        verbose_name = _("PO/HES/MIGO address")
        verbose_name_plural = _("PO/HES/MIGO addresses")
        ordering = ["position", "pk"]

    def __str__(self):
        return f"{self.email}: {self.country_labels}"

    def clean(self):
        super().clean()
        self._one_row_per_country()


class Office(models.Model):
    """The provider's office numbers per country (R-CON-2); Brazil has two offices."""

    country = models.CharField(_("country"), max_length=2, choices=CountryCode.choices)
    site = models.CharField(
        _("site"), max_length=80, blank=True, help_text=_("e.g. Cotia, Morumbi.")
    )
    description_printed = models.CharField(
        _("description as printed"),
        max_length=120,
        blank=True,
        help_text=_("e.g. “Datos, Voz, y Data Center”."),
    )
    code_printed = models.CharField(_("dialling code as printed"), max_length=20, blank=True)
    number_printed = models.CharField(_("number as printed"), max_length=40)
    e164 = models.CharField(_("E.164 number"), max_length=20, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    interpretation = models.TextField(_("interpretation"), blank=True)

    class Meta:
        verbose_name = _("provider office")
        verbose_name_plural = _("provider offices")
        ordering = ["position", "pk"]

    def __str__(self):
        site = f" — {self.site}" if self.site else ""
        return f"{self.get_country_display()}{site}"

    @property
    def printed(self) -> str:
        return (
            f"{self.code_printed} | {self.number_printed}"
            if self.code_printed
            else self.number_printed
        )

    @property
    def phone(self) -> phones.Phone:
        return phones.phone(self.e164, printed=self.printed)

    def clean(self):
        if not self.e164:
            printed = f"{self.code_printed} {self.number_printed}".replace("|", " ")
            try:
                self.e164 = phones.e164_normalise(printed, region=self.country)
            except ValidationError as error:
                raise ValidationError({"number_printed": error.messages}) from None
        else:
            _e164_clean(self, "e164", "number_printed", self.country)


class DirectoryChange(models.Model):
    """Every staff change to the directory: who, when, which row, before and after."""

    class Action(models.TextChoices):
        ADD = "add", _("Added")
        CHANGE = "change", _("Changed")
        DELETE = "delete", _("Deleted")

    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_email = models.EmailField(_("who (e-mail)"), blank=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("kind"), on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.CharField(_("row id"), max_length=40)
    object_repr = models.CharField(_("row"), max_length=250)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)

    class Meta:
        verbose_name = _("directory change")
        verbose_name_plural = _("directory changes")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_action_display()} {self.object_repr}"
