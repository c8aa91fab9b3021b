"""Backup and restore of the database and the private files (`make backup`, `make restore`).

A backup is a directory:

    database.dump   pg_dump's custom format: one transaction's snapshot, so every table is
                    read at the same instant while the portal keeps running
    files/          a copy of every private file, when they live on this disk (STORAGE_URL=file)
    manifest.json   when, what: the rows of every table, and every file or bucket object with
                    its size and checksum (and its version, in a versioned bucket)

A bucket keeps its own objects (enable versioning: then an object deleted or overwritten after
the backup comes back from the version the manifest names). Restoring needs an empty database;
it loads the dump, then puts back every file of the manifest and checks the rows of every table
and the checksum of every file against the manifest: a restore that does not match says so and
fails."""

import hashlib
import json
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import psycopg
from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db import connection
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

from core.errors import DomainError

MANIFEST = "manifest.json"
DUMP = "database.dump"
_CHUNK = 1024 * 1024


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _libpq_url(settings_dict: dict) -> str:
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "localhost"
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgresql://{credentials}{host}{port}/{quote(settings_dict['NAME'], safe='')}"


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise DomainError(f"{name} is not installed here (PostgreSQL's client: postgresql-client).")
    return found


def _require_postgresql() -> None:
    if connection.vendor != "postgresql":
        raise DomainError(
            "Backups are made of PostgreSQL (DATABASE_URL=postgres://…). The SQLite database of "
            "`make run` is the file var/portal.sqlite3: copy it while the portal is stopped."
        )


def _count(cursor) -> dict[str, int]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    tables = sorted(row[0] for row in cursor.fetchall())
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - catalogue names
        counts[table] = cursor.fetchone()[0]
    return counts


def table_rows(url: str | None = None) -> dict[str, int]:
    """The rows of every table of the public schema (this database, or the one at `url`)."""
    with psycopg.connect(url or _libpq_url(connection.settings_dict)) as db, db.cursor() as cursor:
        return _count(cursor)


@dataclass
class Result:
    directory: Path
    tables: int
    rows: int
    files: int


def backup(target: Path) -> Result:
    _require_postgresql()
    directory = target / datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    directory.mkdir(parents=True, exist_ok=False)
    url = _libpq_url(connection.settings_dict)
    dump = directory / DUMP
    # The rows are counted in the very snapshot pg_dump reads (an exported snapshot, held open
    # until the dump is done): the manifest's counts are the dump's, while the portal runs on.
    with psycopg.connect(url, autocommit=True) as db, db.cursor() as cursor:
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot,) = cursor.fetchone() or ("",)
        rows = _count(cursor)
        dumped = subprocess.run(  # noqa: S603 - our own arguments, no shell
            [
                _tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                f"--file={dump}",
                url,
            ],
            check=False,
            capture_output=True,
            text=True,
        )
        cursor.execute("COMMIT")
    if dumped.returncode != 0:
        raise DomainError(f"pg_dump failed: {dumped.stderr.strip()[:2000]}")
    storage = storages["default"]
    if isinstance(storage, S3Storage):
        files = _bucket_manifest(storage)
    else:
        files = _copy_files(Path(settings.MEDIA_ROOT), directory / "files")
    manifest = {
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": {"file": DUMP, "sha256": _sha256(dump), "tables": rows},
        "storage": files,
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return Result(directory, len(rows), sum(rows.values()), len(files["objects"]))


def _copy_files(media: Path, into: Path) -> dict:
    objects = []
    if media.is_dir():
        for path in sorted(p for p in media.rglob("*") if p.is_file()):
            name = path.relative_to(media).as_posix()
            copy = into / name
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, copy)
            objects.append({"name": name, "size": path.stat().st_size, "sha256": _sha256(copy)})
    return {"kind": "file", "objects": objects}


def _bucket_manifest(storage: S3Storage) -> dict:
    client = storage.connection.meta.client
    versioned = client.get_bucket_versioning(Bucket=storage.bucket_name).get("Status") == "Enabled"
    objects = []
    prefix = storage._normalize_name(clean_name("")) if storage.location else ""
    for page in client.get_paginator("list_objects_v2").paginate(
        Bucket=storage.bucket_name, Prefix=prefix
    ):
        for item in page.get("Contents", []):
            entry = {"key": item["Key"], "size": item["Size"], "etag": item["ETag"].strip('"')}
            if versioned:
                head = client.head_object(Bucket=storage.bucket_name, Key=item["Key"])
                entry["version_id"] = head.get("VersionId")
            objects.append(entry)
    return {"kind": "s3", "bucket": storage.bucket_name, "versioned": versioned, "objects": objects}


def restore(directory: Path, *, database_url: str | None = None) -> Result:
    """Into an empty database (this one, or `database_url`)."""
    _require_postgresql()
    manifest = json.loads((directory / MANIFEST).read_text())
    dump = directory / manifest["database"]["file"]
    if _sha256(dump) != manifest["database"]["sha256"]:
        raise DomainError(f"{dump} does not match its manifest: the backup is damaged.")
    url = database_url or _libpq_url(connection.settings_dict)
    if any(table_rows(url)):
        raise DomainError(
            "The database to restore into has tables already: restore into an empty one."
        )
    loaded = subprocess.run(  # noqa: S603 - our own arguments, no shell
        [
            _tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            f"--dbname={url}",
            dump,
        ],
        check=False,
        capture_output=True,
        text=True,
    )
    if loaded.returncode != 0:
        raise DomainError(f"pg_restore failed: {loaded.stderr.strip()[:2000]}")
    rows = table_rows(url)
    expected = manifest["database"]["tables"]
    wrong = [
        f"{table}: {expected.get(table)} in the manifest, {rows.get(table)} restored"
        for table in sorted(set(rows) | set(expected))
        if rows.get(table) != expected.get(table)
    ]
    if wrong:
        raise DomainError("The restored rows differ from the backup's:\n" + "\n".join(wrong))
    files = manifest["storage"]
    storage = storages["default"]
    if files["kind"] == "s3":
        _restore_bucket(storage, files)
    else:
        _restore_files(directory / "files", Path(settings.MEDIA_ROOT), files["objects"])
    return Result(directory, len(rows), sum(rows.values()), len(files["objects"]))


def _restore_files(source: Path, media: Path, objects: list[dict]) -> None:
    damaged = []
    for item in objects:
        target = media / item["name"]
        if not target.is_file() or _sha256(target) != item["sha256"]:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / item["name"], target)
        if _sha256(target) != item["sha256"]:
            damaged.append(item["name"])
    if damaged:
        raise DomainError("These files do not match the backup: " + ", ".join(damaged))


def _restore_bucket(storage: Storage, files: dict) -> None:
    if not isinstance(storage, S3Storage) or storage.bucket_name != files["bucket"]:
        raise DomainError(
            f"The backup's files are in the bucket {files['bucket']}: point STORAGE_URL at it."
        )
    client = storage.connection.meta.client
    missing = []
    for item in files["objects"]:
        try:
            head = client.head_object(Bucket=storage.bucket_name, Key=item["key"])
            same = head["ETag"].strip('"') == item["etag"] and head["ContentLength"] == item["size"]
        except client.exceptions.ClientError:
            same = False
        if same:
            continue
        if not item.get("version_id"):
            missing.append(item["key"])
            continue
        client.copy_object(
            Bucket=storage.bucket_name,
            Key=item["key"],
            CopySource={
                "Bucket": storage.bucket_name,
                "Key": item["key"],
                "VersionId": item["version_id"],
            },
        )
    if missing:
        raise DomainError(
            "These objects are gone from the bucket and it keeps no versions: " + ", ".join(missing)
        )
