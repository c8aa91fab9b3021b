from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChangesConfig(AppConfig):
    name = "changes"
    verbose_name = _("Changes and maintenance")

    def ready(self) -> None:
        from changes import cards, emails  # noqa: F401 - registers its cards and e-mail builders
        from changes.services.maintenance import calendar_feeds_revoke
        from core.services.users import FEED_REVOKERS

        if calendar_feeds_revoke not in FEED_REVOKERS:
            FEED_REVOKERS.append(calendar_feeds_revoke)
