"""The private maintenance calendar feed (issue 13, section 5; review A3): personal addresses,
stored only as a SHA-256 and shown once; they stop when the owner's access to maintenance ends
(in the portal or in the staff admin). The customer's address from before personal ones keeps
working until its administrator stops it or a member leaves."""

import hashlib
import re

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse

from changes.models import CalendarFeed
from changes.services.maintenance import calendar_feed_rotate
from core.models import AuditEvent, Level
from tests.admin_forms import change_form_data
from tests.factories import CalendarFeedFactory, MembershipFactory
from tests.portal.test_staff_admin import _membership_url

MAINTENANCE = "/changes/maintenance/"
ROTATE = "/changes/maintenance/feed/rotate/"
SHARED_STOP = "/changes/maintenance/feed/shared/stop/"
FEED_URL = re.compile(r'value="(https?://[^"]+/changes/maintenance/feed/([^"/]+)\.ics)"')
Action = AuditEvent.Action


def _feed(token: str):
    return Client().get(reverse("changes:feed", kwargs={"token": token}))


@pytest.fixture
def engineer(customer, admin_membership):
    """A member who may see changes and maintenance, not an administrator."""
    return MembershipFactory(
        customer=customer, user__email="eng@acme.test", changes=Level.VIEW, tickets=Level.VIEW
    )


@pytest.fixture
def engineer_client(engineer):
    client = Client()
    client.force_login(engineer.user)
    return client


@pytest.fixture
def shared_token(customer) -> str:
    """An address made before personal ones: the customer's, every member saw it."""
    token = "legacy-shared-token-from-before"
    CalendarFeedFactory(customer=customer, token_hash=CalendarFeed.hash_token(token))
    return token


def _make_address(client) -> str:
    """Press "Make my address"; returns the token the page shows (once)."""
    response = client.post(ROTATE)
    assert response.status_code == 302
    page = client.get(MAINTENANCE).content.decode()
    match = FEED_URL.search(page)
    assert match, "the new address is not on the page"
    return match.group(2)


# --- made by the member, stored hashed, shown once ------------------------------------------


def test_a_member_makes_a_personal_address_shown_once_and_stored_only_hashed(
    engineer_client, engineer, customer
):
    first = engineer_client.get(MAINTENANCE).content.decode()
    assert 'data-testid="feed-none"' in first
    assert not FEED_URL.search(first)

    token = _make_address(engineer_client)

    feed = CalendarFeed.objects.get()
    assert (feed.customer, feed.membership) == (customer, engineer)
    assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(CalendarFeed.objects.values().get())
    assert _feed(token).status_code == 200
    again = engineer_client.get(MAINTENANCE).content.decode()
    assert token not in again
    assert 'data-testid="feed-exists"' in again
    event = AuditEvent.objects.get(action=Action.FEED_ROTATE)
    assert (event.customer, event.actor, event.detail) == (
        customer,
        engineer.user,
        {"feed": "personal"},
    )


def test_making_a_new_address_stops_the_old_one(engineer_client):
    old = _make_address(engineer_client)

    new = _make_address(engineer_client)

    assert new != old
    assert _feed(old).status_code == 404
    assert _feed(new).status_code == 200
    assert CalendarFeed.objects.count() == 1


def test_each_member_has_an_address_of_their_own(engineer_client, portal_admin_client):
    theirs = _make_address(engineer_client)
    mine = _make_address(portal_admin_client)

    assert theirs != mine
    assert _feed(theirs).status_code == _feed(mine).status_code == 200
    assert mine not in engineer_client.get(MAINTENANCE).content.decode()


def test_a_member_without_changes_and_maintenance_makes_no_address(limited_client):
    assert limited_client.post(ROTATE).status_code == 403
    assert not CalendarFeed.objects.exists()


def test_a_made_address_is_not_shown_to_another_person_in_the_same_browser_session(
    client, engineer, portal_admin_user
):
    """The one-time display is bound to the member who made the address."""
    client.force_login(engineer.user)
    client.post(ROTATE)
    client.force_login(portal_admin_user)

    page = client.get(MAINTENANCE).content.decode()

    assert not FEED_URL.search(page)


# --- it stops with the owner's access ---------------------------------------------------------


def test_deactivating_the_owner_in_the_portal_stops_the_address_for_good(
    engineer_client, portal_admin_client, engineer
):
    token = _make_address(engineer_client)

    portal_admin_client.post(reverse("portal:user_deactivate", args=[engineer.reference]))
    assert _feed(token).status_code == 404
    portal_admin_client.post(reverse("portal:user_reactivate", args=[engineer.reference]))

    assert _feed(token).status_code == 404
    assert not CalendarFeed.objects.filter(membership=engineer).exists()


def test_taking_away_changes_and_maintenance_stops_the_address(
    engineer_client, portal_admin_client, engineer
):
    token = _make_address(engineer_client)

    response = portal_admin_client.post(
        reverse("portal:user_edit", args=[engineer.reference]),
        {"role": "user", "tickets": "view", "changes": "none"},
    )

    assert response.status_code == 302
    assert _feed(token).status_code == 404
    assert not CalendarFeed.objects.exists()


def test_staff_deactivating_the_owner_in_admin_stops_the_address(
    engineer_client, engineer, root_client, django_capture_on_commit_callbacks
):
    token = _make_address(engineer_client)
    data = change_form_data(root_client.get(_membership_url(engineer)))
    data.pop("is_active")

    with django_capture_on_commit_callbacks(execute=True):
        response = root_client.post(_membership_url(engineer), data)

    assert response.status_code == 302
    assert _feed(token).status_code == 404
    assert not CalendarFeed.objects.exists()


def test_staff_moving_the_membership_to_another_customer_stops_the_address(
    engineer_client, engineer, root_client, other_customer
):
    token = _make_address(engineer_client)
    data = change_form_data(root_client.get(_membership_url(engineer)))
    data["customer"] = str(other_customer.pk)

    response = root_client.post(_membership_url(engineer), data)

    assert response.status_code == 302
    engineer.refresh_from_db()
    assert engineer.customer == other_customer
    assert _feed(token).status_code == 404
    assert not CalendarFeed.objects.exists()


def test_an_address_stops_at_once_when_staff_deactivate_the_persons_account(
    engineer_client, engineer
):
    token = _make_address(engineer_client)

    engineer.user.is_active = False
    engineer.user.save(update_fields=["is_active"])

    assert _feed(token).status_code == 404


# --- the shared address from before personal ones --------------------------------------------


def test_the_shared_address_keeps_working_and_its_administrator_stops_it(
    portal_admin_client, customer, portal_admin_user, shared_token
):
    assert _feed(shared_token).status_code == 200
    page = portal_admin_client.get(MAINTENANCE).content.decode()
    assert 'data-testid="feed-shared-stop"' in page

    response = portal_admin_client.post(SHARED_STOP)

    assert response.status_code == 302
    assert _feed(shared_token).status_code == 404
    event = AuditEvent.objects.get(action=Action.FEED_STOP)
    assert (event.customer, event.actor) == (customer, portal_admin_user)


def test_only_an_administrator_stops_the_shared_address(engineer_client, shared_token):
    page = engineer_client.get(MAINTENANCE).content.decode()

    assert 'data-testid="feed-shared"' not in page
    assert engineer_client.post(SHARED_STOP).status_code == 403
    assert _feed(shared_token).status_code == 200


def test_another_customers_administrator_cannot_stop_it(client, other_user, shared_token):
    client.force_login(other_user)

    response = client.post(SHARED_STOP)

    assert response.status_code == 302
    assert _feed(shared_token).status_code == 200
    assert not AuditEvent.objects.filter(action=Action.FEED_STOP).exists()


def test_the_shared_address_stops_when_any_member_leaves(
    portal_admin_client, engineer, shared_token, other_customer
):
    others = "other-customers-shared-token"
    CalendarFeedFactory(customer=other_customer, token_hash=CalendarFeed.hash_token(others))

    portal_admin_client.post(reverse("portal:user_deactivate", args=[engineer.reference]))

    assert _feed(shared_token).status_code == 404
    assert _feed(others).status_code == 200


def test_a_personal_address_of_another_member_survives_a_departure(
    engineer_client, admin_membership, engineer, customer
):
    token, _replaced = calendar_feed_rotate(membership=admin_membership)
    third = MembershipFactory(customer=customer, user__email="leaver@acme.test")
    admin = Client()
    admin.force_login(admin_membership.user)

    admin.post(reverse("portal:user_deactivate", args=[third.reference]))

    assert _feed(token).status_code == 200


# --- the data migration -----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migration_hashes_existing_tokens_and_their_urls_keep_working(customer):
    """A feed saved with its plain token before the migration answers at the same URL after."""
    executor = MigrationExecutor(connection)
    before = [("changes", "0002_catalog_staff_groups")]
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(before)
    try:
        old_apps = executor.loader.project_state(before).apps
        old_feed = old_apps.get_model("changes", "CalendarFeed")
        old_feed.objects.create(customer_id=customer.pk, token="subscribed-before-the-upgrade")

        executor = MigrationExecutor(connection)
        executor.migrate(latest)

        feed = CalendarFeed.objects.get(customer=customer)
        assert feed.membership is None
        assert feed.token_hash == CalendarFeed.hash_token("subscribed-before-the-upgrade")
        assert _feed("subscribed-before-the-upgrade").status_code == 200
    finally:
        MigrationExecutor(connection).migrate(latest)


@pytest.mark.django_db(transaction=True)
def test_the_migration_goes_back_with_new_tokens(customer, admin_membership, shared_token):
    """A hash cannot give the token back: going back, the shared feed gets a new token (its old
    URL stops) and personal feeds, which the older schema cannot hold, go."""
    calendar_feed_rotate(membership=admin_membership)
    executor = MigrationExecutor(connection)
    before = [("changes", "0002_catalog_staff_groups")]
    latest = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate(before)

        old_apps = MigrationExecutor(connection).loader.project_state(before).apps
        (row,) = old_apps.get_model("changes", "CalendarFeed").objects.filter(
            customer_id=customer.pk
        )
        assert len(row.token) > 40
        assert row.token != shared_token
    finally:
        MigrationExecutor(connection).migrate(latest)
