"""Staff edit the directory in the Django admin; every add, change and delete is audited
(DirectoryChange) and malformed numbers are refused (R-CON-1, R-CON-2)."""

import pytest
from django.urls import reverse

from contacts.models import BillingLine, DirectoryChange, Office, SupportLine
from tests.conftest import staff_login
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client):
    user = UserFactory(email="directory@provider.test", is_staff=True, is_superuser=True)
    staff_login(client, user)
    return client


def _billing_form(row: BillingLine, **changes) -> dict:
    data = {
        "countries": row.countries,
        "position": row.position,
        "region_printed": row.region_printed,
        "toll_free_printed": row.toll_free_printed,
        "toll_free_e164": row.toll_free_e164,
        "local_printed": row.local_printed,
        "local_e164": row.local_e164,
        "interpretation": row.interpretation,
    }
    return {**data, **changes}


def test_changing_a_billing_number_is_audited_with_before_and_after(superuser_client):
    row = BillingLine.objects.get(region_printed="Chile")
    url = reverse("admin:contacts_billingline_change", args=[row.pk])
    response = superuser_client.post(
        url, _billing_form(row, local_printed="+56 2 2422 5804", local_e164="")
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    row.refresh_from_db()
    assert row.local_e164 == "+56224225804"  # read from the printed form
    change = DirectoryChange.objects.get()
    assert change.action == "change"
    assert change.actor_email == "directory@provider.test"
    assert change.before["local_e164"] == "+56224225803"
    assert change.after["local_e164"] == "+56224225804"
    assert change.object_id == str(row.pk)


def test_a_malformed_number_is_refused_with_a_clear_message(superuser_client):
    row = BillingLine.objects.get(region_printed="Chile")
    url = reverse("admin:contacts_billingline_change", args=[row.pk])
    response = superuser_client.post(url, _billing_form(row, local_e164="+56 22 42"))
    assert response.status_code == 400  # portal.middleware.InvalidFormStatusMiddleware
    assert "is not a valid phone number" in response.content.decode()
    row.refresh_from_db()
    assert row.local_e164 == "+56224225803"
    assert not DirectoryChange.objects.exists()


def test_a_country_gets_one_billing_row(superuser_client):
    response = superuser_client.post(
        reverse("admin:contacts_billingline_add"),
        {"countries": ["AR"], "position": 5, "local_printed": "+54 11 5170 0000"},
    )
    assert response.status_code == 400
    assert "already has a row of this kind" in response.content.decode()


def _line_form(line: SupportLine, numbers: list[dict], **changes) -> dict:
    data = {
        "countries": line.countries,
        "position": line.position,
        "region_printed": line.region_printed,
        "description_printed": line.description_printed,
        "service_lines": line.service_lines,
        "interpretation": line.interpretation,
        "numbers-TOTAL_FORMS": len(numbers),
        "numbers-INITIAL_FORMS": sum(1 for n in numbers if n.get("id")),
        "numbers-MIN_NUM_FORMS": 0,
        "numbers-MAX_NUM_FORMS": 1000,
    }
    if line.serves_all_lines:
        data["serves_all_lines"] = "on"
    if line.is_regional:
        data["is_regional"] = "on"
    for i, number in enumerate(numbers):
        for key, value in number.items():
            data[f"numbers-{i}-{key}"] = "" if value is None else value
        data[f"numbers-{i}-line"] = line.pk or ""
    return {**data, **changes}


def test_adding_a_tsc_line_with_numbers_through_the_admin_is_audited(superuser_client):
    new = SupportLine(countries=["PA"], service_lines=["vyvx"], position=200)
    numbers = [
        {"kind": "toll_free", "printed": "+1 800 467 7288", "e164": "", "position": 0},
        {"kind": "local", "printed": "+507 314 0324", "e164": "", "position": 1},
    ]
    response = superuser_client.post(
        reverse("admin:contacts_supportline_add"), _line_form(new, numbers)
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    line = SupportLine.objects.get(position=200)
    assert [n.e164 for n in line.numbers.all()] == ["+18004677288", "+5073140324"]
    change = DirectoryChange.objects.get()
    assert change.action == "add"
    assert change.before is None
    assert [n["e164"] for n in change.after["numbers"]] == ["+18004677288", "+5073140324"]


def test_editing_one_number_of_a_tsc_line_is_audited(superuser_client):
    line = SupportLine.objects.get(region_printed="Peru")
    numbers = [
        {
            "id": n.pk,
            "kind": n.kind,
            "printed": n.printed,
            "e164": n.e164,
            "menu_option": n.menu_option,
            "position": n.position,
        }
        for n in line.numbers.all()
    ]
    numbers[1]["printed"] = "+51 1 705 5778"
    numbers[1]["e164"] = ""
    response = superuser_client.post(
        reverse("admin:contacts_supportline_change", args=[line.pk]), _line_form(line, numbers)
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    change = DirectoryChange.objects.get()
    assert change.before["numbers"][1]["e164"] == "+5117055777"
    assert change.after["numbers"][1]["e164"] == "+5117055778"


def test_a_malformed_tsc_number_is_refused(superuser_client):
    line = SupportLine.objects.get(region_printed="Peru")
    numbers = [{"kind": "local", "printed": "call us", "e164": "", "position": 0}]
    response = superuser_client.post(
        reverse("admin:contacts_supportline_change", args=[line.pk]), _line_form(line, numbers)
    )
    assert response.status_code == 400  # portal.middleware.InvalidFormStatusMiddleware
    assert "is not a valid phone number" in response.content.decode()
    assert line.numbers.count() == 2


def test_deleting_an_office_is_audited(superuser_client):
    office = Office.objects.get(site="Morumbi")
    response = superuser_client.post(
        reverse("admin:contacts_office_delete", args=[office.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Office.objects.filter(pk=office.pk).exists()
    change = DirectoryChange.objects.get()
    assert change.action == "delete"
    assert change.after is None
    assert change.before["e164"] == "+551139571900"


def test_the_bulk_delete_action_is_audited_per_row(superuser_client):
    rows = list(Office.objects.filter(country="BR"))
    response = superuser_client.post(
        reverse("admin:contacts_office_changelist"),
        {"action": "delete_selected", "_selected_action": [r.pk for r in rows], "post": "yes"},
    )
    assert response.status_code == 302
    assert DirectoryChange.objects.filter(action="delete").count() == 2


def test_the_audit_trail_is_visible_and_read_only(superuser_client):
    office = Office.objects.get(site="Cotia")
    superuser_client.post(
        reverse("admin:contacts_office_delete", args=[office.pk]), {"post": "yes"}
    )
    change = DirectoryChange.objects.get()
    listing = superuser_client.get(reverse("admin:contacts_directorychange_changelist"))
    assert listing.status_code == 200
    assert "Cotia" in listing.content.decode()
    detail = reverse("admin:contacts_directorychange_change", args=[change.pk])
    assert superuser_client.get(detail).status_code == 200
    assert superuser_client.post(detail, {}).status_code == 403
    assert superuser_client.get(reverse("admin:contacts_directorychange_add")).status_code == 403


def test_the_admin_lists_filter_by_country_and_search(superuser_client):
    url = reverse("admin:contacts_supportline_changelist")
    response = superuser_client.get(url, {"country": "VE"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 3
    response = superuser_client.get(url, {"q": "9306"})
    assert response.context["cl"].result_count == 1
    response = superuser_client.get(reverse("admin:contacts_office_changelist"), {"country": "BR"})
    assert response.context["cl"].result_count == 2
