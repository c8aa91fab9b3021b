"""What a ticket may carry: files checked by their content, never by their name (R-TT-2).

The content check itself (portal.uploads.content_type_sniff) is the ground floor's; this is the
tickets' policy on top of it: which kinds a TSC can use, how large, and what a stored
attachment keeps. Billing requests and PO supports use it too."""

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import DomainError
from core.lib import uploads
from core.lib.downloads import download_name

# Sniffed kinds a TSC can use: documents, screenshots, captures, spreadsheets, plain text.
ALLOWED = {
    uploads.PDF: "PDF",
    uploads.PNG: "PNG",
    uploads.JPEG: "JPEG",
    uploads.GIF: "GIF",
    uploads.WEBP: "WebP",
    uploads.DOCX: "Word",
    uploads.XLSX: "Excel",
    uploads.PCAP: "pcap",
    uploads.TEXT: "text",
}
# Text of any name is stored and downloaded as .txt (portal.downloads): a .csv comes back as
# .txt, so the label says so before the upload.
ALLOWED_LABEL = format_lazy(
    "PDF, PNG, JPEG, GIF, WebP, Word, Excel, pcap, {text}",
    text=gettext_lazy("plain text (.txt, .log, .csv — served as .txt)"),
)


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
    try:
        content_type = uploads.content_type_sniff(upload)
    except DomainError as error:
        raise DomainError(error.message, field="attachments") from None
    if content_type not in ALLOWED:
        raise DomainError(
            _("%(name)s is not a file type we accept. Accepted: %(types)s.")
            % {"name": upload.name, "types": ALLOWED_LABEL},
            field="attachments",
        )
    return content_type


def attachment_fields(upload: UploadedFile, *, by) -> dict:
    """What every stored attachment row (tickets, billing requests) keeps of a checked upload:
    the type read from the content, and a name that ends in that type's extension."""
    content_type = attachment_check(upload)
    return {
        "file": upload,
        "filename": download_name(upload.name or "", content_type)[:200],
        "content_type": content_type,
        "size": upload.size,
        "uploaded_by": by,
    }
