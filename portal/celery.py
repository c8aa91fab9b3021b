import os

from celery import Celery

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
}
app.autodiscover_tasks()
