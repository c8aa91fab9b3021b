"""Shared by the maintenance notice tests: run a service at a moment and collect its e-mails."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.core import mail

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run a service at T0 (or `at`) and return the e-mails it sent, by address."""

    def _run(function, at=T0, **kwargs):
        before = len(mail.outbox)
        with (
            time_machine.travel(at, tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            function(**kwargs)
        return {m.to[0].split("<")[-1].rstrip(">"): m for m in mail.outbox[before:]}

    return _run
