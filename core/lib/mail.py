"""The embedded-mode e-mail backend (each message as an .eml file, echoed to the console), and
the SMTP connection a worker keeps open from one e-mail to the next."""

import contextlib
import os
import smtplib
import sys
import threading
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail import mailers
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.handler import DEFAULT_MAILER_ALIAS
from django.utils import timezone


class EmlFileEmailBackend(BaseEmailBackend):
    def __init__(self, *, directory: str, stream=None, **kwargs):
        super().__init__(**kwargs)
        self.directory = Path(directory)
        self.stream = stream or sys.stdout

    def send_messages(self, email_messages) -> int:
        self.directory.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            raw = message.message().as_bytes()
            name = f"{timezone.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}.eml"
            (self.directory / name).write_bytes(raw)
            self.stream.write(
                f"--- e-mail written to {self.directory / name} ---\n"
                f"To: {', '.join(message.to)}\nSubject: {message.subject}\n\n{message.body}\n---\n"
            )
            self.stream.flush()
            sent += 1
        return sent


# --- One SMTP connection per worker process ---------------------------------------------------
class _Held(threading.local):
    """The SMTP connection this thread keeps open between e-mails (prefork: one per process)."""

    mailer: BaseEmailBackend | None = None
    config: dict | None = None
    pid = 0
    opened_at = 0.0


_held = _Held()


def _answers(mailer: BaseEmailBackend) -> bool:
    """A held connection is used again only if it answers RSET with 250 now: a relay that timed
    it out (421), closed it or vanished is found here, before a message is handed to it."""
    try:
        code, _reply = mailer.connection.rset()  # type: ignore[attr-defined]  # SMTP backend
    except (smtplib.SMTPException, OSError):
        return False
    return code == 250


def _forget(*, quit: bool) -> None:
    mailer, _held.mailer = _held.mailer, None
    if mailer is None:
        return
    if quit:
        with contextlib.suppress(Exception):
            mailer.close()
    else:  # another process's connection (inherited through fork): close our copy, say nothing
        with contextlib.suppress(Exception):
            mailer.connection.close()  # type: ignore[attr-defined]  # SMTP backend


def mailer_open() -> BaseEmailBackend:
    """An open connection to the default mailer. An SMTP connection is kept for this thread's
    next e-mails (NOTIFICATION_SMTP_REUSE seconds at most) and reused while it answers;
    anything else is a new one. Raises what connecting raises (the relay's fault)."""
    config = mailers.settings.get(DEFAULT_MAILER_ALIAS)
    if _held.mailer is not None:
        mine = _held.pid == os.getpid()
        if (
            mine
            and _held.config == config
            and time.monotonic() - _held.opened_at < settings.NOTIFICATION_SMTP_REUSE
            and _answers(_held.mailer)
        ):
            return _held.mailer
        _forget(quit=mine)
    mailer = mailers.default
    try:
        mailer.open()
    except Exception:
        with contextlib.suppress(Exception):
            mailer.close()
        raise
    if settings.NOTIFICATION_SMTP_REUSE and isinstance(
        getattr(mailer, "connection", None), smtplib.SMTP
    ):
        _held.mailer, _held.config, _held.pid = mailer, config, os.getpid()
        _held.opened_at = time.monotonic()
    return mailer


def mailer_release(mailer: BaseEmailBackend, *, failed: bool = False) -> None:
    """After a send: a held connection stays open for the next e-mail, unless the send failed
    (the session's state is unknown then: the next e-mail connects afresh); any other mailer is
    closed."""
    if _held.mailer is mailer:
        if not failed:
            return
        _forget(quit=True)
        return
    with contextlib.suppress(Exception):
        mailer.close()


def mailer_close_held() -> None:
    """QUIT the held connection (a worker process shutting down)."""
    _forget(quit=_held.pid == os.getpid())
