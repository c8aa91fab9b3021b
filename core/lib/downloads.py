"""Private files (ticket and billing attachments, invoice PDFs, contract supports) leave only
through permission-checked views, and always the same way: as a download with a harmless name,
never cached, never sniffed into something a browser would run, and named for what they are."""

import logging

from django.core.exceptions import SuspiciousFileOperation
from django.http import FileResponse, Http404
from django.utils.text import get_valid_filename

from core.lib.uploads import extension_for

logger = logging.getLogger(__name__)


def download_name(filename: str, content_type: str = "", default: str = "attachment") -> str:
    """The uploaded name without any path, quotes or control characters, ending in the extension
    of what the file is (its checked content type), never the one it came with: a PNG named
    .exe is served as .png, text as .txt, an unknown type as .bin."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    try:
        name = get_valid_filename(name).lstrip(".")
    except SuspiciousFileOperation:
        name = ""
    stem = name.rpartition(".")[0] if "." in name else name
    return f"{stem.rstrip('. ')[:140] or default}.{extension_for(content_type)}"


def private_download(stored_file, *, filename: str, content_type: str = "") -> FileResponse:
    """A stored file whose content is gone is a 404 (and an error in the log), not a 500."""
    try:
        handle = stored_file.open("rb")
    except (FileNotFoundError, ValueError):
        logger.error("%s is missing from storage", stored_file.name)
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=download_name(filename, content_type),
        content_type=content_type or "application/octet-stream",
    )
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
