"""The help centre and the user manual (R-POR-3): public, three languages, GET/HEAD only."""

import pytest
from django.conf import settings
from django.urls import reverse

from portal.help_articles import ARTICLES

pytestmark = pytest.mark.django_db

# language: (an article title, a phrase of that article's body, a search word with its accents
# and case changed, the slug it finds)
LANGUAGES = {
    "es": ("Abrir un ticket de falla (TT)", "Espera por el Cliente", "FACTURACION", "billing"),
    "pt-br": ("Abrir um chamado de falha (TT)", "Aguardando o cliente", "CONTESTACOES", "billing"),
    "en": ("Opening a trouble ticket", "Waiting for customer", "INVOICE AFTER", "billing"),
}


def _speak(client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_help_index_lists_every_article_and_a_search_box_without_signing_in(client, language):
    _speak(client, language)
    response = client.get(reverse("portal:help"))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'lang="{language}"' in html
    assert 'name="q"' in html
    assert 'role="search"' in html
    for article in ARTICLES:
        assert reverse("portal:help_article", args=[article.slug]) in html
        assert article.title(language) in html
    assert reverse("portal:manual") in html


def test_help_index_inside_the_portal_layout_when_signed_in(portal_admin_client):
    response = portal_admin_client.get(reverse("portal:help"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="sidenav"' in html  # the signed-in shell with its section menu
    assert "Acme Logística" in html


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_article_is_written_in_the_visitors_language(client, language):
    title, phrase, _word, _slug = LANGUAGES[language]
    _speak(client, language)
    response = client.get(reverse("portal:help_article", args=["trouble-tickets"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert title in html
    assert phrase in html
    # R-TT-4: the phone numbers are one click away, and reachable without signing in.
    assert f'href="{reverse("contacts:directory")}"' in html


def test_every_article_exists_in_every_language(client):
    for language in LANGUAGES:
        _speak(client, language)
        for article in ARTICLES:
            response = client.get(reverse("portal:help_article", args=[article.slug]))
            assert response.status_code == 200, (language, article.slug)
            assert article.title(language) in response.content.decode()


def test_articles_state_the_handbook_rules(client):
    """R-BIL-4 (the 15th is in the first range), R-ORD-1 (six touchpoints), R-CHG-2/4, R-GCR-3,
    R-POR-4 (a one-time link, never a password by e-mail)."""
    _speak(client, "en")
    pages = {
        slug: client.get(reverse("portal:help_article", args=[slug])).content.decode()
        for slug in ("billing", "orders", "standard-changes", "maintenance", "sign-in-and-security")
    }
    assert "the 15th included" in pages["billing"]
    assert "16 March" in pages["billing"]
    assert all(f"TP{n}" in pages["orders"] for n in range(1, 7))
    assert "Up to 10 sites" in pages["standard-changes"]
    assert "72 business hours" in pages["standard-changes"]
    assert "00:00 and 06:00" in pages["maintenance"]
    assert "10 calendar days" in pages["maintenance"]
    assert "one-time link" in pages["sign-in-and-security"]
    assert "never</strong> send a password by e-mail" in pages["sign-in-and-security"]


def test_article_signed_in_links_to_the_own_account_team(limited_client):
    response = limited_client.get(reverse("portal:help_article", args=["support-team"]))
    assert response.status_code == 200
    assert f'href="{reverse("portal:team")}"' in response.content.decode()


def test_unknown_article_is_404(client):
    assert client.get(reverse("portal:help_article", args=["no-such-topic"])).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        reverse("portal:help"),
        reverse("portal:help_article", args=["billing"]),
        reverse("portal:manual"),
    ],
)
def test_help_pages_refuse_post_and_answer_head(portal_admin_client, url):
    assert portal_admin_client.post(url).status_code == 405
    assert portal_admin_client.head(url).status_code == 200


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_search_ignores_case_and_accents_and_shows_a_snippet(client, language):
    _title, _phrase, word, slug = LANGUAGES[language]
    _speak(client, language)
    response = client.get(reverse("portal:help"), {"q": word})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="help-results"' in html
    assert f'href="{reverse("portal:help_article", args=[slug])}"' in html
    assert "<mark>" in html


def test_search_needs_every_word(client):
    _speak(client, "es")
    html = client.get(reverse("portal:help"), {"q": "MIGO touchpoint"}).content.decode()
    assert 'data-testid="help-no-results"' in html
    html = client.get(reverse("portal:help"), {"q": "migo factura"}).content.decode()
    assert html.count('data-testid="help-hit"') == 1


def test_search_searches_the_current_language_only(client):
    _speak(client, "en")
    html = client.get(reverse("portal:help"), {"q": "subsiguiente"}).content.decode()
    assert 'data-testid="help-no-results"' in html


def test_search_says_clearly_when_nothing_matches(client):
    _speak(client, "en")
    response = client.get(reverse("portal:help"), {"q": "zzyzx-nothing"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="help-no-results"' in html
    assert "zzyzx-nothing" in html
    assert 'data-testid="help-hit"' not in html


def test_search_escapes_the_query(client):
    response = client.get(reverse("portal:help"), {"q": "<script>alert(1)</script>"})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_empty_search_shows_the_index(client):
    response = client.get(reverse("portal:help"), {"q": "   "})
    assert response.status_code == 200
    assert 'data-testid="help-results"' not in response.content.decode()


def test_too_long_search_is_a_400_with_a_message_not_a_500(client):
    _speak(client, "en")
    response = client.get(reverse("portal:help"), {"q": "x" * 500})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Use at most 100 characters to search." in html
    assert 'data-testid="help-results"' not in html


@pytest.mark.parametrize(
    ("language", "chapter"),
    [("es", "Registro de auditoría"), ("pt-br", "Registro de auditoria"), ("en", "Audit log")],
)
def test_manual_has_a_chapter_per_portal_area_and_a_print_stylesheet(client, language, chapter):
    _speak(client, language)
    response = client.get(reverse("portal:manual"))
    html = response.content.decode()
    assert response.status_code == 200
    for anchor in (
        "sign-in",
        "dashboard",
        "services",
        "team",
        "contacts",
        "users",
        "audit",
        "profile",
        "feedback",
    ):
        assert f'id="{anchor}"' in html
        assert f'href="#{anchor}"' in html
    assert html.count('class="panel manual-chapter"') == 9
    assert chapter in html
    assert 'href="/static/css/manual-print.css" media="print"' in html
    assert "data-print" in html
    assert 'src="/static/js/help.js"' in html
    assert "<script>" not in html  # CSP: no inline script


def test_print_stylesheet_hides_the_header_and_breaks_pages_between_chapters():
    css = (settings.BASE_DIR / "static" / "css" / "manual-print.css").read_text()
    assert ".topbar" in css
    assert ".sidenav" in css
    assert ".manual-chapter { break-before: page; }" in css


def test_header_links_to_the_manual_signed_in_and_signed_out(client, portal_admin_user):
    link = f'class="topbar-link" href="{reverse("portal:manual")}"'
    assert link in client.get(reverse("portal:help")).content.decode()
    client.force_login(portal_admin_user)
    assert link in client.get(reverse("portal:dashboard")).content.decode()
