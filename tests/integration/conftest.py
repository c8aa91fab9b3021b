"""A real SMTP server and a real Celery worker on Redis, shared by this session's integration
tests. The worker uses the same test database as pytest, so the tests commit their rows
(`transaction=True`) for it to see."""

import os
import uuid

import pytest
import redis
from django.conf import settings
from django.db import connection

from portal.celery import app
from tests.integration.support import CeleryWorker, SmtpSink, database_url, free_port

SESSION_ID = uuid.uuid4().hex[:12]
QUEUE = f"portal-test-{SESSION_ID}"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    worker = item.funcargs.get("celery_worker") if hasattr(item, "funcargs") else None
    if report.failed and isinstance(worker, CeleryWorker):
        since = getattr(item, "_worker_log_start", 0)
        report.sections.append(("Celery worker log", worker.log(since) or "(empty)"))
    return report


def _redis_broker_url() -> str:
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        pytest.fail(f"the integration tests need a Redis broker (REDIS_URL); got {url!r}")
    return url


@pytest.fixture(scope="session")
def smtp_sink():
    sink = SmtpSink(port=free_port())
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, smtp_sink, tmp_path_factory):
    """One worker for the session, on its own queue, stopped before the test database goes."""
    broker_url = _redis_broker_url()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "0",
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url(connection.settings_dict),
        "DATABASE_CONN_MAX_AGE": "0",
        "CELERY_BROKER_URL": broker_url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "CACHE_URL": "locmemcache://",
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_sink.port}?timeout=5",
        "PORTAL_BASE_URL": settings.PORTAL_BASE_URL,
        "PORTAL_TEST_QUEUE": QUEUE,
        "EMAIL_RETRY_BACKOFF": "1",
        "PYTHONUNBUFFERED": "1",
    }
    worker = CeleryWorker(
        app="tests.integration.worker_app",
        queue=QUEUE,
        env=env,
        cwd=settings.BASE_DIR,
        log_path=tmp_path_factory.mktemp("celery") / "worker.log",
    )
    worker.start()
    yield worker
    worker.stop()
    client = redis.Redis.from_url(broker_url)
    keys = [
        *client.scan_iter(match=f"{QUEUE}*"),
        *client.scan_iter(match=f"_kombu.binding*.{QUEUE}"),
    ]
    if keys:
        client.delete(*keys)


@pytest.fixture
def live_celery(request, settings, celery_worker, smtp_sink):
    """Tasks go through Redis to the worker (the suite's autouse fixture makes them eager)."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    default_queue = app.conf.task_default_queue
    app.conf.task_default_queue = QUEUE
    smtp_sink.start()
    smtp_sink.clear()
    request.node._worker_log_start = celery_worker.log_size()
    yield celery_worker
    app.conf.task_default_queue = default_queue
    smtp_sink.start()
