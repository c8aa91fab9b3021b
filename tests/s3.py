"""A real S3 API server for the storage tests: moto's standalone server (from PyPI, the dev
extra), started once per test process on a free port, in a process of its own. Each test gets a
bucket of its own and the portal's own STORAGE_URL parsing (portal.settings) pointed at it.
The fixtures are registered in tests/conftest.py."""

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import boto3
import pytest
from botocore.config import Config
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.settings import _storage_from_url
from tests.factories import PDF_BYTES, invoice_with_lines

ACCESS_KEY, SECRET_KEY = "portal-test", "portal-test-secret/with+specials"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class S3Server:
    port: int
    process: subprocess.Popen

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self):
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name="us-east-1",
            config=Config(s3={"addressing_style": "path"}),
        )

    def url(self, bucket: str, **query: str) -> str:
        """The STORAGE_URL of `bucket` on this server, keys percent-encoded as the README says."""
        params = urlencode({"tls": "false", **query})
        return (
            f"s3://{quote(ACCESS_KEY, safe='')}:{quote(SECRET_KEY, safe='')}"
            f"@127.0.0.1:{self.port}/{bucket}?{params}"
        )


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "MOTO_ALLOW_NONEXISTENT_REGION": "true"},
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("moto's S3 server did not start")
            time.sleep(0.1)
    yield S3Server(port=port, process=process)
    process.terminate()
    process.wait(timeout=10)


def use_new_bucket(s3_server: S3Server, settings) -> str:
    """A fresh private bucket; from now on every private file of the test is stored in it."""
    name = f"portal-{uuid.uuid4().hex[:12]}"
    s3_server.client().create_bucket(Bucket=name)
    settings.STORAGE_URL = s3_server.url(name)
    settings.STORAGES = {**settings.STORAGES, "default": _storage_from_url(settings.STORAGE_URL)}
    return name


@pytest.fixture
def bucket(s3_server, settings) -> str:
    return use_new_bucket(s3_server, settings)


def bucket_keys(s3_server, bucket: str) -> list[str]:
    listing = s3_server.client().list_objects_v2(Bucket=bucket)
    return sorted(item["Key"] for item in listing.get("Contents", []))


def po_request_posted(client, customer):
    """A PO request through its page, with a PDF contract support (the file the PO e-mail
    attaches), for one of `customer`'s invoices. Needs a PoAddress for Argentina."""
    return client.post(
        "/billing/po/new/",
        {
            "kind": "po",
            "reference": "4500012345",
            "invoices": [invoice_with_lines(customer).number],
            "comment": "Our accounts payable needs it",
            "support": SimpleUploadedFile("orden.pdf", PDF_BYTES),
        },
    )
