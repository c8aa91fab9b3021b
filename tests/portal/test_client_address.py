"""The client's address behind the TLS proxy (issue 13, section 5; review A2): one resolver for
allauth's rate limits, its sessions and our audit log, set by ALLAUTH_TRUSTED_PROXY_COUNT."""

import pytest
from allauth.account.adapter import DefaultAccountAdapter
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.utils import translation
from django.utils.html import escape

from core.models import AuditEvent
from tests.factories import PASSWORD

LOGIN = "/accounts/login/"
PROXY = "10.0.0.2"  # REMOTE_ADDR of every request that came through the proxy
ALICE = "198.51.100.7"
BOB = "203.0.113.9"
Action = AuditEvent.Action


def _sign_in(client, email: str, password: str = PASSWORD, *, forwarded_for: str):
    return client.post(
        LOGIN,
        {"login": email, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def _too_many() -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return escape(str(DefaultAccountAdapter.error_messages["too_many_login_attempts"]))


def _fail_ten_times(client, forwarded_for: str) -> None:
    """Ten wrong passwords (10/m/ip), each for another address so that the per-address limit
    (5/5m/key) plays no part."""
    for number in range(10):
        response = _sign_in(
            client, f"guess{number}@acme.test", "not-the-password", forwarded_for=forwarded_for
        )
        assert response.status_code == 400
        assert _too_many() not in response.content.decode()


@pytest.fixture
def behind_the_proxy(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1


def test_ten_failed_sign_ins_from_one_client_do_not_lock_out_another_behind_the_proxy(
    client, behind_the_proxy, portal_admin_user
):
    _fail_ten_times(client, ALICE)

    alice = _sign_in(client, "admin@acme.test", forwarded_for=ALICE)
    bob = _sign_in(client, "admin@acme.test", forwarded_for=BOB)

    assert alice.status_code == 400
    assert _too_many() in alice.content.decode()
    assert bob.status_code == 302
    assert client.session.get("_auth_user_id") == str(portal_admin_user.pk)


def test_a_forged_forwarded_for_is_ignored_without_a_trusted_proxy(
    client, portal_admin_user, settings
):
    """Proxy count 0: the header is the client's own word, so changing it changes nothing."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    _fail_ten_times(client, ALICE)

    response = _sign_in(client, "admin@acme.test", forwarded_for=BOB)

    assert response.status_code == 400
    assert _too_many() in response.content.decode()
    assert client.session.get("_auth_user_id") is None


def test_the_audit_log_and_the_session_record_the_forwarded_client(
    client, behind_the_proxy, portal_admin_user, customer
):
    _sign_in(client, "admin@acme.test", "not-the-password", forwarded_for=ALICE)
    response = _sign_in(client, "admin@acme.test", forwarded_for=ALICE)

    assert response.status_code == 302
    failed = AuditEvent.objects.get(action=Action.SIGN_IN_FAILED)
    signed_in = AuditEvent.objects.get(action=Action.SIGN_IN)
    assert (failed.ip_address, signed_in.ip_address) == (ALICE, ALICE)
    assert signed_in.customer == customer
    assert UserSession.objects.get(user=portal_admin_user).ip == ALICE


def test_the_proxy_appended_address_wins_over_one_the_client_forged(
    client, behind_the_proxy, portal_admin_user
):
    """The client sends its own X-Forwarded-For; the proxy appends the real address after it."""
    _sign_in(client, "admin@acme.test", forwarded_for=f"6.6.6.6, {ALICE}")

    assert AuditEvent.objects.get(action=Action.SIGN_IN).ip_address == ALICE


def test_without_a_proxy_the_audit_log_records_the_connecting_address_not_the_header(
    client, portal_admin_user, settings
):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0

    client.post(
        LOGIN,
        {"login": "admin@acme.test", "password": PASSWORD},
        REMOTE_ADDR="192.0.2.44",
        HTTP_X_FORWARDED_FOR=ALICE,
    )

    assert AuditEvent.objects.get(action=Action.SIGN_IN).ip_address == "192.0.2.44"


def test_an_audited_action_of_a_signed_in_person_records_the_forwarded_client(
    portal_admin_client, behind_the_proxy, limited_membership
):
    """Not only sign-in: every audit row (here a deactivation) goes through the same resolver."""
    response = portal_admin_client.post(
        f"/users/{limited_membership.reference}/deactivate/",
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=BOB,
    )

    assert response.status_code == 302
    assert AuditEvent.objects.get(action=Action.DEACTIVATE).ip_address == BOB
