"""contacts.selectors.tsc_card: which TSC number a customer calls for a service (R-TEAM-8,
R-TT-1, R-TT-4, R-CON-1), and the _tsc_card.html partial other areas include."""

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from contacts.models import SupportLine
from contacts.selectors import (
    billing_contact,
    po_address,
    tsc_card,
    tsc_card_for_country,
    tsc_card_for_service,
)
from core.models import ProductLine

pytestmark = pytest.mark.django_db

# (product line, managed) -> service line
MAPPING = [
    ("internet", False, "data"),
    ("ip_vpn", False, "data"),
    ("sd_wan", False, "data"),
    ("cloud_connect", False, "data"),
    ("colocation", False, "data"),
    ("internet", True, "network_management"),
    ("sd_wan", True, "network_management"),
    ("colocation", True, "network_management"),
    ("voice", False, "voice"),
    ("contact_centre", False, "voice"),
    ("voice", True, "managed_voice"),
    ("contact_centre", True, "managed_voice"),
    ("cdn", False, "cdn"),
    ("cdn", True, "cdn"),
    ("ucc", False, "video_collaboration"),
    ("managed", False, "network_management"),
    ("vyvx", False, "vyvx"),
]


def _numbers(card):
    return [n.href for n in card.toll_free], [n.href for n in card.local]


def test_every_product_line_is_mapped():
    assert {row[0] for row in MAPPING} == set(ProductLine.values)


@pytest.mark.parametrize(("product_line", "managed", "service_line"), MAPPING)
def test_a_country_with_one_general_line_answers_every_product_line(
    product_line, managed, service_line
):
    card = tsc_card(country="AR", product_line=product_line, managed=managed)
    assert card.service_line == service_line
    assert _numbers(card) == (["tel:08008005383"], ["tel:+541151705383"])
    assert not card.is_fallback
    assert str(card.country_label) == "Argentina"


@pytest.mark.parametrize(
    ("product_line", "managed", "toll_free", "local"),
    [
        ("internet", False, ["tel:+18004677288"], ["tel:+13058086010"]),
        ("managed", False, ["tel:+18004677288"], ["tel:+13058086010"]),
        ("ucc", False, ["tel:+18004677288"], ["tel:+13058086010"]),
        ("vyvx", False, [], ["tel:+551139572288"]),
    ],
)
def test_the_united_states_lines_by_service(product_line, managed, toll_free, local):
    card = tsc_card(country="US", product_line=product_line, managed=managed)
    assert _numbers(card) == (toll_free, local)
    assert not card.is_fallback


def test_vyvx_in_the_united_states_says_option_4():
    card = tsc_card(country="US", product_line="vyvx", managed=False)
    assert [n.menu_option for n in card.local] == [4]
    with translation.override("en"):
        html = render_to_string("contacts/_tsc_card.html", {"card": card})
    assert "option 4" in html


def test_venezuela_has_a_line_per_service_and_four_local_numbers_for_data():
    data = tsc_card(country="VE", product_line="internet", managed=False)
    assert _numbers(data) == (
        ["tel:08002858300"],
        ["tel:+582122049378", "tel:+582126009800", "tel:+582122049351", "tel:+582122049364"],
    )
    voice = tsc_card(country="VE", product_line="voice", managed=True)
    assert _numbers(voice) == ([], ["tel:+582122049306"])
    vyvx = tsc_card(country="VE", product_line="vyvx", managed=False)
    assert _numbers(vyvx) == (["tel:08001341064"], ["tel:+551139572288"])


def test_a_service_line_the_country_lacks_falls_back_to_the_countrys_general_line():
    """Venezuela's handbook rows have no Network Management line."""
    card = tsc_card(country="VE", product_line="managed", managed=False)
    assert card.fallback == "country"
    assert _numbers(card)[0] == ["tel:08002858300"]
    with translation.override("en"):
        html = render_to_string("contacts/_tsc_card.html", {"card": card})
    assert "general TSC line" in html


def test_a_country_without_lines_falls_back_to_the_regional_centre():
    SupportLine.objects.filter(countries=["CL"]).delete()
    card = tsc_card(country="CL", product_line="internet", managed=False)
    assert card.is_regional
    assert _numbers(card) == (["tel:+18004677288"], ["tel:+13058086010"])
    with translation.override("en"):
        html = render_to_string("contacts/_tsc_card.html", {"card": card})
    assert "Regional centre" in html
    managed = tsc_card(country="CL", product_line="managed", managed=False)
    assert managed.is_regional
    assert managed.service_line == "network_management"


def test_a_line_without_numbers_yet_is_no_cards_line_and_a_card_is_one_query(
    django_assert_num_queries,
):
    """A row staff are still setting up (no number yet) would give a card with nothing to call:
    the card names the next line that has numbers. The directory and its numbers are one read."""
    chile = SupportLine.objects.get(countries=["CL"])
    chile.numbers.all().delete()

    with django_assert_num_queries(1):
        card = tsc_card(country="CL", product_line="internet", managed=False)

    assert card.is_regional
    assert _numbers(card) == (["tel:+18004677288"], ["tel:+13058086010"])


def test_an_unknown_or_empty_country_gets_the_regional_centre():
    card = tsc_card(country="", product_line="voice", managed=False)
    assert card.is_regional
    assert _numbers(card)[1] == ["tel:+13058086010"]


def test_the_services_country_wins_over_the_customers(customer):
    from core.models import Service

    service = Service(
        customer=customer, service_id="X-1", product_line="internet", country="MX", managed=False
    )
    assert _numbers(tsc_card_for_service(service))[0] == ["tel:8009991422"]
    service.country = ""
    assert _numbers(tsc_card_for_service(service))[0] == ["tel:08008005383"]  # Acme is in AR


def test_tsc_card_for_country_is_the_main_line():
    assert _numbers(tsc_card_for_country("BR")) == (["tel:08008873333"], ["tel:+551139572288"])
    ve = tsc_card_for_country("VE")
    assert ve.service_line == "data"
    assert len(ve.local) == 4
    us = tsc_card_for_country("US")
    assert _numbers(us) == (["tel:+18004677288"], ["tel:+13058086010"])
    assert not us.is_fallback


def test_tsc_card_is_none_only_when_the_directory_is_empty():
    SupportLine.objects.all().delete()
    assert tsc_card(country="AR", product_line="internet", managed=False) is None
    assert tsc_card_for_country("AR") is None


def test_the_partial_renders_the_numbers_and_asks_for_the_service_id():
    card = tsc_card(country="PE", product_line="internet", managed=False)
    with translation.override("en"):
        html = render_to_string("contacts/_tsc_card.html", {"card": card})
    assert "Report a fault 24x7 to the Technical Service Center" in html
    assert 'href="tel:080070662"' in html
    assert 'href="tel:+5117055777"' in html
    assert "Quote the service id" in html
    assert 'href="/contacts/"' in html


def test_the_partial_without_a_card_links_to_the_directory():
    with translation.override("en"):
        html = render_to_string("contacts/_tsc_card.html", {"card": None})
    assert 'href="/contacts/"' in html
    assert "tel:" not in html


def test_billing_contact_and_po_address_by_country():
    assert billing_contact("AR").toll_free.href == "tel:08008005853"
    assert billing_contact("PA").local.href == "tel:+13058086010"
    assert po_address("BR").email == "BRA-billing@lumen.com"
    assert po_address("VE").email == "Ven-grp-facturacion@lumen.com"
    assert po_address("MX").email == "Pre-Requisitos_LATAM@lumen.com"
    assert billing_contact("XX") is None
