"""Issue 16, part 1: `manage.py media_migrate` copies the files of a disk-based installation into
the bucket, verified by size and checksum, once; it never overwrites and says what it skipped."""

import io

import pytest
from django.core.management import CommandError, call_command

from tests.factories import PDF_BYTES, PurchaseOrderRequestFactory, ticket_open_for
from tests.s3 import bucket_keys, use_new_bucket

pytestmark = pytest.mark.django_db


@pytest.fixture
def files_on_disk(customer, portal_admin_user, service, settings):
    """A ticket attachment and a PO contract support written by the file:// set-up."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    ticket = ticket_open_for(
        customer,
        portal_admin_user,
        service=service,
        attachments=[SimpleUploadedFile("plan.pdf", PDF_BYTES, content_type="application/pdf")],
    )
    po = PurchaseOrderRequestFactory(customer=customer, requested_by=portal_admin_user)
    names = sorted([ticket.attachments.get().file.name, po.support.name])
    assert all((settings.MEDIA_ROOT / name).is_file() for name in names)
    return names


def _migrate(*args) -> str:
    out = io.StringIO()
    call_command("media_migrate", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_every_file_is_copied_verified_and_a_second_run_copies_nothing(
    files_on_disk, s3_server, settings
):
    bucket = use_new_bucket(s3_server, settings)

    first = _migrate()

    assert "copied: 2, already there: 0" in first
    assert bucket_keys(s3_server, bucket) == files_on_disk
    client = s3_server.client()
    for name in files_on_disk:
        head = client.head_object(Bucket=bucket, Key=name)
        local = (settings.MEDIA_ROOT / name).read_bytes()
        assert head["ContentLength"] == len(local)
        assert len(head["Metadata"]["sha256"]) == 64
        assert client.get_object(Bucket=bucket, Key=name)["Body"].read() == local

    second = _migrate()

    assert "copied: 0, already there: 2" in second


def test_a_dry_run_copies_nothing(files_on_disk, s3_server, settings):
    bucket = use_new_bucket(s3_server, settings)
    assert "Dry run. copied: 2" in _migrate("--dry-run")
    assert bucket_keys(s3_server, bucket) == []


def test_an_object_with_other_content_is_not_overwritten_and_the_run_fails(
    files_on_disk, s3_server, settings
):
    bucket = use_new_bucket(s3_server, settings)
    s3_server.client().put_object(Bucket=bucket, Key=files_on_disk[0], Body=b"something else")

    with pytest.raises(CommandError, match="not copied"):
        _migrate()

    body = s3_server.client().get_object(Bucket=bucket, Key=files_on_disk[0])["Body"].read()
    assert body == b"something else"
    assert bucket_keys(s3_server, bucket) == files_on_disk  # the other one was copied


def test_a_file_the_database_names_but_the_disk_lacks_is_reported(
    files_on_disk, s3_server, settings
):
    (settings.MEDIA_ROOT / files_on_disk[1]).unlink()
    bucket = use_new_bucket(s3_server, settings)

    with pytest.raises(CommandError, match="not copied"):
        _migrate()

    assert bucket_keys(s3_server, bucket) == [files_on_disk[0]]


def test_without_a_bucket_it_refuses(files_on_disk):
    with pytest.raises(CommandError, match="STORAGE_URL is not an S3 bucket"):
        _migrate()
