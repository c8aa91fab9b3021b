"""Staff cannot make themselves more powerful (issue 13 item 1, review S1).

A matrix over the four staff groups and a superuser, driven through the real admin pages with
the test client: the user page shows the powers (superuser, staff, groups, permissions) read only
to everybody but a superuser, a crafted POST that sets one of them is refused (403 or a form
error) and the database is unchanged, and the password and e-mail of a staff account are a
superuser's business only.
"""

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.test import Client

from core.models import AuditEvent, Membership, User
from tests.admin_forms import change_form_data
from tests.conftest import staff_login, staff_totp
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.portal.conftest import STAFF_EDITORS as EDITORS
from tests.portal.conftest import STAFF_GROUPS

POWERS = ("is_superuser", "is_staff", "groups", "user_permissions")
NEW_PASSWORD = "Lantern-Quiet-Harbour-77"
# The membership inline of the add page, posted empty.
NO_MEMBERSHIPS = {"memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0"}


def _user_url(user) -> str:
    return f"/admin/portal/user/{user.pk}/change/"


def _password_url(user) -> str:
    return f"/admin/portal/user/{user.pk}/password/"


@pytest.fixture
def colleague(db):
    user = UserFactory(email="colleague@provider.test", is_staff=True)
    user.groups.add(Group.objects.get(name="TSC"))
    return user


@pytest.fixture
def person(customer):
    """A customer's person (not staff)."""
    return MembershipFactory(customer=customer, admin=True, user__email="ana@acme.test").user


def _powers(user) -> dict:
    user = User.objects.get(pk=user.pk)
    return {
        "email": user.email,
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
        "groups": sorted(user.groups.values_list("name", flat=True)),
        "permissions": sorted(user.user_permissions.values_list("codename", flat=True)),
        "password": user.password,
    }


def _factors(user) -> int:
    return Authenticator.objects.filter(user=user).count()


def _inputs(body: str) -> set[str]:
    return {name for name in (*POWERS, "email") if f'name="{name}"' in body}


# --- What the page shows ------------------------------------------------------------------


def test_only_a_superuser_sees_the_powers_as_form_fields(editor, editor_client, person):
    own = editor_client.get(_user_url(editor))
    customers = editor_client.get(_user_url(person))

    assert own.status_code == customers.status_code == 200
    for response in (own, customers):
        body = response.content.decode()
        # Read only, but shown: the editor sees what the account can do.
        assert "Superuser status" in body
        if editor.is_superuser:
            assert _inputs(body) >= set(POWERS)
        else:
            assert not _inputs(body) & set(POWERS)
    # A staff account (their own) is read only for anybody but a superuser, e-mail included.
    assert ("email" in _inputs(own.content.decode())) == editor.is_superuser


def test_the_groups_field_is_offered_to_a_superuser_only(editor, editor_client, person):
    body = editor_client.get(_user_url(person)).content.decode()

    offered = 'name="groups"' in body and ">Billing</option>" in body
    assert offered == editor.is_superuser


# --- Crafted POSTs on the change form -----------------------------------------------------


# (target, field, value): what an agent would post to become more powerful.
def _billing_group():
    return str(Group.objects.get(name="Billing").pk)


def _delete_service_permission():
    return str(Permission.objects.get(codename="delete_service").pk)


CASES = {
    "own-superuser": ("self", "is_superuser", lambda: "on"),
    "own-groups-billing": ("self", "groups", _billing_group),
    "own-user-permissions": ("self", "user_permissions", _delete_service_permission),
    "colleague-superuser": ("colleague", "is_superuser", lambda: "on"),
    "customer-person-made-staff": ("person", "is_staff", lambda: "on"),
    "customer-person-made-superuser": ("person", "is_superuser", lambda: "on"),
    "root-email-taken-over": ("root", "email", lambda: "agent@attacker.test"),
    "root-deactivated": ("root", "is_active", lambda: None),
}


@pytest.mark.parametrize(
    ("editor", "case"),
    [
        (editor, case)
        for editor in EDITORS
        for case, (target, _field, _value) in CASES.items()
        if not (editor == "superuser" and target == "self")  # a superuser has every power
    ],
    indirect=["editor"],
)
def test_a_crafted_post_that_grants_a_power_is_refused_unless_by_a_superuser(
    editor, editor_client, root, colleague, person, case
):
    target_name, field, value = CASES[case]
    target = {"self": editor, "colleague": colleague, "person": person, "root": root}[target_name]
    before = _powers(target)
    data = change_form_data(editor_client.get(_user_url(target)))
    wanted = value()
    if wanted is None:
        data.pop(field, None)
        data.setdefault("email", target.email)
    else:
        data[field] = wanted

    response = editor_client.post(_user_url(target), data)

    after = _powers(target)
    if editor.is_superuser:
        assert response.status_code == 302, response.content.decode()[:2000]
        assert after != before
    else:
        assert response.status_code == 403
        assert after == before


@pytest.mark.parametrize("target_name", ["self", "root", "person"])
def test_only_a_superuser_sets_a_password_in_admin(
    editor, editor_client, root, person, target_name
):
    target = {"self": editor, "root": root, "person": person}[target_name]
    before = _powers(target)

    page = editor_client.get(_password_url(target))
    response = editor_client.post(
        _password_url(target),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )

    if editor.is_superuser:
        assert page.status_code == 200
        assert response.status_code == 302
        assert User.objects.get(pk=target.pk).check_password(NEW_PASSWORD)
    else:
        assert page.status_code == response.status_code == 403
        assert _powers(target) == before
        assert User.objects.get(pk=target.pk).check_password(PASSWORD)


def test_the_change_page_offers_the_password_form_to_a_superuser_only(
    editor, editor_client, person
):
    body = editor_client.get(_user_url(person)).content.decode()

    assert ('href="../password/"' in body) == editor.is_superuser


# --- The add form ---------------------------------------------------------------------------


def test_a_crafted_add_form_cannot_create_a_staff_member_or_superuser(editor, editor_client):
    response = editor_client.post(
        "/admin/portal/user/add/",
        {
            "email": "new@provider.test",
            "usable_password": "true",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "is_staff": "on",
            "is_superuser": "on",
            "groups": _billing_group(),
            **NO_MEMBERSHIPS,
        },
    )

    created = User.objects.filter(email="new@provider.test").first()
    if editor.is_superuser:
        assert response.status_code == 302
        assert created is not None
    else:
        assert response.status_code == 403
        assert created is None


def test_staff_add_a_customers_person_without_a_password_and_the_person_gets_a_link(
    care_staff, care_client, customer, django_capture_on_commit_callbacks
):
    """Only a superuser chooses a password in the admin: another staff member who adds a
    customer's person (with their membership) never knows it; the person is sent a link."""
    client = care_client
    page = client.get("/admin/portal/user/add/").content.decode()
    assert 'name="email"' in page
    assert 'name="password1"' not in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/portal/user/add/",
            {
                "email": "New@Acme.test",
                "full_name": "Nina Nueva",
                "language": "es",
                "memberships-TOTAL_FORMS": "1",
                "memberships-INITIAL_FORMS": "0",
                "memberships-0-customer": str(customer.pk),
                "memberships-0-role": Membership.Role.USER,
                "memberships-0-services": "view",
                "memberships-0-orders": "none",
                "memberships-0-tickets": "act",
                "memberships-0-changes": "none",
                "memberships-0-billing": "none",
                "memberships-0-is_active": "on",
            },
        )

    assert response.status_code == 302
    created = User.objects.get(email="new@acme.test")  # kept in lower case
    assert not created.has_usable_password()
    assert not created.is_staff
    assert not created.is_superuser
    assert not created.groups.exists()
    assert created.memberships.get().customer == customer
    (message,) = mail.outbox
    assert message.to[0].endswith("new@acme.test>") or message.to == ["new@acme.test"]
    assert "/accounts/password/reset/key/" in message.body
    assert AuditEvent.objects.filter(
        customer=customer, action=AuditEvent.Action.PASSWORD_RESET_SEND, actor=care_staff
    ).exists()


@pytest.mark.parametrize("field", ["password1", "password2", "usable_password"])
@pytest.mark.parametrize("group", STAFF_GROUPS)
def test_a_crafted_add_form_with_a_password_is_refused_unless_by_a_superuser(db, group, field):
    """(A superuser's add form takes a password: the other tests of this file cover it.)"""
    agent = UserFactory(email="agent@provider.test", is_staff=True)
    agent.groups.add(Group.objects.get(name=group))
    client = staff_login(Client(), agent)

    response = client.post(
        "/admin/portal/user/add/",
        {"email": "new@acme.test", field: NEW_PASSWORD, **NO_MEMBERSHIPS},
    )

    assert response.status_code == 403
    assert not User.objects.filter(email="new@acme.test").exists()


@pytest.mark.parametrize("taken", ["ANA@acme.test", "Root@Provider.test", "ana@ACME.TEST "])
def test_an_address_taken_in_another_case_is_refused(editor, editor_client, person, root, taken):
    other = MembershipFactory(customer=person.memberships.get().customer, user__email="x@acme.test")
    data = change_form_data(editor_client.get(_user_url(other.user)))
    if editor.has_perm("portal.change_user"):
        data["email"] = taken

        response = editor_client.post(_user_url(other.user), data)

        assert response.status_code == 400
        assert "is already the sign-in address of another person" in response.content.decode()
    assert User.objects.get(pk=other.user.pk).email == "x@acme.test"


# --- Memberships: staff are not customer members ----------------------------------------


def test_staff_cannot_make_a_staff_member_a_customers_portal_administrator(
    editor, editor_client, customer, person
):
    response = editor_client.post(
        "/admin/portal/membership/add/",
        {
            "user": str(editor.pk),
            "customer": str(customer.pk),
            "role": Membership.Role.ADMIN,
            "services": "act",
            "orders": "act",
            "tickets": "act",
            "changes": "act",
            "billing": "act",
            "is_active": "on",
        },
    )

    # Customer Care and a superuser may add memberships: the form refuses a staff member (400);
    # the other groups may not add one at all (403).
    may_add = editor.is_superuser or editor.groups.filter(name="Customer Care").exists()
    assert response.status_code == (400 if may_add else 403)
    assert not Membership.objects.filter(user=editor).exists()


# --- Bulk actions on the user list ---------------------------------------------------------


def _offered_actions(response) -> list[str]:
    form = response.context.get("action_form")
    return [value for value, _label in form.fields["action"].choices if value] if form else []


def test_no_bulk_action_on_the_user_list_touches_a_staff_account_unless_by_a_superuser(
    editor, editor_client, root, colleague
):
    """Every action the list offers, run on two staff accounts: for anybody but a superuser,
    nothing happens to them (no password reset link, no second factor removed, no delete)."""
    for user in (root, colleague):
        staff_totp(user)
    before = {user.pk: (_powers(user), _factors(user)) for user in (root, colleague)}
    actions = _offered_actions(editor_client.get("/admin/portal/user/"))

    for action in actions:
        editor_client.post(
            "/admin/portal/user/",
            {
                "action": action,
                "_selected_action": [str(root.pk), str(colleague.pk)],
                "post": "yes",
            },
        )

    after = {user.pk: (_powers(user), _factors(user)) for user in (root, colleague)}
    if editor.is_superuser:
        assert {"send_password_reset", "remove_mfa"} <= set(actions)
        assert after != before
    else:
        assert "remove_mfa" not in actions
        assert after == before
        assert mail.outbox == []


@pytest.mark.parametrize(
    ("url", "action"),
    [
        ("/admin/portal/user/", "send_password_reset"),
        ("/admin/tickets/ticket/", "assign_to_me"),
        ("/admin/portal/service/", "delete_selected"),
    ],
)
def test_an_action_on_a_selection_that_is_not_rows_is_a_400_not_a_500(root, url, action):
    client = staff_login(Client(), root)

    response = client.post(url, {"action": action, "_selected_action": ["abc"]})

    assert response.status_code == 400


def test_reset_links_are_not_sent_to_every_person_at_once(root, person, customer):
    MembershipFactory(customer=customer, user__email="two@acme.test")
    client = staff_login(Client(), root)

    response = client.post(
        "/admin/portal/user/",
        {
            "action": "send_password_reset",
            "select_across": "1",
            "_selected_action": [str(person.pk)],
        },
        follow=True,
    )

    assert response.status_code == 200
    assert "reset links are not sent to everyone at once" in response.content.decode()
    assert mail.outbox == []
