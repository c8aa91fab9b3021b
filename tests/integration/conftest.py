"""A real SMTP server and a real Celery worker on Redis, shared by this session's integration
tests, and, for the tests that break things, a redis-server, an SMTP sink and workers of their own.

The workers use the same test database as pytest, so the tests commit their rows
(`transaction=True`) for them to see."""

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
import redis
from django.conf import settings
from django.db import connection
from kombu import pools

from portal.celery import app
from tests.integration.support import (
    CeleryWorker,
    RedisServer,
    SmtpSink,
    database_url,
    free_port,
)

SESSION_ID = uuid.uuid4().hex[:12]
QUEUE = f"portal-test-{SESSION_ID}"
# How long a private worker's claim on a row lasts before the sweep frees it (the production
# default is 300 s): the SIGKILL test waits this long instead.
CLAIM_TIMEOUT = 2


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed:
        workers = list(getattr(item, "_started_workers", []))
        shared = item.funcargs.get("celery_worker") if hasattr(item, "funcargs") else None
        if isinstance(shared, CeleryWorker):
            since = getattr(item, "_worker_log_start", 0)
            report.sections.append(("Celery worker log", shared.log(since) or "(empty)"))
        for name, worker in workers:
            report.sections.append((f"Celery worker log: {name}", worker.log() or "(empty)"))
    return report


def _redis_broker_url() -> str:
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        pytest.fail(f"the integration tests need a Redis broker (REDIS_URL); got {url!r}")
    return url


def _worker_env(*, broker_url: str, smtp_port: int, queue: str, **extra: str) -> dict[str, str]:
    """A worker process's environment: this test database, `broker_url`, the SMTP sink."""
    return {
        **os.environ,
        # The settings module of this test run (pytest-django's --ds or the ini file).
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "portal.settings"),
        "DEBUG": "0",
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url(connection.settings_dict),
        "CELERY_BROKER_URL": broker_url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "CACHE_URL": "locmemcache://",
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}?timeout=5",
        "PORTAL_BASE_URL": settings.PORTAL_BASE_URL,
        "PORTAL_TEST_QUEUE": queue,
        # Retries a second apart (in production: minutes to hours, over about 44 hours).
        "NOTIFICATION_RETRY_SCHEDULE": ",".join(["1s"] * 30),
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


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
    env = _worker_env(
        broker_url=broker_url,
        smtp_port=smtp_sink.port,
        queue=QUEUE,
        DATABASE_CONN_MAX_AGE="0",
    )
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


def _reset_producers() -> None:
    """Forget the test process's broker connections, so the next publish uses the current URL."""
    pools.reset()
    app._pool = None  # type: ignore[attr-defined]  # Celery's private connection pool
    app.amqp._producer_pool = None  # type: ignore[attr-defined]  # kombu's, private too


@pytest.fixture
def celery_publisher(settings) -> Iterator[Callable[[str, str], None]]:
    """`publish_to(broker_url, queue)`: this test process sends its tasks there, as a web
    process configured with that broker would, until the test ends.

    `app.conf.broker_url` cannot do it: Celery reads CELERY_BROKER_URL from the environment
    first. The write URL is read from the configuration when the environment has none.
    """
    saved = {
        "broker_write_url": app.conf.get("broker_write_url"),
        "task_default_queue": app.conf.task_default_queue,
    }

    def publish_to(broker_url: str, queue: str) -> None:
        _reset_producers()
        app.conf.broker_write_url = broker_url  # type: ignore[misc]  # celery-types: read-only
        if app.conf.broker_write_url != broker_url:
            pytest.fail("CELERY_BROKER_WRITE_URL in the environment overrides the test's broker")
        app.conf.task_default_queue = queue
        settings.CELERY_TASK_ALWAYS_EAGER = False
        app.conf.task_always_eager = False

    yield publish_to
    _reset_producers()
    app.conf.broker_write_url = saved["broker_write_url"]  # type: ignore[misc]  # as above
    app.conf.task_default_queue = saved["task_default_queue"]


@pytest.fixture
def live_celery(request, celery_publisher, celery_worker, smtp_sink):
    """Tasks go through Redis to the worker (the suite's autouse fixture makes them eager)."""
    celery_publisher(_redis_broker_url(), QUEUE)
    smtp_sink.start()
    smtp_sink.clear()
    request.node._worker_log_start = celery_worker.log_size()
    yield celery_worker
    smtp_sink.clear()
    smtp_sink.start()


@pytest.fixture
def redis_server(tmp_path) -> Iterator[RedisServer]:
    """A redis-server of this test's own, free to stop and restart; stopped after the test."""
    binary = (
        RedisServer.BINARY
        if os.access(RedisServer.BINARY, os.X_OK)
        else shutil.which("redis-server")
    )
    if binary is None:
        reason = f"no redis-server at {RedisServer.BINARY} (apt-get install redis-server)"
        if os.environ.get("REQUIRE_REAL_PARTS") == "1":  # as tests/conftest.py
            pytest.fail(reason)
        pytest.skip(reason)
    server = RedisServer(port=free_port(), directory=tmp_path / "redis", binary=binary)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def private_smtp_sink(request) -> Iterator[SmtpSink]:
    """The test's own SMTP server; `@pytest.mark.smtp_auth` makes it require a login."""
    sink = SmtpSink(port=free_port(), auth=request.node.get_closest_marker("smtp_auth") is not None)
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def start_worker(request, django_db_setup, tmp_path) -> Iterator[Callable[..., CeleryWorker]]:
    """`start_worker(broker_url=, smtp_port=, queue=, name=, pool=, concurrency=, **env)`: a
    worker process for this test, stopped (if still alive) when the test ends."""
    started: list[tuple[str, CeleryWorker]] = []
    request.node._started_workers = started

    def start(
        *,
        broker_url: str,
        smtp_port: int,
        queue: str,
        name: str = "worker",
        pool: str = "solo",
        concurrency: int = 1,
        **env: str,
    ) -> CeleryWorker:
        worker = CeleryWorker(
            app="tests.integration.worker_app",
            queue=queue,
            env=_worker_env(broker_url=broker_url, smtp_port=smtp_port, queue=queue, **env),
            cwd=settings.BASE_DIR,
            log_path=tmp_path / f"{name}.log",
            name=f"{name}-{queue}",
            pool=pool,
            concurrency=concurrency,
        )
        started.append((name, worker))
        worker.start()
        return worker

    yield start
    for _name, worker in reversed(started):
        worker.stop()


@dataclass
class PrivateStack:
    """A broker, an SMTP server and workers that belong to one test, and the queue they use.
    The test process publishes to this broker; `start_worker()` adds a worker with the
    stack's settings (a short claim timeout, a one-second retry backoff)."""

    redis: RedisServer
    smtp: SmtpSink
    queue: str
    _start: Callable[..., CeleryWorker] = field(repr=False)

    def start_worker(self, name: str = "worker", **options) -> CeleryWorker:
        env = {
            "NOTIFICATION_CLAIM_TIMEOUT": str(CLAIM_TIMEOUT),
            "EMAIL_URL": self.smtp.url,
            **options.pop("env", {}),
        }
        return self._start(
            broker_url=self.redis.url,
            smtp_port=self.smtp.port,
            queue=self.queue,
            name=name,
            **options,
            **env,
        )

    def queued(self) -> int:
        """Tasks waiting in the broker (not those a worker holds)."""
        return self.redis.client().llen(self.queue)


@pytest.fixture
def private_stack(
    redis_server, private_smtp_sink, start_worker, celery_publisher, settings
) -> PrivateStack:
    """For the tests that stop the broker or kill a worker: nothing shared is touched."""
    queue = f"{QUEUE}-{uuid.uuid4().hex[:6]}"
    celery_publisher(redis_server.url, queue)
    settings.NOTIFICATION_CLAIM_TIMEOUT = CLAIM_TIMEOUT
    return PrivateStack(
        redis=redis_server, smtp=private_smtp_sink, queue=queue, _start=start_worker
    )
