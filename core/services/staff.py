"""What the provider's staff do to a customer's people in the admin, written to each customer's
audit log with the staff member as actor (review S2): a person's e-mail and active flag, a
password reset sent or a password set, two-factor removed, memberships added, moved, re-levelled
or removed, and the customer's two-factor requirement. The admin saves the row; these functions
record what changed and do what must follow (sessions, sign-in addresses)."""

from allauth.account.forms import ResetPasswordForm
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.models import Area, AuditEvent, Customer, Level, Membership, Notification, User
from core.services import (
    audit_record,
    membership_feeds_revoke,
    sessions_end_unless_member_elsewhere,
)
from core.services.outbox import Recipient, notify

Action = AuditEvent.Action
_BY_STAFF = {"by": "staff"}


def _record_for_person(
    *, user: User, actor: User, action: str, request: HttpRequest | None, detail: dict
) -> None:
    """A person's account concerns every customer they belong to (active or not): each one's
    administrators see it. A person of no customer still leaves one row, for the provider."""
    customers: list[Customer | None] = list(
        Customer.objects.filter(memberships__user=user).distinct()
    )
    for customer in customers or [None]:
        audit_record(
            action=action,
            customer=customer,
            actor=actor,
            target_email=user.email,
            detail=detail,
            request=request,
        )


def user_snapshot(user: User) -> dict:
    """What a staff edit of a person is compared against: the stored row, not the form's."""
    stored = User.objects.get(pk=user.pk)
    return {"email": stored.email, "is_active": stored.is_active}


def _email_addresses_replace(user: User, email: str) -> None:
    """allauth signs in and sends resets by its own address rows: the old address must stop
    working the moment staff replace it. The new one is not verified by the person yet."""
    EmailAddress.objects.filter(user=user).exclude(email__iexact=email).delete()
    EmailAddress.objects.update_or_create(
        user=user, email__iexact=email, defaults={"email": email, "primary": True}
    )


@transaction.atomic
def user_staff_edit_record(
    *, user: User, before: dict, actor: User, request: HttpRequest | None = None
) -> None:
    """After a staff member saved a person's page: a new e-mail address or active flag."""
    if before["email"].lower() != user.email.lower():
        _email_addresses_replace(user, user.email)
        _record_for_person(
            user=user,
            actor=actor,
            action=Action.EMAIL_CHANGE,
            request=request,
            detail={"before": {"email": before["email"]}, "after": {"email": user.email}}
            | _BY_STAFF,
        )
        _old_address_tell(user=user, old_email=before["email"])
    if before["is_active"] != user.is_active:
        action = Action.ACCOUNT_ENABLE if user.is_active else Action.ACCOUNT_DISABLE
        _record_for_person(user=user, actor=actor, action=action, request=request, detail=_BY_STAFF)
        if not user.is_active:
            # Django refuses the sessions of an inactive account; ending them also clears the
            # person's session list.
            transaction.on_commit(lambda: _sessions_end(user))


def _old_address_tell(*, user: User, old_email: str) -> None:
    """The person learns at the address they had that staff moved their sign-in elsewhere: if
    they did not ask for it, they can say so before anybody signs in as them (a changed address
    followed by a reset link is how an account is taken over)."""
    notify(
        event=f"user:{user.pk}:email-changed:{timezone.now().timestamp():.6f}",
        template="portal/email_changed",
        recipients=[
            Recipient(
                email=old_email,
                name=user.full_name,
                language=user.language or settings.LANGUAGE_CODE,
                reason=Notification.Reason.ACCOUNT,
            )
        ],
        context={"old_email": old_email, "new_email": user.email},
    )


def _sessions_end(user: User) -> None:

    for session in UserSession.objects.filter(user=user):
        session.end()


def user_password_set_record(*, user: User, actor: User, request: HttpRequest | None = None):
    """A superuser set a person's password in the admin."""
    _record_for_person(
        user=user, actor=actor, action=Action.PASSWORD_CHANGE, request=request, detail=_BY_STAFF
    )


@transaction.atomic
def user_password_reset_send(*, user: User, actor: User, request: HttpRequest) -> None:
    """E-mail the person allauth's password reset link: staff never learn or set a customer's
    password (they help a person who is locked out without knowing their password)."""
    if not user.is_active:
        raise DomainError(
            _("The sign-in of %(email)s is blocked: allow it first.") % {"email": user.email}
        )
    form = ResetPasswordForm(data={"email": user.email})
    if not form.is_valid() or user not in form.users:
        raise DomainError(_("No password reset can be sent to %(email)s.") % {"email": user.email})
    form.users = [user]
    form.save(request)
    _record_for_person(
        user=user,
        actor=actor,
        action=Action.PASSWORD_RESET_SEND,
        request=request,
        detail=_BY_STAFF,
    )


@transaction.atomic
def user_mfa_remove(*, user: User, actor: User, request: HttpRequest | None = None) -> bool:
    """Remove every second factor of a person who lost their device (TOTP, recovery codes,
    security keys). A customer that requires MFA sends them to set it up again at once."""
    deleted, _by_model = Authenticator.objects.filter(user=user).delete()
    if not deleted:
        return False
    _record_for_person(
        user=user,
        actor=actor,
        action=Action.MFA_CHANGE,
        request=request,
        detail={"event": "removed"} | _BY_STAFF,
    )
    return True


# --- Memberships ---------------------------------------------------------------------------


def membership_snapshot(membership: Membership) -> dict | None:
    """The stored membership (None for a new one): whose, where, role, levels and active."""
    if not membership.pk:
        return None
    stored = Membership.objects.select_related("user", "customer").get(pk=membership.pk)
    return {
        "user": stored.user,
        "customer": stored.customer,
        "grant": {"role": stored.role, **stored.levels()},
        "is_active": stored.is_active,
    }


def _grant_detail(membership: Membership) -> dict:
    """A new member's grant, as an invitation's is recorded (the audit page lists it)."""
    return {"role": membership.role, "permissions": membership.levels()} | _BY_STAFF


@transaction.atomic
def membership_staff_edit_record(
    *,
    membership: Membership,
    before: dict | None,
    actor: User,
    request: HttpRequest | None = None,
) -> None:
    """After staff saved a membership (its page or an inline): added, moved to another
    customer or person, re-levelled, deactivated or reactivated (R-POR-5).

    A move is one person leaving the old customer and one joining the new one; neither
    customer's log names the other customer.
    """
    membership = Membership.objects.select_related("user", "customer").get(pk=membership.pk)
    moved = before is not None and (
        before["customer"].pk != membership.customer_id or before["user"].pk != membership.user_id
    )
    if moved:
        assert before is not None  # a move has a before
        audit_record(
            action=Action.MEMBER_REMOVE,
            customer=before["customer"],
            actor=actor,
            target_email=before["user"].email,
            detail={"moved": True} | _BY_STAFF,
            request=request,
        )
        if before["user"].pk != membership.user_id:
            user = before["user"]
            transaction.on_commit(lambda: sessions_end_unless_member_elsewhere(user))
        # Whoever holds its calendar addresses no longer belongs to the customer left (A3).
        membership_feeds_revoke(membership=membership, customer_id=before["customer"].pk)
    if before is None or moved:
        audit_record(
            action=Action.MEMBER_ADD,
            customer=membership.customer,
            actor=actor,
            target_email=membership.user.email,
            detail=_grant_detail(membership),
            request=request,
        )
        return
    after = {"role": membership.role, **membership.levels()}
    if before["grant"] != after:
        audit_record(
            action=Action.PERMISSIONS_CHANGE,
            customer=membership.customer,
            actor=actor,
            target_email=membership.user.email,
            detail={"before": before["grant"], "after": after} | _BY_STAFF,
            request=request,
        )
    if before["is_active"] != membership.is_active:
        action = Action.REACTIVATE if membership.is_active else Action.DEACTIVATE
        audit_record(
            action=action,
            customer=membership.customer,
            actor=actor,
            target_email=membership.user.email,
            detail=_BY_STAFF,
            request=request,
        )
        if not membership.is_active:
            user = membership.user
            transaction.on_commit(lambda: sessions_end_unless_member_elsewhere(user))
    # Its maintenance calendar addresses stop with the access, as in the portal (A3).
    ended = before["is_active"] and not membership.is_active
    lost_changes = (
        before["is_active"]
        and before["grant"][Area.CHANGES] != Level.NONE
        and not membership.can(Area.CHANGES)
    )
    if ended or lost_changes:
        membership_feeds_revoke(membership=membership)


def membership_staff_delete_record(
    *, membership: Membership, actor: User, request: HttpRequest | None = None
) -> None:
    """Before a (superuser's) delete of a membership: the person leaves the customer."""
    audit_record(
        action=Action.MEMBER_REMOVE,
        customer=membership.customer,
        actor=actor,
        target_email=membership.user.email,
        detail=_BY_STAFF,
        request=request,
    )
    membership_feeds_revoke(membership=membership)
    user = membership.user
    transaction.on_commit(lambda: sessions_end_unless_member_elsewhere(user))


# --- The customer ----------------------------------------------------------------------------


def customer_staff_edit_record(
    *, customer: Customer, before_require_mfa: bool, actor: User, request: HttpRequest | None = None
) -> None:
    """Staff switched the customer's two-factor requirement: its administrators must know, as
    switching it off weakens every member's account."""
    if before_require_mfa == customer.require_mfa:
        return
    audit_record(
        action=Action.MFA_REQUIREMENT_CHANGE,
        customer=customer,
        actor=actor,
        detail={
            "before": {"require_mfa": before_require_mfa},
            "after": {"require_mfa": customer.require_mfa},
        }
        | _BY_STAFF,
        request=request,
    )
