"""Uploads that cannot hurt the person who opens them (issue 13, item 4).

Two guards for every area that accepts files:
- The request body limit. CsrfViewMiddleware parses the body of every POST before anybody is
  signed in, and Django spools file parts to FILE_UPLOAD_TEMP_DIR while it parses. A multipart
  body larger than REQUEST_BODY_MAX_MB is therefore refused by BodyLimitUploadHandler before
  one byte of it is read (under WSGI the declared Content-Length bounds what is read at all),
  and the bytes are counted as they come in case a server passes a body longer than declared.
  The 413 page comes from portal.views.errors. Form fields without files are capped by
  DATA_UPLOAD_MAX_MEMORY_SIZE, also before they are read.
- The content check. What a file is comes from its bytes, never from its name: the stored type
  and the download's extension (portal.downloads) follow from it. Text that a computer would run
  (HTML, SVG, HTA, scripts) is refused although it is text, and so are those names; Word and
  Excel files are opened as the ZIP archives they are and their members listed (with caps on
  their number and size), so that macros, embedded programs and other archives are refused.
  Nothing is decompressed but the archive's small content-type list.
"""

import codecs
import os
import re
import zipfile
import zlib

import filetype
from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _

from portal.errors import DomainError

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
GIF = "image/gif"
WEBP = "image/webp"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PCAP = "application/vnd.tcpdump.pcap"
TEXT = "text/plain"

# The extension a download gets for each type we store; anything else is served as .bin.
EXTENSIONS = {
    PDF: "pdf",
    PNG: "png",
    JPEG: "jpg",
    GIF: "gif",
    WEBP: "webp",
    DOCX: "docx",
    XLSX: "xlsx",
    PCAP: "pcap",
    TEXT: "txt",
}
_IMAGES = {PNG, JPEG, GIF, WEBP}

# Names that say "run me" on the reader's computer, refused whatever the content.
SCRIPT_EXTENSIONS = frozenset(
    [
        "htm",
        "html",
        "xhtml",
        "xht",
        "shtml",
        "mht",
        "mhtml",
        "svg",
        "svgz",
        "hta",
        "js",
        "jse",
        "mjs",
        "cjs",
        "vbs",
        "vbe",
        "wsf",
        "wsh",
        "wsc",
        "sct",
        "ps1",
        "psm1",
        "psd1",
        "ps1xml",
        "bat",
        "cmd",
        "reg",
        "scf",
        "url",
        "inf",
    ]
)
MACRO_EXTENSIONS = frozenset(
    ["docm", "dotm", "xlsm", "xltm", "xlam", "xlsb", "pptm", "potm", "ppam", "ppsm", "sldm"]
)
# Members of an Office archive that are programs, not documents.
_PROGRAM_MEMBERS = frozenset(
    [
        "exe",
        "dll",
        "scr",
        "com",
        "pif",
        "cpl",
        "msi",
        "msp",
        "lnk",
        "jar",
        "ocx",
        "sys",
        "drv",
        "hta",
        "js",
        "jse",
        "vbs",
        "vbe",
        "wsf",
        "ps1",
        "bat",
        "cmd",
    ]
)

_PCAP_MAGIC = (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
_PCAPNG_MAGIC = b"\x0a\x0d\x0d\x0a"
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")

# Caps of an Office archive: a real workbook with hundreds of sheets stays far below them.
OFFICE_MAX_MEMBERS = 2000
OFFICE_MAX_EXPANDED_MB = 250
_CONTENT_TYPES_MAX = 1024 * 1024
_CHUNK = 1024 * 1024
_OVERLAP = 512  # characters kept between chunks, so that no signature hides on a boundary


# Signatures of content that a browser, mshta, wscript, PowerShell or cmd would run, searched in
# the lower-cased text. Each pattern starts with a literal (no leading \b, no alternation), so
# that the regex engine can skip ahead to it: a 10 MB log is checked in a fraction of a second.
# Bounded repetitions only: each match must fit in _OVERLAP characters.
def _patterns(*sources: str, flags: int = 0) -> list[re.Pattern]:
    return [re.compile(source, flags) for source in sources]


_EVENT_HANDLERS = (
    "load|unload|error|abort|click|dblclick|auxclick|contextmenu|mouse[a-z]{2,8}|pointer[a-z]{2,8}"
    "|key[a-z]{2,5}|focus[a-z]{0,3}|blur|change|input|submit|reset|select|toggle|begin|end|repeat"
    "|animation[a-z]{3,9}|transition[a-z]{3,9}|wheel|scroll|resize|drag[a-z]{0,5}|drop|copy|cut"
    "|paste|show|message|hashchange|popstate|pageshow|beforeunload|play|pause|canplay|invalid"
)
_SIGNATURES = [
    ("HTA", _patterns(r"<hta:application\b")),
    ("SVG", _patterns(r"<svg\b", r"xmlns\s{0,5}=\s{0,5}[\"']?http://www\.w3\.org/2000/svg")),
    (
        "HTML",
        _patterns(
            r"<(?:!doctype|html|head|body|script|iframe|frame|frameset|object|embed|applet)\b",
            r"<meta\s[^>]{0,200}http-equiv",
            rf"<[a-z][a-z0-9:-]{{0,30}}\s[^<>]{{0,200}}\bon(?:{_EVENT_HANDLERS})\s{{0,5}}=",
        ),
    ),
    (
        "VBScript / JScript",
        _patterns(
            r"wscript\.\w",
            r"cscript\b",
            r"createobject\s{0,5}\(",
            r"activexobject\b",
            r"getobject\s{0,5}\(",
            r"shell\.application",
            r"<job\b",
            r"<package\b",
            r"language\s{0,5}=\s{0,5}[\"']?(?:vbscript|jscript)",
        ),
    ),
    (
        "PowerShell",
        _patterns(
            r"invoke-expression\b",
            r"iex\s{0,5}[(\$]",
            r"invoke-webrequest\b",
            r"download(?:string|file)\s{0,5}\(",
            r"net\.webclient\b",
            r"start-process\b",
            r"frombase64string\b",
            r"set-executionpolicy\b",
            r"-executionpolicy\s{1,5}bypass\b",
            r"add-type\b",
            r"powershell(?:\.exe)?\s{1,5}-",
            r"-enc(?:odedcommand)?\s{1,5}[a-z0-9+/=]{20,}",
        ),
    ),
    (
        "batch",
        [
            *_patterns(r"^[ \t]{0,20}@?echo[ \t]{1,5}off\b", flags=re.MULTILINE),
            *_patterns(
                r"%~dp0",
                r"%comspec%",
                r"cmd(?:\.exe)?\s{1,5}/[ck]\b",
                r"reg(?:\.exe)?\s{1,5}add\b",
                r"bitsadmin\b",
                r"certutil\b[^\n]{0,200}-urlcache",
                r"mshta\b",
                r"rundll32\b",
                r"regsvr32\b",
                r"schtasks\b[^\n]{0,200}/create",
            ),
        ],
    ),
]


# --- The request body limit ------------------------------------------------------------------


class RequestTooLarge(MultiPartParserError):
    """The body is over REQUEST_BODY_MAX_MB. A MultiPartParserError, so that Django stops
    parsing, marks the POST unreadable and answers through handler400 (our 413 page), in
    CsrfViewMiddleware as in a view."""


def body_limit_bytes() -> int:
    return settings.REQUEST_BODY_MAX_MB * 1024 * 1024


class BodyLimitUploadHandler(FileUploadHandler):
    """First in FILE_UPLOAD_HANDLERS: refuses a multipart body over the limit before reading
    it, and stops an upload as soon as the files received pass the limit."""

    def __init__(self, request=None):
        super().__init__(request)
        self.limit = body_limit_bytes()
        self.received = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length > self.limit:
            raise RequestTooLarge(
                f"Request body of {content_length} bytes is over the {self.limit}-byte limit"
            )
        return None  # the other handlers parse it

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            raise RequestTooLarge(f"Uploaded files passed the {self.limit}-byte limit")
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler (memory or temporary file) builds the file


# --- What a file is ----------------------------------------------------------------------------


def extension_for(content_type: str) -> str:
    return EXTENSIONS.get(content_type.split(";", 1)[0].strip().lower(), "bin")


def _base_name(upload) -> str:
    return os.path.basename((upload.name or "").replace("\\", "/"))


def _refused_program(name: str, what: str) -> DomainError:
    return DomainError(
        _(
            "%(name)s contains %(what)s code, which runs when the file is opened: it is not "
            "accepted, whatever its name. Attach a screenshot or a PDF instead."
        )
        % {"name": name, "what": what}
    )


def _refused_macro(name: str, part: str) -> DomainError:
    return DomainError(
        _(
            "%(name)s contains macros or embedded programs (%(part)s). Save it as a Word "
            "document (.docx) or an Excel workbook (.xlsx) without macros and attach that."
        )
        % {"name": name, "part": part}
    )


def _name_check(name: str) -> None:
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    if extension in MACRO_EXTENSIONS:
        raise _refused_macro(name, f".{extension}")
    if extension in SCRIPT_EXTENSIONS:
        raise DomainError(
            _(
                "%(name)s: .%(extension)s files can run on the computer of whoever opens them, "
                "so they are not accepted. Attach a screenshot or a PDF instead."
            )
            % {"name": name, "extension": extension}
        )


def _read_chunks(upload):
    upload.seek(0)
    while chunk := upload.read(_CHUNK):
        yield chunk


def _text_type(upload, name: str) -> str | None:
    """TEXT for UTF-8 text without anything that would run; None for binary content. The
    whole file is read: a text head does not make the rest of it text."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    tail, first = "", True
    for chunk in _read_chunks(upload):
        if b"\x00" in chunk:
            return None
        try:
            text = decoder.decode(chunk)
        except UnicodeDecodeError:
            return None
        if first and text.startswith("#!"):
            raise _refused_program(name, _("shell script"))
        first = False
        window = (tail + text).lower()
        for what, patterns in _SIGNATURES:
            if any(pattern.search(window) for pattern in patterns):
                raise _refused_program(name, what)
        tail = window[-_OVERLAP:]
    # Not decoded with final=True: a character cut at the very end (a truncated log) is text.
    return TEXT


def pdf_complete(upload) -> bool:
    """A PDF ends with %%EOF within its last 1024 bytes (what readers look for): a PDF head
    on something else is not a PDF."""
    upload.seek(max(upload.size - 1024, 0))
    return b"%%EOF" in upload.read(1024)


def _office_type(upload, name: str) -> str:
    """DOCX or XLSX after listing the archive; anything else in a ZIP is refused."""
    broken = DomainError(
        _("%(name)s is a damaged or password-protected file: it cannot be checked.")
        % {"name": name}
    )
    not_office = DomainError(
        _(
            "%(name)s is a ZIP archive, not a Word or Excel document. Archives are not "
            "accepted: attach the files themselves."
        )
        % {"name": name}
    )
    upload.seek(0)
    try:
        archive = zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise broken from None
    with archive:
        members = archive.infolist()
        expanded = sum(member.file_size for member in members)
        if len(members) > OFFICE_MAX_MEMBERS or expanded > OFFICE_MAX_EXPANDED_MB * 1024 * 1024:
            raise DomainError(
                _(
                    "%(name)s has more than %(count)d parts or expands to more than %(size)d MB: "
                    "it is not accepted."
                )
                % {"name": name, "count": OFFICE_MAX_MEMBERS, "size": OFFICE_MAX_EXPANDED_MB}
            )
        names = {}
        for member in members:
            path = member.filename.replace("\\", "/")
            lowered = path.lower()
            parts = lowered.split("/")
            base = parts[-1]
            if member.flag_bits & 0x1:
                raise broken
            if path.startswith("/") or ".." in parts:
                raise not_office
            if base.startswith("vbaproject") or lowered.endswith("vbadata.xml"):
                raise _refused_macro(name, base)
            if base.endswith(".bin") and ("activex" in parts or "embeddings" in parts):
                raise _refused_macro(name, base)
            if base.rpartition(".")[2] in _PROGRAM_MEMBERS:
                raise _refused_macro(name, base)
            names[lowered] = member
        if "[content_types].xml" not in names:
            raise not_office
        try:
            # A bounded read: a forged size in the archive cannot make this expand further.
            with archive.open(names["[content_types].xml"]) as declared:
                content_types = declared.read(_CONTENT_TYPES_MAX + 1)
        except (
            zipfile.BadZipFile,
            zlib.error,
            NotImplementedError,
            RuntimeError,
            OSError,
            EOFError,
            ValueError,
        ):  # damaged, encrypted or an unknown compression method
            raise broken from None
    if len(content_types) > _CONTENT_TYPES_MAX:
        raise broken
    declared_types = content_types.decode("utf-8", "replace").lower()
    if "macroenabled" in declared_types or "vbaproject" in declared_types:
        raise _refused_macro(name, "[Content_Types].xml")
    word = ("wordprocessingml.document.main+xml", "wordprocessingml.template.main+xml")
    excel = ("spreadsheetml.sheet.main+xml", "spreadsheetml.template.main+xml")
    if "word/document.xml" in names and any(kind in declared_types for kind in word):
        return DOCX
    if "xl/workbook.xml" in names and any(kind in declared_types for kind in excel):
        return XLSX
    raise not_office


def content_type_sniff(upload) -> str | None:
    """What the upload is, by its bytes: one of EXTENSIONS' types, or None for a kind the portal
    does not know. A DomainError says why a file that could run, or hide a program, is refused.
    """
    name = _base_name(upload)
    _name_check(name)
    try:
        upload.seek(0)
        head = upload.read(8192)
        if head[:4] in _ZIP_MAGIC:
            return _office_type(upload, name)
        if head[:4] in _PCAP_MAGIC or head[:4] == _PCAPNG_MAGIC:
            return PCAP
        kind = filetype.guess(head)
        if kind is None:
            return _text_type(upload, name)
        if kind.mime == PDF:
            if not pdf_complete(upload):
                raise DomainError(_("%(name)s is not a complete PDF document.") % {"name": name})
            return PDF
        return kind.mime if kind.mime in _IMAGES else None
    finally:
        upload.seek(0)
