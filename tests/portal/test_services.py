"""Mis Servicios (R-POR-2): list, filters, sorting, pagination, CSV export and the detail page."""

import csv
import io

import pytest
from django.urls import reverse

from core.models import Level, ProductLine, Service
from tests.factories import MembershipFactory, ServiceFactory

# The export's header, written out: the contract with the customers' spreadsheets.
COLUMNS = [
    "service_id",
    "product_line",
    "satellite",
    "managed",
    "site_name",
    "site_address",
    "country",
    "capacity",
    "status",
    "activated_on",
    "notes",
]


@pytest.fixture
def inventory(customer, other_customer):
    return {
        "vpn": ServiceFactory(
            customer=customer, service_id="AR-BUE-IPVPN-00001", site_name="Casa central"
        ),
        "internet": ServiceFactory(
            customer=customer,
            service_id="CL-SCL-INT-00002",
            product_line=ProductLine.INTERNET,
            country="CL",
            site_name="Oficina Santiago",
            capacity="1 Gbps",
        ),
        "sip": ServiceFactory(
            customer=customer,
            service_id="AR-BUE-SIP-00003",
            product_line=ProductLine.VOICE,
            status=Service.Status.PROVISIONING,
            activated_on=None,
            site_name="Depósito Barracas",
            notes='=HYPERLINK("http://evil.example")',
        ),
        "foreign": ServiceFactory(
            customer=other_customer,
            service_id="BR-SPO-ETH-99999",
            country="BR",
            site_name="PoP Cotia secreto",
        ),
    }


def _ids(response) -> list[str]:
    return [s.service_id for s in response.context["page"]]


def test_list_shows_only_the_active_customers_services(limited_client, inventory):
    response = limited_client.get(reverse("services:list"))
    assert response.status_code == 200
    assert _ids(response) == ["AR-BUE-IPVPN-00001", "AR-BUE-SIP-00003", "CL-SCL-INT-00002"]
    assert "BR-SPO-ETH-99999" not in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "santiago"}, ["CL-SCL-INT-00002"]),
        ({"q": "BARRACAS"}, ["AR-BUE-SIP-00003"]),
        ({"product_line": "voice"}, ["AR-BUE-SIP-00003"]),
        ({"country": "CL"}, ["CL-SCL-INT-00002"]),
        ({"status": "provisioning"}, ["AR-BUE-SIP-00003"]),
        ({"status": "active", "country": "AR"}, ["AR-BUE-IPVPN-00001"]),
        ({"q": "99999"}, []),
    ],
)
def test_list_filters_by_search_product_line_country_and_status(
    limited_client, inventory, query, expected
):
    response = limited_client.get(reverse("services:list"), query)
    assert response.status_code == 200
    assert _ids(response) == expected


def test_list_sorts_both_ways_and_marks_the_sorted_column(limited_client, inventory):
    response = limited_client.get(reverse("services:list"), {"sort": "site"})
    assert _ids(response) == ["AR-BUE-IPVPN-00001", "AR-BUE-SIP-00003", "CL-SCL-INT-00002"]
    assert 'aria-sort="ascending"' in response.content.decode()
    response = limited_client.get(reverse("services:list"), {"sort": "-site"})
    assert _ids(response) == ["CL-SCL-INT-00002", "AR-BUE-SIP-00003", "AR-BUE-IPVPN-00001"]
    assert 'aria-sort="descending"' in response.content.decode()


def test_list_paginates_and_keeps_the_filters_in_page_links(limited_client, customer, settings):
    settings.SERVICES_PAGE_SIZE = 5
    for n in range(12):
        ServiceFactory(customer=customer, service_id=f"AR-X-{n:03d}")
    response = limited_client.get(reverse("services:list"), {"country": "AR", "page": 3})
    assert _ids(response) == ["AR-X-010", "AR-X-011"]
    assert "country=AR&amp;page=2" in response.content.decode()
    assert response.context["page"].paginator.count == 12


@pytest.mark.parametrize("query", [{"status": "exploded"}, {"sort": "password"}, {"country": "XX"}])
def test_list_answers_bad_filters_with_400_and_a_message(limited_client, inventory, query):
    response = limited_client.get(reverse("services:list"), query)
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_export_is_the_filtered_list_as_csv(limited_client, inventory):
    response = limited_client.get(
        reverse("services:export"), {"country": "AR", "sort": "-service_id"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="services-')
    assert "no-store" in response["Cache-Control"]
    text = response.getvalue().decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == COLUMNS
    assert [row[0] for row in rows[1:]] == ["AR-BUE-SIP-00003", "AR-BUE-IPVPN-00001"]
    sip = rows[1]
    assert sip[COLUMNS.index("product_line")] == "SIP / voice"
    assert sip[COLUMNS.index("activated_on")] == ""
    # A cell that a spreadsheet would execute is defused.
    assert sip[COLUMNS.index("notes")].startswith("'=HYPERLINK")
    assert "BR-SPO-ETH-99999" not in text


def test_export_speaks_the_users_language(limited_client, limited_user, inventory):
    limited_user.language = "es"
    limited_user.save()
    text = limited_client.get(reverse("services:export"), {"status": "active"}).getvalue().decode()
    assert "Activo" in text
    assert "Argentina" in text


def test_detail_shows_the_facts_and_the_tsc_to_call(limited_client, inventory):
    response = limited_client.get(reverse("services:detail", args=["AR-BUE-IPVPN-00001"]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Casa central" in body
    assert "100 Mbps" in body
    # R-TT-4 / R-CON-1: the Argentine TSC for data services, dialled from a tel: link.
    assert "tel:08008005383" in body
    assert "tel:+541151705383" in body


def test_detail_of_another_customers_service_is_404(limited_client, inventory):
    response = limited_client.get(reverse("services:detail", args=["BR-SPO-ETH-99999"]))
    assert response.status_code == 404
    assert "PoP Cotia secreto" not in response.content.decode()


def test_detail_offers_an_expansion_only_to_people_who_may_request(
    portal_admin_client, client, limited_user, inventory
):
    url = reverse("services:detail", args=["AR-BUE-IPVPN-00001"])
    create = reverse("services:request_create")
    assert create in portal_admin_client.get(url).content.decode()
    client.force_login(limited_user)
    assert create not in client.get(url).content.decode()


def test_a_member_without_the_services_permission_is_refused(client, customer, inventory):
    membership = MembershipFactory(customer=customer, services=Level.NONE, tickets=Level.ACT)
    client.force_login(membership.user)
    for name, args in [
        ("services:list", []),
        ("services:export", []),
        ("services:detail", ["AR-BUE-IPVPN-00001"]),
        ("services:requests", []),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 403, name


def test_navigation_shows_services_only_with_the_permission(client, customer, limited_client):
    assert reverse("services:list") in limited_client.get("/").content.decode()
    membership = MembershipFactory(customer=customer, services=Level.NONE, tickets=Level.ACT)
    client.force_login(membership.user)
    assert f'href="{reverse("services:list")}"' not in client.get("/").content.decode()


def test_list_query_count_does_not_grow_with_rows(
    limited_client, customer, django_assert_max_num_queries
):
    for n in range(30):
        ServiceFactory(customer=customer, service_id=f"AR-Q-{n:03d}")
    with django_assert_max_num_queries(12):
        assert limited_client.get(reverse("services:list")).status_code == 200
