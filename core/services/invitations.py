import secrets
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.errors import DomainError, RateLimited
from core.models import (
    AuditEvent,
    Customer,
    Invitation,
    Membership,
    Notification,
    User,
)
from core.services.audit import audit_record
from core.services.outbox import Recipient, notify
from core.services.users import permissions_clean


def _invitations_cap_check(customer: Customer) -> None:
    """At most INVITATIONS_PER_DAY invitations, new or re-sent, per customer in 24 hours: each
    is an e-mail from the provider's domain to an address the customer typed (review finding
    I3). Counted from the audit log; the customer's row is locked so that two requests at once
    cannot both pass."""
    Customer.objects.select_for_update().filter(pk=customer.pk).first()
    sent = AuditEvent.objects.filter(
        customer=customer,
        action__in=[AuditEvent.Action.INVITE, AuditEvent.Action.INVITE_RESEND],
        created_at__gte=timezone.now() - timedelta(hours=24),
    ).count()
    if sent >= settings.INVITATIONS_PER_DAY:
        raise RateLimited(
            ngettext(
                "%(count)d invitation was sent for your organisation in the last 24 hours, "
                "the most we allow. Try again tomorrow.",
                "%(count)d invitations were sent for your organisation in the last 24 hours, "
                "the most we allow. Try again tomorrow.",
                settings.INVITATIONS_PER_DAY,
            )
            % {"count": settings.INVITATIONS_PER_DAY}
        )


@transaction.atomic
def invitation_create(
    *,
    customer: Customer,
    actor: User,
    email: str,
    full_name: str,
    language: str,
    role: str,
    permissions: dict[str, str],
    request: HttpRequest | None = None,
    audit_action: str = AuditEvent.Action.INVITE,
) -> Invitation:
    """Create an invitation and queue its e-mail through the outbox. The link's token is made
    when the e-mail is sent (invitation_token_issue): none is stored in the database or the
    broker before that, and a link that was never e-mailed cannot be used."""
    email = email.strip().lower()
    cleaned = permissions_clean(role=role, permissions=permissions)
    if Membership.objects.filter(customer=customer, user__email__iexact=email).exists():
        raise DomainError(
            _("%(email)s is already a user of %(customer)s.")
            % {"email": email, "customer": customer.display_name},
            field="email",
        )
    _invitations_cap_check(customer)
    pending = Invitation.objects.select_for_update().filter(
        customer=customer, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
    )
    pending.update(revoked_at=timezone.now())  # a new invitation replaces any earlier one
    invitation = Invitation.objects.create(
        customer=customer,
        email=email,
        full_name=full_name.strip(),
        language=language,
        role=role,
        permissions=cleaned,
        # The hash of a token nobody knows: the link is made when the e-mail leaves.
        token_hash=Invitation.hash_token(secrets.token_urlsafe(32)),
        invited_by=actor,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    audit_record(
        action=audit_action,
        customer=customer,
        actor=actor,
        target_email=email,
        detail={"role": role, "permissions": cleaned},
        request=request,
    )
    invitation_notify(invitation=invitation)
    return invitation


def invitation_notify(*, invitation: Invitation) -> None:
    """Queue the invitation's e-mail in the caller's transaction; its link is made when it
    leaves (invitation_token_issue)."""

    notify(
        event=f"invitation:{invitation.reference}",
        template="portal/invitation",
        recipients=[
            # No name: it is the administrator's free text, to an address not yet confirmed.
            Recipient(
                email=invitation.email,
                language=invitation.language,
                reason=Notification.Reason.ACCOUNT,
            )
        ],
        customer=invitation.customer,
        context={"invitation": invitation.pk},
    )


def invitation_token_issue(*, invitation: Invitation) -> str:
    """A new link for a pending invitation, made as its e-mail is sent; any earlier link stops
    working. Returns the raw token, which only the e-mail carries."""
    token = secrets.token_urlsafe(32)
    issued = Invitation.objects.filter(
        pk=invitation.pk,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).update(token_hash=Invitation.hash_token(token))
    if not issued:
        raise DomainError(_("This invitation was already used or withdrawn; send a new one."))
    return token


def invitation_resend(
    *, invitation: Invitation, actor: User, request: HttpRequest | None = None
) -> Invitation:
    """A fresh link (the old one stops working) with a new validity period, same permissions."""
    if invitation.accepted_at or invitation.revoked_at:
        raise DomainError(_("This invitation was already used or withdrawn; send a new one."))
    return invitation_create(
        customer=invitation.customer,
        actor=actor,
        email=invitation.email,
        full_name=invitation.full_name,
        language=invitation.language,
        role=invitation.role,
        permissions=invitation.permissions,
        request=request,
        audit_action=AuditEvent.Action.INVITE_RESEND,
    )


@transaction.atomic
def invitation_revoke(
    *, invitation: Invitation, actor: User, request: HttpRequest | None = None
) -> None:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at or invitation.revoked_at:
        return
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit_record(
        action=AuditEvent.Action.INVITE_REVOKE,
        customer=invitation.customer,
        actor=actor,
        target_email=invitation.email,
        request=request,
    )


def invitation_check(invitation: Invitation | None) -> Invitation:
    if invitation is None:
        raise DomainError(
            _("This invitation link is not valid. Ask your portal administrator for a new one.")
        )
    if invitation.accepted_at:
        raise DomainError(
            _(
                "This invitation has already been used. Sign in with your e-mail address and "
                "password."
            )
        )
    if invitation.revoked_at:
        raise DomainError(
            _(
                "This invitation was withdrawn or replaced by a newer one. Use the most recent "
                "e-mail you received."
            )
        )
    if invitation.expires_at <= timezone.now():
        raise DomainError(
            _(
                "This invitation expired on %(date)s. Ask your portal administrator to invite "
                "you again."
            )
            % {"date": timezone.localtime(invitation.expires_at).strftime("%Y-%m-%d")}
        )
    return invitation


@transaction.atomic
def invitation_accept(
    *,
    invitation: Invitation,
    full_name: str,
    password: str | None,
    user: User | None = None,
    request: HttpRequest | None = None,
) -> Membership:
    """Accept an invitation: a new person sets a password; an existing one (signed in) joins."""
    invitation = invitation_check(
        Invitation.objects.select_for_update().filter(pk=invitation.pk).first()
    )
    if user is None:
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise DomainError(
                _(
                    "You already have an account: sign in first, then open the invitation link "
                    "again."
                )
            )
        user = User.objects.create_user(
            email=invitation.email,
            password=password,
            full_name=full_name.strip(),
            language=invitation.language,
        )
    elif user.email.lower() != invitation.email.lower():
        raise DomainError(
            _("This invitation is for %(email)s. Sign out and open the link again.")
            % {"email": invitation.email}
        )
    # Accepting proves the person reads this mailbox (R-POR-4 relies on a verified address).
    EmailAddress.objects.update_or_create(
        user=user,
        email__iexact=invitation.email,
        defaults={"email": invitation.email, "verified": True, "primary": True},
    )
    membership = Membership.objects.filter(user=user, customer=invitation.customer).first()
    if membership is not None and not membership.is_active:
        # An old link must not undo a deactivation (R-POR-5): only an administrator reactivates.
        raise DomainError(
            _(
                "Your access to %(customer)s was deactivated. Ask its portal administrator to "
                "reactivate you."
            )
            % {"customer": invitation.customer.display_name},
            rule="R-POR-5",
        )
    if membership is None:
        membership = Membership.objects.create(
            user=user, customer=invitation.customer, role=invitation.role, **invitation.permissions
        )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    audit_record(
        action=AuditEvent.Action.INVITE_ACCEPT,
        customer=invitation.customer,
        actor=user,
        target_email=user.email,
        request=request,
    )
    return membership
