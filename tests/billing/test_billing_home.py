"""The billing home and the dashboard's billing cards (issue 7, section 4): amounts due by
currency with the overdue count, open inquiries, the latest invoices, the billing numbers of the
customer's country and the portal it uses (R-BIL-5), and shortcuts for members who may act."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from billing import services
from billing.models import BillingRequest
from contacts.models import BillingLine, PortalAssignment
from core.models import Level
from tests.billing.test_invoice_pages import NBSP, months_back
from tests.factories import CustomerFactory, MembershipFactory, UserFactory, invoice_with_lines

pytestmark = pytest.mark.django_db
HOME = "/billing/"


@pytest.fixture
def staff(db):
    return UserFactory(email="billing.care@provider.test", is_staff=True)


@pytest.fixture
def viewer_client(client, customer, admin_membership):
    membership = MembershipFactory(
        customer=customer, user__email="finance@acme.test", billing=Level.VIEW
    )
    client.force_login(membership.user)
    return client


@pytest.fixture
def phones(db):
    """The handbook's billing rows: Argentina's and Brazil's numbers, and their portals (in
    place of the seeded directory, so the test says which numbers it expects)."""
    BillingLine.objects.all().delete()
    PortalAssignment.objects.all().delete()
    BillingLine.objects.create(
        countries=["AR"],
        region_printed="Argentina",
        toll_free_printed="0800 555 2454",
        toll_free_e164="+548005552454",
        local_printed="+54 11 5170 5300",
        local_e164="+541151705300",
    )
    BillingLine.objects.create(
        countries=["BR"],
        region_printed="Brasil",
        local_printed="+55 11 2124 9900",
        local_e164="+551121249900",
    )
    PortalAssignment.objects.create(
        countries=["AR", "CL"],
        portal=PortalAssignment.Portal.CUSTOMER_PORTAL,
        url="https://portal.provider.test/",
    )
    PortalAssignment.objects.create(countries=["BR"], portal=PortalAssignment.Portal.CONTROL_CENTER)


@pytest.fixture
def billed(customer, portal_admin_user, staff):
    """Amounts due in two currencies (one overdue, one partly credited), a paid invoice,
    six invoices in all; an open dispute, a question waiting for the customer, a closed one."""
    period = months_back(customer, 1)
    not_yet_due = timezone.localdate() + datetime.timedelta(days=10)
    invoices = {
        "usd_due": invoice_with_lines(
            customer,
            number="FA-USD-1",
            amounts=("1000.00", "234.56"),
            period=period,
            due_on=not_yet_due,
        ),
        "usd_overdue": invoice_with_lines(
            customer,
            number="FA-USD-2",
            amounts=("100.00",),
            status="overdue",
            period=months_back(customer, 2),
        ),
        "ars_credited": invoice_with_lines(
            customer,
            number="FA-ARS-1",
            currency="ARS",
            amounts=("5000.00",),
            period=period,
            due_on=not_yet_due,
        ),
        "ars_paid": invoice_with_lines(
            customer,
            number="FA-ARS-2",
            currency="ARS",
            amounts=("7000.00",),
            status="paid",
            paid_on=period,
            period=months_back(customer, 2),
        ),
        "old": invoice_with_lines(
            customer, number="FA-OLD-3", amounts=("200.00",), period=months_back(customer, 3)
        ),
        "older": invoice_with_lines(
            customer, number="FA-OLD-4", status="paid", period=months_back(customer, 4)
        ),
    }
    ars = invoices["ars_credited"]
    credit_request = services.billing_request_create(
        customer=customer,
        user=portal_admin_user,
        kind="dispute",
        subject="Not ours",
        description="x",
        invoice=ars,
        disputed={ars.lines.get().pk: Decimal("1500.00")},
    )
    services.credit_issue(
        request_obj=credit_request, staff=staff, amount=Decimal("1500.00"), invoice=ars
    )
    question = services.billing_request_create(
        customer=customer,
        user=portal_admin_user,
        kind="question",
        subject="Which exchange rate?",
        description="y",
        invoice=invoices["usd_due"],
    )
    services.billing_request_staff_message(
        request_obj=question, staff=staff, body="Which line?", status="waiting"
    )
    dispute = services.billing_request_create(
        customer=customer,
        user=portal_admin_user,
        kind="dispute",
        subject="Doubled charge",
        description="z",
        invoice=invoices["old"],
        disputed={invoices["old"].lines.first().pk: Decimal("100.00")},
    )
    closed = services.billing_request_create(
        customer=customer,
        user=portal_admin_user,
        kind="question",
        subject="Answered already",
        description="w",
        invoice=invoices["older"],
    )
    services.billing_request_answer(request_obj=closed, staff=staff, answer="It is right.")
    # Another customer's debt never shows.
    invoice_with_lines(CustomerFactory(), number="FA-GLOBEX", amounts=("999.00",), period=period)
    return {**invoices, "question": question, "dispute": dispute, "closed": closed}


# --- access ---------------------------------------------------------------------------------


def test_anonymous_people_are_sent_to_sign_in(client):
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/billing/"


def test_a_member_without_the_billing_permission_is_refused(limited_client):
    assert limited_client.get(HOME).status_code == 403


def test_the_home_takes_no_post(portal_admin_client):
    assert portal_admin_client.post(HOME).status_code == 405


def test_the_billing_entry_of_the_navigation_leads_to_the_home(portal_admin_client):
    body = portal_admin_client.get("/").content.decode()
    assert f'href="{HOME}"' in body
    response = portal_admin_client.get(HOME)
    assert response.status_code == 200
    assert 'aria-current="page">Overview' in response.content.decode()


# --- what the home shows --------------------------------------------------------------------


def test_the_home_shows_the_amounts_due_by_currency_with_the_overdue_count(
    portal_admin_client, billed
):
    response = portal_admin_client.get(HOME)
    body = response.content.decode()
    assert [
        (row["currency"], row["amount"], row["count"], row["overdue"])
        for row in response.context["due"]
    ] == [
        ("ARS", Decimal("3500.00"), 1, 0),
        # FA-USD-2 is marked overdue; FA-OLD-3 is still "issued" but past its due date too.
        ("USD", Decimal("1534.56"), 3, 2),
    ]
    due = body[body.index('data-testid="billing-due"') : body.index('data-testid="billing-latest"')]
    assert "ARS" + NBSP + "3,500.00" in due
    assert "$1,534.56" in due
    assert "3 invoices" in due
    assert due.count('data-testid="due-overdue"') == 1
    assert "2 overdue" in due
    assert f'href="{reverse("billing:list")}?status=overdue"' in due
    assert "999" not in due


def test_the_home_lists_the_open_inquiries_with_their_status(portal_admin_client, billed):
    body = portal_admin_client.get(HOME).content.decode()
    section = body[body.index('data-testid="billing-open-requests"') :]
    section = section[: section.index("</section>")]
    assert section.count('data-testid="open-request"') == 2
    for item in (billed["question"], billed["dispute"]):
        assert f'href="{reverse("billing:request_detail", args=[item.number])}"' in section
    assert billed["closed"].number not in section
    assert 'class="count">2<' in section
    assert "Waiting for you" in section
    assert "Received" in section


def test_the_home_lists_the_five_latest_invoices(portal_admin_client, billed):
    response = portal_admin_client.get(HOME)
    assert [invoice.number for invoice in response.context["latest"]] == [
        "FA-ARS-1",
        "FA-USD-1",
        "FA-ARS-2",
        "FA-USD-2",
        "FA-OLD-3",
    ]
    body = response.content.decode()
    assert body.count('data-testid="latest-row"') == 5
    assert f'href="{reverse("billing:invoice", args=["FA-USD-1"])}"' in body
    assert "FA-OLD-4" not in body


def test_the_home_shows_the_billing_phones_and_the_portal_of_the_customers_country(
    portal_admin_client, phones
):
    """R-BIL-5: the billing numbers and the portal of the customer's own country."""
    body = portal_admin_client.get(HOME).content.decode()
    contact = body[body.index('data-testid="billing-contact"') :]
    contact = contact[: contact.index("</section>")]
    assert 'href="tel:08005552454"' in contact  # toll-free: dialled inside the country
    assert "0800 555 2454" in contact
    assert 'href="tel:+541151705300"' in contact
    assert "+54 11 5170 5300" in contact
    assert "+55 11 2124 9900" not in contact  # Brazil's number is not Acme's
    assert 'href="https://portal.provider.test/"' in contact
    assert "Customer Portal (Portal de Clientes)" in contact
    assert "Control Center" not in contact


def test_a_brazilian_customer_sees_its_own_number_and_portal(client, phones):
    globex = CustomerFactory(country="BR", language="pt-br", timezone="America/Sao_Paulo")
    membership = MembershipFactory(customer=globex, admin=True)
    client.force_login(membership.user)
    body = client.get(HOME).content.decode()
    assert 'href="tel:+551121249900"' in body
    assert "0800 555 2454" not in body
    assert "Control Center" in body


def test_without_a_directory_row_the_home_points_to_the_directory(portal_admin_client):
    BillingLine.objects.all().delete()
    PortalAssignment.objects.all().delete()
    body = portal_admin_client.get(HOME).content.decode()
    assert 'data-testid="billing-phones"' not in body
    assert reverse("contacts:directory") in body


def test_members_who_may_act_get_the_shortcuts(portal_admin_client):
    body = portal_admin_client.get(HOME).content.decode()
    create = reverse("billing:request_create")
    assert f'href="{create}?kind=question"' in body
    assert f'href="{create}?kind=dispute"' in body
    assert f'href="{reverse("billing:data_change_create")}"' in body
    assert f'href="{reverse("billing:po_request_create")}"' in body


def test_a_view_only_member_gets_no_shortcut_but_is_told_whom_to_ask(viewer_client, billed):
    response = viewer_client.get(HOME)
    body = response.content.decode()
    assert response.status_code == 200
    assert reverse("billing:request_create") not in body
    assert reverse("billing:data_change_create") not in body
    assert reverse("billing:po_request_create") not in body
    assert 'data-testid="shortcuts-view-only"' in body
    assert "$1,534.56" in body  # reading is allowed


def test_a_customer_without_invoices_is_told_what_will_be_here(portal_admin_client):
    body = portal_admin_client.get(HOME).content.decode()
    assert 'data-testid="nothing-due"' in body
    assert "No invoice in the last 24 months." in body
    assert "No open inquiry." in body


def test_the_home_runs_the_same_queries_however_much_there_is(
    portal_admin_client, customer, billed
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    portal_admin_client.get(HOME)
    with CaptureQueriesContext(connection) as before:
        portal_admin_client.get(HOME)
    for n in range(6):
        invoice_with_lines(customer, number=f"FA-MORE-{n}", period=months_back(customer, 5 + n))
    with CaptureQueriesContext(connection) as after:
        portal_admin_client.get(HOME)
    assert len(after) == len(before)


# --- the dashboard cards --------------------------------------------------------------------


def _cards(body: str) -> list[str]:
    return re.findall(r'aria-labelledby="card-([\w-]+)"', body)


def test_the_dashboard_shows_the_billing_cards_only_with_the_billing_permission(
    portal_admin_client, limited_user, client, billed
):
    admin_cards = _cards(portal_admin_client.get("/").content.decode())
    assert {"billing-due", "billing-overdue", "billing-requests"} <= set(admin_cards)
    client.force_login(limited_user)
    limited_body = client.get("/").content.decode()
    assert not any(card.startswith("billing") for card in _cards(limited_body))
    assert "$1,534.56" not in limited_body


def test_the_dashboard_billing_cards_show_the_right_figures(portal_admin_client, billed):
    body = portal_admin_client.get("/").content.decode()
    due = body[body.index('data-testid="card-billing-due"') :]
    due = due[: due.index("</section>")]
    assert 'data-currency="ARS"><strong>ARS' + NBSP + "3,500.00</strong>" in due
    assert 'data-currency="USD"><strong>$1,534.56</strong>' in due
    assert "3 invoices in USD" in due
    assert 'data-testid="billing-overdue">2<' in body
    assert 'class="card card-attention" aria-labelledby="card-billing-overdue"' in body
    assert 'data-testid="billing-open-requests">2<' in body
    assert 'data-testid="billing-waiting">1 waits for your answer<' in body


def test_the_dashboard_billing_cards_in_brazilian_portuguese(
    portal_admin_client, portal_admin_user, customer
):
    portal_admin_user.language = "pt-br"
    portal_admin_user.save(update_fields=["language"])
    invoice_with_lines(
        customer,
        currency="BRL",
        amounts=("1234.56",),
        period=months_back(customer, 1),
        due_on=months_back(customer, 1) + datetime.timedelta(days=3),
    )
    body = portal_admin_client.get("/").content.decode()
    assert "R$" + NBSP + "1.234,56" in body


def test_a_customer_with_nothing_due_gets_calm_cards(portal_admin_client, customer):
    invoice_with_lines(customer, status="paid", period=months_back(customer, 1))
    body = portal_admin_client.get("/").content.decode()
    assert "Nothing to pay" in body
    assert 'data-testid="billing-overdue">0<' in body
    assert 'class="card" aria-labelledby="card-billing-overdue"' in body
    assert BillingRequest.objects.count() == 0
