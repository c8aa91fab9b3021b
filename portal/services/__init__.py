"""Every write of the tenancy core: memberships, invitations, the audit log (R-POR-5)."""

import secrets
from datetime import timedelta

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.account.models import EmailAddress
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.errors import DomainError, RateLimited
from portal.models import (
    Area,
    AuditEvent,
    Customer,
    Invitation,
    Level,
    Membership,
    Notification,
    User,
)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, resolved once for everything: allauth's rate limits and sessions
    call the same adapter method, which honours ALLAUTH_TRUSTED_PROXY_COUNT (behind our TLS
    proxy, the address it appended to X-Forwarded-For; without a proxy, REMOTE_ADDR and never
    the header a client may forge)."""
    try:
        return get_account_adapter(request).get_client_ip(request)
    except PermissionDenied:  # no usable address at all; the audit row says so with NULL
        return None


def _client(request: HttpRequest | None) -> dict:
    if request is None:
        return {}
    return {
        "ip_address": client_ip(request),
        "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300],
    }


def audit_record(
    *,
    action: str,
    customer: Customer | None = None,
    actor: User | None = None,
    target_email: str = "",
    detail: dict | None = None,
    request: HttpRequest | None = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        customer=customer,
        actor=actor,
        actor_email=getattr(actor, "email", "") or "",
        action=action,
        target_email=target_email,
        detail=detail or {},
        **_client(request),
    )


def audit_record_for_user_customers(
    *, user: User, action: str, request: HttpRequest | None = None, detail: dict | None = None
) -> None:
    """A sign-in concerns every customer the person belongs to: each one's admins see it."""
    customers = [m.customer for m in user.memberships.select_related("customer")]
    for customer in customers or [None]:
        audit_record(
            action=action,
            customer=customer,
            actor=user,
            target_email=user.email,
            detail=detail,
            request=request,
        )


def permissions_clean(*, role: str, permissions: dict[str, str]) -> dict[str, str]:
    """Normalise a permission set; administrators have every area (R-POR-5)."""
    if role not in Membership.Role.values:
        raise DomainError(_("Choose a valid role."), rule="R-POR-5", field="role")
    if role == Membership.Role.ADMIN:
        return {area.value: Level.ACT.value for area in Area}
    cleaned = {}
    for area in Area:
        level = permissions.get(area.value, Level.NONE)
        if level not in Level.values:
            raise DomainError(
                _("Choose a valid access level for %(area)s.") % {"area": area.label},
                field=area.value,
            )
        cleaned[area.value] = level
    if all(level == Level.NONE for level in cleaned.values()):
        raise DomainError(
            _(
                "A user without access to any area could not use the portal: grant at least one area."
            ),
            rule="R-POR-5",
        )
    return cleaned


def _active_admins(customer: Customer):
    return Membership.objects.select_for_update().filter(
        customer=customer, role=Membership.Role.ADMIN, is_active=True, user__is_active=True
    )


def _ensure_other_admin(membership: Membership) -> None:
    others = _active_admins(membership.customer).exclude(pk=membership.pk)
    if membership.is_admin and membership.is_active and not others.exists():
        raise DomainError(
            _(
                "%(customer)s needs at least one active portal administrator: appoint another one first."
            )
            % {"customer": membership.customer.display_name},
            rule="R-POR-5",
        )


@transaction.atomic
def membership_update(
    *,
    membership: Membership,
    actor: User,
    role: str,
    permissions: dict[str, str],
    request: HttpRequest | None = None,
) -> Membership:
    cleaned = permissions_clean(role=role, permissions=permissions)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if role != Membership.Role.ADMIN:
        _ensure_other_admin(membership)
    before = {"role": membership.role, **membership.levels()}
    membership.role = role
    for area, level in cleaned.items():
        setattr(membership, area, level)
    membership.save()
    after = {"role": membership.role, **membership.levels()}
    if before[Area.CHANGES] != Level.NONE and after[Area.CHANGES] == Level.NONE:
        membership_feeds_revoke(membership=membership)
    if before != after:
        audit_record(
            action=AuditEvent.Action.PERMISSIONS_CHANGE,
            customer=membership.customer,
            actor=actor,
            target_email=membership.user.email,
            detail={"before": before, "after": after},
            request=request,
        )
    return membership


def membership_feeds_revoke(*, membership: Membership, customer_id: int | None = None) -> None:
    """Call when a membership ends or loses changes and maintenance: the person's maintenance
    calendar address stops, and the customer's shared one too (review A3). The feeds live in
    the changes area, which builds on this core: imported when needed."""
    from changes.services.maintenance import calendar_feeds_revoke

    calendar_feeds_revoke(membership=membership, customer_id=customer_id)


def sessions_end_unless_member_elsewhere(user: User) -> None:
    """Sign the person out everywhere, unless they still work for another customer: then the
    middleware simply stops offering this one."""
    if Membership.objects.filter(user=user, is_active=True).exists():
        return
    for session in UserSession.objects.filter(user=user):
        session.end()


@transaction.atomic
def membership_deactivate(
    *, membership: Membership, actor: User, request: HttpRequest | None = None
) -> Membership:
    membership = (
        Membership.objects.select_for_update()
        .select_related("user", "customer")
        .get(pk=membership.pk)
    )
    if not membership.is_active:
        return membership
    _ensure_other_admin(membership)
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    membership_feeds_revoke(membership=membership)
    Invitation.objects.filter(
        customer=membership.customer,
        email__iexact=membership.user.email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
    ).update(revoked_at=timezone.now())
    # Every session ends at once, so the person cannot keep using a page they already had open.
    transaction.on_commit(lambda: sessions_end_unless_member_elsewhere(membership.user))
    audit_record(
        action=AuditEvent.Action.DEACTIVATE,
        customer=membership.customer,
        actor=actor,
        target_email=membership.user.email,
        request=request,
    )
    return membership


@transaction.atomic
def membership_reactivate(
    *, membership: Membership, actor: User, request: HttpRequest | None = None
) -> Membership:
    membership = (
        Membership.objects.select_for_update()
        .select_related("user", "customer")
        .get(pk=membership.pk)
    )
    if membership.is_active:
        return membership
    membership.is_active = True
    membership.save(update_fields=["is_active"])
    audit_record(
        action=AuditEvent.Action.REACTIVATE,
        customer=membership.customer,
        actor=actor,
        target_email=membership.user.email,
        request=request,
    )
    return membership


def customer_switch(*, user: User, membership: Membership, request: HttpRequest) -> None:
    """Make `membership`'s customer the active one; the choice persists across sign-ins."""
    request.session["active_customer"] = membership.customer_id
    User.objects.filter(pk=user.pk).update(last_customer=membership.customer)
    audit_record(
        action=AuditEvent.Action.SWITCH_CUSTOMER,
        customer=membership.customer,
        actor=user,
        target_email=user.email,
        request=request,
    )


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
    from portal.services.outbox import Recipient, notify

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
                "This invitation has already been used. Sign in with your e-mail address and password."
            )
        )
    if invitation.revoked_at:
        raise DomainError(
            _(
                "This invitation was withdrawn or replaced by a newer one. Use the most recent e-mail you received."
            )
        )
    if invitation.expires_at <= timezone.now():
        raise DomainError(
            _(
                "This invitation expired on %(date)s. Ask your portal administrator to invite you again."
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
                    "You already have an account: sign in first, then open the invitation link again."
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
                "Your access to %(customer)s was deactivated. Ask its portal administrator to reactivate you."
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


def session_end(*, user: User, session: UserSession, request: HttpRequest | None = None) -> None:
    session.end()
    audit_record_for_user_customers(
        user=user, action=AuditEvent.Action.SESSION_END, request=request, detail={"ip": session.ip}
    )


def profile_update(
    *,
    user: User,
    full_name: str,
    phone: str,
    language: str,
    timezone_name: str,
    request: HttpRequest | None = None,
) -> User:
    new = {
        "full_name": full_name.strip(),
        "phone": phone.strip(),
        "language": language,
        "timezone": timezone_name,
    }
    changed = [field for field, value in new.items() if getattr(user, field) != value]
    if not changed:
        return user
    for field in changed:
        setattr(user, field, new[field])
    user.save(update_fields=changed)
    audit_record_for_user_customers(
        user=user,
        action=AuditEvent.Action.PROFILE_CHANGE,
        request=request,
        detail={"fields": changed},
    )
    return user
