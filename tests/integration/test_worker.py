from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from core.tasks import sessions_clear_expired
from tests.integration.support import wait_until


def _session(expire_date):
    store = SessionStore()
    store.create()
    Session.objects.filter(session_key=store.session_key).update(expire_date=expire_date)
    return store.session_key


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_task_sent_through_redis_is_run_by_the_worker(live_celery):
    expired = _session(timezone.now() - timedelta(days=1))
    current = _session(timezone.now() + timedelta(days=1))

    sessions_clear_expired.delay()

    wait_until(
        lambda: not Session.objects.filter(session_key=expired).exists(),
        timeout=30,
        what="the worker to delete the expired session",
    )
    assert Session.objects.filter(session_key=current).exists()
    assert "portal.tasks.sessions_clear_expired" in live_celery.log()
