"""Copy the private files a database names from the local disk into the S3 bucket.

    STORAGE_URL=s3://... manage.py media_migrate [--from /path/to/media] [--dry-run]

Every file that a row of the database names (any FileField: attachments, invoice PDFs, contract
supports, exports) is read from the local directory (MEDIA_ROOT of the file:// set-up, or
--from) and written to the bucket under the same name, with its SHA-256 in the object's
metadata. Each copy is verified: the object's size, its ETag (the MD5 of a single PUT) and the
SHA-256 are read back and compared with the local file's.

A file already in the bucket with the same size and checksum is left alone, so a second run
copies nothing. An object of the same name with other content is never overwritten: it is
reported, as is a file the database names but the disk does not have. The exit code is 1 when
anything was reported, so a deployment script stops there."""

import hashlib
from dataclasses import dataclass
from pathlib import Path

from botocore.exceptions import ClientError
from django.apps import apps
from django.conf import settings
from django.core.files.storage import storages
from django.core.management.base import BaseCommand, CommandError
from django.db import models
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

from core.scopes import scopes_disabled

_CHUNK = 1024 * 1024


@dataclass
class _Local:
    size: int
    md5: str
    sha256: str


def _digest(path: Path) -> _Local:
    md5, sha256 = hashlib.md5(usedforsecurity=False), hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            md5.update(chunk)
            sha256.update(chunk)
            size += len(chunk)
    return _Local(size=size, md5=md5.hexdigest(), sha256=sha256.hexdigest())


def _named_files() -> list[tuple[str, str]]:
    """(model label, file name) for every FileField value in the database, each name once."""
    seen: dict[str, str] = {}
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if not isinstance(field, models.FileField):
                continue
            names = (
                model._default_manager.exclude(**{field.name: ""})
                .exclude(**{f"{field.name}__isnull": True})
                .values_list(field.name, flat=True)
                .order_by(field.name)
            )
            for name in names.iterator():
                seen.setdefault(name, model._meta.label)
    return sorted((label, name) for name, label in seen.items())


class Command(BaseCommand):
    help = "Copy the private files from the local disk into the S3 bucket, verified, once."

    def add_arguments(self, parser):
        parser.add_argument(
            "--from",
            dest="source",
            default=str(settings.MEDIA_ROOT),
            help="The local media directory (default: MEDIA_ROOT).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be copied; copy nothing."
        )

    @scopes_disabled()  # every customer's files (core/scopes.py)
    def handle(self, *args, source: str, dry_run: bool, **options):
        storage = storages["default"]
        if not isinstance(storage, S3Storage):
            raise CommandError(
                "STORAGE_URL is not an S3 bucket: set STORAGE_URL=s3://... to copy the files "
                "into it."
            )
        root = Path(source)
        if not root.is_dir():
            raise CommandError(f"{root} is not a directory.")
        client = storage.connection.meta.client
        counts = {"copied": 0, "already there": 0, "missing on disk": 0, "different in bucket": 0}
        for label, name in _named_files():
            path = (root / name).resolve()
            if not path.is_relative_to(root.resolve()) or not path.is_file():
                counts["missing on disk"] += 1
                self.stderr.write(f"missing on disk: {name} ({label})")
                continue
            local = _digest(path)
            key = storage._normalize_name(clean_name(name))  # the key S3Storage reads
            there = self._head(client, storage.bucket_name, key)
            if there is not None:
                if self._same(there, local):
                    counts["already there"] += 1
                    continue
                counts["different in bucket"] += 1
                self.stderr.write(f"different in bucket, not overwritten: {name} ({label})")
                continue
            if dry_run:
                counts["copied"] += 1
                self.stdout.write(f"would copy {name} ({local.size} bytes)")
                continue
            with path.open("rb") as body:
                client.put_object(
                    Bucket=storage.bucket_name,
                    Key=key,
                    Body=body,
                    ContentLength=local.size,
                    Metadata={"sha256": local.sha256},
                )
            there = self._head(client, storage.bucket_name, key)
            if there is None or not self._same(there, local):
                raise CommandError(
                    f"{name}: the copy in the bucket does not match the local file "
                    f"(size or checksum); stopped."
                )
            counts["copied"] += 1
            self.stdout.write(f"copied {name} ({local.size} bytes, sha256 {local.sha256[:12]}…)")
        summary = ", ".join(f"{what}: {number}" for what, number in counts.items())
        self.stdout.write(("Dry run. " if dry_run else "") + summary)
        if counts["missing on disk"] or counts["different in bucket"]:
            raise CommandError("Some files were not copied; see the lines above.", returncode=1)

    @staticmethod
    def _head(client, bucket: str, key: str) -> dict | None:
        try:
            return client.head_object(Bucket=bucket, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise

    @staticmethod
    def _same(head: dict, local: _Local) -> bool:
        if head.get("ContentLength") != local.size:
            return False
        sha256 = (head.get("Metadata") or {}).get("sha256")
        if sha256:
            return sha256 == local.sha256
        # Put there by something else (the portal itself, after the switch): a single PUT's
        # ETag is the MD5 of the content.
        return head.get("ETag", "").strip('"') == local.md5
