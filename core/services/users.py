from collections.abc import Callable

from allauth.usersessions.models import UserSession
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.models import (
    Area,
    AuditEvent,
    Customer,
    Invitation,
    Level,
    Membership,
    User,
)
from core.services.audit import audit_record, audit_record_for_user_customers

# Areas that hand out personal feeds (the maintenance calendar) register here what ends them.
FEED_REVOKERS: list[Callable[..., None]] = []


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
                "A user without access to any area could not use the portal: grant at least one "
                "area."
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
                "%(customer)s needs at least one active portal administrator: appoint another "
                "one first."
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
    the changes area, which registers its revoker in FEED_REVOKERS (the core imports no area)."""
    for revoke in FEED_REVOKERS:
        revoke(membership=membership, customer_id=customer_id)


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
