from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.auth import get_user_model
from django.shortcuts import render
from django.utils import translation

from core.models import AuditEvent
from core.selectors import memberships_for_user
from core.services import audit_record_for_user_customers
from core.services.account_emails import account_email_queue

# allauth's security notifications, written to the audit log of the person's customers too.
_NOTIFICATION_ACTIONS = {
    "account/email/password_reset": AuditEvent.Action.PASSWORD_RESET,
    "account/email/password_changed": AuditEvent.Action.PASSWORD_CHANGE,
    "account/email/password_set": AuditEvent.Action.PASSWORD_CHANGE,
}


def _sign_in_refusal(user) -> str:
    """Why this person may not sign in ("" when they may): staff need an active account,
    customers' people an active membership too (R-POR-5)."""
    if not user.is_active:
        return "account_inactive"
    if not user.is_staff and not memberships_for_user(user).exists():
        return "no_active_membership"
    return ""


class PortalAccountAdapter(DefaultAccountAdapter):
    """No public sign-up: people arrive by invitation or are created by staff."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def authenticate(self, request, **credentials):
        """A person who may not sign in (every membership inactive, R-POR-5, or the account
        deactivated by staff) gets exactly the answer to a wrong password: the same form error,
        and the attempt counts towards the `login_failed` rate limit. A different answer to the
        right password (the "no access" page it used to get) would confirm a former member's
        password to whoever tries it."""
        user = super().authenticate(request, **credentials)
        reason = _sign_in_refusal(user) if user is not None else ""
        if not reason:
            return user
        # allauth handed the attempt back because the password was right; take it again, as
        # for a wrong one.
        self.pre_authenticate(request, **credentials)
        audit_record_for_user_customers(
            user=user,
            action=AuditEvent.Action.SIGN_IN_FAILED,
            request=request,
            detail={"reason": reason},
        )
        return None

    def pre_login(self, request, user, **kwargs):
        """Any sign-in that does not go through the password check above is refused too."""
        reason = _sign_in_refusal(user)
        if reason:
            audit_record_for_user_customers(
                user=user,
                action=AuditEvent.Action.SIGN_IN_FAILED,
                request=request,
                detail={"reason": reason},
            )
            if user.language:
                translation.activate(user.language)
            return render(request, "portal/no_access.html", status=403)
        return super().pre_login(request, user, **kwargs)

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

    def send_notification_mail(self, template_prefix: str, user, context=None, email=None) -> None:
        action = _NOTIFICATION_ACTIONS.get(template_prefix)
        if action is None and template_prefix.startswith("mfa/email/"):
            action = AuditEvent.Action.MFA_CHANGE
        if action is not None:
            audit_record_for_user_customers(
                user=user,
                action=action,
                request=self.request,
                detail={"event": template_prefix.rsplit("/", 1)[-1]},
            )
        super().send_notification_mail(template_prefix, user, context=context, email=email)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Through the outbox, in the recipient's language (not the requester's): the request
        never waits for the broker or the relay, and no link or token is stored (the reset
        link is built from PORTAL_BASE_URL when the e-mail is sent)."""

        user = context.get("user") or get_user_model().objects.filter(email__iexact=email).first()
        language = getattr(user, "language", "") or translation.get_language()
        account_email_queue(
            template_prefix=template_prefix, email=email, context=context, language=language
        )
