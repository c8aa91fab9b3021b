"""`make run` without Redis: the filesystem broker's folders exist before seed_demo publishes, so
the demo's e-mails reach the worker instead of waiting for the outbox sweep."""

import io

import pytest
from django.core.management import call_command

from portal.celery import app, filesystem_broker_folders


@pytest.fixture
def broker_conf():
    """Sets the Celery app's broker for one test (its conf is not a plain object monkeypatch can
    restore)."""
    saved = {
        "broker_url": app.conf.broker_url,
        "broker_transport_options": dict(app.conf.broker_transport_options or {}),
    }
    yield app.conf.update
    app.conf.update(saved)


@pytest.fixture
def filesystem_broker(broker_conf, tmp_path):
    folders = {
        "data_folder_in": tmp_path / "broker" / "queue",
        "data_folder_out": tmp_path / "broker" / "queue",
        "processed_folder": tmp_path / "broker" / "processed",
        "control_folder": tmp_path / "broker" / "control",
    }
    broker_conf(
        broker_url="filesystem://",
        broker_transport_options={k: str(v) for k, v in folders.items()},
    )
    return folders


@pytest.mark.django_db
def test_seed_demo_makes_the_filesystem_brokers_folders(filesystem_broker, settings):
    settings.DEBUG = True
    assert not any(folder.exists() for folder in filesystem_broker.values())

    call_command("seed_demo", stdout=io.StringIO())

    assert all(folder.is_dir() for folder in filesystem_broker.values())


def test_no_folder_is_made_for_a_redis_broker(broker_conf, tmp_path):
    broker_conf(
        broker_url="redis://127.0.0.1:6379/0",
        broker_transport_options={"data_folder_in": str(tmp_path / "queue")},
    )

    filesystem_broker_folders()

    assert not (tmp_path / "queue").exists()
