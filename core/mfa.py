"""allauth.mfa adapter: staff keep their second factor."""

from allauth.mfa import app_settings
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.utils.translation import gettext_lazy as _


class PortalMFAAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        # Only staff are ever refused (below): say why and what to do instead.
        "cannot_delete_authenticator": _(
            "The staff administration requires your authenticator app, so it cannot be "
            "switched off here. If you lost your phone, a superuser removes it and you set up "
            "a new one at your next visit."
        ),
    }

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """A staff member cannot switch off their own authenticator app: the admin requires it
        (A1), and a session opened before it existed must not be able to swap it for an
        attacker's. A superuser removes it for them (audited) when a phone is lost."""
        user = authenticator.user
        if authenticator.type == Authenticator.Type.TOTP and (user.is_staff or user.is_superuser):
            return False
        return super().can_delete_authenticator(authenticator)


def totp_value(secret: str, at: float) -> str:
    """The code an authenticator app shows for `secret` at the Unix time `at` (allauth's own
    HOTP helpers and its period and digits)."""

    return format_hotp_value(hotp_value(secret, int(at) // app_settings.TOTP_PERIOD))
