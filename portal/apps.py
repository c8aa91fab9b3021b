from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The top floor: settings, URLs, the page shell, the dashboard, help and feedback. It
    composes the areas and owns no table of its own (the label `portal` belongs to `core`)."""

    name = "portal"
    label = "site"
    verbose_name = _("Help and feedback")

    def ready(self) -> None:
        from . import emails  # noqa: F401 - registers the feedback e-mail builder
