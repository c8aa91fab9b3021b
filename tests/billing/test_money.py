"""Amounts as the reader writes them (issue 7, section 1): `R$ 1.234,56` in Brazilian
Portuguese with a no-break space, Spanish following the customer's country, English with a
point; each currency with its own decimals (CLP has none)."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from billing.money import money, money_locale

NBSP = "\u00a0"
AMOUNT = Decimal("1234.56")


@pytest.mark.parametrize(
    ("language", "country", "currency", "expected"),
    [
        ("pt-br", "BR", "BRL", "R$" + NBSP + "1.234,56"),
        ("pt-br", "", "BRL", "R$" + NBSP + "1.234,56"),
        ("pt-br", "AR", "USD", "US$" + NBSP + "1.234,56"),
        ("es", "AR", "USD", "US$" + NBSP + "1.234,56"),
        ("es", "AR", "BRL", "BRL" + NBSP + "1.234,56"),
        ("es", "MX", "MXN", "$1,234.56"),  # Mexico writes amounts with a point
        ("es", "PE", "PEN", "S/" + NBSP + "1,234.56"),
        ("en", "", "USD", "$1,234.56"),
        ("en", "BR", "BRL", "R$" + NBSP + "1,234.56"),
        ("en", "", "ARS", "ARS" + NBSP + "1,234.56"),
    ],
)
def test_amounts_follow_the_language_and_the_customers_country(
    language, country, currency, expected
):
    assert money(AMOUNT, currency, language=language, country=country) == expected


@pytest.mark.parametrize(
    ("language", "country", "expected"),
    [
        ("es", "CL", "$1.235"),
        ("es", "AR", "CLP" + NBSP + "1.235"),
        ("pt-br", "", "CLP" + NBSP + "1.235"),
        ("en", "", "CLP" + NBSP + "1,235"),
    ],
)
def test_chilean_pesos_have_no_decimals(language, country, expected):
    assert money(AMOUNT, "CLP", language=language, country=country) == expected


def test_large_chilean_amounts_keep_their_thousands_separators_only():
    assert money(Decimal("1234567.00"), "CLP", language="es", country="CL") == "$1.234.567"
    assert money(Decimal("1234567.00"), "CLP", language="en") == "CLP" + NBSP + "1,234,567"


def test_the_symbol_and_the_digits_never_break_apart():
    text = money(AMOUNT, "BRL", language="pt-br")
    assert " " not in text
    assert NBSP in text
    assert money(Decimal("-1234.56"), "BRL", language="pt-br") == "-R$" + NBSP + "1.234,56"


def test_no_amount_is_an_empty_text_and_zero_is_written():
    assert money(None, "USD", language="en") == ""
    assert money(Decimal("0"), "USD", language="en") == "$0.00"
    assert money(0, "BRL", language="pt-br") == "R$" + NBSP + "0,00"


def test_the_active_language_is_used_when_none_is_given():
    with translation.override("pt-br"):
        assert money(AMOUNT, "BRL") == "R$" + NBSP + "1.234,56"
    with translation.override("en"):
        assert money(AMOUNT, "BRL") == "R$" + NBSP + "1,234.56"


@pytest.mark.parametrize(
    ("language", "country", "expected"),
    [
        ("pt-br", "", "pt_BR"),
        ("pt", "", "pt_BR"),
        ("en", "AR", "en_US"),
        ("es", "AR", "es_AR"),
        ("es", "CL", "es_CL"),
        ("es", "XX", "es"),
        ("es", "", "es"),
    ],
)
def test_the_locale_of_the_amounts(language, country, expected):
    assert money_locale(language, country) == expected


def test_the_template_tag_reads_the_active_customers_country():
    template = Template("{% load billing %}{% money amount currency %}")

    class Customer:
        country = "CL"

    with translation.override("es"):
        text = template.render(
            Context({"amount": AMOUNT, "currency": "CLP", "active_customer": Customer()})
        )
    assert text == "$1.235"
    with translation.override("pt-br"):
        text = template.render(Context({"amount": AMOUNT, "currency": "BRL"}))
    assert text == "R$" + NBSP + "1.234,56"
