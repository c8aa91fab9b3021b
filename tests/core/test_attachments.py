"""The attachment policy and storage tickets and billing share: content checks, the stored row,
and the download list partial."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.utils import translation

from core.errors import DomainError
from core.lib.attachments import StoredAttachment, attachment_check, attachments_store
from tests.factories import ticket_open_for
from tickets.models import Attachment

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_a_file_is_judged_by_its_content_its_size_and_emptiness(settings):
    settings.TICKET_ATTACHMENT_MAX_MB = 1
    assert attachment_check(SimpleUploadedFile("scan.jpg", PDF)) == "application/pdf"
    with translation.override("en"):
        cases = {
            "vacio.pdf": (b"", "vacio.pdf is empty."),
            "big.pdf": (PDF + b"\x00" * 1024 * 1024, "big.pdf is larger than 1 MB."),
            "run.pdf": (b"MZ\x90\x00" + b"\x00" * 200, "run.pdf is not a file type we accept"),
        }
        for name, (content, message) in cases.items():
            with pytest.raises(DomainError, match=message) as caught:
                attachment_check(SimpleUploadedFile(name, content))
            assert caught.value.field == "attachments"


def test_the_ticket_attachment_is_a_stored_attachment():
    assert issubclass(Attachment, StoredAttachment)
    assert Attachment._meta.ordering == ["created_at", "id"]
    with translation.override("en"):
        assert str(Attachment._meta.verbose_name) == "attachment"


def test_storing_a_batch_keeps_the_content_type_and_a_name_with_its_extension(
    customer, portal_admin_user
):
    ticket = ticket_open_for(customer, portal_admin_user)
    rows = attachments_store(
        Attachment,
        [SimpleUploadedFile("captura.png.pdf", PDF), SimpleUploadedFile("informe", PDF)],
        by=portal_admin_user,
        ticket=ticket,
        internal=True,
    )
    stored = list(Attachment.objects.filter(ticket=ticket).order_by("id"))
    assert stored == rows
    assert [(row.filename, row.content_type, row.internal) for row in stored] == [
        ("captura.png.pdf", "application/pdf", True),
        ("informe.pdf", "application/pdf", True),
    ]
    assert all(row.uploaded_by == portal_admin_user and row.size == len(PDF) for row in stored)
    assert str(stored[1]) == "informe.pdf"
    assert "informe" not in stored[1].file.name  # a generated name, never the uploaded one


def test_the_partial_lists_downloads_through_the_view_it_is_given(customer, portal_admin_user):
    ticket = ticket_open_for(customer, portal_admin_user)
    [row] = attachments_store(
        Attachment, [SimpleUploadedFile("a.pdf", PDF)], by=portal_admin_user, ticket=ticket
    )
    html = render_to_string(
        "_attachments.html",
        {
            "files": [row],
            "url_name": "tickets:attachment",
            "owner": ticket.number,
        },
    )
    assert f'href="/tickets/{ticket.number}/files/{row.reference}/" download>a.pdf<' in html
    assert 'class="attachment-list"' in html
    assert "<ul" not in render_to_string("_attachments.html", {"files": []})
