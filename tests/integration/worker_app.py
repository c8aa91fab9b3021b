"""The portal's own Celery app, as the integration tests' worker process loads it (`-A`).

Two test-only adjustments, both from the environment the test fixture sets:
- PORTAL_TEST_QUEUE: this test session's own queue, so parallel runs on one Redis never take
  each other's tasks (retries go back to it as well);
- PORTAL_TEST_RETRY_COUNTDOWN: seconds between automatic retries. `portal.tasks._RETRY` fixes its
  backoff (30 s with jitter, up to an hour) at import time with no setting to shorten it, so the
  SMTP-down test replaces Celery's backoff computation in this process only.
"""

import os

import celery.app.autoretry

from portal.celery import app

app.conf.task_default_queue = os.environ["PORTAL_TEST_QUEUE"]

_countdown = os.environ.get("PORTAL_TEST_RETRY_COUNTDOWN")
if _countdown:

    def _fixed_countdown(**_kwargs) -> int:
        return int(_countdown)

    celery.app.autoretry.get_exponential_backoff_interval = _fixed_countdown

__all__ = ["app"]
