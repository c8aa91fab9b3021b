from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.auth import get_user_model
from django.utils import translation

from portal.models import AuditEvent
from portal.services import audit_record_for_user_customers


class PortalAccountAdapter(DefaultAccountAdapter):
    """No public sign-up: people arrive by invitation or are created by staff."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def login(self, request, user) -> None:
        super().login(request, user)
        # From here on the person's own language, including the "signed in" message.
        if user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        audit_record_for_user_customers(
            user=user, action=AuditEvent.Action.SIGN_IN, request=request
        )

    def logout(self, request) -> None:
        user = request.user
        if user.is_authenticated:
            audit_record_for_user_customers(
                user=user, action=AuditEvent.Action.SIGN_OUT, request=request
            )
        super().logout(request)

    def authentication_failed(self, request, **credentials) -> None:
        super().authentication_failed(request, **credentials)
        email = (credentials.get("email") or "").strip()
        user = get_user_model().objects.filter(email__iexact=email).first() if email else None
        if user is not None:
            audit_record_for_user_customers(
                user=user, action=AuditEvent.Action.SIGN_IN_FAILED, request=request
            )

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Render in the recipient's language (not the requester's) and send through the worker."""
        from portal.tasks import email_send

        user = context.get("user") or get_user_model().objects.filter(email__iexact=email).first()
        language = getattr(user, "language", "") or translation.get_language()
        with translation.override(language):
            message = self.render_mail(template_prefix, email, context)
        alternatives = [
            (content, mimetype) for content, mimetype in getattr(message, "alternatives", [])
        ]
        email_send.delay(
            subject=message.subject,
            body=message.body,
            to=list(message.to),
            from_email=message.from_email,
            html=next((c for c, m in alternatives if m == "text/html"), ""),
        )
