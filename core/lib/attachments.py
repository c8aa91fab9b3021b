"""Files people attach to a conversation (a ticket, a billing request): checked by their content,
never by their name (R-TT-2), stored under a generated name, downloaded only through a
permission-checked view.

The content check itself (portal.uploads.content_type_sniff) is the ground floor's; this is the
policy on top of it: which kinds a conversation takes, how large, what a stored attachment row
keeps (StoredAttachment), and storing a batch of checked uploads (attachments_store)."""

import uuid

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.utils import timezone
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
    assert upload.size is not None  # an uploaded file knows its size
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
    """What every stored attachment row keeps of a checked upload: the type read from the
    content, and a name that ends in that type's extension."""
    content_type = attachment_check(upload)
    return {
        "file": upload,
        "filename": download_name(upload.name or "", content_type)[:200],
        "content_type": content_type,
        "size": upload.size,
        "uploaded_by": by,
    }


class StoredAttachment(models.Model):
    """The columns every attachment table shares. A concrete model adds its owner and message
    foreign keys and its own `file` field, whose upload_to names the private folder: a
    generated name, never the uploaded one (no path tricks, no guessing)."""

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    filename = models.CharField(gettext_lazy("file name"), max_length=200)
    content_type = models.CharField(gettext_lazy("type"), max_length=100)
    size = models.PositiveIntegerField(gettext_lazy("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(gettext_lazy("uploaded"), default=timezone.now)

    class Meta:
        abstract = True
        verbose_name = gettext_lazy("attachment")
        verbose_name_plural = gettext_lazy("attachments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.filename


def attachments_store(model: type[StoredAttachment], files, *, by, **owner) -> list:
    """One row per upload, each checked by its content first; `owner` sets the foreign keys
    (and flags such as `internal`) every row of the batch shares."""
    return [
        model._default_manager.create(**owner, **attachment_fields(upload, by=by))
        for upload in files
    ]
