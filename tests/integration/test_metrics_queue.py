"""/metrics reads the Celery queue's length from a real Redis (issue 16, part 3): tasks published
and not yet taken by a worker."""

import pytest

from portal.celery import app
from tests.portal.test_metrics import TOKEN, _value

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_the_queue_length_is_what_waits_in_redis(redis_server, client, settings):
    settings.METRICS_TOKEN = TOKEN
    settings.CELERY_BROKER_URL = redis_server.url
    with app.connection_for_write(redis_server.url) as connection:
        for _ in range(3):
            app.send_task("portal.tasks.ping", connection=connection, queue="celery")

    text = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").content.decode()

    assert _value(text, "portal_celery_broker_up") == 1
    assert _value(text, "portal_celery_queue_length") == 3
    redis_server.stop()
    down = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").content.decode()
    assert _value(down, "portal_celery_broker_up") == 0
    assert _value(down, "portal_celery_queue_length") is None
