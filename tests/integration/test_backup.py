"""Backup and restore (issue 16, part 3) on PostgreSQL: the demo data backed up while nothing
stops, restored into an empty database with every row of every table, and every file back with
its checksum; from a versioned bucket, an object deleted after the backup comes back."""

import hashlib
import io
import shutil
import uuid
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from core.backup import _libpq_url, table_rows
from tests.factories import PDF_BYTES, ServiceFactory, ticket_open_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _digests(media: Path) -> dict[str, str]:
    return {
        path.relative_to(media).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in media.rglob("*")
        if path.is_file()
    }


@pytest.fixture
def empty_database():
    if connection.vendor != "postgresql":
        pytest.fail("the backup tests need PostgreSQL (DATABASE_URL)")
    name = f"restore_{uuid.uuid4().hex[:10]}"
    server = _libpq_url({**connection.settings_dict, "NAME": "postgres"})
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield _libpq_url({**connection.settings_dict, "NAME": name})
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def _backup(tmp_path) -> Path:
    out = io.StringIO()
    call_command("backup", "--to", str(tmp_path / "backups"), stdout=out)
    (directory,) = (tmp_path / "backups").iterdir()
    assert f"to {directory}" in out.getvalue()
    return directory


def test_the_demo_comes_back_whole_into_an_empty_database(settings, tmp_path, empty_database):
    call_command("seed_demo", "--force", stdout=io.StringIO())
    media = Path(settings.MEDIA_ROOT)
    files = _digests(media)
    assert len(files) >= 10  # the demo's invoice PDFs among them
    rows = table_rows()
    assert rows["tickets_ticket"] > 0

    directory = _backup(tmp_path)
    shutil.rmtree(media)  # the disk is lost with the machine
    out = io.StringIO()
    call_command("restore", str(directory), "--database-url", empty_database, stdout=out)

    assert table_rows(empty_database) == rows
    assert _digests(media) == files
    assert f"Restored {sum(rows.values())} rows in {len(rows)} tables" in out.getvalue()


def test_a_restore_refuses_a_database_that_is_not_empty(tmp_path, customer):
    directory = _backup(tmp_path)
    with pytest.raises(CommandError, match="restore into an empty one"):
        call_command("restore", str(directory))  # the database it came from


def test_a_damaged_dump_is_refused(tmp_path, customer, empty_database):
    directory = _backup(tmp_path)
    with (directory / "database.dump").open("ab") as dump:
        dump.write(b"\0")
    with pytest.raises(CommandError, match="damaged"):
        call_command("restore", str(directory), "--database-url", empty_database)


def test_an_object_deleted_from_a_versioned_bucket_comes_back(
    tmp_path, s3_server, bucket, customer, portal_admin_user, empty_database
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = s3_server.client()
    client.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    ticket = ticket_open_for(
        customer,
        portal_admin_user,
        service=ServiceFactory(customer=customer),
        attachments=[SimpleUploadedFile("plan.pdf", PDF_BYTES, content_type="application/pdf")],
    )
    key = ticket.attachments.get().file.name
    directory = _backup(tmp_path)
    client.delete_object(Bucket=bucket, Key=key)  # gone after the backup

    call_command("restore", str(directory), "--database-url", empty_database, stdout=io.StringIO())

    assert client.get_object(Bucket=bucket, Key=key)["Body"].read() == PDF_BYTES
