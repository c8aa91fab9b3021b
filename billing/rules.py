"""The billing rules that need no database: which invoice a billing-data change first reaches
(R-BIL-4) and whether a tax id is valid for the customer's country (R-BIL-2)."""

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_errors
from stdnum.util import get_cc_module

from core.errors import DomainError
from core.models import COUNTRY_DEFAULTS

LAST_DAY_OF_FIRST_RANGE = 15  # R-BIL-4: the 15th belongs to the first range.
# From this day to the 15th the form warns that waiting past the 15th costs one invoice.
WARN_FROM_DAY = 13


def _month_add(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def first_invoice_period(requested_on: date) -> date:
    """R-BIL-4: asked for on the 1st to the 15th -> the next invoice (next month's period);
    from the 16th to the month end -> the invoice after next."""
    months = 1 if requested_on.day <= LAST_DAY_OF_FIRST_RANGE else 2
    return _month_add(requested_on, months)


def first_invoice_if_later(requested_on: date) -> date | None:
    """R-BIL-4: on the 13th to the 15th, the invoice the same change would first reach if asked
    for from the 16th on; None on other days."""
    if WARN_FROM_DAY <= requested_on.day <= LAST_DAY_OF_FIRST_RANGE:
        return first_invoice_period(requested_on.replace(day=LAST_DAY_OF_FIRST_RANGE + 1))
    return None


def customer_zone(customer) -> str:
    """The customer's timezone, else its country's."""
    return customer.timezone or COUNTRY_DEFAULTS.get(customer.country, ("UTC", ""))[0]


def customer_today(customer, now: datetime | None = None) -> date:
    """The date on the customer's wall clock: the day-15 rule counts in its timezone."""
    return timezone.localtime(now or timezone.now(), ZoneInfo(customer_zone(customer))).date()


# --- tax ids (R-BIL-2) ------------------------------------------------------------------------

# The national business id of each country, as python-stdnum names it; other countries fall
# back to whatever the library calls the country's VAT number.
TAX_ID_MODULES = {
    "AR": ("cuit", "CUIT", "20-26756539-3"),
    "BR": ("cnpj", "CNPJ", "11.222.333/0001-81"),
    "CL": ("rut", "RUT", "76.086.428-5"),
    "CO": ("nit", "NIT", "900.373.913-4"),
    "EC": ("ruc", "RUC", "1792060346001"),
    "MX": ("rfc", "RFC", "GODE561231GR8"),
    "PE": ("ruc", "RUC", "20512333797"),
    "US": ("ein", "EIN", "04-2103594"),
    "VE": ("rif", "RIF", "V-11470283-4"),
}


# Where python-stdnum's printed form differs from how the country prints the id (the example).
_PRINTED = {
    "MX": lambda compact: compact,  # the SAT prints the RFC without spaces
    "VE": lambda compact: f"{compact[0]}-{compact[1:-1]}-{compact[-1]}",
}


@dataclass(frozen=True)
class TaxIdFormat:
    name: str
    example: str


def tax_id_format(country: str) -> TaxIdFormat | None:
    if country in TAX_ID_MODULES:
        _module, name, example = TAX_ID_MODULES[country]
        return TaxIdFormat(name=name, example=example)
    return None


def _module(country: str):
    name = TAX_ID_MODULES.get(country, ("vat",))[0]
    return get_cc_module(country.lower(), name) or get_cc_module(country.lower(), "vat")


def tax_id_clean(country: str, value: str) -> str:
    """The tax id in its printed form, or a DomainError naming the expected format. A country
    the library does not know keeps the id as typed."""
    value = value.strip()
    module = _module(country)
    if module is None:
        if not value:
            raise DomainError(_("Enter the tax id."), field="tax_id")
        return value
    try:
        compact = module.validate(value)
    except stdnum_errors.ValidationError:
        expected = tax_id_format(country)
        if expected is None:
            raise DomainError(
                _("This is not a valid tax id for the country."), field="tax_id", rule="R-BIL-2"
            ) from None
        raise DomainError(
            _("This is not a valid %(name)s. Expected a number like %(example)s.")
            % {"name": expected.name, "example": expected.example},
            field="tax_id",
            rule="R-BIL-2",
        ) from None
    formatter = _PRINTED.get(country) or getattr(module, "format", None)
    return formatter(compact) if formatter else compact
