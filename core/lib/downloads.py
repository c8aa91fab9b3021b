"""Private files (ticket and billing attachments, invoice PDFs, contract supports, CSV exports)
leave only through permission-checked views, and always the same way: as a download with a
harmless name, never cached, never sniffed into something a browser would run, and named for
what they are.

From an S3 bucket (STORAGE_URL=s3://...) a file is streamed through the view, or, with
STORAGE_DOWNLOADS=redirect, the view answers with a presigned URL that expires within a minute
and makes the bucket itself send the same download headers. The bucket's address appears in that
redirect only: never in a page or an e-mail."""

import logging

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header
from django.utils.text import get_valid_filename
from django.utils.translation import gettext

from core.lib.storage import STORAGE_UNAVAILABLE, presigned_download_url
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


def private_download(stored_file, *, filename: str, content_type: str = "") -> HttpResponseBase:
    """An uploaded file, under a name made safe by download_name."""
    return stored_download(
        stored_file,
        filename=download_name(filename, content_type),
        content_type=content_type or "application/octet-stream",
    )


def stored_download(stored_file, *, filename: str, content_type: str) -> HttpResponseBase:
    """A stored file as a download named `filename` (already safe). A file whose content is gone
    is a 404 (and an error in the log); storage that does not answer is a 503 that says to try
    again, never a 500."""
    try:
        if settings.STORAGE_DOWNLOADS == "redirect":
            response: HttpResponseBase = _redirect(stored_file, filename, content_type)
        else:
            response = FileResponse(
                stored_file.open("rb"),
                as_attachment=True,
                filename=filename,
                content_type=content_type,
            )
            response["X-Content-Type-Options"] = "nosniff"
    except (FileNotFoundError, ValueError):
        logger.error("%s is missing from storage", stored_file.name)
        raise Http404 from None
    except STORAGE_UNAVAILABLE:
        logger.exception("storage did not answer for %s", stored_file.name)
        response = HttpResponse(
            gettext("The file cannot be fetched right now. Try again in a few minutes."),
            status=503,
            content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = "60"
    response["Cache-Control"] = "no-store"
    return response


def _redirect(stored_file, filename: str, content_type: str) -> HttpResponseRedirect:
    if not stored_file.name or not stored_file.storage.exists(stored_file.name):
        raise FileNotFoundError(stored_file.name)
    url = presigned_download_url(
        stored_file.storage,
        stored_file.name,
        disposition=content_disposition_header(True, filename) or "attachment",
        content_type=content_type,
    )
    response = HttpResponseRedirect(url)
    # The signed address is the file for a minute: no Referer carries it anywhere.
    response["Referrer-Policy"] = "no-referrer"
    return response
