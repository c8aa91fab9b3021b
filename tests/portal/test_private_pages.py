"""No cache keeps what a signed-in person sees (issue 13, section 5): `Cache-Control: private,
no-store` on every response to a signed-in person. The permission matrix checks every portal
URL for every persona; this file covers allauth's pages, the staff admin, error pages and the
moment of signing in and out."""

import pytest
from django.urls import reverse

from tests.factories import PASSWORD

LOGIN = "/accounts/login/"


def _directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part}


def _never_cached(response) -> bool:
    return {"private", "no-store"} <= _directives(response)


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/", 200),
        ("/billing/invoices/", 200),
        ("/tickets/", 200),
        ("/users/", 200),
        ("/audit/", 200),
        ("/profile/", 200),
        ("/accounts/password/change/", 200),
        ("/accounts/2fa/", 200),
        ("/contacts/", 200),  # public, but shown to a signed-in person with their menus
        ("/help/", 200),
        ("/no-such-page/", 404),  # the 404 page carries the header's menus too
    ],
)
def test_every_page_a_signed_in_person_sees_is_never_cached(portal_admin_client, path, status):
    response = portal_admin_client.get(path)

    assert response.status_code == status
    assert _never_cached(response), response.get("Cache-Control")


def test_the_staff_admin_is_never_cached(client, staff_user):
    staff_user.is_superuser = True
    staff_user.save(update_fields=["is_superuser"])
    client.force_login(staff_user)

    response = client.get("/admin/")

    assert _never_cached(response), response.get("Cache-Control")


def test_the_response_that_signs_a_person_in_is_never_cached(client, portal_admin_user):
    response = client.post(LOGIN, {"login": portal_admin_user.email, "password": PASSWORD})

    assert response.status_code == 302
    assert _never_cached(response)


def test_a_csv_export_is_never_cached(portal_admin_client, customer):
    response = portal_admin_client.get(reverse("tickets:export"))

    assert response.status_code == 200
    assert _never_cached(response)


def test_the_public_directory_seen_anonymously_is_not_marked_private(client, db):
    """Only a signed-in person's responses are marked; the public directory is the same for
    everyone."""
    response = client.get("/contacts/")

    assert response.status_code == 200
    assert "private" not in _directives(response)
