"""The request body limit (issue 13, item 4; review finding I1): a body over REQUEST_BODY_MAX_MB
is refused while it streams in, before Django spools it to FILE_UPLOAD_TEMP_DIR, wherever it is
sent (CsrfViewMiddleware parses every POST before sign-in), with a translated 413 page.

The streaming tests drive Django's real WSGI handler with a body produced on demand, and
measure what was read from the socket and the most that was ever on disk while it was read."""

import html
import io
import os
from pathlib import Path

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory
from django.urls import reverse

from tests.factories import ServiceFactory, ticket_open_for
from tickets.models import Attachment, Message

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
BOUNDARY = "----portal-upload-limit-test"
CSRF_SECRET = "a" * 32  # a well-formed cookie secret: CsrfViewMiddleware reads the body for it
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


def _disk_usage(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


class _Body(io.RawIOBase):
    """A multipart body of `size` bytes made while it is read, like a slow client's upload. It
    counts what the server read and, every MB, how much of it is on disk in the spool folder."""

    def __init__(self, size: int, spool: Path, field: str = "attachments"):
        self.head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"; '
            'filename="capture.log"\r\nContent-Type: text/plain\r\n\r\n'
        ).encode()
        self.size, self.spool = size, spool
        self.read_bytes = 0
        self.most_on_disk = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        wanted = min(len(buffer), self.size - self.read_bytes)
        if wanted <= 0:
            return 0
        start = self.read_bytes
        data = (self.head[start : start + wanted] if start < len(self.head) else b"").ljust(
            wanted, b"x"
        )
        buffer[:wanted] = data
        before = self.read_bytes // MB
        self.read_bytes += wanted
        if self.read_bytes // MB != before:
            self.most_on_disk = max(self.most_on_disk, _disk_usage(self.spool))
        return wanted


def _pdf(padding: int) -> bytes:
    """A PDF of about `padding` bytes (a comment line inside it keeps %%EOF at the end)."""
    return PDF[:9] + b"%" + b"0" * padding + b"\n" + PDF[9:]


def _send(path: str, body: _Body, cookies: dict[str, str]) -> tuple[int, str]:
    environ = RequestFactory()._base_environ(  # type: ignore[attr-defined]  # the test client's own
        PATH_INFO=path,
        REQUEST_METHOD="POST",
        CONTENT_TYPE=f"multipart/form-data; boundary={BOUNDARY}",
        CONTENT_LENGTH=str(body.size),
        HTTP_COOKIE="; ".join(f"{name}={value}" for name, value in cookies.items()),
        HTTP_ACCEPT_LANGUAGE="es",
    )
    environ["wsgi.input"] = io.BufferedReader(body, buffer_size=64 * 1024)
    status = []
    # As Django's test client does: the test's database connection stays open.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = WSGIHandler()(environ, lambda code, headers, exc=None: status.append(code))  # type: ignore[arg-type]  # Django never calls write()
        page = b"".join(response).decode()
        response.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return int(status[0].split()[0]), page


@pytest.fixture
def spool(settings, tmp_path):
    """A small, watched FILE_UPLOAD_TEMP_DIR; files above 64 KB go to it, as big ones would."""
    folder = tmp_path / "spool"
    folder.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(folder)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    settings.REQUEST_BODY_MAX_MB = 1
    return folder


@pytest.fixture
def ticket(customer, portal_admin_user):
    return ticket_open_for(customer, portal_admin_user, service=ServiceFactory(customer=customer))


def test_an_anonymous_body_far_over_the_limit_is_refused_before_it_is_read(client, spool):
    """The review's I1: a CSRF cookie from the sign-in page, then a huge multipart POST to the
    first public URL. CsrfViewMiddleware parses it before anything else runs."""
    body = _Body(256 * MB, spool)

    status, page = _send(reverse("portal:language_set"), body, {"csrftoken": CSRF_SECRET})

    assert status == 413
    assert "Demasiado grande para enviar" in page
    assert body.read_bytes < 64 * 1024, body.read_bytes
    assert body.most_on_disk == 0
    assert not any(spool.iterdir())


def test_a_members_reply_far_over_the_limit_is_refused_and_nothing_is_stored(
    client, portal_admin_user, ticket, spool
):
    client.force_login(portal_admin_user)
    cookies = {"sessionid": client.cookies["sessionid"].value, "csrftoken": CSRF_SECRET}
    body = _Body(256 * MB, spool)

    status, page = _send(reverse("tickets:reply", args=[ticket.number]), body, cookies)

    assert status == 413
    assert body.read_bytes < 64 * 1024, body.read_bytes
    assert body.most_on_disk == 0
    assert not Message.objects.filter(ticket=ticket, kind=Message.Kind.PUBLIC).exists()
    assert not Attachment.objects.exists()


def test_the_413_page_says_what_to_do_in_the_readers_language(
    client, portal_admin_user, ticket, spool
):
    portal_admin_user.language = "es"
    portal_admin_user.save()
    client.force_login(portal_admin_user)
    big = io.BytesIO(_pdf(2 * MB))
    big.name = "capture.pdf"
    url = reverse("tickets:reply", args=[ticket.number])

    spanish = client.post(url, {"body": "See the capture", "attachments": [big]})

    assert spanish.status_code == 413
    page = spanish.content.decode()
    assert "Demasiado grande para enviar" in page
    assert "Lo que envió supera 1 MB" in page
    assert 'data-testid="too-large"' in page
    assert not Message.objects.filter(body="See the capture").exists()
    big.seek(0)
    portal_admin_user.language = "en"
    portal_admin_user.save()
    english = client.post(url, {"body": "See the capture", "attachments": [big]})
    assert english.status_code == 413
    assert "What you sent is larger than 1 MB" in english.content.decode()


def test_a_body_within_the_limit_is_accepted_as_before(client, portal_admin_user, ticket, spool):
    client.force_login(portal_admin_user)
    near = io.BytesIO(_pdf(MB - 64 * 1024))
    near.name = "capture.pdf"

    response = client.post(
        reverse("tickets:reply", args=[ticket.number]), {"body": "Capture", "attachments": [near]}
    )

    assert response.status_code == 302
    assert ticket.attachments.get().size == len(_pdf(MB - 64 * 1024))


def test_form_fields_over_their_limit_get_the_413_page_not_a_500(
    client, portal_admin_user, ticket, settings
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    portal_admin_user.language = "es"
    portal_admin_user.save()
    client.force_login(portal_admin_user)

    response = client.post(reverse("tickets:reply", args=[ticket.number]), {"body": "x" * 20_000})

    assert response.status_code == 413
    assert "Demasiado grande para enviar" in response.content.decode()


def test_the_handler_also_stops_a_body_longer_than_it_declared(settings):
    """Belt and braces for servers that pass more than Content-Length: the files received are
    counted as they come."""
    from core.lib.uploads import BodyLimitUploadHandler, RequestTooLarge

    settings.REQUEST_BODY_MAX_MB = 1
    handler = BodyLimitUploadHandler()
    assert handler.handle_raw_input(None, {}, MB, b"x") is None
    handler.receive_data_chunk(b"x" * (MB // 2), 0)
    with pytest.raises(RequestTooLarge):
        handler.receive_data_chunk(b"x" * (MB // 2 + 1), MB // 2)


def test_the_default_limit_fits_ten_attachments_of_the_largest_size(settings):
    """README: REQUEST_BODY_MAX_MB defaults to 10 x TICKET_ATTACHMENT_MAX_MB + 5."""
    if "REQUEST_BODY_MAX_MB" in os.environ or "TICKET_ATTACHMENT_MAX_MB" in os.environ:
        pytest.skip("the environment sets the limits")
    from portal import settings as portal_settings

    assert portal_settings.REQUEST_BODY_MAX_MB == 105
    assert portal_settings.FILE_UPLOAD_HANDLERS[0] == "core.lib.uploads.BodyLimitUploadHandler"


# --- Text typed in a form (QA review): its own limit, its own page, and a form error first ----

ROUTER_LOG_LINE = "2026-12-07 03:12:44 ge-0/0/1 link down (LOS) · BGP 203.0.113.1 Idle -> Active\n"


@pytest.mark.parametrize("encoding", ["multipart", "urlencoded"])
def test_text_over_the_fields_limit_gets_a_413_page_about_the_text(
    client, portal_admin_user, ticket, encoding
):
    """A 3 MB router log pasted into a reply is over DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB, the
    default), not over the 105 MB body limit: the page says so, and what to do instead."""
    from django.conf import settings

    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 2_621_440
    portal_admin_user.language = "es"
    portal_admin_user.save()
    client.force_login(portal_admin_user)
    log = ROUTER_LOG_LINE * (3 * MB // len(ROUTER_LOG_LINE))
    url = reverse("tickets:reply", args=[ticket.number])

    if encoding == "multipart":
        response = client.post(url, {"body": log})
    else:
        from urllib.parse import urlencode

        response = client.post(
            url, urlencode({"body": log}), content_type="application/x-www-form-urlencoded"
        )

    assert response.status_code == 413
    page = html.unescape(response.content.decode()).replace("\xa0", " ")
    assert "El texto escrito en el formulario supera 2,5 MB" in page, page
    assert "adjúntelos como archivo .txt o .log" in page
    assert "105 MB" not in page
    assert "Cada archivo" not in page
    assert not Message.objects.filter(ticket=ticket, kind=Message.Kind.PUBLIC).exists()

    portal_admin_user.language = "en"
    portal_admin_user.save()
    english = html.unescape(client.post(url, {"body": log}).content.decode()).replace("\xa0", " ")
    assert "The text typed in the form is larger than 2.5 MB" in english
    assert "attach them as a .txt or .log file" in english


def test_files_over_the_body_limit_still_get_the_page_about_files(
    client, portal_admin_user, ticket, spool
):
    portal_admin_user.language = "en"
    portal_admin_user.save()
    client.force_login(portal_admin_user)
    big = io.BytesIO(_pdf(2 * MB))
    big.name = "capture.pdf"

    response = client.post(
        reverse("tickets:reply", args=[ticket.number]), {"body": "Capture", "attachments": [big]}
    )

    assert response.status_code == 413
    page = response.content.decode()
    assert "What you sent is larger than 1 MB" in page
    assert "Each file may be up to 10 MB" in page
    assert "text typed in the form" not in page
