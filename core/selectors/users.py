from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.models import Session
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from core.models import Customer, Invitation, Membership, User


def memberships_for_user(user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user, is_active=True)
        .select_related("customer")
        .order_by("customer__display_name")
    )


def members_for_customer(
    customer: Customer, *, search: str = "", status: str = ""
) -> QuerySet[Membership]:
    members = Membership.objects.filter(customer=customer).select_related("user")
    if search:
        members = members.filter(
            Q(user__email__icontains=search) | Q(user__full_name__icontains=search)
        )
    # A person the provider's staff blocked (their account, not this membership) cannot sign
    # in: they are not an active user of the customer, whatever the membership says.
    signs_in = Q(is_active=True, user__is_active=True)
    if status == "active":
        members = members.filter(signs_in)
    elif status == "inactive":
        members = members.exclude(signs_in)
    return members.order_by("-is_active", "user__email")


def membership_get(customer: Customer, reference) -> Membership:
    membership = members_for_customer(customer).filter(reference=reference).first()
    if membership is None:
        raise Http404
    return membership


def invitations_open_for_customer(customer: Customer) -> QuerySet[Invitation]:
    """Neither accepted nor withdrawn; expired ones included so that they can be re-sent."""
    return (
        Invitation.objects.filter(
            customer=customer, accepted_at__isnull=True, revoked_at__isnull=True
        )
        .select_related("invited_by")
        .order_by("-created_at")
    )


def invitations_pending_for_customer(customer: Customer) -> QuerySet[Invitation]:
    return (
        Invitation.objects.filter(
            customer=customer,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .select_related("invited_by")
        .order_by("-created_at")
    )


def invitation_get(customer: Customer, reference) -> Invitation:
    invitation = Invitation.objects.filter(customer=customer, reference=reference).first()
    if invitation is None:
        raise Http404
    return invitation


def invitation_by_token(token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("customer")
        .filter(token_hash=Invitation.hash_token(token))
        .first()
    )


def user_counts_for_customer(customer: Customer) -> dict[str, int]:
    return {
        "active": Membership.objects.filter(
            customer=customer, is_active=True, user__is_active=True
        ).count(),
        "invited": invitations_pending_for_customer(customer).count(),
    }


def user_has_totp(user: User) -> bool:

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def user_exists(email: str) -> bool:
    return User.objects.filter(email__iexact=email).exists()


def sessions_for_user(user: User) -> list:
    """The person's signed-in sessions, the latest seen first, in two queries however many.
    Read-only: a session that expired, or that a password change invalidated (its stored auth
    hash no longer matches the user's), is left out here, and its row is deleted by the hourly
    sessions_clear_expired (allauth's purge_and_list deleted them while the page was read, and
    loaded each session on its own)."""
    sessions = list(UserSession.objects.filter(user=user).order_by("-last_seen_at"))
    hashes = {user.get_session_auth_hash(), *user.get_session_auth_fallback_hash()}
    signed_in = {
        row.session_key
        for row in Session.objects.filter(
            session_key__in=[session.session_key for session in sessions],
            expire_date__gt=timezone.now(),
        )
        if _signs_in(row.get_decoded(), user, hashes)
    }
    return [session for session in sessions if session.session_key in signed_in]


def _signs_in(data: dict, user: User, hashes: set[str]) -> bool:
    return str(data.get(SESSION_KEY)) == str(user.pk) and any(
        constant_time_compare(data.get(HASH_SESSION_KEY, ""), expected) for expected in hashes
    )


def session_get(user: User, session_id: str):

    session = (
        UserSession.objects.filter(user=user, pk=session_id).first()
        if session_id.isdigit()
        else None
    )
    if session is None:
        raise Http404
    return session
