"""The billing rules that need no database, driven through the real "Consulta" page and the
services: the day-15 rule counted on the customer's own calendar (R-BIL-4), and the tax id
checked for the customer's country with python-stdnum and stored in its printed form (R-BIL-2)."""

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from billing import rules, services
from billing.models import BillingDataChange
from core.errors import DomainError
from tests.factories import CustomerFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

BUENOS_AIRES = "America/Argentina/Buenos_Aires"
SAO_PAULO = "America/Sao_Paulo"


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _customer(zone: str):
    country = "BR" if zone == SAO_PAULO else "AR"
    customer = CustomerFactory(country=country, timezone=zone)
    return customer, MembershipFactory(customer=customer, admin=True).user


def _through_the_page(zone: str, instant: datetime) -> tuple[str, BillingDataChange]:
    """At `instant`: what the form shows before sending, and the change the POST records."""
    customer, user = _customer(zone)
    with time_machine.travel(instant, tick=False):
        client = Client()
        client.force_login(user)
        page = client.get("/billing/data/new/")
        assert page.status_code == 200
        match = re.search(r'data-testid="first-invoice-period">(.*?)<', _text(page))
        assert match is not None
        shown = match.group(1)
        response = client.post("/billing/data/new/", {"billing_address": "Av. Siempre Viva 742"})
        assert response.status_code == 302
    return shown, BillingDataChange.objects.get(customer=customer)


def _local(zone: str, year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone))


# --- R-BIL-4: the day-15 rule, on the customer's calendar -----------------------------------


@pytest.mark.parametrize("zone", [BUENOS_AIRES, SAO_PAULO])
def test_r_bil_4_the_15th_at_23_59_local_reaches_the_next_invoice(zone):
    instant = _local(zone, 2026, 3, 15, 23, 59)
    # Both cities are UTC-3: in UTC it is already the 16th, which must not count.
    assert instant.astimezone(UTC) == datetime(2026, 3, 16, 2, 59, tzinfo=UTC)
    shown, change = _through_the_page(zone, instant)
    assert shown == "the invoice for April 2026"
    assert change.requested_on == date(2026, 3, 15)
    assert change.target_period == date(2026, 4, 1)


@pytest.mark.parametrize("zone", [BUENOS_AIRES, SAO_PAULO])
def test_r_bil_4_the_16th_at_00_00_local_reaches_the_invoice_after_next(zone):
    instant = _local(zone, 2026, 3, 16, 0, 0)
    assert instant.astimezone(UTC) == datetime(2026, 3, 16, 3, 0, tzinfo=UTC)
    shown, change = _through_the_page(zone, instant)
    assert shown == "the invoice for May 2026"
    assert change.requested_on == date(2026, 3, 16)
    assert change.target_period == date(2026, 5, 1)


def test_r_bil_4_utc_midnight_of_the_16th_is_still_the_15th_in_buenos_aires():
    """00:30 UTC on the 16th is 21:30 on the 15th in Buenos Aires: the next invoice."""
    shown, change = _through_the_page(BUENOS_AIRES, datetime(2026, 3, 16, 0, 30, tzinfo=UTC))
    assert shown == "the invoice for April 2026"
    assert change.target_period == date(2026, 4, 1)


@pytest.mark.parametrize(
    ("local", "requested_on", "target", "shown"),
    [
        # The 1st, at the first minute of the month.
        ((2026, 3, 1, 0, 0), date(2026, 3, 1), date(2026, 4, 1), "April 2026"),
        # Month ends: the 30th and the 31st.
        ((2026, 4, 30, 23, 59), date(2026, 4, 30), date(2026, 6, 1), "June 2026"),
        ((2026, 1, 31, 12, 0), date(2026, 1, 31), date(2026, 3, 1), "March 2026"),
        ((2026, 8, 31, 23, 59), date(2026, 8, 31), date(2026, 10, 1), "October 2026"),
        # February: the 28th of 2026, the 29th of the leap year 2028, and its 15th.
        ((2026, 2, 28, 23, 59), date(2026, 2, 28), date(2026, 4, 1), "April 2026"),
        ((2028, 2, 29, 10, 0), date(2028, 2, 29), date(2028, 4, 1), "April 2028"),
        ((2026, 2, 15, 18, 0), date(2026, 2, 15), date(2026, 3, 1), "March 2026"),
        # December into January and February of the next year; November into January.
        ((2026, 12, 10, 9, 0), date(2026, 12, 10), date(2027, 1, 1), "January 2027"),
        ((2026, 12, 20, 9, 0), date(2026, 12, 20), date(2027, 2, 1), "February 2027"),
        ((2026, 12, 31, 23, 59), date(2026, 12, 31), date(2027, 2, 1), "February 2027"),
        ((2026, 11, 20, 9, 0), date(2026, 11, 20), date(2027, 1, 1), "January 2027"),
    ],
)
def test_r_bil_4_month_ends_february_and_the_turn_of_the_year(local, requested_on, target, shown):
    text, change = _through_the_page(BUENOS_AIRES, _local(BUENOS_AIRES, *local))
    assert text == f"the invoice for {shown}"
    assert change.requested_on == requested_on
    assert change.target_period == target


def test_r_bil_4_the_service_counts_in_each_customers_timezone():
    """04:00 UTC on the 16th is already the 16th in São Paulo (UTC-3) but still the 15th in
    Mexico City (UTC-6): the same instant reaches different invoices."""
    instant = datetime(2026, 3, 16, 4, 0, tzinfo=UTC)  # 01:00 São Paulo, 22:00 Mexico City
    sao_paulo, _user = _customer(SAO_PAULO)
    mexico = CustomerFactory(country="MX", timezone="America/Mexico_City")
    user = UserFactory()
    data = {"billing_address": "Rua Augusta 1500"}
    first = services.billing_data_change_create(
        customer=sao_paulo, user=user, data=data, now=instant
    )
    second = services.billing_data_change_create(customer=mexico, user=user, data=data, now=instant)
    assert (first.requested_on, first.target_period) == (date(2026, 3, 16), date(2026, 5, 1))
    assert (second.requested_on, second.target_period) == (date(2026, 3, 15), date(2026, 4, 1))


@pytest.mark.parametrize(
    ("day", "later"),
    [(12, None), (13, date(2026, 5, 1)), (15, date(2026, 5, 1)), (16, None), (31, None)],
)
def test_r_bil_4_the_warning_days_are_the_13th_to_the_15th(day, later):
    assert rules.first_invoice_if_later(date(2026, 3, day)) == later


def test_customer_today_falls_back_to_the_countrys_timezone():
    customer = CustomerFactory.build(country="MX", timezone="")
    now = datetime(2026, 3, 16, 4, 0, tzinfo=UTC)
    assert rules.customer_today(customer, now) == date(2026, 3, 15)


# --- R-BIL-2: tax ids per country -----------------------------------------------------------

VALID = [
    ("AR", "20267565393", "20-26756539-3"),
    ("AR", "20-26756539-3", "20-26756539-3"),
    ("BR", "11222333000181", "11.222.333/0001-81"),
    ("CL", "760864285", "76.086.428-5"),
    ("CL", "76.086.428-5", "76.086.428-5"),
    ("CO", "9003739134", "900.373.913-4"),
    ("EC", "1792060346001", "1792060346001"),
    ("MX", "gode561231gr8", "GODE561231GR8"),
    ("MX", "GODE 561231 GR8", "GODE561231GR8"),
    ("PE", "20512333797", "20512333797"),
    ("US", "042103594", "04-2103594"),
    ("VE", "v114702834", "V-11470283-4"),
    ("VE", "V-11470283-4", "V-11470283-4"),
]

INVALID = [
    ("AR", "20-26756539-4", "CUIT", "20-26756539-3"),  # check digit
    ("AR", "2026756539", "CUIT", "20-26756539-3"),  # too short
    ("BR", "11.222.333/0001-82", "CNPJ", "11.222.333/0001-81"),
    ("BR", "123.456.789-09", "CNPJ", "11.222.333/0001-81"),  # a person's CPF, not a company
    ("CL", "76.086.428-4", "RUT", "76.086.428-5"),
    ("CO", "900.373.913-5", "NIT", "900.373.913-4"),
    ("EC", "1792060345001", "RUC", "1792060346001"),
    ("MX", "GODE561331GR8", "RFC", "GODE561231GR8"),  # no 13th month
    ("PE", "20512333798", "RUC", "20512333797"),
    ("US", "00-2103594", "EIN", "04-2103594"),
    ("VE", "X-11470283-4", "RIF", "V-11470283-4"),
    ("VE", "V-11470283-5", "RIF", "V-11470283-4"),
]


@pytest.mark.parametrize(("country", "typed", "printed"), VALID)
def test_r_bil_2_a_valid_tax_id_is_kept_in_its_printed_form(country, typed, printed):
    assert rules.tax_id_clean(country, typed) == printed


@pytest.mark.parametrize(("country", "typed", "name", "example"), INVALID)
def test_r_bil_2_an_invalid_tax_id_is_refused_naming_the_expected_format(
    country, typed, name, example
):
    with pytest.raises(DomainError) as refused:
        rules.tax_id_clean(country, typed)
    assert refused.value.field == "tax_id"
    assert refused.value.rule == "R-BIL-2"
    assert str(refused.value.message) == (
        f"This is not a valid {name}. Expected a number like {example}."
    )


@pytest.mark.parametrize("country", sorted(rules.TAX_ID_MODULES))
def test_r_bil_2_every_countrys_example_is_valid_and_already_printed(country):
    """The example the form shows is what the check accepts and what is stored."""
    example = rules.tax_id_format(country).example
    assert rules.tax_id_clean(country, example) == example


def test_r_bil_2_a_country_the_library_lacks_keeps_the_id_as_typed():
    assert rules.tax_id_format("PA") is None
    assert rules.tax_id_clean("PA", "  155596713-2-2015 DV 59 ") == "155596713-2-2015 DV 59"
    with pytest.raises(DomainError):
        rules.tax_id_clean("PA", "   ")


@pytest.mark.parametrize(
    ("country", "typed", "stored"),
    [("AR", "30714416401", "30-71441640-1"), ("BR", "11222333000181", "11.222.333/0001-81")],
)
def test_r_bil_2_the_service_stores_the_printed_form(country, typed, stored):
    customer = CustomerFactory(country=country)
    change = services.billing_data_change_create(
        customer=customer, user=UserFactory(), data={"tax_id": typed}
    )
    assert change.tax_id == stored


def test_r_bil_2_the_service_refuses_an_invalid_tax_id_and_records_nothing():
    customer = CustomerFactory(country="CL")
    with pytest.raises(DomainError, match=r"not a valid RUT\. Expected a number like 76\.086"):
        services.billing_data_change_create(
            customer=customer, user=UserFactory(), data={"tax_id": "76.086.428-4"}
        )
    assert not BillingDataChange.objects.exists()
