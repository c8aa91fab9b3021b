"""The account team page, its selectors and the staff admin that fills it (R-TEAM-1..8)."""

import re
from datetime import date

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from core.models import Customer, Service
from team.models import TeamAssignment, TeamMailbox, TeamPerson, TeamRole
from team.selectors import key_contacts_for_customer, team_contact_email, team_for_customer
from tests.conftest import staff_login
from tests.factories import CustomerFactory, TeamAssignmentFactory

Role = TeamRole


def _person(name: str, email: str, **fields) -> TeamPerson:
    return TeamPerson.objects.create(full_name=name, email=email, **fields)


def _assign(customer, role, person=None) -> TeamAssignment:
    return TeamAssignmentFactory.create(customer=customer, role=role, person=person)


def _service(customer, number: str, **fields) -> Service:
    fields.setdefault("status", Service.Status.ACTIVE)
    if fields["status"] in (Service.Status.ACTIVE, Service.Status.SUSPENDED):
        fields.setdefault("activated_on", date(2025, 3, 1))
    return Service.objects.create(
        customer=customer,
        service_id=number,
        product_line=fields.pop("product_line", "internet"),
        site_name="HQ",
        site_address="Av. Corrientes 1234",
        country="AR",
        capacity="100 Mbps",
        **fields,
    )


def _roles(response) -> list[str]:
    return re.findall(r'data-role="([a-z_]+)"', response.content.decode())


def _card(response, role: str) -> str:
    """The HTML of one role's card on the page."""
    html = response.content.decode()
    match = re.search(rf'<section[^>]*data-role="{role}".*?</section>', html, re.S)
    assert match, f"no card for {role}"
    return match.group(0)


@pytest.fixture
def account_manager(customer):
    person = _person(
        "Mariana Quiroga", "mariana.quiroga@lumen.test", phone="+541140001234", languages=["es"]
    )
    _assign(customer, Role.ACCOUNT_MANAGER, person)
    return person


# --- access ------------------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_sign_in(client, db):
    response = client.get("/team/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/team/"


def test_signed_in_person_without_membership_is_refused(client, staff_user):
    staff_login(client, staff_user)
    assert client.get("/team/").status_code == 403
    assert client.post("/team/").status_code == 405  # the method check comes first


def test_page_is_read_only(portal_admin_client):
    assert portal_admin_client.post("/team/").status_code == 405
    assert portal_admin_client.head("/team/").status_code == 200


def test_every_member_sees_the_team_whatever_their_permissions(
    limited_client, customer, account_manager
):
    """A member with no billing or orders permission still sees who their team is."""
    response = limited_client.get("/team/")
    assert response.status_code == 200
    assert "Mariana Quiroga" in response.content.decode()


def test_page_shows_only_the_active_customers_team(
    portal_admin_client, customer, other_customer, account_manager
):
    stranger = _person("Otto Outsider", "otto@lumen.test")
    _assign(other_customer, Role.ACCOUNT_MANAGER, stranger)
    _assign(other_customer, Role.CUSTOMER_CARE_MANAGER, stranger)

    html = portal_admin_client.get("/team/").content.decode()

    assert "Mariana Quiroga" in html
    assert "Otto Outsider" not in html
    assert "otto@lumen.test" not in html


# --- what the card shows -----------------------------------------------------------------------


def test_assigned_person_card_shows_name_mailto_and_a_readable_tel_link(
    portal_admin_client, account_manager
):
    """R-TEAM-1: the account manager, with what to contact them about."""
    card = _card(portal_admin_client.get("/team/"), Role.ACCOUNT_MANAGER)
    assert "Mariana Quiroga" in card
    assert '<span class="team-avatar" aria-hidden="true">MQ</span>' in card
    assert 'href="mailto:mariana.quiroga@lumen.test"' in card
    assert '<a href="tel:+541140001234">+54 11 4000 1234</a>' in card
    for topic in ("Quotes", "New or additional services", "Credit applications"):
        assert f"<li>{topic}</li>" in card


def test_cards_follow_the_team_order_and_hide_roles_the_customer_is_not_entitled_to(
    portal_admin_client, customer
):
    """An enterprise customer without managed services: no SM (R-TEAM-6), no CSM (R-TEAM-7)."""
    assert _roles(portal_admin_client.get("/team/")) == [
        "account_manager",
        "client_experience_lead",
        "customer_care_manager",
        "se_data",
        "se_data_center",
        "se_voice",
        "billing_care",
    ]


@pytest.mark.parametrize(
    ("service", "shown"),
    [
        ({"managed": True}, True),
        ({"product_line": "managed"}, True),
        ({"managed": True, "status": Service.Status.PROVISIONING}, True),
        ({"managed": True, "status": Service.Status.DISCONNECTED}, False),
        ({"managed": False}, False),
    ],
    ids=["managed-flag", "managed-product-line", "in-provisioning", "disconnected", "unmanaged"],
)
def test_service_manager_appears_only_with_managed_services(
    portal_admin_client, customer, other_customer, service, shown
):
    """R-TEAM-6: assigned beforehand, the service manager shows once a managed service exists."""
    _assign(customer, Role.SERVICE_MANAGER, _person("Sofía Medina", "sofia@lumen.test"))
    _service(customer, "AR-0001", **service)
    _service(other_customer, "BR-0001", managed=True)  # another customer's never counts

    response = portal_admin_client.get("/team/")

    assert ("service_manager" in _roles(response)) is shown
    assert ("Sofía Medina" in response.content.decode()) is shown


def test_customer_service_manager_appears_only_for_wholesale_with_languages(
    portal_admin_client, customer
):
    """R-TEAM-7: wholesale carriers have a CSM, who speaks English and Spanish (here Portuguese)."""
    csm = _person("Paulo Reis", "paulo@lumen.test", languages=["pt-br", "en", "es"])
    _assign(customer, Role.CUSTOMER_SERVICE_MANAGER, csm)
    assert "customer_service_manager" not in _roles(portal_admin_client.get("/team/"))

    Customer.objects.filter(pk=customer.pk).update(segment=Customer.Segment.WHOLESALE)
    response = portal_admin_client.get("/team/")

    assert "customer_service_manager" in _roles(response)
    card = _card(response, Role.CUSTOMER_SERVICE_MANAGER)
    assert "Paulo Reis" in card
    assert "Spanish, Portuguese (Brazil), English" in card
    assert "Not part of the NOC" in card


def test_vacant_csm_shows_the_languages_every_csm_speaks(portal_admin_client, customer, settings):
    settings.TEAM_MAILBOX = "account.team@lumen.test"
    Customer.objects.filter(pk=customer.pk).update(segment=Customer.Segment.WHOLESALE)
    card = _card(portal_admin_client.get("/team/"), Role.CUSTOMER_SERVICE_MANAGER)
    assert "Spanish, English" in card


def test_vacant_role_shows_the_roles_shared_mailbox(portal_admin_client, customer, settings):
    settings.TEAM_MAILBOX = "account.team@lumen.test"
    _assign(customer, Role.BILLING_CARE)  # vacant
    TeamMailbox.objects.create(
        role=Role.BILLING_CARE, email="billing.care@lumen.test", phone="+525555550100"
    )

    card = _card(portal_admin_client.get("/team/"), Role.BILLING_CARE)

    assert 'href="mailto:billing.care@lumen.test"' in card
    assert "Team shared mailbox" in card
    assert '<a href="tel:+525555550100">+52 55 5555 0100</a>' in card
    assert "account.team@lumen.test" not in card


def test_inactive_persons_role_shows_the_mailbox_instead_of_them(portal_admin_client, customer):
    gone = _person("Ian Inactive", "ian@lumen.test", is_active=False)
    _assign(customer, Role.CUSTOMER_CARE_MANAGER, gone)
    TeamMailbox.objects.create(role=Role.CUSTOMER_CARE_MANAGER, email="ccm@lumen.test")

    response = portal_admin_client.get("/team/")

    assert "Ian Inactive" not in response.content.decode()
    card = _card(response, Role.CUSTOMER_CARE_MANAGER)
    assert 'href="mailto:ccm@lumen.test"' in card
    assert "Team shared mailbox" in card


def test_role_without_person_or_mailbox_falls_back_to_the_team_mailbox_setting(
    portal_admin_client, settings
):
    settings.TEAM_MAILBOX = "account.team@lumen.test"
    card = _card(portal_admin_client.get("/team/"), Role.SALES_ENGINEER_VOICE)
    assert 'href="mailto:account.team@lumen.test"' in card
    assert "Team shared mailbox" in card


def test_without_any_mailbox_the_role_is_being_assigned_and_points_elsewhere(
    portal_admin_client, settings, account_manager
):
    settings.TEAM_MAILBOX = ""
    response = portal_admin_client.get("/team/")
    card = _card(response, Role.SALES_ENGINEER_DATA)
    assert "This role is being assigned" in card
    assert 'href="#role-account_manager"' in card
    assert 'href="/contacts/"' in card
    assert "mailto:" not in card


def test_page_ends_with_the_tsc_card_pointing_to_the_contact_directory(portal_admin_client):
    """R-TEAM-8: faults go to the TSC/NOC, not to the account team."""
    html = portal_admin_client.get("/team/").content.decode()
    tsc = html.index('data-testid="team-tsc"')
    assert tsc > html.rindex('data-testid="team-card"')
    assert "Technical Service Center (24x7)" in html[tsc:]
    assert 'href="/contacts/"' in html[tsc:]


def test_page_mentions_the_customers_segment(portal_admin_client, customer):
    html = portal_admin_client.get("/team/").content.decode()
    assert re.search(r'data-testid="team-segment">Segment: <span class="badge">Enterprise<', html)


def test_query_count_does_not_grow_with_the_team(
    portal_admin_client, customer, django_assert_max_num_queries
):
    _service(customer, "AR-0001", managed=True)
    with CaptureQueriesContext(connection) as empty_team:
        assert portal_admin_client.get("/team/").status_code == 200
    Customer.objects.filter(pk=customer.pk).update(segment=Customer.Segment.WHOLESALE)
    for n, role in enumerate(Role.values):
        _assign(customer, role, _person(f"Person {n}", f"p{n}@lumen.test", phone="+5491140001234"))
        TeamMailbox.objects.create(role=role, email=f"box{n}@lumen.test")

    with django_assert_max_num_queries(len(empty_team)):
        response = portal_admin_client.get("/team/")

    assert len(_roles(response)) == len(Role.values)


# --- translations (pass once the lead has compiled /work/i18n/team.json) ------------------------


@pytest.mark.parametrize(
    ("language", "strings"),
    [
        ("es", ["Su equipo de cuenta", "Puede consultarle sobre", "Presupuestos", "24x7"]),
        ("pt-br", ["Sua equipe de conta", "Você pode falar sobre", "Orçamentos", "24x7"]),
        ("en", ["Your account team", "Contact them about", "Quotes", "24x7"]),
    ],
)
def test_page_is_translated(
    portal_admin_client, portal_admin_user, account_manager, language, strings
):
    portal_admin_user.language = language
    portal_admin_user.save(update_fields=["language"])
    html = portal_admin_client.get("/team/").content.decode()
    assert f'lang="{language}"' in html
    for text in strings:
        assert text in html, (language, text)
    assert ("Centro de Servicio Técnico (24x7)" in html) is (language == "es")
    assert ("Central de Serviço Técnico (24x7)" in html) is (language == "pt-br")
    if language != "en":
        assert ">Contact them about<" not in html
        assert ">Quotes<" not in html


# --- selectors ---------------------------------------------------------------------------------


def test_key_contacts_are_at_most_four_and_include_the_sm_only_with_managed_services(customer):
    roles = [card.role for card in key_contacts_for_customer(customer=customer)]
    assert roles == ["account_manager", "customer_care_manager", "client_experience_lead"]

    _service(customer, "AR-0001", product_line="managed")
    roles = [card.role for card in key_contacts_for_customer(customer=customer)]
    assert roles == [
        "account_manager",
        "customer_care_manager",
        "client_experience_lead",
        "service_manager",
    ]


def test_key_contacts_partial_for_the_dashboard(customer, account_manager, settings):
    settings.TEAM_MAILBOX = "account.team@lumen.test"
    html = render_to_string(
        "portal/_team_key_contacts.html",
        {"key_contacts": key_contacts_for_customer(customer=customer)},
    )
    assert "Mariana Quiroga" in html
    assert 'href="mailto:mariana.quiroga@lumen.test"' in html
    assert html.count('href="mailto:account.team@lumen.test"') == 2  # CCM and CEL are vacant
    assert 'href="/team/"' in html


def test_team_cards_take_the_person_then_the_mailbox(customer, account_manager, settings):
    settings.TEAM_MAILBOX = ""
    TeamMailbox.objects.create(role=Role.SALES_ENGINEER_DATA, email="se.data@lumen.test")
    cards = {card.role: card for card in team_for_customer(customer=customer)}
    assert cards["account_manager"].name == "Mariana Quiroga"
    assert not cards["account_manager"].is_mailbox
    assert cards["se_data"].email == "se.data@lumen.test"
    assert cards["se_data"].is_mailbox
    assert cards["se_voice"].is_unassigned


def test_team_contact_email_prefers_the_person_then_the_mailbox_then_the_setting(
    customer, settings
):
    settings.TEAM_MAILBOX = "account.team@lumen.test"
    role = Role.CUSTOMER_CARE_MANAGER
    assert team_contact_email(customer=customer, role=role) == "account.team@lumen.test"

    TeamMailbox.objects.create(role=role, email="ccm@lumen.test")
    assert team_contact_email(customer=customer, role=role) == "ccm@lumen.test"

    person = _person("Carla Care", "carla@lumen.test")
    _assign(customer, role, person)
    assert team_contact_email(customer=customer, role=role) == "carla@lumen.test"

    person.is_active = False
    person.save()
    assert team_contact_email(customer=customer, role=role) == "ccm@lumen.test"

    other = CustomerFactory()
    assert team_contact_email(customer=other, role=role) == "ccm@lumen.test"


# --- staff admin -------------------------------------------------------------------------------


def _customer_form(customer, **inline) -> dict:
    """The customer's admin change form with one new account-team row."""
    data = {
        "legal_name": customer.legal_name,
        "display_name": customer.display_name,
        "tax_id": customer.tax_id,
        "country": customer.country,
        "segment": customer.segment,
        "language": customer.language,
        "timezone": customer.timezone,
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "team-TOTAL_FORMS": "1",
        "team-INITIAL_FORMS": "0",
    }
    data.update({f"team-0-{key}": value for key, value in inline.items()})
    return data


def _customer_url(customer) -> str:
    return f"/admin/portal/customer/{customer.pk}/change/"


def test_customer_admin_page_has_the_account_team_inline(root_client, customer):
    response = root_client.get(_customer_url(customer))
    prefixes = [inline.formset.prefix for inline in response.context["inline_admin_formsets"]]
    assert prefixes == ["memberships", "team"]


def test_staff_assign_a_person_in_the_customer_page(root_client, customer):
    person = _person("Mariana Quiroga", "mariana@lumen.test")
    data = _customer_form(customer, role=Role.ACCOUNT_MANAGER, person=str(person.pk))

    response = root_client.post(_customer_url(customer), data)

    assert response.status_code == 302, response.content.decode()[:2000]
    assignment = TeamAssignment.objects.get(customer=customer)
    assert (assignment.role, assignment.person) == (Role.ACCOUNT_MANAGER, person)


def test_staff_may_leave_a_role_vacant(root_client, customer):
    data = _customer_form(customer, role=Role.BILLING_CARE, person="")
    assert root_client.post(_customer_url(customer), data).status_code == 302
    assert TeamAssignment.objects.get(customer=customer).person is None


def test_customer_service_manager_is_refused_for_an_enterprise_customer(root_client, customer):
    """R-TEAM-7, in the customer page's inline and on the assignment's own page."""
    person = _person("Paulo Reis", "paulo@lumen.test")
    message = (
        "A customer service manager is only for wholesale carrier customers: "
        "Acme Logística is not one."
    )
    data = _customer_form(customer, role=Role.CUSTOMER_SERVICE_MANAGER, person=str(person.pk))
    response = root_client.post(_customer_url(customer), data)
    assert response.status_code == 400
    assert message in response.content.decode()

    response = root_client.post(
        "/admin/team/teamassignment/add/",
        {"customer": customer.pk, "role": Role.CUSTOMER_SERVICE_MANAGER, "person": person.pk},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not TeamAssignment.objects.exists()


def test_customer_service_manager_is_accepted_for_a_wholesale_customer(root_client):
    carrier = CustomerFactory(segment=Customer.Segment.WHOLESALE)
    person = _person("Paulo Reis", "paulo@lumen.test")
    response = root_client.post(
        "/admin/team/teamassignment/add/",
        {"customer": carrier.pk, "role": Role.CUSTOMER_SERVICE_MANAGER, "person": person.pk},
    )
    assert response.status_code == 302
    assert TeamAssignment.objects.get(customer=carrier).person == person


def test_an_inactive_person_cannot_be_assigned(root_client, customer):
    gone = _person("Ian Inactive", "ian@lumen.test", is_active=False)
    data = _customer_form(customer, role=Role.ACCOUNT_MANAGER, person=str(gone.pk))
    response = root_client.post(_customer_url(customer), data)
    assert response.status_code == 400
    assert "Ian Inactive is inactive and cannot be assigned" in response.content.decode()
    assert not TeamAssignment.objects.exists()


def test_person_admin_normalises_the_phone_and_stores_languages_from_checkboxes(root_client):
    response = root_client.post(
        "/admin/team/teamperson/add/",
        {
            "full_name": "Mariana Quiroga",
            "email": "mariana@lumen.test",
            "phone": "+54 11 4000-1234",
            "languages": ["en", "es"],
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    person = TeamPerson.objects.get()
    assert person.phone == "+541140001234"
    assert person.languages == ["es", "en"]
    form = root_client.get(f"/admin/team/teamperson/{person.pk}/change/").content.decode()
    assert 'type="checkbox" name="languages" value="pt-br"' in form


@pytest.mark.parametrize("phone", ["4000-1234", "+54 12", "call me"])
def test_person_admin_refuses_a_bad_phone_with_a_clear_message(root_client, phone):
    response = root_client.post(
        "/admin/team/teamperson/add/",
        {"full_name": "Bad Phone", "email": "bad@lumen.test", "phone": phone, "is_active": "on"},
    )
    assert response.status_code == 400
    assert "is not a valid phone number" in response.content.decode()
    assert not TeamPerson.objects.exists()


def test_mailbox_admin_normalises_the_phone(root_client):
    response = root_client.post(
        "/admin/team/teammailbox/add/",
        {"role": Role.BILLING_CARE, "email": "billing@lumen.test", "phone": "+55 11 3000 4000"},
    )
    assert response.status_code == 302
    assert TeamMailbox.objects.get().phone == "+551130004000"


def test_team_admin_lists_open(root_client, customer, account_manager):
    for url in ("teamperson", "teammailbox", "teamassignment"):
        response = root_client.get(f"/admin/team/{url}/")
        assert response.status_code == 200, url
    assert "Mariana Quiroga" in root_client.get("/admin/team/teamassignment/").content.decode()
