"""`make run` without Redis: the filesystem broker's folders exist before seed_demo publishes, so
the demo's e-mails reach the worker instead of waiting for the outbox sweep."""

import io

import pytest
from django.core.management import call_command

from portal.celery import filesystem_broker_folders


@pytest.fixture
def filesystem_broker(settings, tmp_path):
    folders = {
        "data_folder_in": tmp_path / "broker" / "queue",
        "data_folder_out": tmp_path / "broker" / "queue",
        "processed_folder": tmp_path / "broker" / "processed",
        "control_folder": tmp_path / "broker" / "control",
    }
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {k: str(v) for k, v in folders.items()}
    return folders


@pytest.mark.django_db
def test_seed_demo_makes_the_filesystem_brokers_folders(filesystem_broker, settings):
    settings.DEBUG = True
    assert not any(folder.exists() for folder in filesystem_broker.values())

    call_command("seed_demo", stdout=io.StringIO())

    assert all(folder.is_dir() for folder in filesystem_broker.values())


def test_no_folder_is_made_for_a_redis_broker(settings, tmp_path):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/0"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(tmp_path / "queue")}

    filesystem_broker_folders()

    assert not (tmp_path / "queue").exists()
