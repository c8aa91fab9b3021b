"""The help centre's articles (R-POR-3): titles and summaries per language; the bodies are
templates under templates/portal/help/articles/<language>/<slug>.html.

Long prose lives in per-language templates instead of gettext msgids; Spanish is the fallback.
"""

import html
import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import strip_tags

FALLBACK_LANGUAGE = "es"
LANGUAGES = ("es", "pt-br", "en")
SEARCH_MAX_LENGTH = 100
_SNIPPET_RADIUS = 90


@dataclass(frozen=True)
class Article:
    slug: str
    titles: dict[str, str]
    summaries: dict[str, str]

    def title(self, language: str) -> str:
        return self.titles.get(language) or self.titles[FALLBACK_LANGUAGE]

    def summary(self, language: str) -> str:
        return self.summaries.get(language) or self.summaries[FALLBACK_LANGUAGE]

    def template(self, language: str) -> str:
        return f"portal/help/articles/{language}/{self.slug}.html"


ARTICLES = (
    Article(
        "support-team",
        {
            "es": "Quién es quién: su equipo de soporte",
            "pt-br": "Quem é quem: sua equipe de suporte",
            "en": "Who does what: your support team",
        },
        {
            "es": "Account manager, sales engineers, CCM, service manager, Billing Customer "
            "Care, TSC/NOC y dónde ver su propio equipo.",
            "pt-br": "Account manager, sales engineers, CCM, service manager, Billing Customer "
            "Care, TSC/NOC e onde ver a sua própria equipe.",
            "en": "Account manager, sales engineers, CCM, service manager, Billing Customer "
            "Care, the TSC/NOC and where to see your own team.",
        },
    ),
    Article(
        "trouble-tickets",
        {
            "es": "Abrir un ticket de falla (TT)",
            "pt-br": "Abrir um chamado de falha (TT)",
            "en": "Opening a trouble ticket",
        },
        {
            "es": "Qué necesita el TSC, el estado «Espera por el Cliente» y qué hacer si el "
            "portal no está disponible.",
            "pt-br": "O que o TSC precisa, o status «Aguardando o cliente» e o que fazer se o "
            "portal estiver fora do ar.",
            "en": "What the TSC needs, the “waiting for customer” status and what to do when "
            "the portal is down.",
        },
    ),
    Article(
        "orders",
        {
            "es": "Sus pedidos y los seis touchpoints",
            "pt-br": "Seus pedidos e os seis touchpoints",
            "en": "Your orders and the six touchpoints",
        },
        {
            "es": "TP1 a TP6: qué recibe desde que se procesa el pedido hasta la conexión, y "
            "cómo consultar el estado.",
            "pt-br": "TP1 a TP6: o que você recebe desde o processamento do pedido até a "
            "conexão, e como consultar o status.",
            "en": "TP1 to TP6: what you receive from order processing to connection, and how "
            "to check an order's status.",
        },
    ),
    Article(
        "standard-changes",
        {
            "es": "Cambios estándar en sus servicios",
            "pt-br": "Mudanças padrão nos seus serviços",
            "en": "Standard changes to your services",
        },
        {
            "es": "El catálogo, hasta 10 sitios, 72 horas hábiles de análisis, ventana "
            "prestablecida y qué hacer si su cambio no está en la lista.",
            "pt-br": "O catálogo, até 10 sites, 72 horas úteis de análise, janela "
            "pré-definida e o que fazer se a sua mudança não estiver na lista.",
            "en": "The catalog, up to 10 sites, 72 business hours of analysis, a preset "
            "window and what to do when your change is not on the list.",
        },
    ),
    Article(
        "maintenance",
        {
            "es": "Mantenimientos programados (GCR)",
            "pt-br": "Manutenções programadas (GCR)",
            "en": "Scheduled maintenance (GCR)",
        },
        {
            "es": "Ventana de 00:00 a 06:00, aviso con 10 días, emergencias y contactos de "
            "notificación al día.",
            "pt-br": "Janela das 00:00 às 06:00, aviso com 10 dias, emergências e contatos de "
            "notificação atualizados.",
            "en": "A 00:00-06:00 window, 10 days' notice, emergencies and up-to-date "
            "notification contacts.",
        },
    ),
    Article(
        "billing",
        {
            "es": "Facturación: consultas, disputas y cambios de datos",
            "pt-br": "Faturamento: consultas, contestações e alteração de dados",
            "en": "Billing: inquiries, disputes and billing data changes",
        },
        {
            "es": "Billing Customer Care, la opción Consulta, la regla del día 15 con un "
            "ejemplo y los números de PO/HES/MIGO.",
            "pt-br": "Billing Customer Care, a opção Consulta, a regra do dia 15 com um "
            "exemplo e os números de PO/HES/MIGO.",
            "en": "Billing Customer Care, the Consulta option, the day-15 rule with an example "
            "and PO/HES/MIGO numbers.",
        },
    ),
    Article(
        "sign-in-and-security",
        {
            "es": "Contraseña y doble factor",
            "pt-br": "Senha e dois fatores",
            "en": "Password and two-factor authentication",
        },
        {
            "es": "Restablecer la contraseña con un enlace de un solo uso y proteger su cuenta "
            "con doble factor.",
            "pt-br": "Redefinir a senha com um link de uso único e proteger a sua conta com "
            "dois fatores.",
            "en": "Reset your password with a one-time link and protect your account with "
            "two-factor authentication.",
        },
    ),
    Article(
        "users-and-permissions",
        {
            "es": "Administrar usuarios y permisos",
            "pt-br": "Administrar usuários e permissões",
            "en": "Managing users and permissions",
        },
        {
            "es": "Para administradores del portal: invitar, niveles por área, desactivar, el "
            "último administrador y el registro de auditoría.",
            "pt-br": "Para administradores do portal: convidar, níveis por área, desativar, o "
            "último administrador e o registro de auditoria.",
            "en": "For portal administrators: invite, per-area levels, deactivate, the last "
            "administrator rule and the audit log.",
        },
    ),
    Article(
        "services",
        {
            "es": "Mis Servicios y solicitudes de ampliación",
            "pt-br": "Meus Serviços e solicitações de ampliação",
            "en": "My Services and expansion requests",
        },
        {
            "es": "El inventario de sus servicios, sus detalles y cómo pedir una ampliación.",
            "pt-br": "O inventário dos seus serviços, os detalhes e como pedir uma ampliação.",
            "en": "The inventory of your services, their details and how to ask for an expansion.",
        },
    ),
    Article(
        "customers-language-timezone",
        {
            "es": "Varios clientes, idioma y zona horaria",
            "pt-br": "Vários clientes, idioma e fuso horário",
            "en": "Several customers, language and timezone",
        },
        {
            "es": "Cambiar de cliente, elegir el idioma del portal y ver las horas en su zona.",
            "pt-br": "Trocar de cliente, escolher o idioma do portal e ver os horários no seu "
            "fuso.",
            "en": "Switch customers, choose the portal's language and see times in your zone.",
        },
    ),
)

_BY_SLUG = {article.slug: article for article in ARTICLES}


def current_language() -> str:
    language = (translation.get_language() or FALLBACK_LANGUAGE).lower()
    return language if language in LANGUAGES else FALLBACK_LANGUAGE


def article_get(slug: str) -> Article | None:
    return _BY_SLUG.get(slug)


def _fold(text: str) -> str:
    """Case- and accent-insensitive form of one character or a string."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _plain_text(article: Article, language: str) -> str:
    body: str = render_to_string(
        article.template(language), {"PROVIDER_NAME": settings.PROVIDER_NAME}
    )
    # A heading or a list item ends a sentence in a snippet too.
    body = re.sub(r"(?<![.:;!?])\s*</(h2|h3|dt|li)>", ".", body)
    text = html.unescape(strip_tags(body))
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class SearchHit:
    article: Article
    title: str
    before: str
    match: str
    after: str


def _snippet(text: str, term: str) -> tuple[str, str, str]:
    """The words around the first occurrence of `term` (already folded) in `text`."""
    folded, positions = [], []
    for index, char in enumerate(text):
        for folded_char in _fold(char):
            folded.append(folded_char)
            positions.append(index)
    found = "".join(folded).find(term)
    if found < 0:
        return text[: 2 * _SNIPPET_RADIUS], "", ""
    start, end = positions[found], positions[found + len(term) - 1] + 1
    left = max(0, start - _SNIPPET_RADIUS)
    right = min(len(text), end + _SNIPPET_RADIUS)
    if left:  # whole words only
        space = text.find(" ", left, start)
        left = space + 1 if space >= 0 else start
    if right < len(text):
        space = text.rfind(" ", end, right)
        right = space if space >= 0 else end
    before = ("… " if left else "") + text[left:start].lstrip()
    after = text[end:right].rstrip() + (" …" if right < len(text) else "")
    return before, text[start:end], after


def articles_search(query: str, *, language: str) -> list[SearchHit]:
    """Articles of `language` holding every word of `query` (case and accents ignored)."""
    terms = [_fold(word) for word in query.split()]
    scored: list[tuple[int, int, int, SearchHit]] = []
    for article in ARTICLES:
        title = article.title(language)
        body = _plain_text(article, language)
        text = f"{title}. {article.summary(language)}. {body}"
        folded = _fold(text)
        if terms and all(term in folded for term in terms):
            source = body if terms[0] in _fold(body) else text
            hit = SearchHit(article, title, *_snippet(source, terms[0]))
            in_title = sum(term in _fold(title) for term in terms)
            scored.append((-in_title, -sum(folded.count(term) for term in terms), len(scored), hit))
    return [hit for *_rank, hit in sorted(scored)]
