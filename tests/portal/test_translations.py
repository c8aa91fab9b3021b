"""The three catalogues (es, pt_BR, en) are complete, compiled and actually used by the pages."""

import gettext
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

LOCALE = Path(settings.BASE_DIR) / "locale"
# Directory name of each catalogue -> language code of settings.LANGUAGES.
CATALOGUES = {"es": "es", "pt_BR": "pt-br", "en": "en"}
PLURAL_FORMS = {
    "es": "nplurals=2; plural=(n != 1);",
    "pt_BR": "nplurals=2; plural=(n > 1);",
    "en": "nplurals=2; plural=(n != 1);",
}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+"(.*)"\s*$')
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


@dataclass
class Entry:
    flags: set[str] = field(default_factory=set)
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: ESCAPES[m.group(1)], text)


def parse_po(path: Path) -> list[Entry]:
    """A small .po parser: enough for what makemessages writes (no obsolete entries)."""
    entries: list[Entry] = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8").strip()):
        entry, current = Entry(), None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry.flags |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif match := KEYWORD.match(line):
                keyword, value = match.group(1), _unescape(match.group(2))
                current = keyword
                if keyword.startswith("msgstr"):
                    index = int(keyword[7:-1]) if "[" in keyword else 0
                    entry.msgstr[index] = value
                else:
                    setattr(entry, keyword, value)
            elif line.startswith('"') and current:
                value = _unescape(line.strip()[1:-1])
                if current.startswith("msgstr"):
                    index = int(current[7:-1]) if "[" in current else 0
                    entry.msgstr[index] += value
                else:
                    setattr(entry, current, getattr(entry, current) + value)
            else:
                raise AssertionError(f"{path}: cannot parse {line!r}")
        entries.append(entry)
    return entries


def _po(directory: str) -> Path:
    return LOCALE / directory / "LC_MESSAGES" / "django.po"


def _header(entries: list[Entry]) -> dict[str, str]:
    header = next(e for e in entries if e.msgid == "" and e.msgctxt is None)
    lines = [line.split(":", 1) for line in header.msgstr[0].splitlines() if ":" in line]
    return {key.strip(): value.strip() for key, value in lines}


def _messages(entries: list[Entry]) -> list[Entry]:
    return [e for e in entries if e.msgid]


@pytest.fixture(params=list(CATALOGUES))
def catalogue(request):
    return request.param


# (a) complete: nothing untranslated, nothing fuzzy, placeholders and newlines kept.


def test_catalogue_has_no_untranslated_or_fuzzy_entries(catalogue):
    entries = parse_po(_po(catalogue))
    messages = _messages(entries)
    assert messages, "empty catalogue"
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    untranslated = [e.msgid for e in messages if not all(e.msgstr.values())]
    assert fuzzy == []
    assert untranslated == []
    for entry in messages:
        expected = 2 if entry.msgid_plural is not None else 1
        assert len(entry.msgstr) == expected, entry.msgid


def test_msgfmt_reports_every_message_translated(catalogue):
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("GNU gettext msgfmt is not installed (the parser test still covers this)")
    result = subprocess.run(
        [msgfmt, "--check", "--statistics", "-o", "/dev/null", str(_po(catalogue))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr
    assert "fuzzy" not in result.stderr
    assert re.search(r"^\d+ translated messages?\.$", result.stderr.strip())


def test_catalogue_header_names_language_charset_and_plural_forms(catalogue):
    header = _header(parse_po(_po(catalogue)))
    assert header["Language"] == catalogue
    assert header["Content-Type"] == "text/plain; charset=UTF-8"
    assert header["Plural-Forms"] == PLURAL_FORMS[catalogue]


def test_translations_keep_placeholders_and_surrounding_newlines(catalogue):
    for entry in _messages(parse_po(_po(catalogue))):
        sources = [entry.msgid] if entry.msgid_plural is None else [entry.msgid, entry.msgid_plural]
        wanted = set().union(*(PLACEHOLDER.findall(source) for source in sources))
        for translated in entry.msgstr.values():
            assert set(PLACEHOLDER.findall(translated)) <= wanted, (entry.msgid, translated)
            if entry.msgid_plural is None:
                assert set(PLACEHOLDER.findall(translated)) == wanted, (entry.msgid, translated)
            assert translated.startswith("\n") == entry.msgid.startswith("\n"), entry.msgid
            assert translated.endswith("\n") == entry.msgid.endswith("\n"), entry.msgid


def test_english_catalogue_repeats_the_source_strings():
    for entry in _messages(parse_po(_po("en"))):
        if entry.msgid_plural is None:
            assert entry.msgstr == {0: entry.msgid}
        else:
            assert entry.msgstr == {0: entry.msgid, 1: entry.msgid_plural}


# (b) the compiled .mo says exactly what the .po says.


def test_compiled_catalogue_is_up_to_date_with_the_po(catalogue):
    mo = _po(catalogue).with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: run manage.py compilemessages"
    with mo.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in _messages(parse_po(_po(catalogue))):
        if entry.msgid_plural is None:
            got = (
                compiled.gettext(entry.msgid)
                if entry.msgctxt is None
                else compiled.pgettext(entry.msgctxt, entry.msgid)
            )
            if got != entry.msgstr[0]:
                stale.append(entry.msgid)
        else:
            for n, index in ((1, 0), (2, 1)):
                got = (
                    compiled.ngettext(entry.msgid, entry.msgid_plural, n)
                    if entry.msgctxt is None
                    else compiled.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
                )
                if got != entry.msgstr[index]:
                    stale.append(entry.msgid)
    assert stale == [], "compiled .mo is older than the .po: run manage.py compilemessages"


# (d) makemessages ran with --no-obsolete: no entry is kept for a string the code dropped.


def test_catalogue_has_no_obsolete_entries(catalogue):
    lines = _po(catalogue).read_text(encoding="utf-8").splitlines()
    assert [line for line in lines if line.startswith("#~")] == []


# (c) the pages speak the person's language.

EXPECTED = {
    # language: {path: strings the page shows}
    "es": {
        "/": ["Panel de control", "Su acceso", "Invitar a un usuario", "Facturación"],
        "/users/": ["Usuarios", "Invitaciones pendientes", "Último acceso"],
        "/help/": ["Temas de ayuda", "Autenticación de doble factor", "Ver y gestionar"],
        "/profile/": ["Perfil y seguridad", "Sesiones activas", "Zona horaria"],
    },
    "pt-br": {
        "/": ["Painel", "Seu acesso", "Convidar usuário", "Faturamento"],
        "/users/": ["Usuários", "Convites pendentes", "Último acesso"],
        "/help/": ["Tópicos de ajuda", "Autenticação de dois fatores", "Visualizar e gerenciar"],
        "/profile/": ["Perfil e segurança", "Sessões ativas", "Fuso horário"],
    },
    "en": {
        "/": ["Dashboard", "Your access", "Invite a user", "Billing"],
        "/users/": ["Users", "Pending invitations", "Last sign-in"],
        "/help/": ["Help topics", "Two-factor authentication", "View and act"],
        "/profile/": ["Profile and security", "Active sessions", "Timezone"],
    },
}
# English source strings that must not leak into the Spanish and Portuguese pages.
SOURCE_STRINGS = ["Your access", "Pending invitations", "Help topics", "Active sessions"]


@pytest.mark.parametrize("language", list(EXPECTED))
def test_pages_show_the_translation_of_the_persons_language(
    portal_admin_client, portal_admin_user, language
):
    portal_admin_user.language = language
    portal_admin_user.save(update_fields=["language"])
    for path, strings in EXPECTED[language].items():
        response = portal_admin_client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert f'lang="{language}"' in html, path
        for text in strings:
            assert text in html, (language, path, text)
        if language != "en":
            leaked = [text for text in SOURCE_STRINGS if f">{text}<" in html]
            assert leaked == [], (language, path)


@pytest.mark.parametrize(
    ("cookie", "dashboard"), [("es", "Panel de control"), ("pt-br", "Painel"), ("en", "Dashboard")]
)
def test_language_cookie_chooses_the_language_when_the_profile_has_none(
    portal_admin_client, portal_admin_user, cookie, dashboard
):
    portal_admin_user.language = ""
    portal_admin_user.save(update_fields=["language"])
    portal_admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = cookie
    html = portal_admin_client.get("/").content.decode()
    assert f"<title>{dashboard} ·" in html


@pytest.mark.parametrize(
    ("cookie", "title"), [("es", "Iniciar sesión"), ("pt-br", "Entrar"), ("en", "Sign in")]
)
def test_sign_in_page_is_translated_for_anonymous_visitors(client, db, cookie, title):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = cookie
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert f"<h1>{title}</h1>" in response.content.decode()


@pytest.mark.parametrize(
    ("language", "subject"),
    [
        ("es", "[Lumen] Invitación al portal de clientes de Acme"),
        ("pt-br", "[Lumen] Convite para o portal do cliente de Acme"),
        ("en", "[Lumen] You are invited to Acme's customer portal"),
    ],
)
def test_invitation_subject_is_translated(language, subject):
    context = {"customer": {"display_name": "Acme"}, "PROVIDER_NAME": "Lumen"}
    with translation.override(language):
        rendered = render_to_string("emails/portal/invitation_subject.txt", context)
    assert rendered.strip() == subject
