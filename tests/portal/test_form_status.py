"""Bad input on allauth's pages answers 4xx like the portal's own forms (never a 200 that looks
like success)."""

from django.urls import reverse


def test_password_reset_with_a_malformed_address_is_a_400_with_the_message(client, db):
    response = client.post(reverse("account_reset_password"), {"email": "not-an-email"})

    assert response.status_code == 400
    assert 'id="id_email"' in response.content.decode()
    assert "field-error" in response.content.decode()


def test_password_change_with_mismatched_passwords_is_a_400(admin_client):
    response = admin_client.post(
        reverse("account_change_password"),
        {
            "oldpassword": "correct-horse-battery-9",
            "password1": "Another-Long-Pass-81",
            "password2": "Different-Long-Pass-82",
        },
    )

    assert response.status_code == 400


def test_a_valid_post_still_redirects(admin_client, admin_user):
    response = admin_client.post(
        reverse("account_change_password"),
        {
            "oldpassword": "correct-horse-battery-9",
            "password1": "Another-Long-Pass-81",
            "password2": "Another-Long-Pass-81",
        },
    )

    assert response.status_code == 302
    admin_user.refresh_from_db()
    assert admin_user.check_password("Another-Long-Pass-81")
