import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.beat_schedule = {
    "invitations-resend-unsent": {
        "task": "portal.tasks.invitations_send_pending",
        "schedule": 60.0,
    },
    "sessions-clear-expired": {"task": "portal.tasks.sessions_clear_expired", "schedule": 3600.0},
}
app.autodiscover_tasks()
