"""Helpers shared by the tenancy tests: a real sign-in, an invitation, a deactivated member."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from core import services
from core.models import Level, Membership
from tests.conftest import staff_login
from tests.factories import PASSWORD, MembershipFactory, UserFactory

# The production environment of a manage.py subprocess (tests/portal/settings_env.py).
from tests.portal.settings_env import production_env as production_env


@pytest.fixture
def sign_in():
    """Sign in through allauth's real login form, so the adapter and usersessions see it."""

    def _sign_in(client, email: str, password: str = PASSWORD, **extra):
        return client.post(
            reverse("account_login"), {"login": email, "password": password}, **extra
        )

    return _sign_in


@pytest.fixture
def invite(portal_admin_user, customer):
    """Invite a person to `customer` through the service; returns (invitation, raw token).

    The token is made as the invitation's e-mail would make it when it leaves the outbox
    (`invitation_token_issue`); the tests that follow the e-mail itself read it from there."""

    def _invite(
        email: str = "invitee@acme.test",
        *,
        customer=customer,
        actor=portal_admin_user,
        role: str = Membership.Role.USER,
        permissions: dict | None = None,
        language: str = "es",
        full_name: str = "Iris Invitee",
    ):
        invitation = services.invitation_create(
            customer=customer,
            actor=actor,
            email=email,
            full_name=full_name,
            language=language,
            role=role,
            permissions=permissions or {"tickets": Level.ACT, "billing": Level.VIEW},
        )
        return invitation, services.invitation_token_issue(invitation=invitation)

    return _invite


@pytest.fixture
def inactive_membership(customer, admin_membership):
    """A person of the first customer whose only membership was deactivated."""
    return MembershipFactory(
        customer=customer,
        user__email="gone@acme.test",
        user__full_name="Gina Gone",
        tickets=Level.VIEW,
        is_active=False,
    )


# The provider's staff groups (the migrations create them) and a superuser: the matrix of every
# test of what staff may do in the admin.
STAFF_GROUPS = ("TSC", "Customer Care", "Billing", "Change Management")
STAFF_EDITORS = (*STAFF_GROUPS, "superuser")


@pytest.fixture(params=STAFF_EDITORS)
def editor(request, db):
    """A staff member of one group (exactly that group's permissions), or a superuser."""
    if request.param == "superuser":
        return UserFactory(email="boss@provider.test", is_staff=True, is_superuser=True)
    user = UserFactory(email="agent@provider.test", is_staff=True)
    user.groups.add(Group.objects.get(name=request.param))
    return user


@pytest.fixture
def editor_client(editor):
    return staff_login(Client(), editor)
