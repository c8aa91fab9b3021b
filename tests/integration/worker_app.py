"""The portal's own Celery app, as the integration tests' worker process loads it (`-A`).

One test-only adjustment, from the environment the test fixture sets: PORTAL_TEST_QUEUE is this
test session's own queue, so parallel runs on one Redis never take each other's tasks (retries go
back to it as well). The retry schedule comes from the NOTIFICATION_RETRY_SCHEDULE setting.
"""

import os

from portal.celery import app

app.conf.task_default_queue = os.environ["PORTAL_TEST_QUEUE"]

__all__ = ["app"]
