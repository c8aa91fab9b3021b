from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The ground floor: tenancy, people, audit, the outbox, generic helpers. It imports no area.

    Its label stays `portal`, the label these tables, migrations, permissions and admin addresses
    were created under, so every existing database keeps its history as it is."""

    name = "core"
    label = "portal"
    verbose_name = _("Customer Portal")

    def ready(self) -> None:
        # Registers the deploy checks, the core's e-mail builders and its Celery tasks.
        from allauth.account.signals import user_logged_in

        from core import checks, emails, tasks  # noqa: F401
        from core.middleware import session_activity_on_sign_in

        # After allauth's own receiver (its app is ready first), which writes the session's row.
        user_logged_in.connect(session_activity_on_sign_in, dispatch_uid="session-activity")
