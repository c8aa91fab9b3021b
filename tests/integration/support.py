"""Real parts for the integration tests: an SMTP sink that can refuse on demand, a Celery worker
process, a redis-server of a test's own (to stop and restart), a Redis cache whose `clear()`
never flushes a shared database."""

import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

import redis
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
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


@dataclass
class _Fault:
    command: str
    reply: str
    times: int | None
    address: str


class SmtpSink:
    """A real SMTP server (aiosmtpd) on a loopback port that keeps every message it receives.

    `fail()` scripts refusals, as a busy or strict server answers: "451" for the next two DATA
    commands, "550" for one address for good. With `auth=True` it offers AUTH (PLAIN, LOGIN)
    and requires it; `accept_logins = False` makes it answer every login with 535, as a relay
    does after its password was rotated.
    """

    USERNAME = "portal"
    PASSWORD = "relay-secret"  # noqa: S105 - the test server's own

    def __init__(self, port: int, *, auth: bool = False) -> None:
        self.port = port
        self.auth = auth
        self.accept_logins = True
        self.logins: list[bool] = []  # the outcome of every AUTH, in order
        self.messages: list[bytes] = []
        self.arrivals: list[float] = []  # time.time() of each message, for the benchmark
        # Seconds from our "250" for a message to the client's QUIT on that connection: the
        # outbox records the message as sent in between (the window a SIGKILL can hit).
        self.accepted_to_quit: list[float] = []
        self.refused: list[tuple[str, str]] = []  # (command, reply) of every scripted refusal
        # Every connection a client opened (its EHLO), and the one each message came over.
        self.connections: list[Any] = []
        self.carried_by: list[Any] = []
        self._faults: list[_Fault] = []
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    def fail(self, command: str, reply: str, *, times: int | None = None, address: str = ""):
        """Answer `reply` to the next `times` RCPT or DATA commands (None: every one), for any
        recipient or only for `address`."""
        if command not in ("RCPT", "DATA"):
            raise ValueError(f"SmtpSink fails RCPT or DATA, not {command!r}")
        with self._lock:
            self._faults.append(_Fault(command, reply, times, address.lower()))

    def _fault(self, command: str, addresses: list[str]) -> str | None:
        addresses = [address.lower() for address in addresses]
        with self._lock:
            for fault in self._faults:
                if fault.command != command or (fault.address and fault.address not in addresses):
                    continue
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times == 0:
                        self._faults.remove(fault)
                self.refused.append((command, fault.reply))
                return fault.reply
        return None

    async def handle_EHLO(self, server, session, envelope, hostname, responses) -> list[str]:  # noqa: N802
        """Counts connections: a client greets once per connection (smtplib does)."""
        session.host_name = hostname
        with self._lock:
            self.connections.append(server)
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:  # noqa: N802
        reply = self._fault("RCPT", [address])
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's hook
        reply = self._fault("DATA", envelope.rcpt_tos)
        if reply:
            return reply
        now = time.time()
        session.portal_accepted_at = now
        with self._lock:
            self.messages.append(envelope.original_content)
            self.arrivals.append(now)
            self.carried_by.append(server)
        return "250 Message accepted for delivery"

    async def handle_QUIT(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's hook
        accepted = getattr(session, "portal_accepted_at", None)
        if accepted is not None:
            with self._lock:
                self.accepted_to_quit.append(time.time() - accepted)
        return "221 Bye"

    @property
    def running(self) -> bool:
        return self._controller is not None

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = (
            self.accept_logins
            and getattr(auth_data, "login", b"") == self.USERNAME.encode()
            and getattr(auth_data, "password", b"") == self.PASSWORD.encode()
        )
        with self._lock:
            self.logins.append(ok)
        return AuthResult(success=ok, handled=False)  # aiosmtpd answers 535 itself

    @property
    def url(self) -> str:
        """EMAIL_URL for a worker that sends through this server (with its login if any)."""
        login = f"{self.USERNAME}:{self.PASSWORD}@" if self.auth else ""
        return f"smtp://{login}127.0.0.1:{self.port}?timeout=5"

    def start(self) -> None:
        if self._controller is None:
            options: dict[str, Any] = (
                {
                    "authenticator": self._authenticate,
                    "auth_required": True,
                    "auth_require_tls": False,
                }
                if self.auth
                else {}
            )
            controller = Controller(self, hostname="127.0.0.1", port=self.port, **options)
            controller.start()
            self._controller = controller

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def drop_connections(self) -> None:
        """Close every client connection from the server's side without a word, as a relay
        that restarted or timed out an idle session; the server keeps listening."""
        assert self._controller is not None  # a running server
        with self._lock:
            servers = list(self.connections)
        for server in servers:
            if server.transport is not None:
                self._controller.loop.call_soon_threadsafe(server.transport.close)

    def connections_used(self) -> int:
        """How many distinct connections the received messages came over."""
        with self._lock:
            return len({id(server) for server in self.carried_by})

    def received(self) -> list[bytes]:
        with self._lock:
            return list(self.messages)

    def count_by(self, header: str) -> Counter[str]:
        """How many received messages carry each value of `header` (Message-ID,
        X-Portal-Notification): "exactly once" is a count of 1 for every value."""
        parser = BytesHeaderParser()
        return Counter(str(parser.parsebytes(raw)[header]) for raw in self.received())

    def arrived_at(self, header: str) -> dict[str, float]:
        """When the first message with each value of `header` was accepted (time.time())."""
        parser = BytesHeaderParser()
        with self._lock:
            received = list(zip(self.messages, self.arrivals, strict=True))
        arrived: dict[str, float] = {}
        for raw, at in received:
            arrived.setdefault(str(parser.parsebytes(raw)[header]), at)
        return arrived

    def clear(self) -> None:
        """Forget the messages and the scripted refusals."""
        with self._lock:
            self.messages.clear()
            self.arrivals.clear()
            self.accepted_to_quit.clear()
            self.refused.clear()
            self.connections.clear()
            self.carried_by.clear()
            self._faults.clear()


class RedisServer:
    """A redis-server of one test's own on a loopback port, for tests that stop the broker.

    Nothing is persisted (`--save ""`, `--appendonly no`): after `stop()` and `start()` it is an
    empty Redis on the same port, as a broker that lost its queues. The machine's shared Redis
    is never touched.
    """

    BINARY = "/usr/bin/redis-server"

    def __init__(self, *, port: int, directory: Path, binary: str = BINARY) -> None:
        self.port = port
        self.directory = directory
        self.binary = binary
        self._process: subprocess.Popen | None = None
        self._log_file: IO[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def running(self) -> bool:
        return self._process is not None

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=5)

    def start(self, *, timeout: float = 10) -> None:
        if self._process is not None:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        self._log_file = (self.directory / "redis.log").open("ab")
        self._process = subprocess.Popen(  # noqa: S603 - a fixed binary and our own arguments
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
                "--daemonize",
                "no",
            ],
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_until(self._answers, timeout=timeout, what=f"redis-server on port {self.port}")

    def _answers(self) -> bool:
        assert self._process is not None  # called once started
        if self._process.poll() is not None:
            log = (self.directory / "redis.log").read_text(errors="replace")
            raise AssertionError(f"redis-server exited with {self._process.returncode}:\n{log}")
        try:
            return bool(self.client().ping())
        except redis.ConnectionError:
            return False

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None


class CeleryWorker:
    """`python -m celery worker` in its own process group, its output in a log file."""

    def __init__(
        self,
        *,
        app: str,
        queue: str,
        env: dict[str, str],
        cwd: Path,
        log_path: Path,
        name: str = "",
        pool: str = "solo",
        concurrency: int = 1,
    ):
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
            pool,
            "--concurrency",
            str(concurrency),
            "--loglevel",
            "INFO",
            "--queues",
            queue,
            "--hostname",
            f"{name or queue}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
        self._env = env
        self._cwd = cwd
        self._process: subprocess.Popen | None = None
        self._log_file: IO[bytes] | None = None

    def start(self, *, timeout: float = 60) -> None:
        self._log_file = self.log_path.open("ab")
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
        assert self._process is not None  # called once started
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

    def kill(self, *, after: float = 0.0) -> None:
        """SIGKILL, as the kernel's OOM killer or a lost machine: no warm shutdown, no ack, no
        message given back to the broker.

        `after` seconds from now, timed by a `sleep` in another process: when this process's
        own threads (the SMTP sink) let it run plays no part in the moment of the kill.
        """
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            if after > 0:
                subprocess.run(  # noqa: S603 - a fixed shell line with two numbers
                    ["/bin/sh", "-c", f"sleep {after:.4f}; kill -9 -{int(process.pid)}"],
                    check=True,
                    timeout=30,
                )
            else:
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
        self._close_log()

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)  # warm shutdown
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        self._close_log()

    def _close_log(self) -> None:
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
