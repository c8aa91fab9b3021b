"""The portal shell: the customer switcher, the "no access" page, navigation and dashboard cards
(issue 2 sections 4 and 7)."""

import re

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext

from core.models import Area, AuditEvent, Level, User
from portal.context_processors import NAVIGATION
from tests.factories import MembershipFactory, UserFactory

SWITCH = reverse("portal:customer_switch")
NO_ACCESS = "Your access to the portal is not active"


@pytest.fixture
def globex_membership(portal_admin_user, other_customer):
    """Acme's administrator is also a user of Globex, with tickets only."""
    return MembershipFactory(user=portal_admin_user, customer=other_customer, tickets=Level.VIEW)


def _nav_links(response) -> list[str]:
    nav = re.search(r'<nav class="sidenav".*?</nav>', response.content.decode(), re.S)
    return re.findall(r'<a href="([^"]+)"', nav.group(0)) if nav else []


def _resolves(name: str) -> bool:
    try:
        reverse(name)
    except NoReverseMatch:
        return False
    return True


# --- the customer switcher -------------------------------------------------------------------


def test_first_customer_in_alphabetical_order_is_active_until_one_is_chosen(
    portal_admin_client, customer, globex_membership
):
    response = portal_admin_client.get("/")

    assert response.context["active_customer"] == customer
    assert 'data-testid="active-customer">Acme Logística<' in response.content.decode()


def test_switching_customer_changes_the_active_customer(
    portal_admin_client, portal_admin_user, other_customer, globex_membership
):
    """Issue 2 section 4: a person switches the active customer from the header."""
    response = portal_admin_client.post(
        SWITCH, {"membership": str(globex_membership.reference)}, follow=True
    )

    assert response.redirect_chain == [(reverse("portal:dashboard"), 302)]
    assert response.context["active_customer"] == other_customer
    assert 'data-testid="active-customer">Globex Telecom<' in response.content.decode()
    assert "You are now working for Globex Telecom." in [
        str(m) for m in response.context["messages"]
    ]
    portal_admin_user.refresh_from_db()
    assert portal_admin_user.last_customer == other_customer
    event = AuditEvent.objects.get(action=AuditEvent.Action.SWITCH_CUSTOMER)
    assert (event.customer, event.actor) == (other_customer, portal_admin_user)


def test_after_switching_the_pages_show_only_the_new_customers_data(
    portal_admin_client, globex_membership, limited_membership
):
    """Tenancy: everything shown belongs to the active customer; here a Globex *user*."""
    portal_admin_client.post(SWITCH, {"membership": str(globex_membership.reference)})

    assert portal_admin_client.get(reverse("portal:users")).status_code == 403
    edit = reverse("portal:user_edit", kwargs={"reference": limited_membership.reference})
    assert portal_admin_client.get(edit).status_code == 403


def test_customer_choice_persists_across_sign_out_and_sign_in(
    client, portal_admin_user, other_customer, globex_membership, sign_in
):
    """Issue 2 section 4: the choice persists across sign-ins (User.last_customer)."""
    sign_in(client, "admin@acme.test")
    client.post(SWITCH, {"membership": str(globex_membership.reference)})
    client.post(reverse("account_logout"))
    assert "_auth_user_id" not in client.session

    sign_in(client, "admin@acme.test")
    response = client.get("/")

    assert response.context["active_customer"] == other_customer
    second_device = Client()
    sign_in(second_device, "admin@acme.test")
    assert second_device.get("/").context["active_customer"] == other_customer


@pytest.mark.parametrize("reference", ["other-customer", "garbage", "empty"])
def test_switching_to_a_membership_that_is_not_yours_is_404(
    portal_admin_client, portal_admin_user, customer, other_membership, globex_membership, reference
):
    """Tenancy: another customer's (or a made-up) reference is 404 and changes nothing."""
    value = {
        "other-customer": str(other_membership.reference),
        "garbage": "not-a-uuid",
        "empty": "",
    }[reference]

    response = portal_admin_client.post(SWITCH, {"membership": value})

    assert response.status_code == 404
    portal_admin_user.refresh_from_db()
    assert portal_admin_user.last_customer is None
    assert portal_admin_client.get("/").context["active_customer"] == customer
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.SWITCH_CUSTOMER).exists()


def test_switching_to_your_own_deactivated_membership_is_404(
    portal_admin_client, portal_admin_user, customer, globex_membership
):
    globex_membership.is_active = False
    globex_membership.save()

    response = portal_admin_client.post(SWITCH, {"membership": str(globex_membership.reference)})

    assert response.status_code == 404
    assert portal_admin_client.get("/").context["active_customer"] == customer


def test_remembered_customer_is_ignored_once_that_membership_is_deactivated(
    client, portal_admin_user, customer, globex_membership
):
    User.objects.filter(pk=portal_admin_user.pk).update(last_customer=globex_membership.customer)
    globex_membership.is_active = False
    globex_membership.save()
    client.force_login(portal_admin_user)

    response = client.get("/")

    assert response.status_code == 200
    assert response.context["active_customer"] == customer


def test_switcher_offers_every_active_membership_and_nothing_else(
    portal_admin_client, admin_membership, globex_membership
):
    deactivated = MembershipFactory(user=admin_membership.user, tickets=Level.VIEW, is_active=False)

    body = portal_admin_client.get("/").content.decode()

    offered = re.findall(r'name="membership" value="([^"]+)"', body)
    assert sorted(offered) == sorted(
        [str(admin_membership.reference), str(globex_membership.reference)]
    )
    assert str(deactivated.reference) not in body


def test_person_with_one_customer_sees_no_switcher(portal_admin_client):
    body = portal_admin_client.get("/").content.decode()

    assert 'name="membership"' not in body
    assert 'data-testid="active-customer">Acme Logística<' in body


# --- people without an active membership -----------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/users/", "/audit/"])
def test_person_with_only_inactive_memberships_sees_the_no_access_page(
    client, inactive_membership, path
):
    """Issue 2 section 4: all memberships inactive -> a clear page, 403, never a 500."""
    client.force_login(inactive_membership.user)

    response = client.get(path)

    body = response.content.decode()
    assert response.status_code == 403
    assert NO_ACCESS in body
    assert 'class="sidenav"' not in body
    assert "Acme Logística" not in body
    assert reverse("account_logout") in body


def test_person_with_no_membership_at_all_sees_the_no_access_page(client, db):
    client.force_login(UserFactory(email="nobody@example.com"))

    response = client.get("/")

    assert response.status_code == 403
    assert NO_ACCESS in response.content.decode()


def test_no_access_page_is_translated_for_spanish_speakers(client, inactive_membership):
    User.objects.filter(pk=inactive_membership.user.pk).update(language="es")
    client.force_login(inactive_membership.user)

    body = client.get("/").content.decode()

    with translation.override("es"):
        spanish = gettext(NO_ACCESS)
    assert spanish != NO_ACCESS, "the no-access page has no Spanish translation"
    assert spanish in body


# --- navigation ------------------------------------------------------------------------------


def test_administrator_navigation_includes_users_and_audit(portal_admin_client):
    links = _nav_links(portal_admin_client.get("/"))

    assert "/" in links
    assert reverse("portal:users") in links
    assert reverse("portal:audit") in links
    assert reverse("portal:help") in links


def test_user_navigation_hides_users_and_audit(limited_client):
    """R-POR-5: only portal administrators manage users and read the audit log."""
    response = limited_client.get("/")
    links = _nav_links(response)

    assert "/" in links
    assert reverse("portal:help") in links
    assert reverse("portal:users") not in links
    assert reverse("portal:audit") not in links
    assert reverse("portal:user_invite") not in response.content.decode()


@pytest.mark.parametrize("persona", ["portal_admin_client", "limited_client"])
def test_navigation_shows_exactly_the_areas_that_exist_and_the_member_may_see(request, persona):
    """Issue 2 section 7: a link per area the membership may see; no link to a missing page."""
    client = request.getfixturevalue(persona)
    response = client.get("/")
    membership = response.context["active_membership"]

    expected = [
        reverse(name)
        for name, _label, area, admin_only in NAVIGATION
        if _resolves(name)
        and (membership.is_admin or not admin_only)
        and (area is None or membership.can(area))
    ]
    links = _nav_links(response)

    assert links == expected
    for link in links:
        assert client.get(link).status_code == 200, link


# --- dashboard cards -------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["portal_admin_client", "limited_client"])
def test_dashboard_has_no_card_for_an_area_that_does_not_exist_yet(request, persona):
    """Issue 2 section 7: until an area exists its card is absent, not a placeholder."""
    body = request.getfixturevalue(persona).get("/").content.decode()

    cards = re.findall(r'<section class="card" aria-labelledby="card-([\w-]+)"', body)
    assert {"company", "access", "security"} <= set(cards)
    for area in Area:
        if not any(_resolves(f"{area.value}:{name}") for name in ("list", "index")):
            assert area.value not in cards
    for placeholder in ("coming soon", "próximamente", "em breve"):
        assert placeholder not in body.lower()


def test_users_card_is_only_on_the_administrators_dashboard(portal_admin_client, limited_user):
    admin_body = portal_admin_client.get("/").content.decode()
    limited = Client()
    limited.force_login(limited_user)
    limited_body = limited.get("/").content.decode()

    assert 'aria-labelledby="card-users"' in admin_body
    assert 'aria-labelledby="card-users"' not in limited_body


def test_dashboard_shows_the_members_own_access(limited_client):
    body = limited_client.get("/").content.decode()

    assert "View, open and reply to tickets" in body
    assert "No access" in body
