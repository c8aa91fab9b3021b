from celery import shared_task

from orders import services


@shared_task
def installation_reminders_send() -> list[str]:
    """R-ORD default: TP4 two business days before installation, when staff have not sent it."""
    return services.installation_reminders_send()
