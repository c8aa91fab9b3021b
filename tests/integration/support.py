"""Real parts for the integration tests: an SMTP sink, a Celery worker process, a Redis cache
whose `clear()` never flushes a shared database."""

import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from aiosmtpd.controller import Controller
from django.core.cache.backends.redis import RedisCache

logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate: Callable[[], object], *, timeout: float, what: str) -> object:
    """Poll another process's work (a worker, an SMTP server) until `predicate` is truthy."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(0.1)


def database_url(settings_dict: dict) -> str:
    """The URL of the database this test process uses (the test database), for another process."""
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{Path(settings_dict['NAME']).resolve()}"
    user = quote(settings_dict.get("USER") or "", safe="")
    password = settings_dict.get("PASSWORD") or ""
    auth = f"{user}:{quote(password, safe='')}" if password else user
    netloc = quote(settings_dict.get("HOST") or "localhost", safe="")
    if settings_dict.get("PORT"):
        netloc += f":{settings_dict['PORT']}"
    if auth:
        netloc = f"{auth}@{netloc}"
    return f"postgres://{netloc}/{quote(settings_dict['NAME'], safe='')}"


class SmtpSink:
    """A real SMTP server (aiosmtpd) on a loopback port that keeps every message it receives."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.messages: list[bytes] = []
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's hook
        with self._lock:
            self.messages.append(envelope.original_content)
        return "250 Message accepted for delivery"

    @property
    def running(self) -> bool:
        return self._controller is not None

    def start(self) -> None:
        if self._controller is None:
            controller = Controller(self, hostname="127.0.0.1", port=self.port)
            controller.start()
            self._controller = controller

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def received(self) -> list[bytes]:
        with self._lock:
            return list(self.messages)

    def clear(self) -> None:
        with self._lock:
            self.messages.clear()


class CeleryWorker:
    """`python -m celery worker` in its own process group, its output in a log file."""

    def __init__(self, *, app: str, queue: str, env: dict[str, str], cwd: Path, log_path: Path):
        self.queue = queue
        self.log_path = log_path
        self._command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            app,
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "INFO",
            "--queues",
            queue,
            "--hostname",
            f"{queue}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
        self._env = env
        self._cwd = cwd
        self._process: subprocess.Popen | None = None
        self._log_file = None

    def start(self, *, timeout: float = 60) -> None:
        self._log_file = self.log_path.open("wb")
        self._process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            self._command,
            cwd=self._cwd,
            env=self._env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_until(self._ready, timeout=timeout, what="the Celery worker to be ready")
        except AssertionError:
            self.stop()
            raise AssertionError(f"the Celery worker did not start:\n{self.log()}") from None

    def _ready(self) -> bool:
        if self._process.poll() is not None:
            raise AssertionError(
                f"the Celery worker exited with {self._process.returncode}:\n{self.log()}"
            )
        return " ready." in self.log()

    def log(self, since: int = 0) -> str:
        if not self.log_path.exists():
            return ""
        return self.log_path.read_bytes()[since:].decode(errors="replace")

    def log_size(self) -> int:
        return self.log_path.stat().st_size if self.log_path.exists() else 0

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)  # warm shutdown
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None


class PrefixRedisCache(RedisCache):
    """Django's Redis cache, except that `clear()` deletes only this cache's own keys.

    The stock `clear()` is FLUSHDB, which would wipe a Redis database shared with others.
    """

    def clear(self) -> None:
        if not self.key_prefix:
            raise ValueError("PrefixRedisCache needs a KEY_PREFIX of its own")
        client = self._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{self.key_prefix}:*", count=500))
        if keys:
            client.delete(*keys)

    def keys(self) -> list[bytes]:
        client = self._cache.get_client()
        return list(client.scan_iter(match=f"{self.key_prefix}:*", count=500))
