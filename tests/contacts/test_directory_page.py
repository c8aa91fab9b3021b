"""The public contact directory /contacts/ (R-CON-1..3, R-TT-4, R-BIL-3, R-BIL-5)."""

import pytest
from django.urls import reverse

URL = "/contacts/"


def _sections(response) -> list[str]:
    return [section.code for section in response.context["sections"]]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("headers", "cookies", "heading", "toll_free"),
    [
        ({"Accept-Language": "es"}, {}, "Directorio de contactos", "Línea gratuita"),
        ({"Accept-Language": "en"}, {}, "Contact directory", "Toll-free"),
        (
            {"Accept-Language": "en"},
            {"portal_language": "pt-br"},
            "Diretório de contatos",
            "Gratuito",
        ),
    ],
)
def test_anonymous_visitors_see_the_tsc_numbers_without_signing_in(
    client, headers, cookies, heading, toll_free
):
    """R-TT-4: when the portal is down customers still need the TSC numbers."""
    for name, value in cookies.items():
        client.cookies[name] = value
    response = client.get(URL, headers=headers)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{response.wsgi_request.LANGUAGE_CODE}">' in html
    assert heading in html
    assert toll_free in html
    assert 'href="tel:08008005383"' in html  # Argentina TSC toll-free, dialled nationally
    assert 'href="tel:+541151705383"' in html
    assert 'href="tel:+582122049306"' in html  # Venezuela managed voice (+212 corrected)
    assert "0800 800 5853" in html  # Argentina's billing toll-free (different from the TSC's)
    assert "Pre-Requisitos_LATAM@lumen.com" in html
    assert len(_sections(response)) == 11


@pytest.mark.django_db
def test_service_lines_are_translated(client):
    html = client.get(URL, headers={"Accept-Language": "pt-br"}).content.decode()
    assert "Dados, Voz, CDN" in html
    html = client.get(URL, headers={"Accept-Language": "es"}).content.decode()
    assert "Datos, Voz, CDN" in html


@pytest.mark.django_db
def test_filter_by_country_shows_only_that_country(client):
    response = client.get(URL, {"country": "VE"})
    assert response.status_code == 200
    assert _sections(response) == ["VE"]
    html = response.content.decode()
    for number in ("+582122049378", "+582126009800", "+582122049351", "+582122049364"):
        assert f'href="tel:{number}"' in html
    assert 'href="tel:08008005383"' not in html
    assert [o.country for o in response.context["offices"]] == ["VE"]


@pytest.mark.django_db
def test_costa_rica_which_the_portal_does_not_serve_has_the_regional_numbers(client):
    response = client.get(URL, {"country": "CR"})
    assert _sections(response) == ["CR"]
    html = response.content.decode()
    assert 'href="tel:+18004677288"' in html
    assert 'href="tel:+13058086010"' in html
    assert "Control Center" in html


@pytest.mark.django_db
def test_need_billing_shows_billing_numbers_portal_and_po_address_but_no_tsc_lines(client):
    response = client.get(URL, {"country": "BR", "need": "billing"})
    html = response.content.decode()
    section = response.context["sections"][0]
    assert section.tsc == []
    assert section.billing.toll_free_printed == "0800 887 3333"
    assert "BRA-billing@lumen.com" in html
    assert 'data-testid="tsc-row"' not in html
    assert 'data-testid="billing-phones"' in html


@pytest.mark.django_db
def test_need_fault_shows_only_tsc_lines(client):
    response = client.get(URL, {"country": "AR", "need": "fault"})
    html = response.content.decode()
    assert 'href="tel:08008005383"' in html
    assert "0800 800 5853" not in html  # the billing number
    assert "Pre-Requisitos_LATAM@lumen.com" not in html


@pytest.mark.django_db
def test_need_managed_shows_the_lines_for_managed_services(client):
    response = client.get(URL, {"country": "VE", "need": "managed"})
    (section,) = response.context["sections"]
    assert [line.description_printed for line in section.tsc] == [
        "Managed Voice, Managed Video, Enhanced Video Collaboration"
    ]
    response = client.get(URL, {"country": "US", "need": "managed"})
    (section,) = response.context["sections"]
    assert [line.service_lines[0] for line in section.tsc] == ["network_management"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params", [{"country": "XX"}, {"need": "everything"}, {"country": ["AR", "<script>"]}]
)
def test_unknown_filter_values_are_a_400_with_a_message_and_the_whole_directory(client, params):
    response = client.get(URL, params)
    assert response.status_code == 400
    assert (
        "Ese filtro no es válido: se muestra el directorio completo." in response.content.decode()
    )
    assert len(_sections(response)) == 11
    assert "<script>" not in response.content.decode().split("<main", 1)[1].split("</main>")[0]


@pytest.mark.django_db
def test_post_is_refused_with_405_and_head_is_allowed(client):
    assert client.post(URL).status_code == 405
    assert client.head(URL).status_code == 200
    assert client.put(URL).status_code == 405


@pytest.mark.django_db
def test_signed_in_members_get_their_customers_country_preselected(client, other_user):
    """Globex is a Brazilian customer."""
    client.force_login(other_user)
    response = client.get(URL)
    assert response.status_code == 200
    assert _sections(response) == ["BR"]
    assert '<option value="BR" selected>' in response.content.decode()
    assert 'href="/contacts/"' in response.content.decode()  # the portal's navigation shows


@pytest.mark.django_db
def test_signed_in_members_can_still_ask_for_all_countries(client, other_user):
    client.force_login(other_user)
    response = client.get(URL, {"country": ""})
    assert len(_sections(response)) == 11


@pytest.mark.django_db
def test_the_page_has_a_csp_safe_print_button_and_the_offices(client):
    html = client.get(URL).content.decode()
    assert "data-print" in html
    assert "/static/js/contacts.js" in html
    assert "<script>" not in html
    assert "onclick" not in html
    assert "Cotia" in html
    assert "Morumbi" in html
    assert 'href="tel:+576016119000"' in html  # Colombia office, today's Bogotá code


@pytest.mark.django_db
def test_the_url_name_is_contacts_directory():
    assert reverse("contacts:directory") == URL
