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
        from core import checks, emails, tasks  # noqa: F401
