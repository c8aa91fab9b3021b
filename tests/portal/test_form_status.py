"""Bad input on allauth's pages answers 4xx like the portal's own forms (never a 200 that looks
like success)."""

from django.urls import reverse


def test_password_reset_with_a_malformed_address_is_a_400_with_the_message(client, db):
    response = client.post(reverse("account_reset_password"), {"email": "not-an-email"})

    assert response.status_code == 400
    assert 'id="id_email"' in response.content.decode()
    assert "field-error" in response.content.decode()


def test_password_change_with_mismatched_passwords_is_a_400(portal_admin_client):
    response = portal_admin_client.post(
        reverse("account_change_password"),
        {
            "oldpassword": "correct-horse-battery-9",
            "password1": "Another-Long-Pass-81",
            "password2": "Different-Long-Pass-82",
        },
    )

    assert response.status_code == 400


def test_a_valid_post_still_redirects(portal_admin_client, portal_admin_user):
    response = portal_admin_client.post(
        reverse("account_change_password"),
        {
            "oldpassword": "correct-horse-battery-9",
            "password1": "Another-Long-Pass-81",
            "password2": "Another-Long-Pass-81",
        },
    )

    assert response.status_code == 302
    portal_admin_user.refresh_from_db()
    assert portal_admin_user.check_password("Another-Long-Pass-81")
