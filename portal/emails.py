from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext

from core.models import Feedback, Notification
from core.notifications import customer_row, notification_context


@notification_context("portal/feedback")
def _feedback(notification: "Notification") -> dict:
    """A question or suggestion about the portal for the service manager (R-POR-6); replies go
    to the author."""
    feedback = customer_row(Feedback, notification, "feedback")
    return {
        "feedback": feedback,
        "author_name": feedback.author.get_full_name() or feedback.author.email,
        "url": settings.PORTAL_BASE_URL
        + reverse("admin:portal_feedback_change", args=[feedback.pk]),
        "button": gettext("Open in the staff administration"),
        "reply_to": [feedback.author.email],
    }
