"""What a ticket may carry: files checked by their content, never by their name."""

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.errors import DomainError

# Sniffed kinds a TSC can use: documents, screenshots, captures, spreadsheets.
ALLOWED = {
    "application/pdf": "PDF",
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "image/gif": "GIF",
    "image/webp": "WebP",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel",
}
_PCAP_MAGIC = (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
_PCAPNG_MAGIC = b"\x0a\x0d\x0d\x0a"
ALLOWED_LABEL = format_lazy(
    "PDF, PNG, JPEG, GIF, WebP, Word, Excel, pcap, {text} (.txt, .log, .csv)",
    text=gettext_lazy("plain text"),
)


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut at the end of the sample is still text.
        if error.start < len(head) - 4:
            return False
    return True


def attachment_check(upload: UploadedFile) -> str:
    """The file's real content type, or a DomainError saying what is wrong."""
    limit = settings.TICKET_ATTACHMENT_MAX_MB * 1024 * 1024
    if upload.size > limit:
        raise DomainError(
            _("%(name)s is larger than %(limit)d MB.")
            % {"name": upload.name, "limit": settings.TICKET_ATTACHMENT_MAX_MB},
            field="attachments",
        )
    if upload.size == 0:
        raise DomainError(_("%(name)s is empty.") % {"name": upload.name}, field="attachments")
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is not None and kind.mime in ALLOWED:
        return kind.mime
    if head[:4] in _PCAP_MAGIC or head[:4] == _PCAPNG_MAGIC:
        return "application/vnd.tcpdump.pcap"
    if kind is None and _looks_like_text(head):
        return "text/plain"
    raise DomainError(
        _("%(name)s is not a file type we accept. Accepted: %(types)s.")
        % {"name": upload.name, "types": ALLOWED_LABEL},
        field="attachments",
    )


def attachment_fields(upload: UploadedFile, *, by) -> dict:
    """What every stored attachment row (tickets, billing requests) keeps of a checked upload."""
    return {
        "file": upload,
        "filename": upload.name[:200],
        "content_type": attachment_check(upload),
        "size": upload.size,
        "uploaded_by": by,
    }
