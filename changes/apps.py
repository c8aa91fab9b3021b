from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChangesConfig(AppConfig):
    name = "changes"
    verbose_name = _("Changes and maintenance")

    def ready(self) -> None:
        from changes import cards, emails  # noqa: F401 - registers its cards and e-mail builders
