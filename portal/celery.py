import logging.config
import os
from pathlib import Path

from celery import Celery, signals
from django.conf import settings
from django.db import close_old_connections

import core.lib.request_id  # noqa: F401 - its signals carry the request id into tasks

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

# Every task opens no customer scope of its own: see core/lib/celery_tasks.py.
app = Celery("portal", task_cls="core.lib.celery_tasks:UnscopedTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.beat_schedule = {
    # The outbox: pending e-mails the broker lost, retries that are due, scheduled reminders.
    "notifications-sweep": {"task": "portal.tasks.notifications_sweep", "schedule": 60.0},
    "tickets-close-resolved": {"task": "tickets.tasks.tickets_close_resolved", "schedule": 900.0},
    "orders-installation-reminders": {
        "task": "orders.tasks.installation_reminders_send",
        "schedule": 900.0,
    },
    "invoices-mark-overdue": {"task": "billing.tasks.invoices_mark_overdue", "schedule": 3600.0},
    "sessions-clear-expired": {"task": "portal.tasks.sessions_clear_expired", "schedule": 3600.0},
    # CSV exports: fail those a dead worker left, remove files past CSV_EXPORT_KEEP_HOURS.
    "exports-sweep": {"task": "core.tasks.exports_sweep", "schedule": 300.0},
}
app.autodiscover_tasks()


def _logging_as_the_web_logs(**kwargs) -> None:
    """The worker and beat write the web's JSON lines, request id and all."""
    logging.config.dictConfig(settings.LOGGING)


# With LOG_FORMAT=json Celery leaves logging to Django's LOGGING (core/lib/request_id.py); in
# text it keeps its own familiar format.
if settings.LOG_FORMAT == "json":
    signals.setup_logging.connect(_logging_as_the_web_logs, weak=False)


@signals.task_prerun.connect
@signals.task_postrun.connect
def _database_connections_between_tasks(sender=None, **kwargs) -> None:
    """A task's database connection lives as a request's does: closed if it broke or is older
    than CONN_MAX_AGE, else reused by the next task (CELERY_DB_REUSE_MAX keeps Celery from
    closing it every time). An eager task runs inside its caller's request or transaction: left
    alone."""
    if sender is not None and not getattr(sender.request, "is_eager", False):
        close_old_connections()


def filesystem_broker_folders() -> None:
    """The folders of the filesystem broker (`make run` without Redis), made before anything
    publishes: kombu does not create them, and a message published without them waits for the
    outbox sweep instead of going to the worker."""
    if not settings.CELERY_BROKER_URL.startswith("filesystem"):
        return
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            Path(str(options[key])).mkdir(parents=True, exist_ok=True)
