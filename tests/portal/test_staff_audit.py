"""What staff do to a customer's people in the admin is in that customer's audit log (issue 13
item 1, review S2): a person's e-mail, active flag, a password reset sent, two-factor removed;
every membership created, moved or re-levelled; the customer's MFA requirement. The staff
member is the actor, and the customer's administrators read it on their audit page."""

import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.core import mail
from django.test import Client

from core.models import AuditEvent, Customer, Level, Membership, User
from tests.admin_forms import change_form_data
from tests.conftest import staff_totp
from tests.factories import PASSWORD, CustomerFactory, MembershipFactory, UserFactory

Action = AuditEvent.Action
NEW_PASSWORD = "Lantern-Quiet-Harbour-77"


@pytest.fixture
def person(limited_membership):
    return limited_membership.user


def _user_url(user) -> str:
    return f"/admin/portal/user/{user.pk}/change/"


def _membership_url(membership) -> str:
    return f"/admin/portal/membership/{membership.pk}/change/"


def _events(customer, action) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(customer=customer, action=action))


def _detail_lines(html: str) -> list[str]:
    cells = re.findall(r'<td data-label="Detail">(.*?)</td>', html, re.S)
    lines = [line for cell in cells for line in re.findall(r"<div>(.*?)</div>", cell, re.S)]
    return [" ".join(line.split()) for line in lines]


def _sign_in(client, email: str, password: str = PASSWORD):
    return client.post("/accounts/login/", {"login": email, "password": password})


# --- The person: e-mail, active flag, password reset, two-factor --------------------------


def test_staff_changing_a_persons_email_is_audited_and_the_old_address_stops_working(
    care_client, care_staff, person, customer, other_customer, portal_admin_client
):
    MembershipFactory(customer=other_customer, user=person, tickets=Level.VIEW)
    data = change_form_data(care_client.get(_user_url(person)))
    data["email"] = "nico.new@acme.test"

    response = care_client.post(_user_url(person), data)

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.email == "nico.new@acme.test"
    for each in (customer, other_customer):
        (event,) = _events(each, Action.EMAIL_CHANGE)
        assert event.actor == care_staff
        assert event.actor_email == "care@provider.test"
        assert event.target_email == "nico.new@acme.test"
        assert event.detail == {
            "before": {"email": "noc@acme.test"},
            "after": {"email": "nico.new@acme.test"},
            "by": "staff",
        }
    # allauth signs in by its e-mail addresses: the old one must not keep working.
    assert _sign_in(Client(), "noc@acme.test").status_code == 400
    assert _sign_in(Client(), "nico.new@acme.test").status_code == 302
    lines = _detail_lines(portal_admin_client.get("/audit/").content.decode())
    assert "E-mail address: noc@acme.test → nico.new@acme.test" in lines


def test_the_old_address_is_told_when_staff_change_a_persons_email(
    care_client, person, django_capture_on_commit_callbacks
):
    """A changed address followed by a reset link is how an account is taken over: the person
    hears of it at the address they had, with what to do if they did not ask for it."""
    data = change_form_data(care_client.get(_user_url(person)))
    data["email"] = "nico.new@acme.test"

    with django_capture_on_commit_callbacks(execute=True):
        response = care_client.post(_user_url(person), data)

    assert response.status_code == 302
    (message,) = [m for m in mail.outbox if "noc@acme.test" in m.to[0]]
    assert "nico.new@acme.test" in message.body
    assert "noc@acme.test" in message.body
    assert "did not ask for this" in message.body


def test_staff_deactivating_a_person_is_audited_and_ends_their_sessions(
    care_client, care_staff, person, customer, django_capture_on_commit_callbacks
):
    signed_in = Client()
    assert _sign_in(signed_in, person.email).status_code == 302
    assert UserSession.objects.filter(user=person).exists()
    data = change_form_data(care_client.get(_user_url(person)))
    data.pop("is_active")

    with django_capture_on_commit_callbacks(execute=True):
        response = care_client.post(_user_url(person), data)

    assert response.status_code == 302
    person.refresh_from_db()
    assert not person.is_active
    (event,) = _events(customer, Action.ACCOUNT_DISABLE)
    assert event.actor == care_staff
    assert event.target_email == person.email
    assert event.detail == {"by": "staff"}
    assert not UserSession.objects.filter(user=person).exists()

    data["is_active"] = "on"
    care_client.post(_user_url(person), data)
    (event,) = _events(customer, Action.ACCOUNT_ENABLE)
    assert event.actor == care_staff


def test_staff_sending_a_password_reset_is_audited_and_mails_the_person(
    care_client, care_staff, person, customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the outbox hands it over on commit
        response = care_client.post(
            "/admin/portal/user/",
            {"action": "send_password_reset", "_selected_action": [str(person.pk)]},
        )

    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == [person.email]
    assert "/accounts/password/reset/key/" in message.body
    (event,) = _events(customer, Action.PASSWORD_RESET_SEND)
    assert event.actor == care_staff
    assert event.target_email == person.email
    # Nothing about the person's password changed: only the person sets it, from the link.
    assert User.objects.get(pk=person.pk).check_password(PASSWORD)


def test_a_password_reset_for_a_staff_account_is_refused_to_a_non_superuser(care_client, root):
    care_client.post(
        "/admin/portal/user/",
        {"action": "send_password_reset", "_selected_action": [str(root.pk)]},
    )

    assert mail.outbox == []
    assert not AuditEvent.objects.filter(action=Action.PASSWORD_RESET_SEND).exists()


def test_a_superuser_removing_a_persons_two_factor_is_audited(root_client, root, person, customer):
    staff_totp(person)
    assert Authenticator.objects.filter(user=person).exists()

    response = root_client.post(
        "/admin/portal/user/",
        {"action": "remove_mfa", "_selected_action": [str(person.pk)]},
    )

    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=person).exists()
    (event,) = _events(customer, Action.MFA_CHANGE)
    assert event.actor == root
    assert event.target_email == person.email
    assert event.detail == {"event": "removed", "by": "staff"}


def test_customer_care_cannot_remove_two_factor(care_client, person):
    staff_totp(person)

    care_client.post(
        "/admin/portal/user/",
        {"action": "remove_mfa", "_selected_action": [str(person.pk)]},
    )

    assert Authenticator.objects.filter(user=person).exists()
    assert not AuditEvent.objects.filter(action=Action.MFA_CHANGE).exists()


def test_a_superuser_setting_a_persons_password_is_audited(root_client, root, person, customer):
    response = root_client.post(
        f"/admin/portal/user/{person.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )

    assert response.status_code == 302
    (event,) = _events(customer, Action.PASSWORD_CHANGE)
    assert event.actor == root
    assert event.target_email == person.email
    assert event.detail == {"by": "staff"}


# --- Memberships: created, moved, re-levelled, deleted -------------------------------------


def _membership_post(customer, user, **levels) -> dict:
    data = {
        "user": str(user.pk),
        "customer": str(customer.pk),
        "role": Membership.Role.USER,
        **dict.fromkeys(Membership.AREA_FIELDS, Level.NONE),
        "is_active": "on",
    }
    data.update(levels)
    return data


def test_a_membership_created_by_staff_is_audited_in_the_customers_log(
    care_client, care_staff, customer, portal_admin_client
):
    newcomer = UserFactory(email="new@acme.test")

    response = care_client.post(
        "/admin/portal/membership/add/",
        _membership_post(customer, newcomer, tickets=Level.ACT, billing=Level.VIEW),
    )

    assert response.status_code == 302
    (event,) = _events(customer, Action.MEMBER_ADD)
    assert event.actor == care_staff
    assert event.target_email == "new@acme.test"
    assert event.detail["by"] == "staff"
    assert event.detail["role"] == Membership.Role.USER
    assert event.detail["permissions"]["tickets"] == Level.ACT
    page = portal_admin_client.get("/audit/").content.decode()
    assert "Added a user" in page
    assert "Trouble tickets: View and act" in " ".join(_detail_lines(page)).replace("→ ", "")


def test_a_membership_added_in_the_user_page_inline_is_audited(care_client, care_staff, customer):
    newcomer = UserFactory(email="new@acme.test")
    page = care_client.get(_user_url(newcomer))
    data = change_form_data(page)
    data.update(
        {
            "memberships-TOTAL_FORMS": "1",
            "memberships-0-customer": str(customer.pk),
            "memberships-0-role": Membership.Role.ADMIN,
            **{f"memberships-0-{area}": Level.NONE for area in Membership.AREA_FIELDS},
            "memberships-0-is_active": "on",
        }
    )

    response = care_client.post(_user_url(newcomer), data)

    assert response.status_code == 302, response.content.decode()[:3000]
    assert Membership.objects.filter(user=newcomer, customer=customer, role="admin").exists()
    (event,) = _events(customer, Action.MEMBER_ADD)
    assert event.actor == care_staff
    assert event.target_email == "new@acme.test"
    assert event.detail["role"] == Membership.Role.ADMIN


def test_a_membership_added_in_the_customer_page_inline_is_audited(
    care_client, care_staff, customer, admin_membership
):
    newcomer = UserFactory(email="new@acme.test")
    page = care_client.get(f"/admin/portal/customer/{customer.pk}/change/")
    data = change_form_data(page)
    total = int(data["memberships-TOTAL_FORMS"])
    data.update(
        {
            "memberships-TOTAL_FORMS": str(total + 1),
            f"memberships-{total}-user": str(newcomer.pk),
            f"memberships-{total}-role": Membership.Role.USER,
            **{f"memberships-{total}-{area}": Level.NONE for area in Membership.AREA_FIELDS},
            f"memberships-{total}-billing": Level.VIEW,
            f"memberships-{total}-is_active": "on",
        }
    )

    response = care_client.post(f"/admin/portal/customer/{customer.pk}/change/", data)

    assert response.status_code == 302, response.content.decode()[:3000]
    (event,) = _events(customer, Action.MEMBER_ADD)
    assert event.actor == care_staff
    assert event.target_email == "new@acme.test"


def test_a_membership_moved_to_another_customer_is_audited_in_both_without_naming_the_other(
    care_client, care_staff, customer, other_customer, limited_membership
):
    data = change_form_data(care_client.get(_membership_url(limited_membership)))
    data["customer"] = str(other_customer.pk)

    response = care_client.post(_membership_url(limited_membership), data)

    assert response.status_code == 302
    limited_membership.refresh_from_db()
    assert limited_membership.customer == other_customer
    (left,) = _events(customer, Action.MEMBER_REMOVE)
    (joined,) = _events(other_customer, Action.MEMBER_ADD)
    for event in (left, joined):
        assert event.actor == care_staff
        assert event.target_email == "noc@acme.test"
        assert event.detail["by"] == "staff"
    # Each customer's log names only that customer: no tenant learns of another.
    assert other_customer.display_name not in str(left.detail)
    assert customer.display_name not in str(joined.detail)


def test_a_membership_given_to_another_person_is_audited_as_one_leaving_and_one_joining(
    care_client, care_staff, customer, limited_membership
):
    stranger = UserFactory(email="stranger@acme.test")
    data = change_form_data(care_client.get(_membership_url(limited_membership)))
    data["user"] = str(stranger.pk)

    response = care_client.post(_membership_url(limited_membership), data)

    assert response.status_code == 302
    (left,) = _events(customer, Action.MEMBER_REMOVE)
    (joined,) = _events(customer, Action.MEMBER_ADD)
    assert left.target_email == "noc@acme.test"
    assert joined.target_email == "stranger@acme.test"
    assert joined.detail["permissions"]["tickets"] == Level.ACT


def test_a_membership_re_levelled_in_the_user_page_inline_is_audited(
    care_client, care_staff, customer, limited_membership
):
    person = limited_membership.user
    page = care_client.get(_user_url(person))
    data = change_form_data(page)
    data["memberships-0-billing"] = Level.ACT

    response = care_client.post(_user_url(person), data)

    assert response.status_code == 302
    (event,) = _events(customer, Action.PERMISSIONS_CHANGE)
    assert event.actor == care_staff
    assert event.detail["before"]["billing"] == Level.NONE
    assert event.detail["after"]["billing"] == Level.ACT


def test_a_membership_deleted_by_a_superuser_is_audited(root_client, root, customer):
    leaving = MembershipFactory(customer=customer, user__email="leaving@acme.test")
    MembershipFactory(customer=customer, admin=True)

    response = root_client.post(f"/admin/portal/membership/{leaving.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Membership.objects.filter(pk=leaving.pk).exists()
    (event,) = _events(customer, Action.MEMBER_REMOVE)
    assert event.actor == root
    assert event.target_email == "leaving@acme.test"


# --- The customer's MFA requirement --------------------------------------------------------


def test_staff_switching_the_customers_mfa_requirement_is_audited(
    care_client, care_staff, customer, admin_membership, portal_admin_client
):
    url = f"/admin/portal/customer/{customer.pk}/change/"
    data = change_form_data(care_client.get(url))
    data["require_mfa"] = "on"

    response = care_client.post(url, data)

    assert response.status_code == 302
    assert Customer.objects.get(pk=customer.pk).require_mfa
    (event,) = _events(customer, Action.MFA_REQUIREMENT_CHANGE)
    assert event.actor == care_staff
    assert event.detail == {
        "before": {"require_mfa": False},
        "after": {"require_mfa": True},
        "by": "staff",
    }
    # The customer's administrator must now set up TOTP; the audit page is reached after it.
    staff_totp(admin_membership.user)
    lines = _detail_lines(portal_admin_client.get("/audit/").content.decode())
    assert "Two-factor authentication required: No → Yes" in lines


def test_saving_a_customer_without_changing_the_requirement_records_nothing(
    care_client, customer, admin_membership
):
    url = f"/admin/portal/customer/{customer.pk}/change/"
    data = change_form_data(care_client.get(url))

    assert care_client.post(url, data).status_code == 302
    assert not AuditEvent.objects.exists()


def test_staff_edits_of_a_person_without_customers_are_still_recorded(care_client, care_staff):
    loner = UserFactory(email="loner@example.test")
    data = change_form_data(care_client.get(_user_url(loner)))
    data["email"] = "loner2@example.test"

    assert care_client.post(_user_url(loner), data).status_code == 302
    (event,) = AuditEvent.objects.filter(action=Action.EMAIL_CHANGE)
    assert event.customer is None
    assert event.actor == care_staff


def test_many_customers_each_see_the_change_once(care_client, care_staff, person):
    extra = [CustomerFactory() for _ in range(3)]
    for each in extra:
        MembershipFactory(customer=each, user=person, billing=Level.VIEW)
    data = change_form_data(care_client.get(_user_url(person)))
    data["email"] = "nico.new@acme.test"

    assert care_client.post(_user_url(person), data).status_code == 302
    assert AuditEvent.objects.filter(action=Action.EMAIL_CHANGE).count() == 4
