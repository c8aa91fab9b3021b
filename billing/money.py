"""Amounts as the reader writes them: `R$ 1.234,56` in Brazilian Portuguese, `US$ 1.234,56` in
Spanish for an Argentine customer, `$1,234.56` in English; each currency with its own decimals
(CLP has none)."""

import re
from decimal import Decimal

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency
from django.db.models import DecimalField, Expression, ExpressionWrapper
from django.utils import translation

# Every money column has two decimals (billing.models.MONEY).
CENT = Decimal("0.01")

# A symbol with letters (R$, US$, ARS) reads glued to the digits; a no-break space keeps both on
# one line and apart.
_GLUED = re.compile(r"^(-?)([^\d\s-]*[A-Za-z][^\d\s]*)(\d)")


def money_locale(language: str | None = None, country: str = "") -> str:
    language = (language or translation.get_language() or "es").lower()
    if language.startswith("pt"):
        return "pt_BR"
    if language.startswith("en"):
        return "en_US"
    if country:
        try:
            Locale.parse(f"es_{country}")
            return f"es_{country}"
        except (UnknownLocaleError, ValueError):
            pass
    return "es"


def money(amount: Decimal | int | None, currency: str, *, language=None, country="") -> str:
    if amount is None:
        return ""
    text = format_currency(amount, currency, locale=money_locale(language, country))
    return _GLUED.sub(lambda m: f"{m.group(1)}{m.group(2)}\u00a0{m.group(3)}", text)


class MoneyAmount(ExpressionWrapper):
    """A money amount the database computes (a sum, a maximum, a coalesced subquery), with the
    two decimals of the money columns on every database.

    SQLite keeps decimals as floats and Django quantizes only plain columns on the way out, so
    `Sum("amount")` of 60.00 arrives as `Decimal("60")` there while PostgreSQL gives `60.00`.
    """

    def __init__(self, expression: Expression):
        super().__init__(expression, output_field=DecimalField(max_digits=14, decimal_places=2))

    def get_db_converters(self, connection):
        return [*super().get_db_converters(connection), _to_cents]


def _to_cents(value, expression, connection):
    return None if value is None else Decimal(value).quantize(CENT)
