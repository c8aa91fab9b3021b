"""The private files' storage: what an S3 bucket's failures look like, and its signed links.

django-storages' S3Storage turns "no such object" into FileNotFoundError; every other failure
reaches us as botocore's: a bucket that does not answer (connection, timeout) or answers with
a server error. Those are the storage's fault, not the file's: a download says "try again", an
e-mail that attaches the file is retried on the outbox's schedule."""

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings

# BotoCoreError: the endpoint unreachable, a timeout, a dropped connection, missing credentials.
# ClientError: the bucket answered with an error (503 SlowDown, 500, 403 for a revoked key).
STORAGE_UNAVAILABLE: tuple[type[Exception], ...] = (BotoCoreError, ClientError, ConnectionError)


def presigned_download_url(storage, name: str, *, disposition: str, content_type: str) -> str:
    """A GET of `name` signed for STORAGE_URL_EXPIRY seconds. The signature covers the response
    headers asked for, so the bucket answers with this download's name and type, never cached
    and never rendered by the browser."""
    return storage.url(
        name,
        parameters={
            "ResponseContentDisposition": disposition,
            "ResponseContentType": content_type,
            "ResponseCacheControl": "no-store",
        },
        expire=settings.STORAGE_URL_EXPIRY,
    )
