"""The embedded-mode e-mail backend: each message as an .eml file, echoed to the console."""

import sys
import uuid
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend
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
