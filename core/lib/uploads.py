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
  (HTML, SVG, HTA, scripts) is refused although it is text, and so are those names.
- Word and Excel files are opened as the ZIP archives they are, within caps: at most
  OFFICE_MAX_MEMBERS parts and OFFICE_MAX_EXPANDED_MB declared once expanded, and only the
  stored and deflated methods Office writes (bzip2 and LZMA have no bound on what a few KB
  expand to). Refused: macros (VBA projects, Excel 4.0 macro sheets, macro-enabled types);
  ActiveX controls and OLE objects, by their parts or by their declared content types;
  whatever makes Office load something from outside the file when it opens it (any
  relationship with TargetMode="External" but a hyperlink, Excel's external links, DDE
  included); hyperlinks to program handlers (ms-msdt:, search-ms:...); and, among the parts,
  a program or another archive (PE, ELF, Mach-O, scripts, ZIP, OLE compound files, gzip, 7z,
  RAR, CAB...) whatever it is called, and pictures that are no picture (SVG is markup).
  What is decompressed, and no more: the content-type list (at most 1 MB); the relationship
  parts, at most OFFICE_RELATIONSHIPS_MAX_MB all together, read in 64 KB steps; and the first
  _HEAD_BYTES (64) bytes of every other part, for which zlib is asked for at most 4 KB. XML is
  read with expat and DTDs are refused, so neither entities, character references nor
  encodings hide what Office would see.
"""

import codecs
import os
import re
import zipfile
import zlib
from xml.parsers import expat

import filetype
from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _

from core.errors import DomainError

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

# Caps of an Office archive: a real workbook with hundreds of sheets stays far below them. The
# relationship parts of a sheet with 20,000 links take about 3 MB.
OFFICE_MAX_MEMBERS = 2000
OFFICE_MAX_EXPANDED_MB = 250
OFFICE_RELATIONSHIPS_MAX_MB = 16
_CONTENT_TYPES_MAX = 1024 * 1024
_HEAD_BYTES = 64  # of each part: an EMF says " EMF" at byte 40
_RELS_STEP = 64 * 1024
_OFFICE_METHODS = frozenset([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])

# How a part that is a program, or another archive, starts (first bytes).
_PROGRAM_HEADS = (
    b"MZ",  # Windows PE and DOS programs
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",  # Mach-O, both byte orders, 32 and 64 bits
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # universal Mach-O, Java class
    b"#!",  # scripts
    b"dex\n",  # Android
    b"ITSF",  # compiled HTML help (.chm)
    b"L\x00\x00\x00\x01\x14\x02\x00",  # Windows shortcut (.lnk)
)
_ARCHIVE_HEADS = (
    b"PK\x03\x04",
    b"PK\x05\x06",
    b"PK\x07\x08",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",  # OLE compound file: .doc, .xls, .msi, OLE packages
    b"Rar!\x1a\x07",
    b"7z\xbc\xaf\x27\x1c",
    b"\x1f\x8b",  # gzip
    b"BZh",
    b"\xfd7zXZ\x00",
    b"MSCF",  # cabinet
    b"ISc(",  # InstallShield cabinet
    b"\x28\xb5\x2f\xfd",  # zstd
    b"!<arch>\n",  # ar, .deb
)
# Pictures Office keeps in its parts: PNG, JPEG, GIF, BMP, TIFF, EMF, WMF, JPEG XR (Office's
# edited photos, .wdp) and WebP. SVG is markup that can carry scripts: not among them.
_PICTURE_HEADS = (
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",
    b"GIF87a",
    b"GIF89a",
    b"BM",
    b"II*\x00",
    b"MM\x00*",
    b"\xd7\xcd\xc6\x9a",  # placeable WMF
    b"\x01\x00\x09\x00",  # WMF in memory
    b"\x02\x00\x09\x00",  # WMF on disk
    b"II\xbc\x01",  # JPEG XR
)
_PICTURE_EXTENSIONS = frozenset(
    [
        *("png", "jpg", "jpeg", "jpe", "jfif", "gif", "bmp", "dib", "tif", "tiff", "webp", "ico"),
        *("emf", "wmf", "emz", "wmz", "svg", "svgz", "wdp", "jxr", "hdp", "pict", "pct"),
    ]
)
# Declared content types (lower case) of macros, and of ActiveX controls, OLE objects and programs.
_MACRO_TYPES = ("macroenabled", "vbaproject", "vbadata", "macrosheet")
_ACTIVE_TYPES = (
    "activex",
    "oleobject",
    "msdownload",
    "x-msdos-program",
    "x-ms-installer",
    "java-archive",
)
# The one relationship that may point outside the file: a link the reader clicks. Its target
# may be a web, mail, phone, FTP or file address (or a relative path); other schemes start
# programs (ms-msdt:, search-ms:, ms-word:, javascript:...) on one click.
_HYPERLINK_TYPES = frozenset(
    [
        "http://schemas.openxmlformats.org/officedocument/2006/relationships/hyperlink",
        "http://purl.oclc.org/ooxml/officedocument/relationships/hyperlink",
    ]
)
_LINK_SCHEMES = frozenset(["http", "https", "mailto", "tel", "ftp", "file"])
_SCHEME = re.compile(r"([a-z][a-z0-9+.-]*):")
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")
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


def _shown(text: str, limit: int = 100) -> str:
    """A part name or address as the message quotes it: whole if short, else its start."""
    return text if len(text) <= limit else f"{text[:limit]}…"


def _refused_active(name: str, part: str) -> DomainError:
    return DomainError(
        _(
            "%(name)s contains ActiveX controls or embedded objects (%(part)s), which can run "
            "programs when the file is opened. Remove them, or save the document as PDF, and "
            "attach that."
        )
        % {"name": name, "part": _shown(part)}
    )


def _refused_hidden_program(name: str, part: str) -> DomainError:
    return DomainError(
        _(
            "%(name)s hides a program inside it (%(part)s): it is not accepted, whatever the "
            "part is called."
        )
        % {"name": name, "part": _shown(part)}
    )


def _refused_embedded(name: str, part: str) -> DomainError:
    return DomainError(
        _(
            "%(name)s has another file embedded in it (%(part)s), such as an archive, an "
            "embedded document or a chart's data. Embedded files are not accepted: paste charts "
            "as pictures, or save the document as PDF, and attach that."
        )
        % {"name": name, "part": _shown(part)}
    )


def _refused_picture(name: str, part: str) -> DomainError:
    return DomainError(
        _(
            "%(name)s contains a part that is not a picture in a format we accept (%(part)s). "
            "SVG pictures can carry scripts, so they are refused too: insert pictures as PNG or "
            "JPEG, or save the document as PDF, and attach that."
        )
        % {"name": name, "part": _shown(part)}
    )


def _refused_external(name: str, kind: str, target: str) -> DomainError:
    return DomainError(
        _(
            "%(name)s loads %(kind)s from outside the file when it is opened (%(target)s): "
            "such files are not accepted. Remove it, or save the document as PDF, and attach "
            "that."
        )
        % {"name": name, "kind": _shown(kind, 40), "target": _shown(target)}
    )


def _refused_link(name: str, target: str) -> DomainError:
    return DomainError(
        _(
            "%(name)s contains a link that starts a program on the reader's computer "
            "(%(target)s): it is not accepted. Remove the link, or save the document as PDF, "
            "and attach that."
        )
        % {"name": name, "target": _shown(target)}
    )


# What reading a part can raise for a damaged or encrypted archive, an unknown compression
# method, or XML that is not well formed (or carries a DTD, which the package format forbids).
_UNREADABLE = (
    zipfile.BadZipFile,
    zlib.error,
    expat.ExpatError,
    NotImplementedError,
    RuntimeError,
    OSError,
    EOFError,
    ValueError,
)


def _xml_parser(on_element) -> expat.XMLParserType:
    """An expat parser that calls on_element(local name, {local attribute name: value}) with
    entities and character references resolved as Office resolves them. A DTD (and with it any
    entity declaration) raises ValueError before it is read."""

    def refuse(*_args):
        raise ValueError("a DTD in an Office part")

    def start(tag, attributes):
        on_element(
            tag.rpartition("}")[2],
            {key.rpartition("}")[2].lower(): value for key, value in attributes.items()},
        )

    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = start
    return parser


def _declared_types(raw: bytes) -> list[str]:
    """The content types [Content_Types].xml declares, as written."""
    found = []
    parser = _xml_parser(
        lambda _tag, attributes: (
            found.append(attributes["contenttype"].strip()) if "contenttype" in attributes else None
        )
    )
    parser.Parse(raw, True)
    return found


def _relationship_check(name: str, attributes: dict) -> None:
    """A relationship may point outside the file only as a link the reader clicks, and such a
    link may not start a program."""
    if attributes.get("targetmode", "").strip().lower() != "external":
        return
    kind = attributes.get("type", "").strip()
    target = attributes.get("target", "")
    if kind.lower() not in _HYPERLINK_TYPES:
        raise _refused_external(name, kind.rstrip("/").rpartition("/")[2] or "?", target.strip())
    scheme = _SCHEME.match(_CONTROL.sub("", target).lower())
    if scheme and len(scheme[1]) > 1 and scheme[1] not in _LINK_SCHEMES:  # one letter: C:\
        raise _refused_link(name, target.strip())


def _part_check(name: str, member: zipfile.ZipInfo, head: bytes) -> None:
    """What a part's first bytes say it is: no program, no other archive, and a picture where
    Office keeps pictures."""
    if head.startswith(_PROGRAM_HEADS):
        raise _refused_hidden_program(name, member.filename)
    if head.startswith(_ARCHIVE_HEADS):
        raise _refused_embedded(name, member.filename)
    path = member.filename.replace("\\", "/").lower()
    folders, base = path.split("/")[:-1], path.rpartition("/")[2]
    if "media" in folders or base.rpartition(".")[2] in _PICTURE_EXTENSIONS:
        webp = head[:4] == b"RIFF" and head[8:12] == b"WEBP"
        emf = head[:4] == b"\x01\x00\x00\x00" and head[40:44] == b" EMF"
        if not (head.startswith(_PICTURE_HEADS) or webp or emf):
            raise _refused_picture(name, member.filename)


def _parts_check(name: str, archive: zipfile.ZipFile, members, too_many_relationships) -> None:
    """The first bytes of every part, and every relationship part whole, within
    OFFICE_RELATIONSHIPS_MAX_MB all together."""
    budget = OFFICE_RELATIONSHIPS_MAX_MB * 1024 * 1024
    for member in members:
        if member.is_dir():
            continue
        with archive.open(member) as part:
            head = part.read(_HEAD_BYTES)
            _part_check(name, member, head)
            if not member.filename.lower().endswith(".rels"):
                continue
            parser = _xml_parser(lambda _tag, attributes: _relationship_check(name, attributes))
            chunk = head
            while chunk:
                budget -= len(chunk)
                if budget < 0:
                    raise too_many_relationships
                parser.Parse(chunk, False)
                chunk = part.read(_RELS_STEP)
            parser.Parse(b"", True)


def _office_type(upload, name: str) -> str:
    """DOCX or XLSX after checking the archive's parts; anything else in a ZIP is refused."""
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
    too_many_relationships = DomainError(
        _(
            "%(name)s has more relationships between its parts than we can check (over "
            "%(size)d MB): save it as PDF and attach that."
        )
        % {"name": name, "size": OFFICE_RELATIONSHIPS_MAX_MB}
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
        names: dict[str, zipfile.ZipInfo] = {}
        for member in members:
            lowered = member.filename.replace("\\", "/").lower()
            if lowered in names:
                raise broken  # part names are unique, whatever their case
            _office_member_check(member, name, broken=broken, not_office=not_office)
            names[lowered] = member
        if "[content_types].xml" not in names:
            raise not_office
        try:
            # A bounded read: a forged size in the archive cannot make this expand further.
            with archive.open(names["[content_types].xml"]) as part:
                content_types = part.read(_CONTENT_TYPES_MAX + 1)
            if len(content_types) > _CONTENT_TYPES_MAX:
                raise broken
            declared_types = _declared_types(content_types)
            _declared_types_check(name, declared_types)
            _parts_check(name, archive, members, too_many_relationships)
        except _UNREADABLE:
            raise broken from None
    return _office_kind(names, declared_types, not_office=not_office)


def _office_member_check(
    member: zipfile.ZipInfo, name: str, *, broken: DomainError, not_office: DomainError
) -> None:
    """One part of the archive: refused when encrypted, outside the archive, or a program."""
    path = member.filename.replace("\\", "/")
    lowered = path.lower()
    parts = lowered.split("/")
    base = parts[-1]
    if member.flag_bits & 0x1 or member.compress_type not in _OFFICE_METHODS:
        raise broken  # encrypted, or a method whose expansion has no bound
    if path.startswith("/") or ".." in parts:
        raise not_office
    if base.startswith("vbaproject") or lowered.endswith("vbadata.xml"):
        raise _refused_macro(name, base)
    if "activex" in parts[:-1] or base.startswith("activex"):
        raise _refused_active(name, member.filename)
    if "externallinks" in parts[:-1] and not base.endswith(".rels"):
        # Links to other workbooks, and DDE links that start a program (cmd|'/c ...'):
        # Excel follows both when the workbook opens.
        raise _refused_external(name, "externalLink", member.filename)
    if base.endswith(".bin") and "embeddings" in parts:
        raise _refused_macro(name, base)
    if base.rpartition(".")[2] in _PROGRAM_MEMBERS:
        raise _refused_macro(name, base)


def _declared_types_check(name: str, declared_types) -> None:
    for declared_type in declared_types:
        lowered = declared_type.lower()
        if any(marker in lowered for marker in _MACRO_TYPES):
            raise _refused_macro(name, declared_type)
        if any(marker in lowered for marker in _ACTIVE_TYPES):
            raise _refused_active(name, declared_type)


def _office_kind(names, declared_types, *, not_office: DomainError) -> str:
    declared = {declared_type.lower() for declared_type in declared_types}
    word = ("wordprocessingml.document.main+xml", "wordprocessingml.template.main+xml")
    excel = ("spreadsheetml.sheet.main+xml", "spreadsheetml.template.main+xml")
    if "word/document.xml" in names and any(t.endswith(word) for t in declared):
        return DOCX
    if "xl/workbook.xml" in names and any(t.endswith(excel) for t in declared):
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
